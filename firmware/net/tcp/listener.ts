/** A LISTEN endpoint (RFC 9293 §3.10.7.2) with its backlog of connections for accept(). */
import { TcpCount, TcpErr, TcpState } from './constants';
import { TcpFlag } from './header';
import { output, replyRst } from './output';
import { sendMss, initialCwnd } from './arrive';
import { seqAdd } from './seq';
import { TcpConn } from './conn';
import type { TcpSegment } from './header';
import type { Tcp } from './tcp';

export class TcpListener {
  tcp: Tcp;
  port = 0;
  /** local address it accepts on; 0 = any */
  ip = 0;
  backlog = 0;
  listening = false;
  /** established connections not yet taken by accept(), oldest first */
  queue: TcpConn[] = [];
  /** queued for an `acceptable` event at the next flush */
  notified = false;
  /** free for the user */
  user = -1;

  constructor(tcp: Tcp) {
    this.tcp = tcp;
  }

  /**
   * Passive OPEN on `port` (0 = ephemeral), local address `ip` (0 = any), keeping up to `backlog`
   * (≥ 1) connections handshaking or waiting for accept(). Returns 0 or a TcpErr.
   */
  listen(ip: number, port: number, backlog: number): number {
    const tcp = this.tcp;
    if (this.listening) return TcpErr.Invalid;
    if (typeof ip !== 'number' || ip < 0 || ip > 0xffffffff || Math.floor(ip) !== ip) return TcpErr.Invalid;
    if (typeof port !== 'number' || port < 0 || port > 65535 || Math.floor(port) !== port) return TcpErr.Invalid;
    if (typeof backlog !== 'number' || backlog < 1 || Math.floor(backlog) !== backlog) return TcpErr.Invalid;
    const p = port === 0 ? tcp.ephemeralPort() : port;
    if (p === 0) return TcpErr.AddrInUse;
    for (let i = 0; i < tcp.listeners.length; i++) if (tcp.listeners[i].port === p) return TcpErr.AddrInUse;
    this.ip = ip;
    this.port = p;
    this.backlog = backlog;
    this.listening = true;
    this.tcp.listeners.push(this);
    return 0;
  }

  /** connections ready for accept() */
  pending(): number {
    return this.queue.length;
  }

  /** the oldest ready connection, or null; its events gathered so far follow at the next flush */
  accept(): TcpConn | null {
    const c = this.queue.shift();
    if (c === undefined) return null;
    c.listener = null;
    if (c.events !== 0) this.tcp.notify.push(c);
    return c;
  }

  /** stops listening; connections not accepted yet are reset */
  close(now: number): void {
    const tcp = this.tcp;
    const i = tcp.listeners.indexOf(this);
    if (i >= 0) tcp.listeners.splice(i, 1);
    this.listening = false;
    for (let k = tcp.conns.length - 1; k >= 0; k--) {
      const c = tcp.conns[k];
      if (c.listener === this) c.abort(now);
    }
    this.queue = [];
  }

  /** connections of this listener still in the table and not accepted (handshaking or queued) */
  held(): number {
    let n = 0;
    const conns = this.tcp.conns;
    for (let i = 0; i < conns.length; i++) if (conns[i].listener === this) n++;
    return n;
  }
}

/** §3.10.7.2: a segment for a listener */
export function listenArrive(l: TcpListener, s: TcpSegment, src: number, dst: number, now: number): void {
  const tcp = l.tcp;
  const f = s.flags;
  if (f & TcpFlag.RST) {
    tcp.counts[TcpCount.DROPPED]++;
    return;
  }
  if (f & TcpFlag.ACK) {
    replyRst(tcp, dst, src, s.dstPort, s.srcPort, f, s.seq, s.ack, 0, now);
    return;
  }
  if (!(f & TcpFlag.SYN)) {
    tcp.counts[TcpCount.DROPPED]++;
    return;
  }
  if (l.held() >= l.backlog || tcp.conns.length >= tcp.cfg.maxConns) {
    // no RST: the peer's SYN retransmission may find room (as Linux and lwIP do)
    tcp.counts[TcpCount.BACKLOG_FULL]++;
    return;
  }
  const c = new TcpConn(tcp);
  c.listener = l;
  c.passive = true;
  c.localIp = dst;
  c.localPort = l.port;
  c.remoteIp = src;
  c.remotePort = s.srcPort;
  c.sndMss = sendMss(c, s.mss);
  c.init();
  c.cwnd = initialCwnd(c.sndMss);
  c.irs = s.seq;
  c.rcvNxt = seqAdd(s.seq, 1);
  c.rcvAdv = c.rcvNxt;
  c.sndWnd = s.wnd;
  c.sndWl1 = s.seq;
  c.maxSndWnd = s.wnd;
  c.state = TcpState.SYN_RECEIVED;
  tcp.conns.push(c);
  // Data and FIN on the SYN are not acknowledged: the peer sends them again after the handshake.
  output(c, now);
}

