/**
 * The software transport: the Transport interface (firmware/transport/transport.ts) on the project's
 * own TCP/IP stack (firmware/net: Ethernet, ARP, IPv4, ICMP echo, UDP, TCP) over any FrameDriver
 * (hal/frame-driver.ts: the ENC28J60, the W5500 in MACRAW mode). This file holds the members; the
 * jobs behind them are in core.ts (endpoint records), tx-queue.ts (frames out), tcp-events.ts (TCP's
 * events), datagram.ts (UDP) and service.ts (the driver's events, the deadlines, the pump, failure).
 *
 * What it does better than the W5500 (caps): abort() puts a real RST on the wire (linger 0, the
 * SD_RECEIVE rule), TIME_WAIT is a real 2·MSL record ended by the timer and holds no endpoint, and
 * there is no fixed pool of 8: endpoints and connections are bounded by memory (options).
 */
import type { Clock } from '../../../hal/clock';
import type { InputPin } from '../../../hal/pins';
import { FrameErr } from '../../../hal/frame-driver';
import type { FrameDriver } from '../../../hal/frame-driver';
import { NetIf } from '../../net/iface';
import { IpProto, IpSendError } from '../../net/ip-proto';
import { UdpLimits } from '../../net/udp';
import { Tcp } from '../../net/tcp/tcp';
import { defaultTcpConfig } from '../../net/tcp/config';
import type { TcpConfig } from '../../net/tcp/config';
import { TcpErr } from '../../net/tcp/constants';
import { EndpointKind, TErr, TOption } from '../transport';
import type { PeerAddress, Transport, TransportCaps, TransportSink } from '../transport';
import { Deferred } from '../deferred';
import { NOSINK, idleUntil } from '../shared';
import { Ephemeral, EphemeralPorts } from '../../net/ephemeral';
import { validRange } from '../range';
import { Fl, SoftCore, St } from './core';
import { TxQueue } from './tx-queue';
import { tcpSink } from './tcp-events';
import { DatagramQueue, udpResult } from './datagram';
import { Service } from './service';

export interface SoftwareOptions {
  /** a driver that has been brought up (`begin()` returned OK) */
  driver: FrameDriver;
  clock: Clock;
  /** our IPv4 address, netmask and gateway, host order (0.0.0.0 until DHCP: `setAddress`) */
  ip: number;
  mask: number;
  gateway: number;
  /** the NIC's interrupt line, if wired (the driver's own pin): `idle` wakes when it goes low */
  int?: InputPin;
  /** endpoint ids at most (default 16) */
  maxEndpoints?: number;
  /** TCP settings (default `defaultTcpConfig()` of firmware/net/tcp/config.ts: 2 KB buffers each way, maxConns 8, timeWait 60 s) */
  tcp?: TcpConfig;
  /** bytes of frames waiting for the driver (default 3072: two full frames) */
  txQueueBytes?: number;
  /** bytes of received datagrams kept per datagram endpoint (default 1536) */
  udpRxBytes?: number;
  /** first ephemeral port (default 49152) */
  ephemeralBase?: number;
  /** initial sequence numbers: unsigned 32-bit random values (default Math.random) */
  isn?: () => number;
}

const enum Def {
  MAX_ENDPOINTS = 16,
  TX_QUEUE_BYTES = 3072,
  UDP_RX_BYTES = 1536,
}

function randomIsn(): number {
  return Math.floor(Math.random() * 4294967296) >>> 0;
}

function tcpErr(r: number): number {
  if (r === TcpErr.NoBuffers) return TErr.NoBuffers;
  if (r === TcpErr.AddrInUse) return TErr.AddrInUse;
  if (r === TcpErr.Unreachable) return TErr.Unreachable;
  return TErr.Invalid;
}

export class SoftwareTransport implements Transport {
  readonly caps: TransportCaps;
  private c: SoftCore;
  private svc: Service;
  private tx: TxQueue;
  private int: InputPin | undefined;
  private udpRx: number;

  constructor(opts: SoftwareOptions) {
    const max = opts.maxEndpoints !== undefined && opts.maxEndpoints >= 1 ? Math.floor(opts.maxEndpoints) : Def.MAX_ENDPOINTS;
    const cfg = opts.tcp ? opts.tcp : defaultTcpConfig();
    // one ephemeral port picker for the endpoints, TCP and UDP alike
    const ports = new EphemeralPorts(opts.ephemeralBase !== undefined ? opts.ephemeralBase : Ephemeral.FIRST);
    const nif = new NetIf(ports);
    let c: SoftCore;
    const deliver = function (ep: number, what: Deferred, why: number, unsent: number): void {
      if (what === Deferred.Readable) c.sink.readable(ep);
      else if (what === Deferred.PeerFin) c.sink.peerFin(ep);
      else if (what === Deferred.Acceptable) c.sink.acceptable(ep);
      else if (what === Deferred.ConnectDone) c.sink.connectDone(ep, why);
      else if (what === Deferred.Ended) {
        const released = (c.fl[ep] & Fl.RELEASED) !== 0;
        c.sink.ended(ep, why, unsent);
        if (released) c.retire(ep);
      }
    };
    const isn = opts.isn ? opts.isn : randomIsn;
    c = new SoftCore(opts.driver, opts.clock, nif, function (core: SoftCore): Tcp { return new Tcp(nif, cfg, isn, tcpSink(core), ports, nif.tx); },
      max, ports, deliver);
    const tcp = c.tcp;
    this.c = c;
    this.int = opts.int;
    this.udpRx = opts.udpRxBytes !== undefined && opts.udpRxBytes >= 64 ? opts.udpRxBytes : Def.UDP_RX_BYTES;
    this.tx = new TxQueue(opts.driver, opts.txQueueBytes !== undefined && opts.txQueueBytes >= 64 ? opts.txQueueBytes : Def.TX_QUEUE_BYTES);
    const svc = new Service(c, this.tx);
    this.svc = svc;
    c.queue.afterFlush = function () {
      // events TCP gathered for a connection before accept() took it
      if (!c.down) tcp.flush();
      svc.kick();
    };
    this.caps = { canSendReset: true, holdsAfterClose: true, maxDatagram: UdpLimits.MAX_PAYLOAD };
    const now = opts.clock.now();
    nif.setMac(opts.driver.mac);
    nif.setAddress(opts.ip >>> 0, opts.mask >>> 0, opts.gateway >>> 0, now);
    nif.attach(IpProto.TCP, tcp);
    opts.driver.setHandler(svc);
    // the driver's interrupt watch and left-over work ask the event loop for a pump, through the sink
    opts.driver.setWake(function (at: number) { c.sink.wake(at); });
    if (opts.driver.isUp()) nif.up(this.tx, now);
    else svc.fail();
  }

  setSink(sink: TransportSink): void {
    if (sink) this.c.sink = sink;
  }

  maxEndpoints(): number {
    return this.c.max;
  }

  /** free endpoint ids, bounded by the room left in the connection table (memory: maxConns) */
  available(): number {
    const c = this.c;
    if (c.down) return 0;
    let slots = 0;
    for (let ep = 0; ep < c.max; ep++) if (c.st[ep] === St.Free) slots++;
    const room = c.tcp.cfg.maxConns - c.tcp.conns.length;
    const n = room < slots ? room : slots;
    return n > 0 ? n : 0;
  }

  /** endpoints in use (background closes included) and connections no endpoint owns yet; TIME_WAIT records are not counted */
  held(): number {
    const c = this.c;
    let n = c.unowned();
    for (let ep = 0; ep < c.max; ep++) if (c.st[ep] !== St.Free) n++;
    return n;
  }

  localIp(): number {
    return this.c.nif.addr;
  }

  setAddress(ip: number, mask: number, gateway: number): number {
    const c = this.c;
    if (c.down) return TErr.NetDown;
    if (typeof ip !== 'number' || typeof mask !== 'number' || typeof gateway !== 'number') return TErr.Invalid;
    return c.nif.setAddress(ip >>> 0, mask >>> 0, gateway >>> 0, c.clock.now()) < 0 ? TErr.Invalid : 0;
  }

  linkUp(): boolean {
    return !this.c.down && this.c.drv.isLinkUp();
  }

  /** one ARP probe for `ip` (RFC 5227 §2.1.1), for the DHCP client's check of an offered address */
  probeAddress(ip: number): number {
    const c = this.c;
    if (c.down) return TErr.NetDown;
    if (typeof ip !== 'number' || ip !== ip >>> 0 || ip === 0) return TErr.Invalid;
    const r = c.nif.probe(ip);
    return r === 0 ? 0 : (r === IpSendError.NETDOWN ? TErr.NetDown : TErr.Invalid);
  }

  /** whether another host has claimed `ip` since its first probe */
  addressConflict(ip: number): boolean {
    return this.c.nif.conflict(ip);
  }

  // ---------------------------------------------------------------- endpoints

  open(kind: EndpointKind): number {
    const c = this.c;
    if (c.down) return TErr.NetDown;
    if (kind !== EndpointKind.Stream && kind !== EndpointKind.Datagram) return TErr.Invalid;
    const ep = c.freeSlot();
    if (ep < 0) return TErr.NoBuffers;
    c.init(ep, kind, St.Fresh);
    return ep;
  }

  bind(ep: number, ip: number, port: number): number {
    const c = this.c;
    if (!c.live(ep)) return TErr.Invalid;
    if (c.down) return TErr.NetDown;
    if (c.st[ep] !== St.Fresh) return TErr.Invalid;
    if (ip !== 0 && (ip >>> 0) !== c.nif.addr) return TErr.Unreachable;
    if (typeof port !== 'number' || port < 0 || port > 0xffff || Math.floor(port) !== port) return TErr.Invalid;
    if (port === 0) port = c.ephemeral(c.kind[ep]);
    else if (c.portTaken(port, c.kind[ep], ep, false)) return TErr.AddrInUse;
    if (c.kind[ep] === EndpointKind.Datagram) {
      const q = new DatagramQueue(c, ep, this.udpRx);
      const h = c.nif.udp.open(port, q);
      if (h < 0) return udpResult(h, 0);
      c.udp[ep] = h;
      c.dgq[ep] = q;
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
    const port = st === St.Fresh ? c.ephemeral(EndpointKind.Stream) : c.port[ep];
    let b = backlog > 0 ? Math.floor(backlog) : 1;
    if (b > c.tcp.cfg.maxConns) b = c.tcp.cfg.maxConns;
    const l = c.tcp.listener();
    const r = l.listen(0, port, b);
    if (r < 0) return tcpErr(r);
    l.user = ep;
    c.listener[ep] = l;
    c.port[ep] = port;
    c.st[ep] = St.Listening;
    return 0;
  }

  pendingAccepts(ep: number): number {
    const c = this.c;
    if (!c.live(ep) || c.st[ep] !== St.Listening) return 0;
    const l = c.listener[ep];
    return l ? l.pending() : 0;
  }

  accept(ep: number): number {
    const c = this.c;
    if (!c.live(ep) || c.st[ep] !== St.Listening) return TErr.Invalid;
    const l = c.listener[ep];
    if (!l || l.pending() === 0) return TErr.Invalid;
    const n = c.freeSlot();
    if (n < 0) return TErr.NoBuffers;
    const conn = l.accept();
    if (conn === null) return TErr.Invalid;
    c.init(n, EndpointKind.Stream, St.Connected);
    c.fl[n] = (c.fl[ep] & Fl.NODELAY) | Fl.ACCEPTED;
    c.port[n] = c.port[ep];
    c.keepAlive[n] = c.keepAlive[ep];
    c.conn[n] = conn;
    conn.user = n;
    conn.setNoDelay((c.fl[ep] & Fl.NODELAY) !== 0);
    if (c.keepAlive[ep] > 0) conn.setKeepAlive(c.keepAlive[ep] * 1000, c.clock.now());
    // what the connection gathered before accept() is told on the next turn
    if (conn.events !== 0) c.queue.schedule();
    return n;
  }

  connect(ep: number, ip: number, port: number): number {
    const c = this.c;
    if (!c.live(ep) || !c.isStream(ep)) return TErr.Invalid;
    if (c.down) return TErr.NetDown;
    const st = c.st[ep];
    if (st !== St.Fresh && st !== St.Bound) return TErr.Invalid;
    if (!ip || typeof ip !== 'number' || typeof port !== 'number' || port <= 0 || port > 0xffff || Math.floor(port) !== port) return TErr.Invalid;
    if (st === St.Fresh) {
      c.port[ep] = c.ephemeral(EndpointKind.Stream);
      c.st[ep] = St.Bound;
    }
    const conn = c.tcp.conn();
    conn.setNoDelay((c.fl[ep] & Fl.NODELAY) !== 0);
    const now = c.clock.now();
    if (c.keepAlive[ep] > 0) conn.setKeepAlive(c.keepAlive[ep] * 1000, now);
    conn.user = ep;
    c.conn[ep] = conn;
    c.st[ep] = St.Connecting;
    const r = conn.connect(ip >>> 0, port, c.port[ep], now);
    if (r < 0) {
      conn.user = -1;
      c.conn[ep] = null;
      c.st[ep] = St.Bound;
      return tcpErr(r);
    }
    this.svc.kick();
    return 0;
  }

  // ---------------------------------------------------------------- data

  send(ep: number, buf: Uint8Array, off: number, len: number): number {
    const c = this.c;
    if (!c.live(ep) || !c.isStream(ep) || !validRange(buf, off, len)) return TErr.Invalid;
    if (c.down) return TErr.NetDown;
    const conn = c.conn[ep];
    const st = c.st[ep];
    if (!conn || (st !== St.Connected && st !== St.Connecting) || (c.fl[ep] & Fl.RELEASED)) return TErr.Invalid;
    const n = conn.send(buf, off, len, c.clock.now());
    if (n < 0) return TErr.Invalid;
    if (n > 0) this.svc.kick();
    return n;
  }

  writeSpace(ep: number): number {
    const c = this.c;
    if (!c.live(ep) || c.down) return 0;
    if (c.kind[ep] === EndpointKind.Datagram) return UdpLimits.MAX_PAYLOAD;
    const conn = c.conn[ep];
    return conn && !(c.fl[ep] & Fl.RELEASED) ? conn.writeSpace() : 0;
  }

  sendTo(ep: number, buf: Uint8Array, off: number, len: number, ip: number, port: number): number {
    const c = this.c;
    if (!c.live(ep) || c.kind[ep] !== EndpointKind.Datagram || !validRange(buf, off, len)) return TErr.Invalid;
    if (c.down) return TErr.NetDown;
    if (len > UdpLimits.MAX_PAYLOAD) return TErr.MsgSize;
    if (typeof ip !== 'number' || !ip || typeof port !== 'number' || port <= 0 || port > 0xffff || Math.floor(port) !== port) return TErr.Invalid;
    if (c.st[ep] === St.Fresh) {
      const b = this.bind(ep, 0, 0);
      if (b < 0) return b;
    }
    const r = udpResult(c.nif.udp.sendTo(c.udp[ep], ip >>> 0, port, buf, off, len, c.clock.now()), len);
    this.svc.kick();
    return r;
  }

  readable(ep: number): number {
    const c = this.c;
    if (!c.live(ep)) return 0;
    if (c.kind[ep] === EndpointKind.Datagram) {
      const q = c.dgq[ep];
      return q ? q.nextLength() : -1;
    }
    const conn = c.conn[ep];
    if (!conn || c.down || (c.fl[ep] & Fl.RELEASED)) return 0;
    return conn.readable();
  }

  recv(ep: number, buf: Uint8Array, off: number, len: number): number {
    const c = this.c;
    if (!c.live(ep) || !c.isStream(ep) || !validRange(buf, off, len)) return TErr.Invalid;
    if (c.down) return TErr.NetDown;
    // the bytes are in our memory, but a NIC that is gone ends the connection: one presence check
    // (a register read) so that recv never hands out data, or a 0, from a stack whose NIC has failed
    if (c.drv.checkChip() !== FrameErr.OK || c.down) {
      this.svc.fail();
      return TErr.NetDown;
    }
    const conn = c.conn[ep];
    if (!conn || len === 0 || (c.fl[ep] & Fl.RELEASED)) return 0;
    const n = conn.recv(buf, off, len, c.clock.now());
    return n > 0 ? n : 0;
  }

  recvFrom(ep: number, buf: Uint8Array, off: number, len: number, from: PeerAddress): number {
    const c = this.c;
    if (!c.live(ep) || c.kind[ep] !== EndpointKind.Datagram || !validRange(buf, off, len)) return -1;
    const q = c.dgq[ep];
    return q ? q.take(buf, off, len, from) : -1;
  }

  unsent(ep: number): number {
    const c = this.c;
    if (!c.live(ep) || !c.isStream(ep)) return 0;
    if (c.st[ep] === St.Ended) return c.unsentAt[ep];
    const conn = c.conn[ep];
    return conn ? conn.unsent() : 0;
  }

  // ---------------------------------------------------------------- teardown

  shutdownSend(ep: number): void {
    const c = this.c;
    if (!c.live(ep) || !c.isStream(ep) || c.down) return;
    const conn = c.conn[ep];
    const st = c.st[ep];
    if (!conn || (st !== St.Connected && st !== St.Connecting)) return;
    conn.shutdownSend(c.clock.now());
    this.svc.kick();
  }

  abort(ep: number): number {
    const c = this.c;
    if (!c.live(ep)) return 0;
    const now = c.clock.now();
    let unsent = 0;
    const st = c.st[ep];
    const conn = c.conn[ep];
    if (st === St.Ended) unsent = c.unsentAt[ep];
    else if (conn) unsent = conn.abort(now);
    const l = c.listener[ep];
    if (l) l.close(now);
    const h = c.udp[ep];
    if (h >= 0) c.nif.udp.close(h);
    c.retire(ep);
    if (!c.down) this.svc.kick();
    return unsent;
  }

  release(ep: number): boolean {
    const c = this.c;
    if (!c.live(ep)) return true;
    if (c.fl[ep] & Fl.RELEASED) return false;
    const conn = c.conn[ep];
    if (c.st[ep] !== St.Connected || c.down || !conn || conn.ended) {
      this.abort(ep);
      return true;
    }
    c.fl[ep] |= Fl.RELEASED;
    if (conn.close(c.clock.now())) {
      c.retire(ep);
      return true;
    }
    this.svc.kick();
    return false;
  }

  // ---------------------------------------------------------------- options and names

  setOption(ep: number, opt: TOption, value: number): boolean {
    const c = this.c;
    if (!c.live(ep) || !c.isStream(ep) || typeof value !== 'number') return false;
    const conn = c.conn[ep];
    if (opt === TOption.KeepAlive) {
      let s = value > 0 ? Math.ceil(value) : 0;
      if (s > 0xffff) s = 0xffff;
      c.keepAlive[ep] = s;
      if (conn && !conn.ended) {
        conn.setKeepAlive(s * 1000, c.clock.now());
        this.svc.kick();
      }
      return true;
    }
    if (opt === TOption.NoDelay) {
      if (value) c.fl[ep] |= Fl.NODELAY;
      else c.fl[ep] &= ~Fl.NODELAY;
      if (conn) conn.setNoDelay(value !== 0);
      return true;
    }
    return false;
  }

  localName(ep: number, out: PeerAddress): boolean {
    const c = this.c;
    if (!c.live(ep) || c.port[ep] === 0) return false;
    const conn = c.conn[ep];
    out.ip = conn && conn.localIp !== 0 ? conn.localIp : c.nif.addr;
    out.port = c.port[ep];
    return true;
  }

  peerName(ep: number, out: PeerAddress): boolean {
    const c = this.c;
    if (!c.live(ep) || !c.isStream(ep)) return false;
    const conn = c.conn[ep];
    if (!conn || (c.st[ep] !== St.Connected && c.st[ep] !== St.Ended)) return false;
    out.ip = conn.remoteIp;
    out.port = conn.remotePort;
    return true;
  }

  // ---------------------------------------------------------------- time

  pump(): number {
    return this.svc.pump();
  }

  idle(until: number): void {
    idleUntil(this.c.clock, this.int, until);
  }

  /** No more wake requests or events (the driver is stopped by its owner). */
  stop(): void {
    this.c.sink = NOSINK;
  }

  /** the stack under the transport, for tests and figures (frames dropped, drops by reason, TCP counters) */
  stackStats(): { txQueued: number; txDropped: number; nif: NetIf; tcp: Tcp } {
    return { txQueued: this.tx.queued, txDropped: this.tx.dropped, nif: this.c.nif, tcp: this.c.tcp };
  }
}
