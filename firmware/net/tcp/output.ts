/**
 * Everything that puts a segment on the wire: the data/FIN sender with its window, congestion
 * window, Nagle and sender-SWS rules; ACKs with the receive window (receiver-SWS rule); SYNs; RSTs
 * with and without a connection; the RFC 5961 §7 challenge-ACK limit.
 */
import { IpHeadroom, IpProto } from '../ip-proto';
import { TcpCount, TcpConst, TcpState } from './constants';
import { emitTcp, setTcpChecksum, TcpFlag } from './header';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe } from './seq';
import type { ByteRing } from './ring';
import type { TcpConn } from './conn';
import type { Tcp } from './tcp';

/** Builds one segment in the stack's frame buffer (header, then `n` bytes of `ring` from `from`) and sends it. */
export function transmit(tcp: Tcp, lip: number, rip: number, lport: number, rport: number, seq: number, ack: number,
  flags: number, wnd: number, mss: number, ring: ByteRing | null, from: number, n: number, now: number): void {
  const f = tcp.frame;
  const at = IpHeadroom.BYTES;
  const hl = emitTcp(f, at, lport, rport, seq, ack, flags, wnd, mss);
  if (ring !== null && n > 0) ring.peek(from, f, at + hl, n);
  setTcpChecksum(f, at, hl + n, lip, rip);
  tcp.counts[TcpCount.SEGMENTS_OUT]++;
  if (flags & TcpFlag.RST) tcp.counts[TcpCount.RST_SENT]++;
  // A datagram the IP layer could not send (ARP pending, no route) is a loss like any other: the
  // retransmission timer covers it.
  tcp.ip.sendIp(rip, IpProto.TCP, f, at, hl + n, now);
}

/**
 * An RST for a segment that has no connection to go to (RFC 9293 §3.10.7.1): with the ACK bit,
 * <SEQ=SEG.ACK><CTL=RST>; without, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. Never for a RST.
 */
export function replyRst(tcp: Tcp, lip: number, rip: number, lport: number, rport: number, flags: number,
  seq: number, ack: number, segLen: number, now: number): void {
  if (flags & TcpFlag.RST) return;
  if (flags & TcpFlag.ACK) transmit(tcp, lip, rip, lport, rport, ack, 0, TcpFlag.RST, 0, 0, null, 0, 0, now);
  else transmit(tcp, lip, rip, lport, rport, 0, seqAdd(seq, segLen), TcpFlag.RST | TcpFlag.ACK, 0, 0, null, 0, 0, now);
}

/** RCV.WND as last advertised: the right edge we announced, less RCV.NXT */
export function rcvWnd(c: TcpConn): number {
  const w = seqDiff(c.rcvAdv, c.rcvNxt);
  return w > 0 ? w : 0;
}

/** the smallest window increase worth announcing (RFC 9293 §3.8.6.2.2: min(Fr·RCV.BUFF, Eff.snd.MSS), Fr = 1/2) */
export function swsThreshold(c: TcpConn): number {
  const half = c.tcp.cfg.rcvBuf >> 1;
  return half < c.rcvMss ? half : c.rcvMss;
}

/** the window for a segment sent now; moves the announced right edge forward, never back */
function advertise(c: TcpConn): number {
  const free = c.rcv !== null ? c.rcv.free() : 0;
  const cur = rcvWnd(c);
  if (free - cur >= swsThreshold(c)) {
    const edge = seqAdd(c.rcvNxt, free < TcpConst.MAX_WINDOW ? free : TcpConst.MAX_WINDOW);
    if (seqGt(edge, c.rcvAdv)) c.rcvAdv = edge;
  }
  return rcvWnd(c);
}

function ackSent(c: TcpConn): void {
  c.ackNow = false;
  c.ackAt = -1;
  c.ackBytes = 0;
}

/** a segment of the connection: ACK field RCV.NXT, data from the send queue at `off` */
function connOut(c: TcpConn, seq: number, flags: number, wnd: number, mss: number, off: number, n: number, now: number): void {
  transmit(c.tcp, c.localIp, c.remoteIp, c.localPort, c.remotePort, seq, c.rcvNxt, flags, wnd, mss, c.snd, off, n, now);
}

/** bookkeeping after sending sequence space [seq, end): SND.NXT, the send pointer, RTT timing, the timer */
function advanced(c: TcpConn, seq: number, end: number, now: number): void {
  if (seqGt(end, c.sndNxt)) {
    // RFC 6298 §3 (Karn): only a segment sent for the first time is timed, one at a time
    if (c.rttStart < 0 && seqGe(seq, c.sndNxt)) {
      c.rttStart = now;
      c.rttSeq = end;
    }
    c.sndNxt = end;
  }
  c.sndPtr = end;
  // RFC 6298 (5.1)
  if (c.rtxAt < 0) c.rtxAt = now + c.rto;
  ackSent(c);
}

/** our SYN (SYN_SENT) or SYN,ACK (SYN_RECEIVED), at ISS, with the MSS option */
function sendSyn(c: TcpConn, now: number): void {
  const flags = c.state === TcpState.SYN_RECEIVED ? TcpFlag.SYN | TcpFlag.ACK : TcpFlag.SYN;
  let wnd: number;
  if (c.state === TcpState.SYN_SENT) {
    const free = c.rcv !== null ? c.rcv.free() : 0;
    wnd = free < TcpConst.MAX_WINDOW ? free : TcpConst.MAX_WINDOW;
  } else {
    wnd = advertise(c);
  }
  connOut(c, c.iss, flags, wnd, c.tcp.cfg.mss, 0, 0, now);
  advanced(c, c.iss, seqAdd(c.iss, 1), now);
}

/**
 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> with the current window. In SYN_RECEIVED our SYN is not yet
 * acknowledged, so the acknowledgment goes out as the SYN,ACK again.
 */
export function sendAck(c: TcpConn, now: number): void {
  if (c.state === TcpState.SYN_RECEIVED) {
    const ptr = c.sndPtr;
    sendSyn(c, now);
    c.sndPtr = ptr;
    return;
  }
  connOut(c, c.sndNxt, TcpFlag.ACK, advertise(c), 0, 0, 0, now);
  ackSent(c);
}

/** RFC 5961 §7: at most `challengeAcks` per second across the stack; false when over the limit */
export function challengeAllowed(tcp: Tcp, now: number): boolean {
  if (now - tcp.chalStart >= 1000) {
    tcp.chalStart = now;
    tcp.chalCount = 0;
  }
  if (tcp.chalCount >= tcp.cfg.challengeAcks) {
    tcp.counts[TcpCount.CHALLENGE_LIMITED]++;
    return false;
  }
  tcp.chalCount++;
  tcp.counts[TcpCount.CHALLENGE_ACK]++;
  return true;
}

export function challengeAck(c: TcpConn, now: number): void {
  if (challengeAllowed(c.tcp, now)) sendAck(c, now);
}

/** <SEQ=SND.NXT><CTL=RST> of ABORT (RFC 9293 §3.10.5) and of a timeout */
export function sendRst(c: TcpConn, now: number): void {
  transmit(c.tcp, c.localIp, c.remoteIp, c.localPort, c.remotePort, c.sndNxt, 0, TcpFlag.RST, 0, 0, null, 0, 0, now);
}

/** the sequence number our FIN has (or will have): right after the last queued byte */
function finSeq(c: TcpConn): number {
  return seqAdd(c.sndUna, c.snd !== null ? c.snd.count : 0);
}

/** whether the FIN still has to go out at or after the send pointer */
function finPending(c: TcpConn): boolean {
  return c.finQueued && !c.finAcked && seqLe(c.sndPtr, finSeq(c));
}

/** sends `n` queued bytes from the send pointer (and the FIN after them when `fin`) */
function sendData(c: TcpConn, n: number, fin: boolean, now: number): void {
  const off = seqDiff(c.sndPtr, c.sndUna);
  const queued = c.snd !== null ? c.snd.count : 0;
  let flags = TcpFlag.ACK;
  if (n > 0 && off + n === queued) flags |= TcpFlag.PSH;
  if (fin) flags |= TcpFlag.FIN;
  const seq = c.sndPtr;
  connOut(c, seq, flags, advertise(c), 0, off, n, now);
  advanced(c, seq, seqAdd(seq, fin ? n + 1 : n), now);
}

/**
 * One segment from the send pointer of at most `max` bytes (FIN after them if it is next), whatever
 * the windows say: a retransmission by timeout or by duplicate ACKs, or a zero-window probe.
 */
export function sendForced(c: TcpConn, max: number, now: number): void {
  const queued = c.snd !== null ? c.snd.count : 0;
  const unsent = queued - seqDiff(c.sndPtr, c.sndUna);
  let n = unsent < max ? unsent : max;
  if (n > c.sndMss) n = c.sndMss;
  if (n < 0) n = 0;
  const fin = finPending(c) && n === (unsent > 0 ? unsent : 0);
  if (n > 0 || fin) sendData(c, n, fin, now);
}

/** true when a SYN, data or a FIN waits to be sent at the send pointer */
export function hasPending(c: TcpConn): boolean {
  if (c.state === TcpState.SYN_SENT || c.state === TcpState.SYN_RECEIVED) return c.sndPtr === c.iss;
  const queued = c.snd !== null ? c.snd.count : 0;
  return queued - seqDiff(c.sndPtr, c.sndUna) > 0 || finPending(c);
}

/**
 * Sends what the state, the peer's window (SND.WND), the congestion window and Nagle allow, then a
 * pure ACK if one is due and nothing carried it. Arms the retransmission timer (RFC 6298 (5.1)), or
 * the persist timer when data waits on a zero window with nothing in flight.
 */
export function output(c: TcpConn, now: number): void {
  const st = c.state;
  if (st === TcpState.CLOSED || st === TcpState.LISTEN || st === TcpState.TIME_WAIT) return;
  if (st === TcpState.SYN_SENT || st === TcpState.SYN_RECEIVED) {
    if (c.sndPtr === c.iss) sendSyn(c, now);
    else if (c.ackNow && st === TcpState.SYN_RECEIVED) sendAck(c, now);
    return;
  }
  for (;;) {
    const off = seqDiff(c.sndPtr, c.sndUna);
    const queued = c.snd !== null ? c.snd.count : 0;
    const unsent = queued - off;
    const finNext = finPending(c);
    if (unsent <= 0 && !finNext) break;
    const wndLeft = c.sndWnd - off;
    const cwndLeft = c.cwnd - off;
    const usable = wndLeft < cwndLeft ? wndLeft : cwndLeft;
    let n = unsent < c.sndMss ? unsent : c.sndMss;
    if (n > usable) n = usable;
    if (n < 0) n = 0;
    const fin = finNext && n === (unsent > 0 ? unsent : 0) && wndLeft - n >= 1;
    if (n === 0 && !fin) break;
    const inFlight = off > 0;
    // sender SWS avoidance (RFC 9293 §3.8.6.2.1): a window-limited runt waits for the flight to land
    if (n < unsent && n < c.sndMss && inFlight && n < (c.maxSndWnd >> 1)) break;
    // Nagle (RFC 9293 §3.7.4): a last small segment waits while data is unacknowledged
    if (n === unsent && n < c.sndMss && !fin && !c.noDelay && inFlight) break;
    sendData(c, n, fin, now);
  }
  if (c.ackNow) sendAck(c, now);
  if (c.rtxAt < 0 && c.sndNxt === c.sndUna && hasPending(c)) c.rtxAt = now + c.rto; // persist
}
