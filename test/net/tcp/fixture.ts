/**
 * Fixtures for the TCP tables: a stack whose IPv4 output records every segment (parsed back, checksum
 * checked), a sink that logs events in order, segments built by hand, and connections put straight
 * into a state with chosen sequence numbers.
 */
import assert from 'node:assert/strict';
import { Tcp } from '../../../firmware/net/tcp/tcp';
import { TcpConn } from '../../../firmware/net/tcp/conn';
import { TcpListener } from '../../../firmware/net/tcp/listener';
import { defaultTcpConfig } from '../../../firmware/net/tcp/config';
import type { TcpConfig, TcpSink } from '../../../firmware/net/tcp/config';
import { TcpCause, TcpState } from '../../../firmware/net/tcp/constants';
import { TcpFlag, TcpParse, TcpSegment, emitTcp, parseTcp, setTcpChecksum } from '../../../firmware/net/tcp/header';
import { seqAdd } from '../../../firmware/net/tcp/seq';
import { IpHeadroom, IpProto } from '../../../firmware/net/ip-proto';
import type { IpOutput } from '../../../firmware/net/ip-proto';

export const LOCAL = 0xc0a80114; // 192.168.1.20
export const REMOTE = 0xc0a8010a; // 192.168.1.10
export const LPORT = 7;
export const RPORT = 40000;
export const ISS = 1000;
export const IRS = 5000;

export const STATE_NAMES = ['CLOSED', 'LISTEN', 'SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2',
  'CLOSE_WAIT', 'CLOSING', 'LAST_ACK', 'TIME_WAIT'];
export const CAUSE_NAMES: { [k: number]: string } = { 0: 'None', 1: 'Reset', 2: 'Timeout', 4: 'Refused', 6: 'Aborted' };

/** one segment the stack sent, as the peer would read it */
export interface Sent {
  dst: number;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: string;
  wnd: number;
  mss: number;
  data: string;
  at: number;
}

export function flagNames(f: number): string {
  const n: string[] = [];
  if (f & TcpFlag.SYN) n.push('SYN');
  if (f & TcpFlag.FIN) n.push('FIN');
  if (f & TcpFlag.RST) n.push('RST');
  if (f & TcpFlag.PSH) n.push('PSH');
  if (f & TcpFlag.ACK) n.push('ACK');
  if (f & TcpFlag.URG) n.push('URG');
  return n.join(',');
}

export class Wire implements IpOutput {
  sent: Sent[] = [];
  /** the raw segments, for handing to another stack */
  raw: Uint8Array[] = [];
  sendIp(dst: number, proto: number, buf: Uint8Array, off: number, len: number, now: number): number {
    assert.equal(proto, IpProto.TCP);
    assert.ok(off >= IpHeadroom.BYTES, 'headroom for IPv4 and Ethernet');
    const s = new TcpSegment();
    assert.equal(parseTcp(buf, off, len, LOCAL, dst, s), TcpParse.OK, 'the stack sends a valid segment');
    this.raw.push(new Uint8Array(buf.subarray(off, off + len)));
    this.sent.push({
      dst, srcPort: s.srcPort, dstPort: s.dstPort, seq: s.seq, ack: s.ack, flags: flagNames(s.flags), wnd: s.wnd, mss: s.mss,
      data: Buffer.from(buf.subarray(s.data, s.data + s.len)).toString('latin1'), at: now,
    });
    return len;
  }
  localAddr(): number {
    return LOCAL;
  }
  /** the segments sent since the last take, and forgets them */
  take(): Sent[] {
    const s = this.sent;
    this.sent = [];
    this.raw = [];
    return s;
  }
}

export class Log implements TcpSink {
  events: string[] = [];
  connected(c: TcpConn): void { this.events.push('connected'); void c; }
  acceptable(l: TcpListener): void { this.events.push('acceptable'); void l; }
  readable(c: TcpConn): void { this.events.push('readable ' + c.readable()); }
  peerFin(c: TcpConn): void { this.events.push('peerFin'); void c; }
  writable(c: TcpConn): void { this.events.push('writable'); void c; }
  allAcked(c: TcpConn): void { this.events.push('allAcked'); void c; }
  ended(c: TcpConn, cause: TcpCause): void { this.events.push('ended ' + CAUSE_NAMES[cause]); void c; }
  take(): string[] {
    const e = this.events;
    this.events = [];
    return e;
  }
}

/** a seeded xorshift32: the ISN source of the tests */
export function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return function (): number {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

export interface Rig {
  tcp: Tcp;
  wire: Wire;
  log: Log;
}

export function rig(cfg?: Partial<TcpConfig>, isn?: () => number): Rig {
  const c = defaultTcpConfig();
  if (cfg) Object.assign(c, cfg);
  const wire = new Wire();
  const log = new Log();
  const tcp = new Tcp(wire, c, isn || function (): number { return ISS; }, log);
  return { tcp, wire, log };
}

/** a segment from the peer (REMOTE:RPORT → LOCAL:LPORT) */
export interface SegSpec {
  seq: number;
  ack?: number;
  flags: number;
  wnd?: number;
  data?: string;
  mss?: number;
  /** raw option bytes instead of an MSS option */
  options?: number[];
  srcPort?: number;
  dstPort?: number;
}

export function segment(s: SegSpec): Uint8Array {
  const data = Buffer.from(s.data || '', 'latin1');
  const opts = s.options || [];
  const optLen = (opts.length + 3) & ~3;
  const buf = new Uint8Array(60 + data.length);
  const hl0 = emitTcp(buf, 0, s.srcPort || RPORT, s.dstPort || LPORT, s.seq >>> 0, (s.ack || 0) >>> 0, s.flags,
    s.wnd === undefined ? 8192 : s.wnd, s.mss || 0);
  let hl = hl0;
  if (opts.length > 0) {
    buf.set(opts, hl0);
    hl = hl0 + optLen;
    buf[12] = (hl >>> 2) << 4;
  }
  buf.set(data, hl);
  const len = hl + data.length;
  setTcpChecksum(buf, 0, len, REMOTE, LOCAL);
  return buf.subarray(0, len);
}

export function feed(r: Rig, s: SegSpec, now: number): void {
  const b = segment(s);
  r.tcp.input(REMOTE, LOCAL, b, 0, b.length, now);
}

export interface StateSpec {
  iss?: number;
  irs?: number;
  /** bytes sent and not acknowledged (before our FIN, if any) */
  inFlight?: string;
  /** bytes queued but not sent yet */
  unsentData?: string;
  /** peer's window (SND.WND) */
  sndWnd?: number;
  /** our announced window (RCV.WND) */
  rcvWnd?: number;
  passive?: boolean;
}

/**
 * A connection put straight into `state`. The SYNs are exchanged (except in SYN_SENT/SYN_RECEIVED,
 * where ours is unacknowledged); in FIN_WAIT_1, CLOSING and LAST_ACK our FIN is sent and not
 * acknowledged, in FIN_WAIT_2 it is acknowledged; in CLOSE_WAIT, CLOSING and LAST_ACK the peer's
 * FIN has been received. RCV.WND defaults to the whole receive buffer, SND.WND to 8192.
 */
export function inState(r: Rig, state: TcpState, spec?: StateSpec): TcpConn {
  const sp = spec || {};
  const tcp = r.tcp;
  const c = tcp.conn();
  c.localIp = LOCAL;
  c.localPort = LPORT;
  c.remoteIp = REMOTE;
  c.remotePort = RPORT;
  c.init();
  const iss = sp.iss === undefined ? ISS : sp.iss >>> 0;
  const irs = sp.irs === undefined ? IRS : sp.irs >>> 0;
  c.iss = iss;
  c.irs = irs;
  c.passive = !!sp.passive;
  c.sndMss = 1000;
  c.cwnd = 64000;
  const synAcked = state !== TcpState.SYN_SENT && state !== TcpState.SYN_RECEIVED;
  const peerSynSeen = state !== TcpState.SYN_SENT;
  const peerFin = state === TcpState.CLOSE_WAIT || state === TcpState.CLOSING || state === TcpState.LAST_ACK;
  const ourFin = state === TcpState.FIN_WAIT_1 || state === TcpState.FIN_WAIT_2 || state === TcpState.CLOSING || state === TcpState.LAST_ACK;
  const ourFinAcked = state === TcpState.FIN_WAIT_2;
  const inFlight = Buffer.from(sp.inFlight || '', 'latin1');
  const unsent = Buffer.from(sp.unsentData || '', 'latin1');
  (c.snd as NonNullable<typeof c.snd>).write(new Uint8Array(inFlight), 0, inFlight.length);
  (c.snd as NonNullable<typeof c.snd>).write(new Uint8Array(unsent), 0, unsent.length);
  c.sndUna = synAcked ? seqAdd(iss, 1) : iss;
  c.sndNxt = seqAdd(iss, 1 + inFlight.length + (ourFin && !ourFinAcked ? 1 : 0));
  if (ourFinAcked) c.sndUna = c.sndNxt = seqAdd(iss, 1 + inFlight.length + 1);
  c.sndPtr = c.sndNxt;
  c.finQueued = ourFin;
  c.finAcked = ourFinAcked;
  c.sndWnd = sp.sndWnd === undefined ? 8192 : sp.sndWnd;
  c.maxSndWnd = c.sndWnd;
  c.sndWl1 = irs;
  c.sndWl2 = c.sndUna;
  c.rcvNxt = peerSynSeen ? seqAdd(irs, 1 + (peerFin ? 1 : 0)) : 0;
  // a smaller window than the buffer: the rest of the buffer holds unread bytes ('.')
  const wnd = sp.rcvWnd === undefined ? tcp.cfg.rcvBuf : sp.rcvWnd;
  const unread = new Uint8Array(tcp.cfg.rcvBuf - wnd).fill(0x2e);
  (c.rcv as NonNullable<typeof c.rcv>).write(unread, 0, unread.length);
  c.rcvAdv = seqAdd(c.rcvNxt, wnd);
  c.state = state;
  if (inFlight.length > 0 || (ourFin && !ourFinAcked) || !synAcked) c.rtxAt = c.rto;
  tcp.conns.push(c);
  return c;
}

export function stateName(c: TcpConn): string {
  return STATE_NAMES[c.state];
}

/** a sent segment in the RFC's notation: <SEQ=…><ACK=…><CTL=…>, then WND, MSS and DATA */
export function rfc(s: Sent): string {
  let t = '<SEQ=' + s.seq + '>';
  if (s.flags.indexOf('ACK') >= 0) t += '<ACK=' + s.ack + '>';
  t += '<CTL=' + s.flags + '><WND=' + s.wnd + '>';
  if (s.mss > 0) t += '<MSS=' + s.mss + '>';
  if (s.data.length > 0) t += '<DATA=' + s.data + '>';
  return t;
}

/** the segments sent since the last call, in the RFC's notation */
export function sent(r: Rig): string[] {
  return r.wire.take().map(rfc);
}
