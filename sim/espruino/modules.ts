/**
 * The built-in modules `net`, `http`, `dgram` and `NetworkJS` of Espruino 2v29 over the socket
 * server stand-in (socket-server.ts), with the classes and methods of jswrap_net.c and
 * http/jswrap_http.c: Server, Socket, httpSrv, httpSRq, httpSRs, httpCRq, httpCRs, dgramSocket.
 */
import { Conn, SocketServer, ST } from './socket-server';
import { setHeader } from './http-text';
import type { Invoke } from './emitter';

type Opts = Record<string, unknown>;

/** url.parse as jswrap_url_parse does for the parts http uses */
function parseUrl(url: string): Opts {
  let rest = url;
  let protocol = 'http:';
  const p = rest.indexOf('//');
  if (p >= 0) { protocol = rest.slice(0, p); rest = rest.slice(p + 2); }
  const slash = rest.indexOf('/');
  const hostPort = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '/' : rest.slice(slash);
  const colon = hostPort.indexOf(':');
  return {
    protocol, method: 'GET', host: colon < 0 ? hostPort : hostPort.slice(0, colon),
    port: colon < 0 ? null : parseInt(hostPort.slice(colon + 1), 10), path, pathname: path.split('?')[0],
  };
}

export interface EspruinoNet {
  /** the modules, by name, as `require` gives them */
  modules: Record<string, object>;
  server: SocketServer;
  /** one pass of the idle loop (accept, recv, send) and then the queued events; true while sockets exist */
  idle(): boolean;
  /** jswrap_net_kill: every connection closed through the driver (after E.on('kill')) */
  kill(): void;
}

export function espruinoNet(invoke: Invoke, exception: (msg: string) => void): EspruinoNet {
  let net: SocketServer;
  const make = (type: number, kind: string): Conn => {
    const c = new Conn(net, net.q, type);
    const m = methods[kind];
    if (m) Object.assign(c, m);
    Object.defineProperty(c, 'constructor', { value: { name: kind }, enumerable: false });
    return c;
  };
  net = new SocketServer(invoke, make, exception);

  const socketWrite = function (this: Conn, data: unknown): boolean {
    if (!net.online) return false;
    net.write(this, data, undefined, 0);
    return false;
  };
  const socketEnd = function (this: Conn, data?: unknown): void {
    if (!net.online) return;
    if (data !== undefined) socketWrite.call(this, data);
    net.end(this);
  };
  const listen = (type: number) => function (this: Conn, port: number): Conn {
    if (net.online) net.listen(this, port | 0, type);
    return this;
  };
  const closeServer = function (this: Conn): void {
    if (net.online) net.closeServer(this);
  };
  const methods: Record<string, Record<string, Function>> = {
    Socket: { write: socketWrite, end: socketEnd },
    Server: { listen: listen(ST.NORMAL), close: closeServer },
    httpSrv: { listen: listen(ST.HTTP), close: closeServer },
    httpCRq: { write: socketWrite, end: socketEnd },
    httpSRs: {
      write: function (this: Conn, data: unknown) { net.respond(this, data); return false; },
      end: function (this: Conn, data?: unknown) { if (data !== undefined) net.respond(this, data); net.respondEnd(this); },
      writeHead: function (this: Conn, code: number, headers?: unknown) { net.writeHead(this, code, headers); },
      setHeader: function (this: Conn, name: unknown, value: unknown) { setHeader(this, name, value); },
    },
    dgramSocket: {
      send: function (this: Conn, buffer: unknown, offset: unknown, length: unknown, ...args: unknown[]) {
        if (!net.online) return;
        let msg: string;
        let port: unknown;
        let address: unknown;
        if (typeof args[0] === 'number') {
          msg = String(buffer).substr(Number(offset) | 0, Number(length) | 0);
          port = args[0];
          address = args[1];
        } else {
          msg = String(buffer);
          port = offset;
          address = length;
        }
        net.write(this, msg, address, Number(port) & 0xffff);
      },
      bind: function (this: Conn, port: number, callback?: unknown) {
        if (typeof callback === 'function') this.on('#bind', callback);
        if (net.online) net.listen(this, port | 0, ST.UDP);
        net.q.queue(this, '#bind', [this]);
        return this;
      },
      close: function (this: Conn) { if (net.online) net.end(this); },
      addMembership: function (this: Conn, group: unknown, ip: unknown) {
        if (this._opt) { this._opt.multicastGroup = group; this._opt.multicastIp = ip; }
      },
    },
  };

  const requireFunction = (cb: unknown): boolean => {
    if (typeof cb !== 'function') {
      exception('Expecting Callback Function but got ' + typeof cb);
      return false;
    }
    return true;
  };
  const serverNew = (type: number, cb: unknown): Conn => {
    const s = make(type, type === ST.HTTP ? 'httpSrv' : 'Server');
    s.on('connect', cb as Function);
    return s;
  };
  /** jswrap_net_connect */
  const connect = (options: unknown, callback: unknown, type: number): Conn | undefined => {
    let o = options;
    if (typeof o === 'string') o = parseUrl(o);
    if (!o || typeof o !== 'object') {
      exception('Expecting Options to be an Object but it was ' + typeof o);
      return undefined;
    }
    if ((type & ST.MASK) === ST.HTTP && (o as Opts).protocol === 'https:') type |= ST.TLS;
    if (callback !== undefined && typeof callback !== 'function') {
      exception('Expecting Callback Function but got ' + typeof callback);
      return undefined;
    }
    const rq = net.request(type, o as Opts, callback);
    if ((type & ST.MASK) === ST.NORMAL && net.online) net.connect(rq);
    return rq;
  };

  const modules: Record<string, object> = {
    net: {
      createServer: (cb: unknown) => (requireFunction(cb) ? serverNew(ST.NORMAL, cb) : undefined),
      connect: (options: unknown, cb: unknown) => connect(options, cb, ST.NORMAL),
    },
    http: {
      createServer: (cb: unknown) => (requireFunction(cb) ? serverNew(ST.HTTP, cb) : undefined),
      request: (options: unknown, cb: unknown) => connect(options, cb, ST.HTTP),
      get: (options: unknown, cb: unknown) => {
        if (!net.online) return undefined;
        if (options && typeof options === 'object') (options as Opts).method = 'GET';
        const rq = connect(options, cb, ST.HTTP);
        if (rq) net.end(rq);
        return rq;
      },
    },
    dgram: {
      createSocket: (type: unknown, cb: unknown) => connect(type && typeof type === 'object' ? type : {}, cb, ST.UDP),
    },
    NetworkJS: {
      create: (obj: unknown) => {
        net.driver = obj as Record<string, unknown>;
        return obj;
      },
    },
  };

  return {
    modules,
    server: net,
    idle(): boolean {
      const had = net.idle();
      net.q.run();
      return had;
    },
    kill(): void {
      net.closeAll();
      net.driver = null;
    },
  };
}
