/**
 * Espruino 2v29's socket server (libs/network/socketserver.c, jswrap_net.c, js/network_js.c) in
 * TypeScript, for the virtual board: it drives a NetworkJS object (`require("NetworkJS").create`)
 * exactly as the C does — one idle pass polls `accept` for every server, then `recv` and `send` for
 * every server-side connection, then `send` and `recv` for every client connection — and raises
 * the same events in the same order (`data` at once inside the pass, everything else queued for
 * after it). Where it departs from the C is listed in sim/espruino/README.md.
 */
import { Emitter, EventQueue } from './emitter';
import type { Invoke } from './emitter';
import { jsInt, parseHeaders, requestHead, responseHead, setHeader } from './http-text';

export const enum ST { NORMAL = 0, HTTP = 1, UDP = 2, MASK = 3, TLS = 4 }

export const enum SockErr { CLOSED = -1, UNSENT_DATA = -8, UNKNOWN = -10, NO_CONN = -11, NO_RESP = -15, LAST = -15 }

const ERROR_TEXT = ['connection closed', 'out of memory', 'timeout', 'no route', 'busy', 'not found', 'max sockets',
  'unsent data', 'connection reset', 'unknown error', 'no connection', 'bad argument', 'SSL handshake failed',
  'invalid SSL data', 'no response'];

/** socketErrorString */
export function socketErrorString(e: number): string {
  return ERROR_TEXT[-1 - (e < SockErr.LAST ? SockErr.UNKNOWN : e)];
}

export const CHUNK_SIZE = 536;
const UDP_HEADER = 8;
const LOCALHOST = 0x0100007f;
const DNS_PENDING = 0xffffffff;

/** networkParseIPAddress: "a.b.c.d" (lenient, as the C) as a little-endian u32, 0 when not an address */
export function parseIPAddress(ip: string): number {
  if (ip === 'localhost') return LOCALHOST;
  let n = 0;
  let addr = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c >= 48 && c <= 57) n = n * 10 + (c - 48);
    else if (c === 46) { addr = ((addr >>> 8) | (n << 24)) >>> 0; n = 0; } else return 0;
  }
  return ((addr >>> 8) | (n << 24)) >>> 0;
}

function addrString(a: number): string {
  return (a & 255) + '.' + ((a >>> 8) & 255) + '.' + ((a >>> 16) & 255) + '.' + ((a >>> 24) & 255);
}

/** every net/http/dgram object: its hidden children of the C (sckt, dSnd, dRcv, …) as fields */
export class Conn extends Emitter {
  _type = 0;
  /** socket index + 1; 0 = none */
  _sckt = 0;
  _sendData: string | undefined;
  _recvData: string | undefined;
  _closeNow = false;
  _close = false;
  _connected = false;
  _hadHeaders = false;
  _ended = false;
  _recvCount = 0;
  _chunked = false;
  _res: Conn | undefined;
  _svr: Conn | undefined;
  _opt: Record<string, unknown> | undefined;
  _port = 0;
  constructor(readonly _net: SocketServer, q: EventQueue, type: number) {
    super(q);
    this._type = type;
  }
}

type ConnMaker = (type: number, kind: string) => Conn;

export class SocketServer {
  /** the object given to NetworkJS.create, or null while offline */
  driver: Record<string, unknown> | null = null;
  readonly q: EventQueue;
  readonly servers: Conn[] = [];
  readonly serverConns: Conn[] = [];
  readonly clientConns: Conn[] = [];
  /** every call of the driver, when a test wants them: name, socket, a length or the host, and what it returned */
  trace: Array<{ call: string; sckt: number | string | undefined; arg: number | string | undefined; result: unknown }> | null = null;
  /** idle passes run so far (a test lines its scenario up with them) */
  passes = 0;
  /** the hostname net_js_gethostbyname keeps for the next create */
  private dnsName: string | undefined;

  constructor(private readonly invoke: Invoke, private readonly make: ConnMaker, private readonly exception: (msg: string) => void) {
    this.q = new EventQueue(invoke);
  }

  get online(): boolean {
    return this.driver !== null;
  }

  // --- js/network_js.c --------------------------------------------------------------------------

  private callFn(name: string, args: unknown[]): unknown {
    const fn = this.driver ? this.driver[name] : undefined;
    if (typeof fn !== 'function') return undefined;
    const r = this.invoke(fn, this.driver, args);
    if (this.trace && !(name === 'recv' && r === '') && !(name === 'accept' && r === -1) && !(name === 'recv' && r === SockErr.NO_CONN)) {
      const a1 = args[1];
      this.trace.push({ call: name, sckt: args[0] as number | string | undefined, arg: typeof a1 === 'string' ? a1.length : a1 as number, result: typeof r === 'string' ? r.length : r });
    }
    return r;
  }

  private getHostByName(name: string): number {
    const a = parseIPAddress(name);
    if (a) return a;
    this.dnsName = name;
    return DNS_PENDING;
  }

  private netCreate(type: number, host: number, port: number, options: unknown): number {
    let hostVar: string | undefined;
    if (host !== 0) hostVar = host === DNS_PENDING && this.dnsName !== undefined ? this.dnsName : addrString(host);
    return jsInt(this.callFn('create', [hostVar, port, type, options]));
  }

  private netClose(sckt: number): void {
    this.callFn('close', [sckt]);
  }

  private netAccept(sckt: number): number {
    return jsInt(this.callFn('accept', [sckt]));
  }

  /** net_js_recv: the data (as a binary String) or a negative code */
  private netRecv(type: number, sckt: number, len: number): string | number {
    const res = this.callFn('recv', [sckt, len, type]);
    if (typeof res === 'string') {
      if (res.length > len) {
        this.exception(`ASSERT: JSNetwork.recv returned ${res.length} bytes, more than ${len}`);
        return res.slice(0, len);
      }
      return res;
    }
    if (typeof res === 'number' && Math.trunc(res) === res) {
      if (res >= 0) {
        this.exception('JSNetwork.recv returned >=0');
        return -1;
      }
      return res;
    }
    return -1;
  }

  private netSend(type: number, sckt: number, data: string): number {
    return jsInt(this.callFn('send', [sckt, data, type]));
  }

  // --- socketserver.c: helpers ----------------------------------------------------------------

  private kill(c: Conn): void {
    if (!this.online) return;
    const sckt = c._sckt - 1;
    if (sckt >= 0) {
      this.netClose(sckt);
      c._sckt = 0;
      c._connected = false;
      c._close = true;
    }
  }

  static isOpen(c: Conn): boolean {
    return !(c._closeNow || c._close);
  }

  /** socketKill: every connection and server closed through the driver (E.on('kill') runs first) */
  closeAll(): void {
    for (const arr of [this.serverConns, this.clientConns, this.servers]) {
      for (const c of arr) this.kill(c);
      arr.length = 0;
    }
  }

  /** socketSendData: 0, or the driver's negative code */
  private sendData(c: Conn, sckt: number): number {
    const data = c._sendData!;
    const udp = (c._type & ST.MASK) === ST.UDP;
    const chunk = udp ? data : data.slice(0, CHUNK_SIZE);
    const num = this.netSend(c._type, sckt, chunk);
    if (num < 0) return num;
    if (num > 0) {
      if (num < data.length) c._sendData = data.slice(num);
      else {
        if (!c._close) this.q.queue(c, 'drain', [c]);
        c._sendData = '';
      }
    }
    return 0;
  }

  private fireError(error: number, a: Conn | null, b: Conn | null): boolean {
    const hadError = error < 0 && error !== SockErr.CLOSED;
    if (hadError) {
      const e = { code: error, message: socketErrorString(error) };
      if (a) this.q.queue(a, 'error', [e]);
      if (b) this.q.queue(b, 'error', [e]);
    }
    return hadError;
  }

  // --- receiving --------------------------------------------------------------------------------

  /** socketPushReceiveData: what is left of the receive data */
  private pushReceiveData(reader: Conn, data: string | undefined, isHttp: boolean, force: boolean): string | undefined {
    if (!data) return data;
    let next: string | undefined;
    let partial: string | undefined;
    if (isHttp) {
      if (reader._chunked) {
        if (data.length < 5) return data;
        const start = data.indexOf('\r\n');
        const chunkLen = parseInt(data, 16) || 0;
        reader._recvCount = chunkLen ? 1 : 0;
        if (!chunkLen) return undefined;
        const from = start + 2;
        const nextIdx = from + chunkLen + 2;
        if (nextIdx < data.length) next = data.slice(nextIdx);
        else if (nextIdx > data.length) {
          if (nextIdx - data.length < 3) return data;
          partial = (nextIdx - data.length - 2).toString(16) + '\r\n';
        }
        data = data.substr(from, chunkLen);
      } else reader._recvCount -= data.length;
    }
    if (!reader.pushData(data, force)) return data;
    const rest = next ?? partial;
    return next ? this.pushReceiveData(reader, rest, isHttp, force) : rest;
  }

  private receivedUDP(c: Conn, data: string): string | undefined {
    if (data.length < UDP_HEADER) return data;
    const b = (i: number) => data.charCodeAt(i);
    const length = b(6) | (b(7) << 8);
    if (UDP_HEADER + length < data.length) return data;
    const msg = data.substr(UDP_HEADER, length);
    const rest = data.length > UDP_HEADER + length ? data.slice(UDP_HEADER + length) : undefined;
    const rinfo = { address: b(0) + '.' + b(1) + '.' + b(2) + '.' + b(3), port: b(4) | (b(5) << 8), size: length };
    this.q.queue(c, 'message', [msg, rinfo]);
    return rest;
  }

  /** socketReceived: the receive data left over */
  private received(c: Conn, socket: Conn, data: string, isServer: boolean): string | undefined {
    if ((c._type & ST.MASK) === ST.UDP) return this.receivedUDP(c, data);
    const reader = isServer ? c : socket;
    const isHttp = (c._type & ST.MASK) === ST.HTTP;
    let had: boolean = reader._hadHeaders;
    let rest: string | undefined = data;
    if (!had) {
      if (!isHttp) had = true;
      else {
        const after = parseHeaders(reader, data, isServer);
        if (after !== undefined) {
          had = true;
          rest = after;
          if (isServer) this.q.queue(c._svr!, 'connect', [c, socket]);
          else this.q.queue(c, 'connect', [socket]);
        }
      }
      reader._hadHeaders = had;
    }
    if (!had) return rest;
    return this.pushReceiveData(reader, rest, isHttp, false);
  }

  // --- the idle pass ------------------------------------------------------------------------------

  private serverConnectionsIdle(): boolean {
    const arr = this.serverConns;
    let had = false;
    for (let i = 0; i < arr.length;) {
      had = true;
      const c = arr[i];
      const isHttp = (c._type & ST.MASK) === ST.HTTP;
      const socket = isHttp ? c._res! : c;
      const sckt = c._sckt - 1;
      let closeNow = c._closeNow;
      let error = 0;
      if (!closeNow) {
        const got = this.netRecv(c._type, sckt, CHUNK_SIZE);
        const num = typeof got === 'string' ? got.length : got;
        if (typeof got === 'number') { closeNow = true; error = got; } else if (num > 0) c._recvData = this.received(c, socket, (c._recvData ?? '') + got, true);
        const sd = socket._sendData;
        if (sd) {
          const sent = this.sendData(socket, sckt);
          if (sent < 0) { closeNow = true; error = sent; }
        }
        if (!socket._sendData && num <= 0) {
          let really = socket._close;
          if (isHttp) {
            if (c._recvCount > 0 || !c._hadHeaders) really = false;
            else if (!c._ended) {
              c._ended = true;
              this.q.queue(c, 'end', []);
            }
          }
          closeNow = really;
        } else if (num > 0) closeNow = false;
      }
      if (closeNow) {
        if (c._hadHeaders) c._recvData = this.pushReceiveData(c, c._recvData, isHttp, true);
        const hadError = this.fireError(error, c, socket);
        this.q.queue(socket, 'end', []);
        if (c !== socket) this.q.queue(c, 'close', [hadError]);
        this.q.queue(socket, 'close', [hadError]);
        this.kill(c);
        arr.splice(i, 1);
      } else i++;
    }
    return had;
  }

  private clientConnectionsIdle(): boolean {
    const arr = this.clientConns;
    let had = false;
    for (let i = 0; i < arr.length;) {
      had = true;
      const c = arr[i];
      const isHttp = (c._type & ST.MASK) === ST.HTTP;
      const socket = isHttp ? c._res! : c;
      let hadHeaders = false;
      let error = 0;
      let closeNow = c._closeNow;
      let connected = c._connected;
      const sckt = c._sckt - 1;
      let data: string | undefined;
      if (sckt >= 0) {
        hadHeaders = isHttp ? socket._hadHeaders : true;
        data = c._recvData;
        if (hadHeaders) data = this.pushReceiveData(socket, data, isHttp, false);
        if (!closeNow) {
          const sd = c._sendData;
          if (sd) {
            // socketSendData gives 0 or an error, never a count: the C's "sent something, must be
            // connected" branch cannot run, so only recv marks a client connected
            const num = this.sendData(c, sckt);
            if (num < 0) { closeNow = true; error = num; }
          } else {
            if (c._close) closeNow = true;
            if (isHttp) {
              if (socket._recvCount > 0 || !hadHeaders) closeNow = false;
              else if (!socket._ended) {
                socket._ended = true;
                this.q.queue(socket, 'end', []);
              }
            }
          }
          const got = this.netRecv(c._type, sckt, CHUNK_SIZE);
          if (!connected && got === SockErr.NO_CONN) {
            // not connected yet
          } else if (typeof got === 'number') {
            closeNow = true;
            if (got === SockErr.CLOSED) {
              if (!isHttp || socket._recvCount > 0 || !hadHeaders) {
                error = got;
                if (!hadHeaders) error = SockErr.NO_RESP;
              }
            } else error = got;
          } else {
            if (!connected && !isHttp) {
              this.q.queue(c, 'connect', [c]);
              c._connected = connected = true;
              if (!c._sendData) this.q.queue(c, 'drain', [c]);
            }
            if (got.length > 0) {
              data = this.received(c, socket, (data ?? '') + got, false);
            }
          }
        }
        c._recvData = data;
      }
      let removed = false;
      if (closeNow) {
        data = this.pushReceiveData(socket, data, isHttp, true);
        c._recvData = data;
        if (!data) {
          if (c._sendData && error === SockErr.CLOSED) error = SockErr.UNSENT_DATA;
          this.kill(c);
          arr.splice(i, 1);
          removed = true;
          const hadError = this.fireError(error, c, null);
          if (!socket._ended) {
            socket._ended = true;
            this.q.queue(socket, 'end', []);
          }
          this.q.queue(socket, 'close', [hadError]);
        }
      }
      if (!removed) i++;
    }
    return had;
  }

  /** socketIdle (with jswrap_net_idle's caller): one pass; true while sockets exist */
  idle(): boolean {
    this.passes++;
    if (!this.online) {
      this.closeAll();
      return false;
    }
    let had = false;
    for (const server of this.servers.slice()) {
      had = true;
      let client = -1;
      if ((server._type & ST.MASK) !== ST.UDP) client = this.netAccept(server._sckt - 1);
      if (client < 0) continue;
      if ((server._type & ST.MASK) === ST.HTTP) {
        const req = this.make(ST.HTTP, 'httpSRq');
        const res = this.make(ST.HTTP, 'httpSRs');
        this.serverConns.push(req);
        req._res = res;
        req._svr = server;
        req._sckt = res._sckt = client + 1;
        setHeader(res, 'Connection', 'close');
      } else {
        const sock = this.make(server._type, 'Socket');
        this.clientConns.push(sock);
        sock._sckt = client + 1;
        this.q.queue(server, 'connect', [sock]);
      }
    }
    if (this.serverConnectionsIdle()) had = true;
    if (this.clientConnectionsIdle()) had = true;
    return had;
  }

  // --- what the modules call --------------------------------------------------------------------

  /** serverListen */
  listen(server: Conn, port: number, type: number): void {
    server._port = port;
    const sckt = this.netCreate(type, 0, port, server._opt);
    if (sckt < 0) {
      this.exception('Unable to create socket');
      server._closeNow = true;
      return;
    }
    server._sckt = sckt + 1;
    if ((type & ST.MASK) === ST.UDP) this.serverConns.push(server);
    else this.servers.push(server);
  }

  /** serverClose */
  closeServer(server: Conn): void {
    this.kill(server);
    const i = this.servers.indexOf(server);
    if (i >= 0) this.servers.splice(i, 1);
  }

  /** clientRequestNew */
  request(type: number, options: Record<string, unknown>, callback: unknown): Conn {
    let res: Conn | undefined;
    let req: Conn;
    if ((type & ST.MASK) === ST.HTTP) {
      res = this.make(type, 'httpCRs');
      req = this.make(type, 'httpCRq');
    } else req = this.make(type, (type & ST.MASK) === ST.UDP ? 'dgramSocket' : 'Socket');
    if (typeof callback === 'function') req.on('connect', callback);
    this.clientConns.push(req);
    if (res) req._res = res;
    req._opt = options;
    return req;
  }

  /** clientRequestWrite */
  write(req: Conn, data: unknown, host: unknown, port: number): void {
    if (!SocketServer.isOpen(req)) {
      this.exception('This socket is closed');
      return;
    }
    const type = req._type;
    if (req._sendData === undefined) {
      const options = (type & ST.MASK) === ST.HTTP && req._sckt === 0 ? req._opt : undefined;
      req._sendData = options ? requestHead(req, options) : '';
    }
    if (data !== undefined && data !== null) {
      const s = String(data);
      if (req._chunked) req._sendData += s.length.toString(16) + '\r\n' + s + '\r\n';
      else {
        if ((type & ST.MASK) === ST.UDP) {
          const a = this.getHostByName(String(host));
          req._sendData += String.fromCharCode(a & 255, (a >>> 8) & 255, (a >>> 16) & 255, a >>> 24, port & 255, port >> 8, s.length & 255, (s.length >> 8) & 255);
        }
        req._sendData += s;
      }
    }
    if ((type & ST.MASK) !== ST.NORMAL) this.connect(req);
  }

  /** clientRequestConnect */
  connect(req: Conn): void {
    if (req._sckt > 0) return;
    const opt = req._opt ?? {};
    let port = jsInt(opt.port) & 0xffff;
    const addr = opt.host === undefined ? LOCALHOST : this.getHostByName(String(opt.host));
    if (!addr) {
      this.exception('Unable to locate host');
      req._closeNow = true;
      return;
    }
    if (req._type & ST.TLS && port === 0) port = 443;
    if ((req._type & ST.MASK) === ST.HTTP && port === 0) port = 80;
    const sckt = this.netCreate(req._type, addr, port, req._opt);
    if (sckt < 0) {
      this.exception('Unable to create socket');
      req._closeNow = true;
    } else req._sckt = sckt + 1;
  }

  /** clientRequestEnd */
  end(req: Conn): void {
    if ((req._type & ST.MASK) === ST.HTTP) this.write(req, req._chunked ? '' : undefined, undefined, 0);
    else if (!req._sendData) req._closeNow = true;
    req._close = true;
  }

  /** serverResponseWriteHead */
  writeHead(res: Conn, statusCode: number, headers: unknown): void {
    if (headers !== undefined && (headers === null || typeof headers !== 'object')) {
      this.exception('Headers sent to writeHead should be an object');
      return;
    }
    if (res._sendData !== undefined) {
      this.exception('Headers have already been sent');
      return;
    }
    res._sendData = responseHead(res, statusCode, headers as object | undefined);
  }

  /** serverResponseWrite */
  respond(res: Conn, data: unknown): void {
    if (!SocketServer.isOpen(res)) {
      this.exception('This socket is closed');
      return;
    }
    if (res._sendData === undefined) this.writeHead(res, 200, undefined);
    if (res._sendData !== undefined && data !== undefined) {
      const s = String(data);
      res._sendData += res._chunked ? s.length.toString(16) + '\r\n' + s + '\r\n' : s;
    }
  }

  /** serverResponseEnd */
  respondEnd(res: Conn): void {
    this.respond(res, res._chunked ? '' : undefined);
    res._close = true;
  }
}
