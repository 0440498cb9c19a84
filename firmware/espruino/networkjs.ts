/**
 * The object handed to Espruino's `require("NetworkJS").create(obj)` (espruino.md §6), over the
 * socket layer, so Espruino's own `net`, `http` and `dgram` run unchanged over our NICs. Espruino
 * polls it from its idle loop: `accept` for servers, `recv` then `send` for connections. Every
 * socket is non-blocking; what the socket layer reports with FD_CONNECT and FD_CLOSE is kept per
 * handle and handed out by the next `recv`/`send`:
 *
 *   create → handle (≥ 1), or −7 (out of sockets) and other negative codes; a hostname resolves
 *            through the DNS resolver (−6 when it does not)
 *   recv   → a String of at most 536 bytes ("" = nothing now), −11 before the connection is up,
 *            −1 after the peer's FIN once the last byte was handed over, −9 on a reset
 *   send   → bytes taken (0 = later), or a negative code
 *   close  → closesocket: a graceful close in the background (SO_DONTLINGER); `linger: 0` makes it
 *            abortive
 *
 * UDP: both directions carry Espruino's 8-byte header before the payload: the address (4 bytes),
 * the port and the length (u16, little-endian).
 */
import type { SocketLayer } from '../socket/layer';
import type { DnsResolver } from '../services/dns';
import { AddressFamily, FdEvent, OptLevel, SockOpt, SockType } from '../socket/constants';
import { WSAError } from '../socket/errors';
import { formatIPv4, parseIPv4 } from '../socket/address';
import type { CloseResult, SockAddr } from '../socket/types';

// Espruino's own conversions between binary Strings and bytes (module-local: not in the typings)
declare const E: { toString(b: Uint8Array): string | undefined; toArrayBuffer(s: string): ArrayBuffer };

/** Espruino's socket error codes (libs/network/socketerrors.h) */
export const enum NetJsErr {
  CLOSED = -1,
  MEM = -2,
  TIMEOUT = -3,
  NO_ROUTE = -4,
  BUSY = -5,
  NOT_FOUND = -6,
  MAX_SOCK = -7,
  RESET = -9,
  UNKNOWN = -10,
  NO_CONN = -11,
  BAD_ARG = -12,
}

export const enum NetJs {
  /** Espruino's chunkSize: the most recv returns and send is given */
  CHUNK = 536,
  /** the UDP header before each datagram */
  UDP_HEADER = 8,
  /** socketType & TYPE_MASK */
  TYPE_MASK = 3,
  ST_UDP = 2,
  BACKLOG = 2,
}

const enum St {
  NONE = 0,
  RESOLVING = 1,
  CONNECTING = 2,
  OPEN = 3,
  LISTENING = 4,
  UDP = 5,
}

export interface NetworkJsOptions {
  /** SO_LINGER for Espruino's close: undefined = SO_DONTLINGER (graceful, in the background); 0 = abortive */
  linger?: number;
  /** how each close ended (closesocket's result), for an application's book-keeping */
  closed?: (s: number, r: CloseResult) => void;
}

/** what Espruino's NetworkJS calls, with `this` the object */
export interface NetworkJsDriver {
  create(host: string | undefined, port: number, type: number, options?: unknown): number;
  close(s: number): void;
  accept(s: number): number;
  recv(s: number, maxLen: number, type: number): string | number;
  send(s: number, data: string, type: number): number;
  /** not Espruino's: at kill, every socket this object opened gets Espruino's close; returns how many */
  closeAll(): number;
}

/** a Winsock error as Espruino's socket error */
export function netJsError(wsa: number): number {
  switch (wsa) {
    case WSAError.WSAECONNRESET: case WSAError.WSAECONNABORTED: case WSAError.WSAECONNREFUSED: case WSAError.WSAENETRESET:
      return NetJsErr.RESET;
    case WSAError.WSAETIMEDOUT: case WSAError.WSATRY_AGAIN: return NetJsErr.TIMEOUT;
    case WSAError.WSAENETDOWN: case WSAError.WSAENETUNREACH: case WSAError.WSAEHOSTUNREACH: return NetJsErr.NO_ROUTE;
    case WSAError.WSAEMFILE: case WSAError.WSAENOBUFS: return NetJsErr.MAX_SOCK;
    case WSAError.WSAHOST_NOT_FOUND: case WSAError.WSANO_DATA: return NetJsErr.NOT_FOUND;
    case WSAError.WSAEADDRINUSE: return NetJsErr.BUSY;
    case WSAError.WSAEINVAL: case WSAError.WSAEFAULT: case WSAError.WSAEADDRNOTAVAIL: return NetJsErr.BAD_ARG;
  }
  return NetJsErr.UNKNOWN;
}

/** The NetworkJS object over `api`; `dns` resolves hostnames given to create (null: IP literals only). */
export function networkJs(api: SocketLayer, dns: DnsResolver | null, options?: NetworkJsOptions): NetworkJsDriver {
  const linger = options && options.linger !== undefined ? options.linger : -1;
  const closed = options && options.closed;
  const buf = new Uint8Array(NetJs.CHUNK);
  const from: SockAddr = { addr: '', port: 0 };
  // per handle: St, the error to hand out (Espruino's code), and a token that outdates a lookup
  const st: number[] = [];
  const err: number[] = [];
  const tok: number[] = [];
  let lookups = 0;

  const fail = function (s: number): number {
    const e = netJsError(api.WSAGetLastError());
    if (s >= 0) api.closesocket(s);
    return e;
  };
  const onEvent = function (s: number, ev: number, e: number): void {
    if (ev === FdEvent.FD_CONNECT) {
      if (e) err[s] = netJsError(e);
      else st[s] = St.OPEN;
    } else if (ev === FdEvent.FD_CLOSE && e) err[s] = netJsError(e);
  };
  const open = function (type: number): number {
    const s = api.socket(AddressFamily.AF_INET, type, 0);
    if (s < 0) return s;
    if (api.WSAAsyncSelect(s, onEvent, FdEvent.FD_CONNECT | FdEvent.FD_CLOSE) < 0) {
      api.closesocket(s);
      return -1;
    }
    err[s] = 0;
    tok[s] = 0;
    return s;
  };
  const connect = function (s: number, ip: string, port: number): void {
    st[s] = St.CONNECTING;
    if (api.connect(s, ip, port) < 0 && api.WSAGetLastError() !== WSAError.WSAEWOULDBLOCK) err[s] = netJsError(api.WSAGetLastError());
  };
  const bytes = function (data: string, at: number, n: number): Uint8Array {
    return new Uint8Array(E.toArrayBuffer(at === 0 && n === data.length ? data : data.substr(at, n)));
  };
  const text = function (s: number, n: number, head: number): string | number {
    const out = E.toString(buf.subarray(0, n + head));
    if (out === undefined) {
      // no memory for the String: the bytes are gone, so the connection must not look intact
      err[s] = NetJsErr.MEM;
      return NetJsErr.MEM;
    }
    return out;
  };

  const close = function (s: number): void {
    if (!st[s]) return;
    st[s] = St.NONE;
    tok[s] = 0;
    if (linger >= 0) api.setsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: linger });
    api.closesocket(s, closed ? function (r: CloseResult) { closed(s, r); } : undefined);
  };

  return {
    'create': function (host: string | undefined, port: number, type: number): number {
      if ((type & NetJs.TYPE_MASK) === NetJs.ST_UDP) {
        const u = open(SockType.SOCK_DGRAM);
        if (u < 0) return fail(-1);
        // a server binds its port; a client (Espruino gives it 127.0.0.1, port 0) takes any
        if (api.bind(u, '0.0.0.0', host === undefined ? port : 0) < 0) return fail(u);
        st[u] = St.UDP;
        return u;
      }
      const s = open(SockType.SOCK_STREAM);
      if (s < 0) return fail(-1);
      if (host === undefined) {
        if (api.bind(s, '0.0.0.0', port) < 0 || api.listen(s, NetJs.BACKLOG) < 0) return fail(s);
        st[s] = St.LISTENING;
      } else if (parseIPv4(host) >= 0) {
        connect(s, host, port);
      } else {
        st[s] = St.RESOLVING;
        const t = tok[s] = ++lookups;
        const r = dns ? dns.getaddrinfo(host, function (e: number, addr: string) {
          if (tok[s] !== t) return; // closed meanwhile
          if (e) err[s] = netJsError(e);
          else connect(s, addr, port);
        }) : WSAError.WSAHOST_NOT_FOUND;
        if (r) err[s] = netJsError(r);
      }
      return s;
    },

    'close': close,

    'accept': function (s: number): number {
      if (st[s] !== St.LISTENING) return -1;
      const c = api.accept(s);
      if (c < 0) return -1;
      st[c] = St.OPEN;
      err[c] = 0;
      tok[c] = 0;
      return c;
    },

    'recv': function (s: number, maxLen: number, type: number): string | number {
      const k = st[s];
      if (!k) return NetJsErr.NOT_FOUND;
      if (err[s]) return err[s];
      if (k === St.RESOLVING || k === St.CONNECTING) return NetJsErr.NO_CONN;
      const max = maxLen < NetJs.CHUNK ? maxLen : NetJs.CHUNK;
      if ((type & NetJs.TYPE_MASK) === NetJs.ST_UDP) {
        const room = max - NetJs.UDP_HEADER;
        const n = api.recvfrom(s, buf.subarray(NetJs.UDP_HEADER), room, 0, from);
        if (n < 0) return api.WSAGetLastError() === WSAError.WSAEWOULDBLOCK || api.WSAGetLastError() === WSAError.WSAEMSGSIZE ? '' : fail(-1);
        const ip = parseIPv4(from.addr);
        buf[0] = ip >>> 24; buf[1] = ip >>> 16; buf[2] = ip >>> 8; buf[3] = ip;
        buf[4] = from.port; buf[5] = from.port >> 8;
        buf[6] = n; buf[7] = n >> 8;
        return text(s, n, NetJs.UDP_HEADER);
      }
      const n = api.recv(s, buf, max);
      if (n > 0) return text(s, n, 0);
      // recv 0: the peer's FIN after the last byte (FD_CLOSE 0)
      if (n === 0) return NetJsErr.CLOSED;
      const e = api.WSAGetLastError();
      return e === WSAError.WSAEWOULDBLOCK ? '' : (err[s] = netJsError(e));
    },

    'send': function (s: number, data: string, type: number): number {
      const k = st[s];
      if (!k) return NetJsErr.NOT_FOUND;
      if (err[s]) return err[s];
      if (k === St.RESOLVING || k === St.CONNECTING) return 0;
      let r: number;
      let took = data.length;
      if ((type & NetJs.TYPE_MASK) === NetJs.ST_UDP) {
        // Espruino queues datagrams back to back, each behind its header: send the first
        const c = function (i: number): number { return data.charCodeAt(i); };
        const n = c(6) | (c(7) << 8);
        took = NetJs.UDP_HEADER + n;
        if (data.length < took) return NetJsErr.BAD_ARG;
        r = api.sendto(s, bytes(data, NetJs.UDP_HEADER, n), n, 0, formatIPv4(((c(0) << 24) | (c(1) << 16) | (c(2) << 8) | c(3)) >>> 0), c(4) | (c(5) << 8));
      } else {
        r = api.send(s, bytes(data, 0, took), took);
        took = r;
      }
      if (r >= 0) return took;
      const e = api.WSAGetLastError();
      return e === WSAError.WSAEWOULDBLOCK ? 0 : (err[s] = netJsError(e));
    },

    closeAll: function (): number {
      let n = 0;
      for (let s = 0; s < st.length; s++) {
        if (st[s]) {
          close(s);
          n++;
        }
      }
      return n;
    },
  };
}
