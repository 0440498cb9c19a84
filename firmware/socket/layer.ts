/**
 * The Winsock-style socket layer (docs/socket-semantics.md) over one Transport. Handles are small
 * integers; failures return SOCKET_ERROR / INVALID_SOCKET (-1) with the reason in WSAGetLastError().
 *
 * How it runs: transport events only mark state and schedule a turn of the event loop
 * (`clock.setTimeout(0)`); that turn (`flush`) settles every socket — turns conditions into FD_*
 * notifications through the pure bookkeeping in events.ts — and then calls the handlers. A blocking
 * call pumps the transport and settles in a loop, with `clock.pause` in between, until it can
 * complete or its bound expires. So no handler ever runs inside an API call of this layer.
 */
import type { Clock } from '../../hal/clock';
import { EndpointKind, TCause, TErr, TOption } from '../transport/transport';
import type { PeerAddress, Transport, TransportSink } from '../transport/transport';
import { WSAError } from './errors';
import { AddressFamily, FdEvent, IoctlCmd, OptLevel, Protocol, ShutdownHow, SockOpt, SockType, TcpOpt } from './constants';
import { SelectMode, armWrite, connected, newConnection, record, reenable, select, takeRecord, writePossibleAtSelect } from './events';
import { CloseAction, closeAction } from './linger';
import { closeIndication, connectError, endError } from './teardown';
import { MessageReader, frameMessage } from './seqpacket-framing';
import { formatIPv4, isCount, isPort, parseIPv4 } from './address';
import { SState, Sock } from './sock';
import type { AsyncHandler, CloseDone, CloseResult, IoctlArg, Linger, SockAddr, SocketLayerOptions, WSANETWORKEVENTS } from './types';

const SOCKET_ERROR = -1;

const enum Block {
  /** longest idle of a blocking call with no bound and nothing timed: a look at the NIC now and then */
  IDLE_MAX_MS = 1000,
}

function transportError(r: number): number {
  switch (r) {
    case TErr.NoBuffers: return WSAError.WSAENOBUFS;
    case TErr.AddrInUse: return WSAError.WSAEADDRINUSE;
    case TErr.NetDown: return WSAError.WSAENETDOWN;
    case TErr.MsgSize: return WSAError.WSAEMSGSIZE;
    case TErr.Unreachable: return WSAError.WSAEHOSTUNREACH;
  }
  return WSAError.WSAEINVAL;
}

function isStreamType(type: number): boolean {
  return type === SockType.SOCK_STREAM || type === SockType.SOCK_SEQPACKET;
}

function isObject(x: unknown): boolean {
  return typeof x === 'object' && x !== null;
}

function isFlag(v: unknown): boolean {
  return typeof v === 'boolean' || (typeof v === 'number' && v === v);
}

export class SocketLayer {
  private transport: Transport;
  private clock: Clock;
  private maxSockets = 32;
  private closeTimeout = 4000;
  private pollInterval = 1;
  private maxMessage = 4096;
  private keepAliveSeconds = 60;
  private log: ((line: string) => void) | null = null;

  /** by handle (1 … maxSockets) */
  private socks: (Sock | undefined)[] = [];
  /** by transport endpoint: open sockets and background closes */
  private byEp: (Sock | undefined)[] = [];
  /** background closes, oldest first (the reclaim order) */
  private closingList: Sock[] = [];
  private nextHandle = 1;
  private lastError = 0;
  /** pending WSAAsyncSelect notifications, in order: socket, event, error */
  private qSock: Sock[] = [];
  private qEvent: number[] = [];
  private qError: number[] = [];
  private doneQueue: CloseDone[] = [];
  private doneResults: CloseResult[] = [];
  private flushTimer = 0;
  private peer: PeerAddress = { ip: 0, port: 0 };
  private link = true;
  /** a link change waits for the next turn to reach `onLink` */
  private linkDue = false;
  private onLink: ((up: boolean) => void) | null = null;

  constructor(transport: Transport, clock: Clock, options?: SocketLayerOptions) {
    this.transport = transport;
    this.clock = clock;
    if (options) {
      if (options.maxSockets !== undefined) this.maxSockets = options.maxSockets;
      if (options.closeTimeout !== undefined) this.closeTimeout = options.closeTimeout;
      if (options.pollInterval !== undefined) this.pollInterval = options.pollInterval;
      if (options.maxMessage !== undefined) this.maxMessage = options.maxMessage;
      if (options.keepAliveSeconds !== undefined) this.keepAliveSeconds = options.keepAliveSeconds;
      if (options.log) this.log = options.log;
      if (options.onLink) this.onLink = options.onLink;
    }
    const self = this;
    const sink: TransportSink = {
      connectDone: function (ep, cause) {
        const s = self.byEp[ep];
        if (s) { s.connectPending = true; s.connectCause = cause; }
        self.kick();
      },
      acceptable: function () { self.kick(); },
      readable: function () { self.kick(); },
      writable: function () { self.kick(); },
      peerFin: function (ep) {
        const s = self.byEp[ep];
        if (s) s.peerFin = true;
        self.kick();
      },
      ended: function (ep, cause, unsent) { self.onEnded(ep, cause, unsent); },
      link: function (up) {
        self.link = up;
        self.linkDue = true;
        self.kick();
      },
    };
    transport.setSink(sink);
    this.link = transport.linkUp();
  }

  // ---------------------------------------------------------------- status

  WSAGetLastError(): number {
    return this.lastError;
  }

  WSASetLastError(code: number): void {
    this.lastError = code;
  }

  /** handles open now */
  openSockets(): number {
    let n = 0;
    for (let i = 1; i < this.socks.length; i++) if (this.socks[i]) n++;
    return n;
  }

  /** the NIC's link as last reported */
  linkUp(): boolean {
    return this.link;
  }

  /** background closes still holding a transport endpoint */
  backgroundCloses(): number {
    return this.closingList.length;
  }

  // ---------------------------------------------------------------- creation

  socket(af: number, type: number, protocol?: number): number {
    if (af !== AddressFamily.AF_INET) return this.fail(WSAError.WSAEAFNOSUPPORT);
    if (type !== SockType.SOCK_STREAM && type !== SockType.SOCK_DGRAM && type !== SockType.SOCK_SEQPACKET) {
      return this.fail(WSAError.WSAESOCKTNOSUPPORT);
    }
    const p = protocol === undefined ? 0 : protocol;
    const want = type === SockType.SOCK_DGRAM ? Protocol.IPPROTO_UDP : Protocol.IPPROTO_TCP;
    if (p !== 0 && p !== want) return this.fail(WSAError.WSAEPROTONOSUPPORT);
    const h = this.freeHandle();
    if (h < 0) return this.fail(WSAError.WSAEMFILE);
    if (this.transport.available() <= 0) this.reclaimOldest();
    const ep = this.transport.open(type === SockType.SOCK_DGRAM ? EndpointKind.Datagram : EndpointKind.Stream);
    if (ep < 0) return this.fail(ep === TErr.NetDown ? WSAError.WSAENETDOWN : WSAError.WSAENOBUFS);
    const s = new Sock();
    s.handle = h;
    s.type = type;
    s.ep = ep;
    if (type === SockType.SOCK_SEQPACKET) s.reader = new MessageReader(this.maxMessage);
    this.socks[h] = s;
    this.byEp[ep] = s;
    this.nextHandle = h + 1;
    return h;
  }

  bind(sh: number, addr: string, port: number): number {
    const s = this.get(sh);
    if (!s) return this.fail(WSAError.WSAENOTSOCK);
    const ip = addr === undefined ? 0 : parseIPv4(addr);
    if (ip < 0) return this.fail(WSAError.WSAEFAULT);
    if (!isPort(port)) return this.fail(WSAError.WSAEINVAL);
    if (s.bound || s.state !== SState.Idle || s.ep < 0) return this.fail(WSAError.WSAEINVAL);
    if (ip !== 0 && ip !== this.transport.localIp()) return this.fail(WSAError.WSAEADDRNOTAVAIL);
    if (port !== 0 && this.portTaken(s, port)) return this.fail(WSAError.WSAEADDRINUSE);
    const r = this.transport.bind(s.ep, ip, port);
    if (r < 0) return this.fail(transportError(r));
    s.bound = true;
    s.bindPort = port;
    return 0;
  }

  listen(sh: number, backlog: number): number {
    const s = this.get(sh);
    if (!s) return this.fail(WSAError.WSAENOTSOCK);
    if (!isStreamType(s.type)) return this.fail(WSAError.WSAEOPNOTSUPP);
    if (typeof backlog !== 'number' || backlog !== backlog) return this.fail(WSAError.WSAEINVAL);
    if (s.state === SState.Connected) return this.fail(WSAError.WSAEISCONN);
    if (s.state === SState.Connecting || !s.bound) return this.fail(WSAError.WSAEINVAL);
    if (s.state === SState.Listening) return 0;
    let b = Math.floor(backlog);
    const max = this.transport.maxEndpoints();
    if (b < 1) b = 1;
    if (b > max) b = max;
    const r = this.transport.listen(s.ep, b);
    if (r < 0) return this.fail(transportError(r));
    s.state = SState.Listening;
    this.kick();
    return 0;
  }

  accept(sh: number, from?: SockAddr): number {
    const s = this.get(sh);
    if (!s) return this.fail(WSAError.WSAENOTSOCK);
    if (from !== undefined && !isObject(from)) return this.fail(WSAError.WSAEFAULT);
    if (!isStreamType(s.type)) return this.fail(WSAError.WSAEOPNOTSUPP);
    if (s.state !== SState.Listening) return this.fail(WSAError.WSAEINVAL);
    reenable(s.book, FdEvent.FD_ACCEPT);
    this.kick();
    if (s.abortError !== 0) return this.fail(s.abortError);
    const h = this.freeHandle();
    if (h < 0) return this.fail(WSAError.WSAEMFILE);
    const t = this.transport;
    if (t.pendingAccepts(s.ep) <= 0) {
      if (s.nonBlocking) return this.fail(WSAError.WSAEWOULDBLOCK);
      const ok = this.block(function () { return s.abortError !== 0 || t.pendingAccepts(s.ep) > 0; }, s.rcvTimeo);
      if (s.abortError !== 0) return this.fail(s.abortError);
      if (!ok) return this.fail(WSAError.WSAETIMEDOUT);
    }
    const ep = t.accept(s.ep);
    if (ep < 0) return this.fail(ep === TErr.Invalid ? WSAError.WSAEWOULDBLOCK : transportError(ep));
    const c = new Sock();
    c.handle = h;
    c.type = s.type;
    c.ep = ep;
    c.state = SState.Connected;
    c.bound = true;
    c.nonBlocking = s.nonBlocking;
    c.lingerOn = s.lingerOn;
    c.lingerSec = s.lingerSec;
    c.keepAlive = s.keepAlive;
    c.noDelay = s.noDelay;
    c.rcvTimeo = s.rcvTimeo;
    c.sndTimeo = s.sndTimeo;
    if (c.type === SockType.SOCK_SEQPACKET) c.reader = new MessageReader(this.maxMessage);
    // Winsock: the accepted socket has the listening socket's properties, its selection included.
    select(c.book, s.book.mode, s.book.selected);
    c.handler = s.handler;
    c.signal = s.signal;
    connected(c.book);
    if (c.keepAlive) t.setOption(ep, TOption.KeepAlive, this.keepAliveSeconds);
    if (c.noDelay) t.setOption(ep, TOption.NoDelay, 1);
    this.socks[h] = c;
    this.byEp[ep] = c;
    this.nextHandle = h + 1;
    if (from !== undefined && t.peerName(ep, this.peer)) {
      from.addr = formatIPv4(this.peer.ip);
      from.port = this.peer.port;
    }
    return h;
  }

  connect(sh: number, addr: string, port: number): number {
    const s = this.get(sh);
    if (!s) return this.fail(WSAError.WSAENOTSOCK);
    const ip = parseIPv4(addr);
    if (ip < 0) return this.fail(WSAError.WSAEFAULT);
    if (!isPort(port)) return this.fail(WSAError.WSAEINVAL);
    if (ip === 0 || port === 0) return this.fail(WSAError.WSAEADDRNOTAVAIL);
    if (s.ep < 0) return this.fail(s.abortError !== 0 ? s.abortError : WSAError.WSAENOBUFS);
    if (s.type === SockType.SOCK_DGRAM) {
      if (!s.bound) {
        const b = this.transport.bind(s.ep, 0, 0);
        if (b < 0) return this.fail(transportError(b));
        s.bound = true;
      }
      s.dgramIp = ip;
      s.dgramPort = port;
      return 0;
    }
    if (s.state === SState.Listening) return this.fail(WSAError.WSAEINVAL);
    if (s.state === SState.Connected) return this.fail(WSAError.WSAEISCONN);
    if (s.state === SState.Connecting) return this.fail(WSAError.WSAEALREADY);
    const r = this.transport.connect(s.ep, ip, port);
    if (r < 0) return this.fail(transportError(r));
    s.bound = true;
    s.state = SState.Connecting;
    s.connectByCall = true;
    s.connectError = 0;
    newConnection(s.book);
    if (s.keepAlive) this.transport.setOption(s.ep, TOption.KeepAlive, this.keepAliveSeconds);
    if (s.noDelay) this.transport.setOption(s.ep, TOption.NoDelay, 1);
    if (s.nonBlocking) return this.fail(WSAError.WSAEWOULDBLOCK);
    const ok = this.block(function () { return s.state !== SState.Connecting; }, s.sndTimeo);
    if (!ok) {
      this.renewEndpoint(s);
      return this.fail(WSAError.WSAETIMEDOUT);
    }
    // (settle() moved the state on while blocking)
    if ((s.state as SState) === SState.Connected) return 0;
    return this.fail(s.connectError);
  }

  // ---------------------------------------------------------------- data

  send(sh: number, buf: Uint8Array, len?: number, flags?: number): number {
    const s = this.get(sh);
    if (!s) return this.fail(WSAError.WSAENOTSOCK);
    const n = this.checkBuffer(buf, len, flags);
    if (n < 0) return SOCKET_ERROR;
    if (s.type === SockType.SOCK_DGRAM) {
      if (s.dgramPort === 0) return this.fail(WSAError.WSAENOTCONN);
      return this.sendDatagram(s, buf, n, s.dgramIp, s.dgramPort);
    }
    reenable(s.book, FdEvent.FD_WRITE);
    if (s.state !== SState.Connected) return this.fail(WSAError.WSAENOTCONN);
    if (s.shutSend) return this.fail(WSAError.WSAESHUTDOWN);
    if (s.abortError !== 0) return this.fail(s.abortError);
    if (s.ended) return this.fail(WSAError.WSAESHUTDOWN);
    if (s.type === SockType.SOCK_SEQPACKET) return this.sendMessage(s, buf, n);
    if (n === 0) return 0;
    const t = this.transport;
    let total = 0;
    for (;;) {
      const r = t.send(s.ep, buf, total, n - total);
      if (r < 0) return total > 0 ? total : this.fail(transportError(r));
      total += r;
      if (total === n) return total;
      if (s.nonBlocking) {
        if (total > 0) return total;
        armWrite(s.book);
        return this.fail(WSAError.WSAEWOULDBLOCK);
      }
      const ok = this.block(function () { return s.abortError !== 0 || s.ended || t.writeSpace(s.ep) > 0; }, s.sndTimeo);
      if (s.abortError !== 0 || s.ended) return total > 0 ? total : this.fail(s.abortError !== 0 ? s.abortError : WSAError.WSAESHUTDOWN);
      if (!ok) return total > 0 ? total : this.fail(WSAError.WSAETIMEDOUT);
    }
  }

  recv(sh: number, buf: Uint8Array, len?: number, flags?: number): number {
    const s = this.get(sh);
    if (!s) return this.fail(WSAError.WSAENOTSOCK);
    const n = this.checkBuffer(buf, len, flags);
    if (n < 0) return SOCKET_ERROR;
    if (s.type === SockType.SOCK_DGRAM) return this.recvDatagram(s, buf, n, undefined);
    reenable(s.book, FdEvent.FD_READ);
    reenable(s.book, FdEvent.FD_OOB);
    this.kick();
    if (s.state !== SState.Connected) return this.fail(WSAError.WSAENOTCONN);
    if (s.shutRecv) return this.fail(WSAError.WSAESHUTDOWN);
    if (s.type === SockType.SOCK_SEQPACKET) return this.recvMessage(s, buf, n);
    const t = this.transport;
    for (;;) {
      if (s.abortError !== 0) return this.fail(s.abortError);
      const avail = t.readable(s.ep);
      if (avail > 0) {
        if (n === 0) return 0;
        const got = t.recv(s.ep, buf, 0, n);
        return got < 0 ? this.fail(transportError(got)) : got;
      }
      if (s.peerFin || s.ended) return 0;
      if (n === 0) return 0;
      if (s.nonBlocking) return this.fail(WSAError.WSAEWOULDBLOCK);
      const ok = this.block(function () { return s.abortError !== 0 || s.peerFin || s.ended || t.readable(s.ep) > 0; }, s.rcvTimeo);
      if (!ok) return this.fail(WSAError.WSAETIMEDOUT);
    }
  }

  sendto(sh: number, buf: Uint8Array, len: number | undefined, flags: number | undefined, addr: string, port: number): number {
    const s = this.get(sh);
    if (!s) return this.fail(WSAError.WSAENOTSOCK);
    if (s.type !== SockType.SOCK_DGRAM) return this.send(sh, buf, len, flags);
    const n = this.checkBuffer(buf, len, flags);
    if (n < 0) return SOCKET_ERROR;
    const ip = parseIPv4(addr);
    if (ip < 0) return this.fail(WSAError.WSAEFAULT);
    if (!isPort(port)) return this.fail(WSAError.WSAEINVAL);
    if (ip === 0 || port === 0) return this.fail(WSAError.WSAEADDRNOTAVAIL);
    return this.sendDatagram(s, buf, n, ip, port);
  }

  recvfrom(sh: number, buf: Uint8Array, len?: number, flags?: number, from?: SockAddr): number {
    const s = this.get(sh);
    if (!s) return this.fail(WSAError.WSAENOTSOCK);
    if (s.type !== SockType.SOCK_DGRAM) return this.recv(sh, buf, len, flags);
    const n = this.checkBuffer(buf, len, flags);
    if (n < 0) return SOCKET_ERROR;
    if (from !== undefined && !isObject(from)) return this.fail(WSAError.WSAEFAULT);
    return this.recvDatagram(s, buf, n, from);
  }

  // ---------------------------------------------------------------- shutdown and close

  shutdown(sh: number, how: number): number {
    const s = this.get(sh);
    if (!s) return this.fail(WSAError.WSAENOTSOCK);
    if (how !== ShutdownHow.SD_RECEIVE && how !== ShutdownHow.SD_SEND && how !== ShutdownHow.SD_BOTH) return this.fail(WSAError.WSAEINVAL);
    const wantSend = how !== ShutdownHow.SD_RECEIVE;
    const wantRecv = how !== ShutdownHow.SD_SEND;
    if (s.type === SockType.SOCK_DGRAM) {
      if (wantSend) s.shutSend = true;
      if (wantRecv) s.shutRecv = true;
      return 0;
    }
    if (s.state !== SState.Connected) return this.fail(WSAError.WSAENOTCONN);
    if (s.abortError !== 0) return this.fail(s.abortError);
    if (wantRecv) {
      s.shutRecv = true;
      if (!s.ended && this.unread(s) > 0) {
        if (wantSend) s.shutSend = true;
        this.localAbort(s);
        return 0;
      }
    }
    if (wantSend) {
      s.shutSend = true;
      this.sendFinWhenFlushed(s);
    }
    this.kick();
    return 0;
  }

  WSASendDisconnect(sh: number, data?: Uint8Array): number {
    const s = this.get(sh);
    if (!s) return this.fail(WSAError.WSAENOTSOCK);
    if (data !== undefined && data !== null) {
      if (!(data instanceof Uint8Array)) return this.fail(WSAError.WSAEFAULT);
      if (data.length > 0) return this.fail(WSAError.WSAENOPROTOOPT);
    }
    if (s.type === SockType.SOCK_DGRAM) return this.fail(WSAError.WSAEOPNOTSUPP);
    return this.shutdown(sh, ShutdownHow.SD_SEND);
  }

  closesocket(sh: number, done?: CloseDone): number {
    const s = this.get(sh);
    if (!s) return this.fail(WSAError.WSAENOTSOCK);
    if (done !== undefined && typeof done !== 'function') return this.fail(WSAError.WSAEFAULT);
    const live = isStreamType(s.type) && s.state === SState.Connected && !s.ended && s.ep >= 0;
    const action = closeAction(s.lingerOn, s.lingerSec, s.nonBlocking, live);
    if (action === CloseAction.WouldBlock) return this.fail(WSAError.WSAEWOULDBLOCK);
    this.dropHandle(s);
    s.done = done === undefined ? null : done;
    if (action === CloseAction.FreeNow) {
      const res: CloseResult = { graceful: s.abortError === 0, error: s.abortError, unsentBytes: s.unsentAtEnd };
      if (s.ep >= 0) {
        if (s.state === SState.Connected && s.ended) this.transport.release(s.ep);
        else this.transport.abort(s.ep);
        this.byEp[s.ep] = undefined;
        s.ep = -1;
      }
      this.finish(s, res);
      return 0;
    }
    if (action === CloseAction.Abort) {
      this.forceClose(s, WSAError.WSAECONNABORTED);
      return 0;
    }
    s.closing = true;
    this.closingList.push(s);
    this.settleClosing(s);
    if (action === CloseAction.Background) {
      if (!s.closeFinished) {
        const self = this;
        s.closeTimer = this.clock.setTimeout(function () {
          s.closeTimer = 0;
          if (!s.closeFinished) self.forceClose(s, WSAError.WSAETIMEDOUT);
        }, this.closeTimeout);
      }
      return 0;
    }
    // CloseAction.Linger: a blocking socket waits for the close, at most l_linger seconds.
    if (!s.closeFinished) {
      this.block(function () { return s.closeFinished; }, s.lingerSec * 1000);
      if (!s.closeFinished) this.forceClose(s, WSAError.WSAETIMEDOUT);
    }
    return 0;
  }

  // ---------------------------------------------------------------- options

  setsockopt(sh: number, level: number, opt: number, value: unknown): number {
    const s = this.get(sh);
    if (!s) return this.fail(WSAError.WSAENOTSOCK);
    const stream = isStreamType(s.type);
    if (level === OptLevel.SOL_SOCKET) {
      switch (opt) {
        case SockOpt.SO_LINGER: {
          if (!stream) return this.fail(WSAError.WSAENOPROTOOPT);
          if (!isObject(value)) return this.fail(WSAError.WSAEFAULT);
          const l = value as Linger;
          if (!isFlag(l.onoff) || !isCount(l.linger) || l.linger > 65535) return this.fail(WSAError.WSAEFAULT);
          s.lingerOn = !!l.onoff;
          s.lingerSec = l.linger;
          return 0;
        }
        case SockOpt.SO_DONTLINGER:
          if (!stream) return this.fail(WSAError.WSAENOPROTOOPT);
          if (!isFlag(value)) return this.fail(WSAError.WSAEFAULT);
          s.lingerOn = !value;
          return 0;
        case SockOpt.SO_KEEPALIVE:
          if (!stream) return this.fail(WSAError.WSAENOPROTOOPT);
          if (!isFlag(value)) return this.fail(WSAError.WSAEFAULT);
          s.keepAlive = !!value;
          if (s.ep >= 0) this.transport.setOption(s.ep, TOption.KeepAlive, s.keepAlive ? this.keepAliveSeconds : 0);
          return 0;
        case SockOpt.SO_RCVTIMEO:
        case SockOpt.SO_SNDTIMEO:
          if (!isCount(value)) return this.fail(WSAError.WSAEFAULT);
          if (opt === SockOpt.SO_RCVTIMEO) s.rcvTimeo = value as number;
          else s.sndTimeo = value as number;
          return 0;
      }
      return this.fail(WSAError.WSAENOPROTOOPT);
    }
    if (level === OptLevel.IPPROTO_TCP) {
      if (opt !== TcpOpt.TCP_NODELAY || !stream) return this.fail(WSAError.WSAENOPROTOOPT);
      if (!isFlag(value)) return this.fail(WSAError.WSAEFAULT);
      s.noDelay = !!value;
      if (s.ep >= 0) this.transport.setOption(s.ep, TOption.NoDelay, s.noDelay ? 1 : 0);
      return 0;
    }
    return this.fail(WSAError.WSAEINVAL);
  }

  /** the option's value (a number, or a Linger for SO_LINGER), or SOCKET_ERROR */
  getsockopt(sh: number, level: number, opt: number): number | Linger {
    const s = this.get(sh);
    if (!s) return this.fail(WSAError.WSAENOTSOCK);
    const stream = isStreamType(s.type);
    if (level === OptLevel.SOL_SOCKET) {
      switch (opt) {
        case SockOpt.SO_LINGER:
          if (!stream) return this.fail(WSAError.WSAENOPROTOOPT);
          return { onoff: s.lingerOn ? 1 : 0, linger: s.lingerSec };
        case SockOpt.SO_DONTLINGER:
          if (!stream) return this.fail(WSAError.WSAENOPROTOOPT);
          return s.lingerOn ? 0 : 1;
        case SockOpt.SO_KEEPALIVE:
          if (!stream) return this.fail(WSAError.WSAENOPROTOOPT);
          return s.keepAlive ? 1 : 0;
        case SockOpt.SO_RCVTIMEO: return s.rcvTimeo;
        case SockOpt.SO_SNDTIMEO: return s.sndTimeo;
        case SockOpt.SO_ERROR: {
          const e = s.soError;
          s.soError = 0;
          return e;
        }
        case SockOpt.SO_TYPE: return s.type;
        case SockOpt.SO_ACCEPTCONN: return s.state === SState.Listening ? 1 : 0;
      }
      return this.fail(WSAError.WSAENOPROTOOPT);
    }
    if (level === OptLevel.IPPROTO_TCP) {
      if (opt !== TcpOpt.TCP_NODELAY || !stream) return this.fail(WSAError.WSAENOPROTOOPT);
      return s.noDelay ? 1 : 0;
    }
    return this.fail(WSAError.WSAEINVAL);
  }

  ioctlsocket(sh: number, cmd: number, arg: number | IoctlArg): number {
    const s = this.get(sh);
    if (!s) return this.fail(WSAError.WSAENOTSOCK);
    if (cmd === IoctlCmd.FIONBIO) {
      let v: unknown = arg;
      if (isObject(arg)) v = (arg as IoctlArg).value;
      if (!isFlag(v)) return this.fail(WSAError.WSAEFAULT);
      if (!v && s.book.mode !== SelectMode.None) return this.fail(WSAError.WSAEINVAL);
      s.nonBlocking = !!v;
      return 0;
    }
    if (cmd === IoctlCmd.FIONREAD) {
      if (!isObject(arg)) return this.fail(WSAError.WSAEFAULT);
      (arg as IoctlArg).value = this.readableCount(s);
      return 0;
    }
    return this.fail(WSAError.WSAEINVAL);
  }

  // ---------------------------------------------------------------- event selection

  WSAAsyncSelect(sh: number, handler: AsyncHandler, events: number): number {
    const s = this.get(sh);
    if (!s) return this.fail(WSAError.WSAENOTSOCK);
    if (!isCount(events) || (events & ~FdEvent.FD_ALL_EVENTS) !== 0) return this.fail(WSAError.WSAEINVAL);
    if (events !== 0 && typeof handler !== 'function') return this.fail(WSAError.WSAEINVAL);
    this.dropQueued(s);
    select(s.book, SelectMode.Async, events);
    s.handler = events !== 0 ? handler : null;
    s.signal = null;
    s.nonBlocking = true;
    this.atSelect(s);
    return 0;
  }

  /** the polling form; `signal`, if given, is called (from the event loop) when the record gains an event, like SetEvent on an event object */
  WSAEventSelect(sh: number, events: number, signal?: () => void): number {
    const s = this.get(sh);
    if (!s) return this.fail(WSAError.WSAENOTSOCK);
    if (!isCount(events) || (events & ~FdEvent.FD_ALL_EVENTS) !== 0) return this.fail(WSAError.WSAEINVAL);
    if (signal !== undefined && typeof signal !== 'function') return this.fail(WSAError.WSAEINVAL);
    this.dropQueued(s);
    select(s.book, SelectMode.Event, events);
    s.handler = null;
    s.signal = signal === undefined ? null : signal;
    s.nonBlocking = true;
    this.atSelect(s);
    return 0;
  }

  WSAEnumNetworkEvents(sh: number, out: WSANETWORKEVENTS): number {
    const s = this.get(sh);
    if (!s) return this.fail(WSAError.WSAENOTSOCK);
    if (!isObject(out)) return this.fail(WSAError.WSAEFAULT);
    // what happened since the last turn counts too
    this.transport.pump();
    this.settle();
    const errs: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    out.lNetworkEvents = takeRecord(s.book, errs);
    out.iErrorCode = errs;
    return 0;
  }

  // ---------------------------------------------------------------- names

  getpeername(sh: number, out: SockAddr): number {
    const s = this.get(sh);
    if (!s) return this.fail(WSAError.WSAENOTSOCK);
    if (!isObject(out)) return this.fail(WSAError.WSAEFAULT);
    if (s.type === SockType.SOCK_DGRAM) {
      if (s.dgramPort === 0) return this.fail(WSAError.WSAENOTCONN);
      out.addr = formatIPv4(s.dgramIp);
      out.port = s.dgramPort;
      return 0;
    }
    if (s.state !== SState.Connected || s.ep < 0 || !this.transport.peerName(s.ep, this.peer)) return this.fail(WSAError.WSAENOTCONN);
    out.addr = formatIPv4(this.peer.ip);
    out.port = this.peer.port;
    return 0;
  }

  getsockname(sh: number, out: SockAddr): number {
    const s = this.get(sh);
    if (!s) return this.fail(WSAError.WSAENOTSOCK);
    if (!isObject(out)) return this.fail(WSAError.WSAEFAULT);
    if (!s.bound || s.ep < 0 || !this.transport.localName(s.ep, this.peer)) return this.fail(WSAError.WSAEINVAL);
    out.addr = formatIPv4(this.peer.ip);
    out.port = this.peer.port;
    return 0;
  }

  // ---------------------------------------------------------------- internals: helpers

  private fail(code: number): number {
    this.lastError = code;
    return SOCKET_ERROR;
  }

  private get(h: unknown): Sock | undefined {
    if (typeof h !== 'number' || Math.floor(h) !== h || h < 1 || h >= this.socks.length) return undefined;
    return this.socks[h];
  }

  private freeHandle(): number {
    const max = this.maxSockets;
    for (let k = 0; k < max; k++) {
      const h = ((this.nextHandle - 1 + k) % max) + 1;
      if (!this.socks[h]) {
        while (this.socks.length <= h) this.socks.push(undefined);
        return h;
      }
    }
    return -1;
  }

  /** length to use, or -1 after setting the error: buffer not a Uint8Array or too short → WSAEFAULT; bad length → WSAEINVAL; flags → WSAEOPNOTSUPP */
  private checkBuffer(buf: unknown, len: unknown, flags: unknown): number {
    if (!(buf instanceof Uint8Array)) { this.fail(WSAError.WSAEFAULT); return -1; }
    let n = buf.length;
    if (len !== undefined) {
      if (!isCount(len)) { this.fail(WSAError.WSAEINVAL); return -1; }
      if ((len as number) > buf.length) { this.fail(WSAError.WSAEFAULT); return -1; }
      n = len as number;
    }
    if (flags !== undefined && flags !== 0) { this.fail(WSAError.WSAEOPNOTSUPP); return -1; }
    return n;
  }

  private portTaken(s: Sock, port: number): boolean {
    for (let i = 1; i < this.socks.length; i++) {
      const o = this.socks[i];
      if (o && o !== s && o.bindPort === port && (o.type === SockType.SOCK_DGRAM) === (s.type === SockType.SOCK_DGRAM)) return true;
    }
    return false;
  }

  /**
   * Pumps the transport until `cond` holds or `timeoutMs` (0 = no bound) has passed on the HAL
   * clock. Between pumps it idles until the earliest of: the transport's next timed work (what
   * pump returned), the bound, the NIC's interrupt; never less than `pollInterval`, so an interrupt
   * line stuck low costs no more than polling. Returns whether `cond` held.
   */
  private block(cond: () => boolean, timeoutMs: number): boolean {
    const clock = this.clock;
    const end = timeoutMs > 0 ? clock.now() + timeoutMs : -1;
    for (;;) {
      const due = this.transport.pump();
      this.settle();
      if (cond()) return true;
      const now = clock.now();
      if (end >= 0 && now >= end) return false;
      let until = end >= 0 ? end : now + Block.IDLE_MAX_MS;
      if (due >= 0 && due < until) until = due;
      const least = now + this.pollInterval;
      if (until > least) this.transport.idle(until);
      const t = clock.now();
      if (t < least) clock.pause(least - t);
    }
  }

  /** a failed or abandoned connect leaves the transport endpoint mid-attempt: replace it with a fresh one */
  private renewEndpoint(s: Sock): void {
    if (s.ep >= 0) {
      this.transport.abort(s.ep);
      this.byEp[s.ep] = undefined;
    }
    s.state = SState.Idle;
    s.bound = false;
    s.bindPort = 0;
    s.connectPending = false;
    const ep = this.transport.open(EndpointKind.Stream);
    s.ep = ep < 0 ? -1 : ep;
    if (ep >= 0) this.byEp[ep] = s;
  }

  /** bytes (stream) or whole messages and undelivered bytes (seqpacket) the application has not read */
  private unread(s: Sock): number {
    let n = s.ep >= 0 ? this.transport.readable(s.ep) : 0;
    if (n < 0) n = 0;
    if (s.reader && (s.reader.ready() || s.reader.partial())) n++;
    return n;
  }

  private readableCount(s: Sock): number {
    if (s.ep < 0 || s.abortError !== 0) return 0;
    if (s.type === SockType.SOCK_SEQPACKET) {
      this.pullMessages(s);
      return s.reader && s.reader.ready() ? s.reader.length() : 0;
    }
    const n = this.transport.readable(s.ep);
    return n < 0 ? 0 : n;
  }

  // ---------------------------------------------------------------- internals: datagrams

  private sendDatagram(s: Sock, buf: Uint8Array, n: number, ip: number, port: number): number {
    reenable(s.book, FdEvent.FD_WRITE);
    if (s.shutSend) return this.fail(WSAError.WSAESHUTDOWN);
    if (s.ep < 0) return this.fail(WSAError.WSAENETDOWN);
    if (n > this.transport.caps.maxDatagram) return this.fail(WSAError.WSAEMSGSIZE);
    const t = this.transport;
    if (!s.bound) {
      const b = t.bind(s.ep, 0, 0);
      if (b < 0) return this.fail(transportError(b));
      s.bound = true;
    }
    let r = t.sendTo(s.ep, buf, 0, n, ip, port);
    if (r === 0 && n > 0) {
      if (s.nonBlocking) {
        armWrite(s.book);
        return this.fail(WSAError.WSAEWOULDBLOCK);
      }
      const ok = this.block(function () { r = t.sendTo(s.ep, buf, 0, n, ip, port); return r !== 0; }, s.sndTimeo);
      if (!ok) return this.fail(WSAError.WSAETIMEDOUT);
    }
    if (r < 0) return this.fail(transportError(r));
    return n;
  }

  private recvDatagram(s: Sock, buf: Uint8Array, n: number, from: SockAddr | undefined): number {
    reenable(s.book, FdEvent.FD_READ);
    this.kick();
    if (s.shutRecv) return this.fail(WSAError.WSAESHUTDOWN);
    if (!s.bound) return this.fail(WSAError.WSAEINVAL);
    if (s.ep < 0) return this.fail(WSAError.WSAENETDOWN);
    const t = this.transport;
    if (t.readable(s.ep) < 0) {
      if (s.nonBlocking) return this.fail(WSAError.WSAEWOULDBLOCK);
      const ok = this.block(function () { return t.readable(s.ep) >= 0; }, s.rcvTimeo);
      if (!ok) return this.fail(WSAError.WSAETIMEDOUT);
    }
    const full = t.recvFrom(s.ep, buf, 0, n, this.peer);
    if (full < 0) return this.fail(WSAError.WSAEWOULDBLOCK);
    if (from !== undefined) {
      from.addr = formatIPv4(this.peer.ip);
      from.port = this.peer.port;
    }
    if (full > n) return this.fail(WSAError.WSAEMSGSIZE);
    return full;
  }

  // ---------------------------------------------------------------- internals: SOCK_SEQPACKET

  private sendMessage(s: Sock, buf: Uint8Array, n: number): number {
    if (n > this.maxMessage) return this.fail(WSAError.WSAEMSGSIZE);
    if (s.tx) {
      if (s.nonBlocking) {
        armWrite(s.book);
        return this.fail(WSAError.WSAEWOULDBLOCK);
      }
      const ok = this.block(function () { return s.tx === null || s.abortError !== 0; }, s.sndTimeo);
      if (s.abortError !== 0) return this.fail(s.abortError);
      if (!ok) return this.fail(WSAError.WSAETIMEDOUT);
    }
    s.tx = frameMessage(buf, 0, n);
    s.txOff = 0;
    this.flushTx(s);
    return n;
  }

  private flushTx(s: Sock): void {
    while (s.tx && s.ep >= 0) {
      const r = this.transport.send(s.ep, s.tx, s.txOff, s.tx.length - s.txOff);
      if (r <= 0) return;
      s.txOff += r;
      if (s.txOff === s.tx.length) s.tx = null;
    }
  }

  /** moves stream bytes into the reassembly until one whole message is waiting */
  private pullMessages(s: Sock): void {
    const r = s.reader;
    if (!r || s.ep < 0) return;
    const t = this.transport;
    while (!r.ready()) {
      const avail = t.readable(s.ep);
      if (avail <= 0) return;
      const sp = r.space();
      const got = t.recv(s.ep, sp, 0, Math.min(sp.length, avail));
      if (got <= 0) return;
      r.commit(got);
    }
  }

  private recvMessage(s: Sock, buf: Uint8Array, n: number): number {
    const r = s.reader as MessageReader;
    const t = this.transport;
    for (;;) {
      if (s.abortError !== 0) return this.fail(s.abortError);
      this.pullMessages(s);
      if (r.ready()) {
        const full = r.length();
        const truncated = r.truncated();
        const m = r.take();
        const c = Math.min(n, m.length);
        buf.set(m.subarray(0, c), 0);
        this.kick();
        if (truncated || full > n) return this.fail(WSAError.WSAEMSGSIZE);
        return c;
      }
      // A FIN inside a message leaves a partial frame: the message is lost, the end is still graceful.
      if ((s.peerFin || s.ended) && t.readable(s.ep) <= 0) return this.fail(WSAError.WSAEDISCON);
      if (s.nonBlocking) return this.fail(WSAError.WSAEWOULDBLOCK);
      const ok = this.block(function () { return s.abortError !== 0 || s.peerFin || s.ended || t.readable(s.ep) > 0; }, s.rcvTimeo);
      if (!ok) return this.fail(WSAError.WSAETIMEDOUT);
    }
  }

  /** shutdown(SD_SEND) / closesocket: FIN once the staged message (if any) has gone to the transport */
  private sendFinWhenFlushed(s: Sock): void {
    if (s.finSent || s.ep < 0) return;
    this.flushTx(s);
    if (s.tx) return;
    this.transport.shutdownSend(s.ep);
    s.finSent = true;
  }

  // ---------------------------------------------------------------- internals: teardown

  /** the SD_RECEIVE rule: unread or late data resets the connection (offload: CLOSE, software: RST) */
  private localAbort(s: Sock): void {
    if (s.ep >= 0) {
      s.unsentAtEnd = this.transport.abort(s.ep);
      this.byEp[s.ep] = undefined;
      s.ep = -1;
    }
    s.tx = null;
    s.ended = true;
    s.abortError = WSAError.WSAECONNABORTED;
    this.evaluate(s);
  }

  private onEnded(ep: number, cause: TCause, unsent: number): void {
    const s = this.byEp[ep];
    if (!s) return;
    s.ended = true;
    s.abortError = endError(cause);
    if (cause === TCause.None) s.peerFin = true;
    else s.tx = null;
    s.unsentAtEnd = unsent;
    if (s.abortError !== 0) s.soError = s.abortError;
    if (s.closing && s.released) {
      this.byEp[ep] = undefined;
      s.ep = -1;
      this.finish(s, { graceful: s.abortError === 0, error: s.abortError, unsentBytes: unsent });
      return;
    }
    this.kick();
  }

  /** a closing socket's next step: staged data, FIN, then hand the endpoint to the transport */
  private settleClosing(s: Sock): void {
    if (s.closeFinished || s.released || s.ep < 0) return;
    if (!s.ended) {
      this.sendFinWhenFlushed(s);
      if (!s.finSent) return;
    }
    s.released = true;
    if (this.transport.release(s.ep)) {
      this.byEp[s.ep] = undefined;
      s.ep = -1;
      this.finish(s, { graceful: s.abortError === 0, error: s.abortError, unsentBytes: s.unsentAtEnd });
    }
  }

  /** ends a close abortively now: linger 0, a linger or closeTimeout bound, or reclaim */
  private forceClose(s: Sock, error: number): void {
    let unsent = 0;
    if (s.ep >= 0) {
      unsent = this.transport.abort(s.ep);
      if (s.tx) unsent += s.tx.length - s.txOff;
      this.byEp[s.ep] = undefined;
      s.ep = -1;
    }
    this.finish(s, { graceful: false, error: error, unsentBytes: unsent });
  }

  /** when all transport endpoints are held, the oldest background close gives its up */
  private reclaimOldest(): void {
    if (!this.transport.caps.holdsAfterClose || this.closingList.length === 0) return;
    this.forceClose(this.closingList[0], WSAError.WSAENOBUFS);
  }

  private finish(s: Sock, res: CloseResult): void {
    if (s.closeFinished) return;
    s.closeFinished = true;
    s.tx = null;
    if (s.closeTimer) {
      this.clock.clearTimeout(s.closeTimer);
      s.closeTimer = 0;
    }
    const i = this.closingList.indexOf(s);
    if (i >= 0) this.closingList.splice(i, 1);
    if (s.done) {
      this.doneQueue.push(s.done);
      this.doneResults.push(res);
      s.done = null;
      this.kick();
    }
  }

  private dropHandle(s: Sock): void {
    this.socks[s.handle] = undefined;
    this.dropQueued(s);
    select(s.book, SelectMode.None, 0);
    s.handler = null;
    s.signal = null;
  }

  private dropQueued(s: Sock): void {
    for (let i = this.qSock.length - 1; i >= 0; i--) {
      if (this.qSock[i] === s) {
        this.qSock.splice(i, 1);
        this.qEvent.splice(i, 1);
        this.qError.splice(i, 1);
      }
    }
    s.signalDue = false;
  }

  // ---------------------------------------------------------------- internals: the event loop

  private kick(): void {
    if (this.flushTimer) return;
    const self = this;
    this.flushTimer = this.clock.setTimeout(function () { self.flush(); }, 0);
  }

  /** conditions → notifications, for every socket with an endpoint */
  private settle(): void {
    const list = this.byEp;
    for (let ep = 0; ep < list.length; ep++) {
      const s = list[ep];
      if (!s) continue;
      if (s.closing) {
        if (s.type === SockType.SOCK_SEQPACKET) this.flushTx(s);
        this.settleClosing(s);
        continue;
      }
      if (s.connectPending) this.connectSettled(s);
      if (s.type === SockType.SOCK_SEQPACKET && s.ep >= 0 && s.abortError === 0) {
        this.flushTx(s);
        if (s.shutSend) this.sendFinWhenFlushed(s);
        this.pullMessages(s);
      }
      if (s.shutRecv && !s.ended && s.state === SState.Connected && s.ep >= 0 && this.unread(s) > 0) {
        this.localAbort(s);
        continue;
      }
      this.evaluate(s);
    }
  }

  private connectSettled(s: Sock): void {
    s.connectPending = false;
    if (s.state !== SState.Connecting) return;
    if (s.connectCause === TCause.None) {
      s.state = SState.Connected;
      connected(s.book);
      return;
    }
    s.state = SState.Idle;
    s.connectError = connectError(s.connectCause);
    s.soError = s.connectError;
    if (record(s.book, FdEvent.FD_CONNECT, s.connectError)) this.post(s, FdEvent.FD_CONNECT, s.connectError);
  }

  /** records every FD_* condition that holds now; the bookkeeping decides what becomes a notification */
  private evaluate(s: Sock): void {
    const b = s.book;
    if (b.mode === SelectMode.None) return;
    const t = this.transport;
    const ep = s.ep;
    if (s.type === SockType.SOCK_DGRAM) {
      if (ep >= 0 && !s.shutRecv && t.readable(ep) >= 0) this.note(s, FdEvent.FD_READ, 0);
      if (ep >= 0 && t.writeSpace(ep) > 0) this.note(s, FdEvent.FD_WRITE, 0);
      return;
    }
    if (s.state === SState.Listening) {
      if (s.abortError === 0 && ep >= 0 && t.pendingAccepts(ep) > 0) this.note(s, FdEvent.FD_ACCEPT, 0);
      return;
    }
    if (s.state !== SState.Connected) return;
    if (s.connectByCall) this.note(s, FdEvent.FD_CONNECT, 0);
    const unread = s.abortError === 0 ? this.unread(s) : 0;
    if (s.abortError === 0 && !s.shutRecv) {
      const hasData = s.type === SockType.SOCK_SEQPACKET ? (s.reader as MessageReader).ready() : unread > 0;
      if (hasData) this.note(s, FdEvent.FD_READ, 0);
    }
    if (!s.ended && !s.shutSend && ep >= 0) {
      const room = s.type === SockType.SOCK_SEQPACKET ? s.tx === null : t.writeSpace(ep) > 0;
      if (room) this.note(s, FdEvent.FD_WRITE, 0);
    }
    // Unread bytes hold FD_CLOSE back; a seqpacket partial frame after FIN is lost, not unread.
    let pending = unread;
    if (s.type === SockType.SOCK_SEQPACKET && ep >= 0) pending = (s.reader as MessageReader).ready() || t.readable(ep) > 0 ? 1 : 0;
    const closeErr = closeIndication(s.peerFin || s.ended, s.abortError, pending);
    if (closeErr >= 0) this.note(s, FdEvent.FD_CLOSE, closeErr);
  }

  private note(s: Sock, ev: number, error: number): void {
    if (record(s.book, ev, error)) this.post(s, ev, error);
  }

  private post(s: Sock, ev: number, error: number): void {
    if (s.book.mode === SelectMode.Async) {
      this.qSock.push(s);
      this.qEvent.push(ev);
      this.qError.push(error);
    } else if (s.signal) {
      s.signalDue = true;
    } else {
      return;
    }
    this.kick();
  }

  private atSelect(s: Sock): void {
    if (s.state === SState.Connected && !s.ended && !s.shutSend && s.ep >= 0) {
      const room = s.type === SockType.SOCK_SEQPACKET ? s.tx === null : this.transport.writeSpace(s.ep) > 0;
      if (room) writePossibleAtSelect(s.book);
    }
    // posted now, so that notifications of several selections keep the order of the calls
    this.evaluate(s);
    this.kick();
  }

  /** one turn of the event loop: settle, then call handlers, signals and close callbacks */
  private flush(): void {
    this.flushTimer = 0;
    if (this.linkDue) {
      this.linkDue = false;
      if (this.onLink) {
        try {
          this.onLink(this.link);
        } catch (e) {
          this.report('link handler', e);
        }
      }
    }
    this.settle();
    const n = this.qSock.length;
    for (let i = 0; i < n && this.qSock.length > 0; i++) {
      const s = this.qSock.shift() as Sock;
      const ev = this.qEvent.shift() as number;
      const err = this.qError.shift() as number;
      if (this.socks[s.handle] !== s || s.book.mode !== SelectMode.Async || (s.book.selected & ev) === 0 || !s.handler) continue;
      try {
        s.handler(s.handle, ev, err);
      } catch (e) {
        this.report('FD handler', e);
      }
    }
    for (let h = 1; h < this.socks.length; h++) {
      const s = this.socks[h];
      if (s && s.signalDue && s.signal) {
        s.signalDue = false;
        try {
          s.signal();
        } catch (e) {
          this.report('event signal', e);
        }
      }
    }
    while (this.doneQueue.length > 0) {
      const d = this.doneQueue.shift() as CloseDone;
      const r = this.doneResults.shift() as CloseResult;
      try {
        d(r);
      } catch (e) {
        this.report('closesocket done', e);
      }
    }
    if (this.qSock.length > 0) this.kick();
  }

  private report(what: string, e: unknown): void {
    if (this.log) this.log(what + ' threw: ' + String(e));
  }
}
