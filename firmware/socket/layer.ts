/**
 * The Winsock-style socket layer (docs/socket-semantics.md) over one Transport: the API. Handles
 * are small integers; failures return SOCKET_ERROR / INVALID_SOCKET (-1) with the reason in
 * WSAGetLastError(). The rules behind the calls are in files named for them: blocking.ts,
 * notify.ts (FD_* notifications), datagram.ts, seqpacket.ts, closing.ts (shutdown, closesocket,
 * linger, background closes, reclaim), options.ts, event-loop.ts (the turn that settles sockets
 * and calls handlers, so no handler ever runs inside an API call), core.ts (the shared state).
 */
import type { Clock } from '../../hal/clock';
import type { TimerHost } from './timers';
import { EndpointKind, TCause, TErr, TOption } from '../transport/transport';
import type { Transport, TransportSink } from '../transport/transport';
import { WSAError } from './errors';
import { AddressFamily, FdEvent, Protocol, ShutdownHow, SockType } from './constants';
import { SelectMode, armWrite, connected, newConnection, reenable, select, takeRecord } from './events';
import { MessageReader } from './seqpacket-framing';
import { formatIPv4, isCount, isPort, parseIPv4 } from './address';
import { SState, Sock, hasConnection, hasEnded, onPeerFin, peerFinSeen } from './sock';
import type { AsyncHandler, CloseDone, IoctlArg, Linger, SockAddr, SocketLayerOptions, WSANETWORKEVENTS } from './types';
import { LayerCore, SOCKET_ERROR, checkBuffer, fail, freeHandle, get, isObject, isStreamType, kick, portTaken, touch, transportError } from './core';
import { block } from './blocking';
import { atSelect, dropQueued } from './notify';
import { recvDatagram, sendDatagram } from './datagram';
import { recvMessage, sendMessage } from './seqpacket';
import { closesocket, forceClose, onEnded, reclaimOldest, renewEndpoint, shutdown } from './closing';
import { getsockopt, ioctlsocket, setsockopt } from './options';
import { service, settle } from './event-loop';
import { WITH_DATAGRAM, WITH_EVENT_SELECT, WITH_KEEPALIVE, WITH_NODELAY, WITH_SEQPACKET } from '../features';

export class SocketLayer {
  private c: LayerCore;

  constructor(transport: Transport, clock: Clock, options?: SocketLayerOptions) {
    const c = new LayerCore(transport, clock, service);
    c.settle = settle;
    this.c = c;
    if (options) {
      if (options.maxSockets !== undefined) c.maxSockets = options.maxSockets;
      if (options.closeTimeout !== undefined) c.closeTimeout = options.closeTimeout;
      if (options.pollInterval !== undefined) c.pollInterval = options.pollInterval;
      if (options.maxMessage !== undefined) c.maxMessage = options.maxMessage;
      if (options.keepAliveSeconds !== undefined) c.keepAliveSeconds = options.keepAliveSeconds;
      if (options.log) c.log = options.log;
      if (options.onLink) c.onLink = options.onLink;
    }
    // an event on an endpoint: its socket is settled on the next turn, which it asks for
    const on = function (ep: number): void {
      touch(c, c.byEp[ep]);
      kick(c);
    };
    const sink: TransportSink = {
      connectDone: function (ep, cause) {
        const s = c.byEp[ep];
        if (s) {
          // established at once, so a FIN or an end in the same pump finds the connection
          if (cause === TCause.None && s.state === SState.Connecting) s.state = SState.Established;
          s.connectPending = true;
          s.connectCause = cause;
        }
        on(ep);
      },
      acceptable: on,
      readable: on,
      writable: on,
      peerFin: function (ep) {
        const s = c.byEp[ep];
        if (s) onPeerFin(s);
        on(ep);
      },
      ended: function (ep, cause, unsent) { onEnded(c, ep, cause, unsent); },
      link: function (up) {
        c.link = up;
        c.linkDue = true;
        kick(c);
      },
      wake: function (at) { c.at(at); },
    };
    transport.setSink(sink);
    c.link = transport.linkUp();
    // a first turn: what the NIC did before the sink was set, and the transport's first deadline
    kick(c);
  }


  // ---------------------------------------------------------------- status

  /**
   * The event loop's one timer: when it is set for (`due`) and how many turns it ran (`runs`: figures
   * and tests); `stop()` ends it: no turn, pump or handler call afterwards (the transport and NIC are
   * their owner's to stop). The services above the API keep their timers on it (`loopTimers(api)`).
   */
  eventLoop(): TimerHost {
    return this.c;
  }

  WSAGetLastError(): number {
    return this.c.lastError;
  }

  WSASetLastError(code: number): void {
    this.c.lastError = code;
  }

  /** handles open now */
  openSockets(): number {
    let n = 0;
    for (let i = 1; i < this.c.socks.length; i++) if (this.c.socks[i]) n++;
    return n;
  }

  /** the NIC's link as last reported */
  linkUp(): boolean {
    return this.c.link;
  }

  /** background closes still holding a transport endpoint */
  backgroundCloses(): number {
    return this.c.closingList.length;
  }

  /**
   * Before the program stops (E.on('kill')): waits, pumping as a blocking call does, until every
   * background close has finished or `ms` has passed; what is left is ended abortively (its done
   * callback reports WSAETIMEDOUT). Returns how many had to be forced.
   */
  finishCloses(ms: number): number {
    const c = this.c;
    if (ms > 0 && c.closingList.length > 0) block(c, function () { return c.closingList.length === 0; }, ms);
    let forced = 0;
    while (c.closingList.length > 0) {
      forceClose(c, c.closingList[0], WSAError.WSAETIMEDOUT);
      forced++;
    }
    return forced;
  }

  // ---------------------------------------------------------------- creation

  socket(af: number, type: number, protocol?: number): number {
    if (af !== AddressFamily.AF_INET) return fail(this.c, WSAError.WSAEAFNOSUPPORT);
    if (type !== SockType.SOCK_STREAM && !(WITH_DATAGRAM && type === SockType.SOCK_DGRAM) && !(WITH_SEQPACKET && type === SockType.SOCK_SEQPACKET)) {
      return fail(this.c, WSAError.WSAESOCKTNOSUPPORT);
    }
    const p = protocol === undefined ? 0 : protocol;
    const want = type === SockType.SOCK_DGRAM ? Protocol.IPPROTO_UDP : Protocol.IPPROTO_TCP;
    if (p !== 0 && p !== want) return fail(this.c, WSAError.WSAEPROTONOSUPPORT);
    const h = freeHandle(this.c);
    if (h < 0) return fail(this.c, WSAError.WSAEMFILE);
    if (this.c.transport.available() <= 0) reclaimOldest(this.c);
    const ep = this.c.transport.open(type === SockType.SOCK_DGRAM ? EndpointKind.Datagram : EndpointKind.Stream);
    if (ep < 0) return fail(this.c, ep === TErr.NetDown ? WSAError.WSAENETDOWN : WSAError.WSAENOBUFS);
    const s = new Sock();
    s.handle = h;
    s.type = type;
    s.ep = ep;
    if (WITH_SEQPACKET && type === SockType.SOCK_SEQPACKET) s.reader = new MessageReader(this.c.maxMessage);
    this.c.socks[h] = s;
    this.c.byEp[ep] = s;
    touch(this.c, s);
    this.c.nextHandle = h + 1;
    return h;
  }

  bind(sh: number, addr: string, port: number): number {
    const s = get(this.c, sh);
    if (!s) return fail(this.c, WSAError.WSAENOTSOCK);
    const ip = addr === undefined ? 0 : parseIPv4(addr);
    if (ip < 0) return fail(this.c, WSAError.WSAEFAULT);
    if (!isPort(port)) return fail(this.c, WSAError.WSAEINVAL);
    if (s.bound || s.state !== SState.Idle || s.ep < 0) return fail(this.c, WSAError.WSAEINVAL);
    if (ip !== 0 && ip !== this.c.transport.localIp()) return fail(this.c, WSAError.WSAEADDRNOTAVAIL);
    if (port !== 0 && portTaken(this.c, s, port)) return fail(this.c, WSAError.WSAEADDRINUSE);
    const r = this.c.transport.bind(s.ep, ip, port);
    if (r < 0) return fail(this.c, transportError(r));
    s.bound = true;
    s.bindPort = port;
    return 0;
  }

  listen(sh: number, backlog: number): number {
    const s = get(this.c, sh);
    if (!s) return fail(this.c, WSAError.WSAENOTSOCK);
    if (!isStreamType(s.type)) return fail(this.c, WSAError.WSAEOPNOTSUPP);
    if (typeof backlog !== 'number' || backlog !== backlog) return fail(this.c, WSAError.WSAEINVAL);
    if (hasConnection(s)) return fail(this.c, WSAError.WSAEISCONN);
    if (s.state === SState.Connecting || !s.bound) return fail(this.c, WSAError.WSAEINVAL);
    if (s.state === SState.Listening) return 0;
    let b = Math.floor(backlog);
    const max = this.c.transport.maxEndpoints();
    if (b < 1) b = 1;
    if (b > max) b = max;
    const r = this.c.transport.listen(s.ep, b);
    if (r < 0) return fail(this.c, transportError(r));
    s.state = SState.Listening;
    kick(this.c);
    return 0;
  }

  accept(sh: number, from?: SockAddr): number {
    const s = get(this.c, sh);
    if (!s) return fail(this.c, WSAError.WSAENOTSOCK);
    if (from !== undefined && !isObject(from)) return fail(this.c, WSAError.WSAEFAULT);
    if (!isStreamType(s.type)) return fail(this.c, WSAError.WSAEOPNOTSUPP);
    if (s.state !== SState.Listening) return fail(this.c, WSAError.WSAEINVAL);
    reenable(s.book, FdEvent.FD_ACCEPT);
    kick(this.c);
    if (s.abortError !== 0) return fail(this.c, s.abortError);
    const h = freeHandle(this.c);
    if (h < 0) return fail(this.c, WSAError.WSAEMFILE);
    const t = this.c.transport;
    if (t.pendingAccepts(s.ep) <= 0) {
      if (s.nonBlocking) return fail(this.c, WSAError.WSAEWOULDBLOCK);
      const ok = block(this.c, function () { return s.abortError !== 0 || t.pendingAccepts(s.ep) > 0; }, s.rcvTimeo);
      if (s.abortError !== 0) return fail(this.c, s.abortError);
      if (!ok) return fail(this.c, WSAError.WSAETIMEDOUT);
    }
    const ep = t.accept(s.ep);
    if (ep < 0) return fail(this.c, ep === TErr.Invalid ? WSAError.WSAEWOULDBLOCK : transportError(ep));
    const c = new Sock();
    c.handle = h;
    c.type = s.type;
    c.ep = ep;
    c.state = SState.Established;
    c.bound = true;
    c.nonBlocking = s.nonBlocking;
    c.lingerOn = s.lingerOn;
    c.lingerSec = s.lingerSec;
    if (WITH_KEEPALIVE) c.keepAlive = s.keepAlive;
    if (WITH_NODELAY) c.noDelay = s.noDelay;
    c.rcvTimeo = s.rcvTimeo;
    c.sndTimeo = s.sndTimeo;
    if (WITH_SEQPACKET && c.type === SockType.SOCK_SEQPACKET) c.reader = new MessageReader(this.c.maxMessage);
    // Winsock: the accepted socket has the listening socket's properties, its selection included.
    select(c.book, s.book.mode, s.book.selected);
    c.handler = s.handler;
    c.signal = s.signal;
    connected(c.book);
    if (WITH_KEEPALIVE && c.keepAlive) t.setOption(ep, TOption.KeepAlive, this.c.keepAliveSeconds);
    if (WITH_NODELAY && c.noDelay) t.setOption(ep, TOption.NoDelay, 1);
    this.c.socks[h] = c;
    this.c.byEp[ep] = c;
    touch(this.c, c);
    this.c.nextHandle = h + 1;
    if (from !== undefined && t.peerName(ep, this.c.peer)) {
      from.addr = formatIPv4(this.c.peer.ip);
      from.port = this.c.peer.port;
    }
    return h;
  }

  connect(sh: number, addr: string, port: number): number {
    const s = get(this.c, sh);
    if (!s) return fail(this.c, WSAError.WSAENOTSOCK);
    const ip = parseIPv4(addr);
    if (ip < 0) return fail(this.c, WSAError.WSAEFAULT);
    if (!isPort(port)) return fail(this.c, WSAError.WSAEINVAL);
    if (ip === 0 || port === 0) return fail(this.c, WSAError.WSAEADDRNOTAVAIL);
    if (s.ep < 0) return fail(this.c, s.abortError !== 0 ? s.abortError : WSAError.WSAENOBUFS);
    if (WITH_DATAGRAM && s.type === SockType.SOCK_DGRAM) {
      if (!s.bound) {
        const b = this.c.transport.bind(s.ep, 0, 0);
        if (b < 0) return fail(this.c, transportError(b));
        s.bound = true;
      }
      s.dgramIp = ip;
      s.dgramPort = port;
      return 0;
    }
    if (s.state === SState.Listening) return fail(this.c, WSAError.WSAEINVAL);
    if (hasConnection(s)) return fail(this.c, WSAError.WSAEISCONN);
    if (s.state === SState.Connecting) return fail(this.c, WSAError.WSAEALREADY);
    const r = this.c.transport.connect(s.ep, ip, port);
    if (r < 0) return fail(this.c, transportError(r));
    s.bound = true;
    s.state = SState.Connecting;
    s.connectByCall = true;
    s.connectError = 0;
    newConnection(s.book);
    if (WITH_KEEPALIVE && s.keepAlive) this.c.transport.setOption(s.ep, TOption.KeepAlive, this.c.keepAliveSeconds);
    if (WITH_NODELAY && s.noDelay) this.c.transport.setOption(s.ep, TOption.NoDelay, 1);
    if (s.nonBlocking) return fail(this.c, WSAError.WSAEWOULDBLOCK);
    const ok = block(this.c, function () { return s.state !== SState.Connecting; }, s.sndTimeo);
    if (!ok) {
      renewEndpoint(this.c, s);
      return fail(this.c, WSAError.WSAETIMEDOUT);
    }
    // (settle() moved the state on while blocking)
    if (hasConnection(s)) return 0;
    return fail(this.c, s.connectError);
  }

  // ---------------------------------------------------------------- data

  send(sh: number, buf: Uint8Array, len?: number, flags?: number): number {
    const s = get(this.c, sh);
    if (!s) return fail(this.c, WSAError.WSAENOTSOCK);
    const n = checkBuffer(this.c, buf, len, flags);
    if (n < 0) return SOCKET_ERROR;
    if (WITH_DATAGRAM && s.type === SockType.SOCK_DGRAM) {
      if (s.dgramPort === 0) return fail(this.c, WSAError.WSAENOTCONN);
      return sendDatagram(this.c, s, buf, n, s.dgramIp, s.dgramPort);
    }
    reenable(s.book, FdEvent.FD_WRITE);
    if (!hasConnection(s)) return fail(this.c, WSAError.WSAENOTCONN);
    if (s.shutSend) return fail(this.c, WSAError.WSAESHUTDOWN);
    if (s.abortError !== 0) return fail(this.c, s.abortError);
    if (hasEnded(s)) return fail(this.c, WSAError.WSAESHUTDOWN);
    if (WITH_SEQPACKET && s.type === SockType.SOCK_SEQPACKET) return sendMessage(this.c, s, buf, n);
    if (n === 0) return 0;
    const t = this.c.transport;
    let total = 0;
    for (;;) {
      const r = t.send(s.ep, buf, total, n - total);
      if (r < 0) return total > 0 ? total : fail(this.c, transportError(r));
      total += r;
      if (total === n) return total;
      if (s.nonBlocking) {
        if (total > 0) return total;
        armWrite(s.book);
        return fail(this.c, WSAError.WSAEWOULDBLOCK);
      }
      const ok = block(this.c, function () { return s.abortError !== 0 || hasEnded(s) || t.writeSpace(s.ep) > 0; }, s.sndTimeo);
      if (s.abortError !== 0 || hasEnded(s)) return total > 0 ? total : fail(this.c, s.abortError !== 0 ? s.abortError : WSAError.WSAESHUTDOWN);
      if (!ok) return total > 0 ? total : fail(this.c, WSAError.WSAETIMEDOUT);
    }
  }

  recv(sh: number, buf: Uint8Array, len?: number, flags?: number): number {
    const s = get(this.c, sh);
    if (!s) return fail(this.c, WSAError.WSAENOTSOCK);
    const n = checkBuffer(this.c, buf, len, flags);
    if (n < 0) return SOCKET_ERROR;
    if (WITH_DATAGRAM && s.type === SockType.SOCK_DGRAM) return recvDatagram(this.c, s, buf, n, undefined);
    reenable(s.book, FdEvent.FD_READ);
    reenable(s.book, FdEvent.FD_OOB);
    kick(this.c);
    if (!hasConnection(s)) return fail(this.c, WSAError.WSAENOTCONN);
    if (s.shutRecv) return fail(this.c, WSAError.WSAESHUTDOWN);
    if (WITH_SEQPACKET && s.type === SockType.SOCK_SEQPACKET) return recvMessage(this.c, s, buf, n);
    const t = this.c.transport;
    for (;;) {
      if (s.abortError !== 0) return fail(this.c, s.abortError);
      const avail = t.readable(s.ep);
      if (avail > 0) {
        if (n === 0) return 0;
        const got = t.recv(s.ep, buf, 0, n);
        return got < 0 ? fail(this.c, transportError(got)) : got;
      }
      if (peerFinSeen(s) || hasEnded(s)) return 0;
      if (n === 0) return 0;
      if (s.nonBlocking) return fail(this.c, WSAError.WSAEWOULDBLOCK);
      const ok = block(this.c, function () { return s.abortError !== 0 || peerFinSeen(s) || hasEnded(s) || t.readable(s.ep) > 0; }, s.rcvTimeo);
      if (!ok) return fail(this.c, WSAError.WSAETIMEDOUT);
    }
  }

  sendto(sh: number, buf: Uint8Array, len: number | undefined, flags: number | undefined, addr: string, port: number): number {
    const s = get(this.c, sh);
    if (!s) return fail(this.c, WSAError.WSAENOTSOCK);
    if (!WITH_DATAGRAM || s.type !== SockType.SOCK_DGRAM) return this.send(sh, buf, len, flags);
    const n = checkBuffer(this.c, buf, len, flags);
    if (n < 0) return SOCKET_ERROR;
    const ip = parseIPv4(addr);
    if (ip < 0) return fail(this.c, WSAError.WSAEFAULT);
    if (!isPort(port)) return fail(this.c, WSAError.WSAEINVAL);
    if (ip === 0 || port === 0) return fail(this.c, WSAError.WSAEADDRNOTAVAIL);
    return sendDatagram(this.c, s, buf, n, ip, port);
  }

  recvfrom(sh: number, buf: Uint8Array, len?: number, flags?: number, from?: SockAddr): number {
    const s = get(this.c, sh);
    if (!s) return fail(this.c, WSAError.WSAENOTSOCK);
    if (!WITH_DATAGRAM || s.type !== SockType.SOCK_DGRAM) return this.recv(sh, buf, len, flags);
    const n = checkBuffer(this.c, buf, len, flags);
    if (n < 0) return SOCKET_ERROR;
    if (from !== undefined && !isObject(from)) return fail(this.c, WSAError.WSAEFAULT);
    return recvDatagram(this.c, s, buf, n, from);
  }

  // ---------------------------------------------------------------- shutdown and close


  WSASendDisconnect(sh: number, data?: Uint8Array): number {
    const s = get(this.c, sh);
    if (!s) return fail(this.c, WSAError.WSAENOTSOCK);
    if (data !== undefined && data !== null) {
      if (!(data instanceof Uint8Array)) return fail(this.c, WSAError.WSAEFAULT);
      if (data.length > 0) return fail(this.c, WSAError.WSAENOPROTOOPT);
    }
    if (s.type === SockType.SOCK_DGRAM) return fail(this.c, WSAError.WSAEOPNOTSUPP);
    return shutdown(this.c, sh, ShutdownHow.SD_SEND);
  }


  // ---------------------------------------------------------------- options




  shutdown(sh: number, how: number): number {
    return shutdown(this.c, sh, how);
  }

  closesocket(sh: number, done?: CloseDone): number {
    return closesocket(this.c, sh, done);
  }

  setsockopt(sh: number, level: number, opt: number, value: unknown): number {
    return setsockopt(this.c, sh, level, opt, value);
  }

  /** the option's value (a number, or a Linger for SO_LINGER), or SOCKET_ERROR */
  getsockopt(sh: number, level: number, opt: number): number | Linger {
    return getsockopt(this.c, sh, level, opt);
  }

  ioctlsocket(sh: number, cmd: number, arg: number | IoctlArg): number {
    return ioctlsocket(this.c, sh, cmd, arg);
  }

  // ---------------------------------------------------------------- event selection

  WSAAsyncSelect(sh: number, handler: AsyncHandler, events: number): number {
    const s = get(this.c, sh);
    if (!s) return fail(this.c, WSAError.WSAENOTSOCK);
    if (!isCount(events) || (events & ~FdEvent.FD_ALL_EVENTS) !== 0) return fail(this.c, WSAError.WSAEINVAL);
    if (events !== 0 && typeof handler !== 'function') return fail(this.c, WSAError.WSAEINVAL);
    dropQueued(this.c, s);
    select(s.book, SelectMode.Async, events);
    s.handler = events !== 0 ? handler : null;
    s.signal = null;
    s.nonBlocking = true;
    atSelect(this.c, s);
    return 0;
  }

  /** the polling form; `signal`, if given, is called (from the event loop) when the record gains an event, like SetEvent on an event object */
  WSAEventSelect(sh: number, events: number, signal?: () => void): number {
    if (!WITH_EVENT_SELECT) return fail(this.c, WSAError.WSAEOPNOTSUPP);
    const s = get(this.c, sh);
    if (!s) return fail(this.c, WSAError.WSAENOTSOCK);
    if (!isCount(events) || (events & ~FdEvent.FD_ALL_EVENTS) !== 0) return fail(this.c, WSAError.WSAEINVAL);
    if (signal !== undefined && typeof signal !== 'function') return fail(this.c, WSAError.WSAEINVAL);
    dropQueued(this.c, s);
    select(s.book, SelectMode.Event, events);
    s.handler = null;
    s.signal = signal === undefined ? null : signal;
    s.nonBlocking = true;
    atSelect(this.c, s);
    return 0;
  }

  WSAEnumNetworkEvents(sh: number, out: WSANETWORKEVENTS): number {
    if (!WITH_EVENT_SELECT) return fail(this.c, WSAError.WSAEOPNOTSUPP);
    const s = get(this.c, sh);
    if (!s) return fail(this.c, WSAError.WSAENOTSOCK);
    if (!isObject(out)) return fail(this.c, WSAError.WSAEFAULT);
    // what happened since the last turn counts too
    this.c.transport.pump();
    settle(this.c);
    const errs: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    out.lNetworkEvents = takeRecord(s.book, errs);
    out.iErrorCode = errs;
    return 0;
  }

  // ---------------------------------------------------------------- names

  getpeername(sh: number, out: SockAddr): number {
    const s = get(this.c, sh);
    if (!s) return fail(this.c, WSAError.WSAENOTSOCK);
    if (!isObject(out)) return fail(this.c, WSAError.WSAEFAULT);
    if (WITH_DATAGRAM && s.type === SockType.SOCK_DGRAM) {
      if (s.dgramPort === 0) return fail(this.c, WSAError.WSAENOTCONN);
      out.addr = formatIPv4(s.dgramIp);
      out.port = s.dgramPort;
      return 0;
    }
    if (!hasConnection(s) || s.ep < 0 || !this.c.transport.peerName(s.ep, this.c.peer)) return fail(this.c, WSAError.WSAENOTCONN);
    out.addr = formatIPv4(this.c.peer.ip);
    out.port = this.c.peer.port;
    return 0;
  }

  getsockname(sh: number, out: SockAddr): number {
    const s = get(this.c, sh);
    if (!s) return fail(this.c, WSAError.WSAENOTSOCK);
    if (!isObject(out)) return fail(this.c, WSAError.WSAEFAULT);
    if (!s.bound || s.ep < 0 || !this.c.transport.localName(s.ep, this.c.peer)) return fail(this.c, WSAError.WSAEINVAL);
    out.addr = formatIPv4(this.c.peer.ip);
    out.port = this.c.peer.port;
    return 0;
  }

  // ---------------------------------------------------------------- internals: helpers










  // ---------------------------------------------------------------- internals: datagrams



  // ---------------------------------------------------------------- internals: SOCK_SEQPACKET






  // ---------------------------------------------------------------- internals: teardown









  // ---------------------------------------------------------------- internals: the event loop









}
