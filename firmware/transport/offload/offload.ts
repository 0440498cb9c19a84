/**
 * The offload transport: the Transport interface (firmware/transport/transport.ts) on the W5500's
 * own TCP/UDP engine through hal/w5500. This file holds the members; the jobs behind them are in
 * core.ts (endpoint records), pool.ts (hardware sockets, listeners), stream-tx.ts (sending, the
 * FIN after the last SEND_OK), datagram.ts (UDP), service.ts (the driver's events) and
 * chip-reads.ts (the register reads made beside the driver's calls).
 *
 * Teardown on the chip (docs/w5500.md §7): shutdownSend = DISCON once the last SEND has completed
 * (SEND_OK); abort = CLOSE (silent); a released connection closes in the background and gives its
 * hardware socket back on CLOSED, TIMEOUT or RESET. How long a background close may take, and
 * which one gives its socket up when all are held, is the socket layer's rule (abort).
 */
import type { Clock } from '../../../hal/clock';
import type { InputPin } from '../../../hal/pins';
import type { W5500Sockets } from '../../../hal/w5500/sockets';
import { W5500Err } from '../../../hal/w5500/errors';
import type { W5500Handler } from '../../../hal/w5500/events';
import { Chip, Sn_MR } from '../../../hal/w5500/registers';
import { EndpointKind, TErr, TOption } from '../transport';
import type { PeerAddress, Transport, TransportCaps, TransportSink } from '../transport';
import { Deferred } from '../deferred';
import { NOSINK, idleUntil } from '../shared';
import { Ephemeral } from '../../net/ephemeral';
import { Fl, OffloadCore, Role, St } from './core';
import { validRange } from '../range';
import { armAll, armMore, countRole, freeEndpoint, freeListeners, freeSockets, oldestReady, openListener, takeSocket, takeable } from './pool';
import { finIfSent, pendingNow, streamSend, streamUnsent, streamWriteSpace } from './stream-tx';
import { datagramRecv, datagramSend, datagramWriteSpace } from './datagram';
import { WITH_DATAGRAM, WITH_KEEPALIVE, WITH_NODELAY } from '../../features';
import { onFailure, onSocket } from './service';
import { bytesToIp, ipToBytes } from './ip';

export interface OffloadOptions {
  /** a driver that has been brought up (`begin()` returned OK) */
  driver: W5500Sockets;
  clock: Clock;
  /** our IPv4 address, host order (as written into SIPR) */
  ip: number;
  /** the chip's INTn, if wired (the driver's own pin): `idle` wakes when it goes low */
  int?: InputPin;
  /** endpoint ids handed out at most (default 16: 8 hardware sockets, and ids of released endpoints closing in the background) */
  maxEndpoints?: number;
  /** first ephemeral port (default 49152) */
  ephemeralBase?: number;
}

const enum Def {
  MAX_ENDPOINTS = 16,
}

export class OffloadTransport implements Transport {
  readonly caps: TransportCaps;
  private c: OffloadCore;
  private int: InputPin | undefined;

  constructor(opts: OffloadOptions) {
    const max = opts.maxEndpoints !== undefined && opts.maxEndpoints >= Chip.SOCKETS ? opts.maxEndpoints : Def.MAX_ENDPOINTS;
    const eph = opts.ephemeralBase !== undefined ? opts.ephemeralBase : Ephemeral.FIRST;
    let c: OffloadCore;
    const deliver = function (ep: number, what: Deferred): void {
      if (what === Deferred.Readable) c.sink.readable(ep);
      else if (what === Deferred.PeerFin) c.sink.peerFin(ep);
      else if (what === Deferred.Acceptable) c.sink.acceptable(ep);
    };
    c = new OffloadCore(opts.driver, opts.clock, opts.ip, max, eph, deliver);
    c.queue.afterFlush = function () { armAll(c); };
    this.c = c;
    this.int = opts.int;
    this.caps = { canSendReset: false, holdsAfterClose: true, maxDatagram: c.maxDatagram };
    const h: W5500Handler = {
      socket: function (s, ev) { onSocket(c, s, ev); },
      // the chip's own timers decide what a cable pull costs a connection; the layer only hears of it
      link: function (up) { c.sink.link(up); },
      failure: function () { onFailure(c); },
    };
    c.drv.setHandler(h);
  }

  setSink(sink: TransportSink): void {
    if (!sink) return;
    this.c.sink = sink;
    // the driver's interrupt watch and deadlines ask the event loop for a pump: the sink's own wake
    this.c.drv.wake = sink.wake;
  }

  maxEndpoints(): number {
    return this.c.max;
  }

  available(): number {
    const c = this.c;
    if (c.down) return 0;
    let slots = 0;
    for (let ep = 0; ep < c.max; ep++) if (c.st[ep] === St.Free) slots++;
    const hw = takeable(c);
    return hw < slots ? hw : slots;
  }

  localIp(): number {
    return this.c.ip;
  }

  setAddress(ip: number, mask: number, gateway: number): number {
    const c = this.c;
    if (c.down) return TErr.NetDown;
    if (typeof ip !== 'number' || typeof mask !== 'number' || typeof gateway !== 'number') return TErr.Invalid;
    const b = new Uint8Array(12);
    const r = c.drv.setNetwork(ipToBytes(ip, b, 0).subarray(0, 4), ipToBytes(mask, b, 4).subarray(4, 8), ipToBytes(gateway, b, 8).subarray(8, 12));
    if (r < 0) return c.mapErr(r);
    c.ip = ip >>> 0;
    return 0;
  }

  linkUp(): boolean {
    return !this.c.down && this.c.drv.linkUp;
  }

  held(): number {
    return Chip.SOCKETS - freeSockets(this.c);
  }

  /** hardware sockets not held by any endpoint (for the transport's own tests) */
  freeHardwareSockets(): number {
    return freeSockets(this.c);
  }

  // ---------------------------------------------------------------- endpoints

  open(kind: EndpointKind): number {
    const c = this.c;
    if (c.down) return TErr.NetDown;
    if (kind !== EndpointKind.Stream && !(WITH_DATAGRAM && kind === EndpointKind.Datagram)) return TErr.Invalid;
    const ep = c.freeSlot();
    if (ep < 0) return TErr.NoBuffers;
    const s = takeSocket(c, ep);
    if (s < 0) return TErr.NoBuffers;
    c.init(ep, kind, St.Fresh);
    c.sn[ep] = s;
    return ep;
  }

  bind(ep: number, ip: number, port: number): number {
    const c = this.c;
    if (!c.live(ep)) return TErr.Invalid;
    if (c.down) return TErr.NetDown;
    if (c.st[ep] !== St.Fresh) return TErr.Invalid;
    if (ip !== 0 && (ip >>> 0) !== c.ip) return TErr.Unreachable;
    if (typeof port !== 'number' || port < 0 || port > 0xffff || Math.floor(port) !== port) return TErr.Invalid;
    if (port === 0) port = c.ephemeral(c.kind[ep]);
    else if (c.portTaken(port, c.kind[ep], ep, false)) return TErr.AddrInUse;
    if (WITH_DATAGRAM && c.kind[ep] === EndpointKind.Datagram) {
      const r = c.drv.open(c.sn[ep], Sn_MR.UDP, port);
      if (r < 0) return c.mapErr(r);
    }
    c.port[ep] = port;
    c.st[ep] = St.Bound;
    return 0;
  }

  listen(ep: number, backlog: number): number {
    const c = this.c;
    if (!c.live(ep) || !c.isStream(ep)) return TErr.Invalid;
    if (c.down) return TErr.NetDown;
    const st = c.st[ep];
    if (st !== St.Fresh && st !== St.Bound) return TErr.Invalid;
    if (st === St.Fresh) c.port[ep] = c.ephemeral(EndpointKind.Stream);
    const r = openListener(c, c.sn[ep], ep);
    if (r < 0) return c.mapErr(r);
    c.sn[ep] = -1;
    c.st[ep] = St.Listening;
    let b = backlog > 0 ? Math.floor(backlog) : 1;
    if (b > Chip.SOCKETS) b = Chip.SOCKETS;
    c.backlog[ep] = b;
    armMore(c, ep);
    return 0;
  }

  pendingAccepts(ep: number): number {
    const c = this.c;
    if (!c.live(ep) || c.st[ep] !== St.Listening) return 0;
    return countRole(c, ep, Role.Ready);
  }

  accept(ep: number): number {
    const c = this.c;
    if (!c.live(ep) || c.st[ep] !== St.Listening) return TErr.Invalid;
    const s = oldestReady(c, ep);
    if (s < 0) return TErr.Invalid;
    const n = c.freeSlot();
    if (n < 0) return TErr.NoBuffers;
    c.init(n, EndpointKind.Stream, St.Connected);
    c.fl[n] = (c.fl[ep] & Fl.NODELAY) | Fl.ACCEPTED;
    c.sn[n] = s;
    c.port[n] = c.port[ep];
    c.txKnown[n] = c.drv.txSize[s];
    c.role[s] = Role.Own;
    c.snEp[s] = n;
    if (c.drv.peer(s, c.addr6) === W5500Err.OK) {
      c.peerIp[n] = bytesToIp(c.addr6, 0);
      c.peerPort[n] = (c.addr6[4] << 8) | c.addr6[5];
    }
    // What happened between the connection and accept() is told now, on the next turn.
    c.learnRx(n);
    if (c.rxKnown[n] > 0) c.queue.push(n, Deferred.Readable, 0, 0);
    if (c.snFin[s]) {
      c.fl[n] |= Fl.FIN;
      c.queue.push(n, Deferred.PeerFin, 0, 0);
    }
    armMore(c, ep);
    return n;
  }

  connect(ep: number, ip: number, port: number): number {
    const c = this.c;
    if (!c.live(ep) || !c.isStream(ep)) return TErr.Invalid;
    if (c.down) return TErr.NetDown;
    const st = c.st[ep];
    if (st !== St.Fresh && st !== St.Bound) return TErr.Invalid;
    if (!ip || typeof port !== 'number' || port <= 0 || port > 0xffff) return TErr.Invalid;
    if (st === St.Fresh) {
      c.port[ep] = c.ephemeral(EndpointKind.Stream);
      c.st[ep] = St.Bound;
    }
    const s = c.sn[ep];
    const addr = ipToBytes(ip, c.ip4, 0);
    let r = c.drv.open(s, Sn_MR.TCP | c.ndBit(ep), c.port[ep], addr, port);
    if (r < 0) return c.mapErr(r);
    r = c.drv.connect(s, addr, port);
    if (r < 0) {
      c.drv.close(s);
      return c.mapErr(r);
    }
    c.peerIp[ep] = ip >>> 0;
    c.peerPort[ep] = port;
    c.st[ep] = St.Connecting;
    return 0;
  }

  // ---------------------------------------------------------------- data

  send(ep: number, buf: Uint8Array, off: number, len: number): number {
    const c = this.c;
    if (!c.live(ep) || !c.isStream(ep) || !validRange(buf, off, len)) return TErr.Invalid;
    if (c.down) return TErr.NetDown;
    return streamSend(c, ep, buf, off, len);
  }

  writeSpace(ep: number): number {
    const c = this.c;
    if (!c.live(ep) || c.down) return 0;
    return c.isStream(ep) || !WITH_DATAGRAM ? streamWriteSpace(c, ep) : datagramWriteSpace(c, ep);
  }

  sendTo(ep: number, buf: Uint8Array, off: number, len: number, ip: number, port: number): number {
    const c = this.c;
    if (!WITH_DATAGRAM || !c.live(ep) || c.kind[ep] !== EndpointKind.Datagram || !validRange(buf, off, len)) return TErr.Invalid;
    if (c.down) return TErr.NetDown;
    if (len > c.maxDatagram) return TErr.MsgSize;
    if (!ip || typeof port !== 'number' || port <= 0 || port > 0xffff) return TErr.Invalid;
    if (c.st[ep] === St.Fresh) {
      const b = this.bind(ep, 0, 0);
      if (b < 0) return b;
    }
    return datagramSend(c, ep, buf, off, len, ip, port);
  }

  readable(ep: number): number {
    const c = this.c;
    if (!c.live(ep)) return 0;
    if (WITH_DATAGRAM && c.kind[ep] === EndpointKind.Datagram) return c.dgLen[ep];
    if (c.sn[ep] < 0 || (c.fl[ep] & Fl.RELEASED) || c.st[ep] < St.Connected) return 0;
    return c.rxKnown[ep];
  }

  recv(ep: number, buf: Uint8Array, off: number, len: number): number {
    const c = this.c;
    if (!c.live(ep) || !c.isStream(ep) || !validRange(buf, off, len)) return TErr.Invalid;
    if (c.down || !c.drv.isUp()) return TErr.NetDown;
    const s = c.sn[ep];
    if (s < 0 || len === 0 || c.st[ep] < St.Connected) return 0;
    const n = c.drv.recv(s, buf.subarray(off, off + len));
    // the read itself found the chip gone: the failure event follows; no byte count, and never a 0
    if (n < 0 && !c.drv.isUp()) return TErr.NetDown;
    const k = c.rxKnown[ep];
    // more than we knew of: the rest arrived after the last RECV, whose event is on its way
    c.rxKnown[ep] = n > 0 && k > n ? k - n : (n > 0 ? 0 : k);
    return n > 0 ? n : 0;
  }

  recvFrom(ep: number, buf: Uint8Array, off: number, len: number, from: PeerAddress): number {
    const c = this.c;
    if (!WITH_DATAGRAM || !c.live(ep) || c.kind[ep] !== EndpointKind.Datagram || !validRange(buf, off, len)) return -1;
    return datagramRecv(c, ep, buf, off, len, from);
  }

  unsent(ep: number): number {
    const c = this.c;
    return c.live(ep) ? streamUnsent(c, ep) : 0;
  }

  // ---------------------------------------------------------------- teardown

  shutdownSend(ep: number): void {
    const c = this.c;
    if (!c.live(ep) || !c.isStream(ep) || (c.fl[ep] & Fl.SHUT)) return;
    c.fl[ep] |= Fl.SHUT;
    // Still connecting: the DISCON follows CON. Otherwise once the SEND in flight has completed.
    if (c.st[ep] === St.Connected) finIfSent(c, ep);
  }

  abort(ep: number): number {
    const c = this.c;
    if (!c.live(ep)) return 0;
    let unsent = 0;
    if (c.isStream(ep)) {
      if (c.st[ep] === St.Connected && c.sn[ep] >= 0) unsent = pendingNow(c, ep);
      else if (c.st[ep] === St.Ended) unsent = c.unsentAt[ep];
    }
    if (c.st[ep] === St.Listening) freeListeners(c, ep);
    freeEndpoint(c, ep);
    return unsent;
  }

  release(ep: number): boolean {
    const c = this.c;
    if (!c.live(ep)) return true;
    if (c.fl[ep] & Fl.RELEASED) return false;
    if (c.st[ep] !== St.Connected || c.down) {
      this.abort(ep);
      return true;
    }
    if (!(c.fl[ep] & Fl.SHUT)) this.shutdownSend(ep);
    c.fl[ep] |= Fl.RELEASED;
    // what the peer sends now is dropped on the chip, so its window stays open until its FIN
    c.drv.discard(c.sn[ep]);
    return false;
  }

  // ---------------------------------------------------------------- options and names

  setOption(ep: number, opt: TOption, value: number): boolean {
    const c = this.c;
    if (!c.live(ep) || !c.isStream(ep)) return false;
    if (WITH_KEEPALIVE && opt === TOption.KeepAlive) {
      const s = c.sn[ep];
      let units = value > 0 ? Math.ceil(value / 5) : 0;
      if (units > 0xff) units = 0xff;
      if (s >= 0) c.drv.setKeepAlive(s, units);
      return true;
    }
    if (WITH_NODELAY && opt === TOption.NoDelay) {
      // Sn_MR.ND is read at OPEN: it applies to the next connection or listener.
      if (value) c.fl[ep] |= Fl.NODELAY;
      else c.fl[ep] &= ~Fl.NODELAY;
      return true;
    }
    return false;
  }

  localName(ep: number, out: PeerAddress): boolean {
    const c = this.c;
    if (!c.live(ep) || c.port[ep] === 0) return false;
    out.ip = c.ip;
    out.port = c.port[ep];
    return true;
  }

  peerName(ep: number, out: PeerAddress): boolean {
    const c = this.c;
    if (!c.live(ep) || !c.isStream(ep) || c.peerPort[ep] === 0) return false;
    if (c.st[ep] !== St.Connected && c.st[ep] !== St.Ended) return false;
    out.ip = c.peerIp[ep];
    out.port = c.peerPort[ep];
    return true;
  }

  pump(): number {
    const c = this.c;
    // what is due on the chip: INTn low (or the poll), the close/connect watch, the health and stall checks
    c.drv.poll();
    // a failure found by this service is told now, not on a later turn the blocking caller would wait for
    if (!c.down && !c.drv.isUp()) onFailure(c);
    c.queue.flush();
    if (c.queue.asked) return c.clock.now();
    return c.drv.nextDue();
  }

  idle(until: number): void {
    idleUntil(this.c.clock, this.int, until);
  }

  /** No more wake requests or events (the driver is stopped by its owner). */
  stop(): void {
    this.c.sink = NOSINK;
    this.c.drv.wake = NOSINK.wake;
  }
}
