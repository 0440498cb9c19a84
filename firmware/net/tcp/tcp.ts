/**
 * The TCP stack (RFC 9293): the connection table, listeners and TIME_WAIT records; segments in
 * (`input`, as the IPv4 layer's upper protocol 6), timers run by `poll(now)`, which returns the next
 * deadline. No timers or I/O of its own: the caller passes the time and the IPv4 output.
 */
import { TcpCount, TcpEvent } from './constants';
import { TcpFlag, TcpParse, TcpSegment, parseTcp } from './header';
import { arrive } from './arrive';
import { listenArrive, TcpListener } from './listener';
import { TcpConn } from './conn';
import { replyRst } from './output';
import { connDeadline, connTimers } from './timers';
import { TimeWait, timeWaitArrive } from './time-wait';
import { checkTcpConfig } from './config';
import { IpHeadroom } from '../ip-proto';
import { Ephemeral, EphemeralPorts } from '../ephemeral';
import type { IpOutput, IpUpper } from '../ip-proto';
import type { TcpConfig, TcpSink } from './config';

export class Tcp implements IpUpper {
  ip: IpOutput;
  cfg: TcpConfig;
  /** the source of initial sequence numbers: unsigned 32-bit random values (seedable in tests) */
  rand: () => number;
  sink: TcpSink;
  conns: TcpConn[] = [];
  listeners: TcpListener[] = [];
  timeWaits: TimeWait[] = [];
  /** connections and listeners with events for the next flush */
  notify: TcpConn[] = [];
  notifyL: TcpListener[] = [];
  /** every segment is built here, behind room for the IPv4 and Ethernet headers, and handed to `ip` at once */
  frame: Uint8Array;
  /** TcpCount slots */
  counts: Uint32Array = new Uint32Array(TcpCount.N);
  chalStart = 0;
  chalCount = 0;
  private seg: TcpSegment = new TcpSegment();
  /** where ports for connect/listen on port 0 come from (shared with UDP and the transport's endpoints) */
  ports: EphemeralPorts;

  /**
   * throws on a bad configuration (a programming error, found at start, never in the event loop);
   * `ports`: the ephemeral port picker to share (a transport's own), else one of its own; `frame`: a frame
   * buffer (IpHeadroom.FRAME bytes) to share with the IPv4 layer's own sends (NetIf.tx: each frame built there
   * leaves before the next is built), else one of its own
   */
  constructor(ip: IpOutput, cfg: TcpConfig, rand: () => number, sink: TcpSink, ports?: EphemeralPorts, frame?: Uint8Array) {
    const why = checkTcpConfig(cfg);
    if (why !== '') throw new Error('TCP config: ' + why);
    this.ip = ip;
    this.cfg = cfg;
    this.rand = rand;
    this.sink = sink;
    this.chalStart = -1000;
    this.ports = ports ? ports : new EphemeralPorts(Ephemeral.FIRST);
    this.frame = frame && frame.length >= IpHeadroom.FRAME ? frame : new Uint8Array(IpHeadroom.FRAME);
  }

  /** a fresh connection object for `connect` */
  conn(): TcpConn {
    return new TcpConn(this);
  }

  /** a fresh listener object for `listen` */
  listener(): TcpListener {
    return new TcpListener(this);
  }

  /** IpUpper: one TCP segment from `src` to `dst` */
  input(src: number, dst: number, buf: Uint8Array, off: number, len: number, now: number): void {
    const s = this.seg;
    const r = parseTcp(buf, off, len, src, dst, s);
    if (r !== TcpParse.OK) {
      this.counts[r === TcpParse.BAD_CHECKSUM ? TcpCount.BAD_CHECKSUM : r === TcpParse.BAD_OPTION ? TcpCount.BAD_OPTION : TcpCount.BAD_HEADER]++;
      return;
    }
    this.counts[TcpCount.SEGMENTS_IN]++;
    if (dst === 0xffffffff || src === 0 || src === 0xffffffff || dst !== this.ip.localAddr(src) || s.srcPort === 0 || s.dstPort === 0) {
      this.counts[TcpCount.NOT_OURS]++;
      return;
    }
    const c = this.findConn(dst, s.dstPort, src, s.srcPort);
    if (c !== null) {
      arrive(c, s, buf, now);
    } else {
      const t = this.findTimeWait(dst, s.dstPort, src, s.srcPort);
      if (t >= 0) {
        if (!timeWaitArrive(this, this.timeWaits[t], s, now)) this.timeWaits.splice(t, 1);
      } else {
        const l = this.findListener(dst, s.dstPort);
        if (l !== null) {
          listenArrive(l, s, src, dst, now);
        } else {
          // §3.10.7.1 CLOSED: everything but a RST gets a RST
          const segLen = s.len + ((s.flags & TcpFlag.SYN) ? 1 : 0) + ((s.flags & TcpFlag.FIN) ? 1 : 0);
          if (s.flags & TcpFlag.RST) this.counts[TcpCount.DROPPED]++;
          else replyRst(this, dst, src, s.dstPort, s.srcPort, s.flags, s.seq, s.ack, segLen, now);
        }
      }
    }
    this.flush();
  }

  /** runs every timer due at `now`, delivers the events, and returns the next deadline (−1: none) */
  poll(now: number): number {
    for (let i = this.conns.length - 1; i >= 0; i--) {
      const c = this.conns[i];
      if (c !== undefined) connTimers(c, now);
    }
    for (let i = this.timeWaits.length - 1; i >= 0; i--) {
      if (this.timeWaits[i].until <= now) this.timeWaits.splice(i, 1);
    }
    this.flush();
    return this.nextDeadline();
  }

  /** the earliest deadline of any timer, −1 when none runs */
  nextDeadline(): number {
    let d = -1;
    for (let i = 0; i < this.conns.length; i++) {
      const t = connDeadline(this.conns[i]);
      if (t >= 0 && (d < 0 || t < d)) d = t;
    }
    for (let i = 0; i < this.timeWaits.length; i++) {
      const t = this.timeWaits[i].until;
      if (d < 0 || t < d) d = t;
    }
    return d;
  }

  /** delivers the queued events (connection by connection, in TcpEvent order) */
  flush(): void {
    const sink = this.sink;
    while (this.notify.length > 0) {
      const c = this.notify.shift() as TcpConn;
      const ev = c.events;
      if (c.listener !== null || c.aborted || ev === 0) continue;
      c.events = 0;
      if (ev & TcpEvent.CONNECTED) sink.connected(c);
      if (ev & TcpEvent.READABLE) sink.readable(c);
      if (ev & TcpEvent.PEER_FIN) sink.peerFin(c);
      if (ev & TcpEvent.WRITABLE) sink.writable(c);
      if (ev & TcpEvent.ALL_ACKED) sink.allAcked(c);
      if (ev & TcpEvent.ENDED) sink.ended(c, c.cause);
    }
    while (this.notifyL.length > 0) {
      const l = this.notifyL.shift() as TcpListener;
      l.notified = false;
      if (l.listening && l.queue.length > 0) sink.acceptable(l);
    }
  }

  findConn(lip: number, lport: number, rip: number, rport: number): TcpConn | null {
    const cs = this.conns;
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i];
      if (c.localPort === lport && c.remotePort === rport && c.remoteIp === rip && c.localIp === lip) return c;
    }
    return null;
  }

  findTimeWait(lip: number, lport: number, rip: number, rport: number): number {
    const ts = this.timeWaits;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i];
      if (t.localPort === lport && t.remotePort === rport && t.remoteIp === rip && t.localIp === lip) return i;
    }
    return -1;
  }

  findListener(lip: number, lport: number): TcpListener | null {
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) {
      if (ls[i].port === lport && (ls[i].ip === 0 || ls[i].ip === lip)) return ls[i];
    }
    return null;
  }

  /** a four-tuple held by a connection or a TIME_WAIT record */
  tupleInUse(lip: number, lport: number, rip: number, rport: number): boolean {
    return this.findConn(lip, lport, rip, rport) !== null || this.findTimeWait(lip, lport, rip, rport) >= 0;
  }

  private portUsed(p: number): boolean {
    for (let i = 0; i < this.conns.length; i++) if (this.conns[i].localPort === p) return true;
    for (let i = 0; i < this.listeners.length; i++) if (this.listeners[i].port === p) return true;
    for (let i = 0; i < this.timeWaits.length; i++) if (this.timeWaits[i].localPort === p) return true;
    return false;
  }

  /** the next unused port of 49152–65535, 0 if every one is taken */
  ephemeralPort(): number {
    const self = this;
    const p = this.ports.pick(function (q) { return self.portUsed(q); });
    return this.portUsed(p) ? 0 : p;
  }

  /** keeps a TIME_WAIT record; when the table is full the one that would expire first makes room */
  addTimeWait(t: TimeWait): void {
    const ts = this.timeWaits;
    if (this.cfg.maxTimeWait === 0) return;
    if (ts.length >= this.cfg.maxTimeWait) {
      let oldest = 0;
      for (let i = 1; i < ts.length; i++) if (ts[i].until < ts[oldest].until) oldest = i;
      ts.splice(oldest, 1);
    }
    ts.push(t);
  }
}
