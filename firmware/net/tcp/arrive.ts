/**
 * SEGMENT ARRIVES for a connection in the table (RFC 9293 §3.10.7.3 SYN-SENT and §3.10.7.4 the
 * other states), with RFC 5961's checks: an in-window RST that is not exact and any SYN get a
 * challenge ACK; an ACK below SND.UNA − MAX.SND.WND is dropped with an ACK. The comments name the
 * RFC's steps ("first" … "eighth").
 */
import { TcpCause, TcpConst, TcpCount, TcpEvent, TcpState } from './constants';
import { TcpFlag } from './header';
import { acceptable } from './accept';
import { armKeepAlive, end, enterTimeWait, established, raise } from './lifecycle';
import { challengeAck, challengeAllowed, output, rcvWnd, replyRst, sendAck, sendRst } from './output';
import { rttSample, fastRetransmit } from './timers';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from './seq';
import type { TcpSegment } from './header';
import type { TcpConn } from './conn';

/** the peer's MSS option, or the IPv4 default, limited by what we send at most */
export function sendMss(c: TcpConn, peer: number): number {
  const m = peer > 0 ? peer : TcpConst.DEFAULT_MSS;
  return m < c.tcp.cfg.mss ? m : c.tcp.cfg.mss;
}

/** RFC 5681 §3.1: IW = min(4·SMSS, max(2·SMSS, 4380)) */
export function initialCwnd(mss: number): number {
  const two = 2 * mss > 4380 ? 2 * mss : 4380;
  return 4 * mss < two ? 4 * mss : two;
}

/** SND.UNA < SEG.ACK ≤ SND.NXT: the acknowledged SYN, data and FIN leave the queue */
function ackAdvance(c: TcpConn, ack: number, now: number): void {
  let n = seqDiff(ack, c.sndUna);
  if (c.sndUna === c.iss) n--; // our SYN
  const snd = c.snd;
  const queued = snd !== null ? snd.count : 0;
  const data = n < queued ? n : queued;
  if (data > 0 && snd !== null) snd.drop(data);
  if (n > data && c.finQueued) c.finAcked = true;
  c.sndUna = ack;
  if (seqLt(c.sndPtr, ack)) c.sndPtr = ack;
  c.dupAcks = 0;
  c.retries = 0;
  if (c.rttStart >= 0 && seqGe(ack, c.rttSeq)) {
    rttSample(c, now - c.rttStart);
    c.rttStart = -1;
  }
  // RFC 6298 (5.2), (5.3)
  c.rtxAt = c.sndUna === c.sndNxt ? -1 : now + c.rto;
  if (data > 0) {
    // RFC 5681 §3.1: slow start below ssthresh, congestion avoidance above
    if (c.cwnd < c.ssthresh) c.cwnd += data < c.sndMss ? data : c.sndMss;
    else c.cwnd += Math.max(1, Math.floor(c.sndMss * c.sndMss / c.cwnd));
    if (c.wantWrite) {
      c.wantWrite = false;
      raise(c, TcpEvent.WRITABLE);
    }
    if (queued === data) raise(c, TcpEvent.ALL_ACKED);
  }
}

/**
 * Seventh and eighth: take the text at `seq` (trimmed to RCV.NXT and the window) and the FIN after
 * it. Data past RCV.NXT is not kept; an immediate ACK asks for the gap (RFC 5681 §4.2).
 */
function text(c: TcpConn, seq: number, s: TcpSegment, buf: Uint8Array, zeroWnd: boolean, now: number): void {
  const st = c.state;
  if (st !== TcpState.ESTABLISHED && st !== TcpState.FIN_WAIT_1 && st !== TcpState.FIN_WAIT_2) return;
  let fin = (s.flags & TcpFlag.FIN) !== 0;
  let at = s.data;
  let n = s.len;
  const skip = seqDiff(c.rcvNxt, seq);
  if (skip > 0) {
    if (skip > n) {
      fin = false; // its FIN came before
      n = 0;
    } else {
      at += skip;
      n -= skip;
    }
    seq = c.rcvNxt;
  }
  if (seqGt(seq, c.rcvNxt)) {
    c.tcp.counts[TcpCount.OUT_OF_ORDER]++;
    c.ackNow = true;
    return;
  }
  const wnd = zeroWnd ? 0 : rcvWnd(c);
  if (n > wnd || zeroWnd) {
    if (n > wnd) n = wnd;
    fin = false;
    c.ackNow = true;
  }
  if (n > 0) {
    if (c.rcvShut) {
      // data after shutdownRecv: the connection is reset (socket contract §3)
      sendRst(c, now);
      end(c, TcpCause.Aborted, TcpState.CLOSED);
      return;
    }
    if (!c.released && c.rcv !== null) {
      c.rcv.write(buf, at, n);
      raise(c, TcpEvent.READABLE);
    }
    c.rcvNxt = seqAdd(c.rcvNxt, n);
    if (c.released) c.rcvAdv = seqAdd(c.rcvAdv, n); // discarded at once: the window stays open
    // RFC 9293 §3.8.6.3: ACK at least every second full-sized segment, never later than delAck
    c.ackBytes += n;
    if (c.noDelay || c.ackBytes >= 2 * c.rcvMss) c.ackNow = true;
    else if (c.ackAt < 0) c.ackAt = now + c.tcp.cfg.delAck;
  }
  if (!fin) return;
  // eighth: the FIN
  c.rcvNxt = seqAdd(c.rcvNxt, 1);
  c.rcvAdv = seqAdd(c.rcvAdv, 1);
  c.ackNow = true;
  if (!c.released) raise(c, TcpEvent.PEER_FIN);
  if (st === TcpState.ESTABLISHED) c.state = TcpState.CLOSE_WAIT;
  else if (st === TcpState.FIN_WAIT_2 || c.finAcked) enterTimeWait(c, now);
  else c.state = TcpState.CLOSING;
}

/** §3.10.7.3 SYN-SENT */
function synSent(c: TcpConn, s: TcpSegment, buf: Uint8Array, now: number): void {
  const f = s.flags;
  // first: the ACK bit
  if ((f & TcpFlag.ACK) && (seqLe(s.ack, c.iss) || seqGt(s.ack, c.sndNxt))) {
    replyRst(c.tcp, c.localIp, c.remoteIp, c.localPort, c.remotePort, f, s.seq, s.ack, 0, now);
    c.tcp.counts[TcpCount.DROPPED]++;
    return;
  }
  // second: the RST bit; without an acceptable ACK it is dropped (RFC 5961 §3.2 keeps this)
  if (f & TcpFlag.RST) {
    if (f & TcpFlag.ACK) end(c, TcpCause.Refused, TcpState.CLOSED);
    else c.tcp.counts[TcpCount.DROPPED]++;
    return;
  }
  // fourth: the SYN bit
  if (!(f & TcpFlag.SYN)) {
    c.tcp.counts[TcpCount.DROPPED]++;
    return;
  }
  c.irs = s.seq;
  c.rcvNxt = seqAdd(s.seq, 1);
  const free = c.rcv !== null ? c.rcv.free() : 0;
  c.rcvAdv = seqAdd(c.rcvNxt, free < TcpConst.MAX_WINDOW ? free : TcpConst.MAX_WINDOW); // as our SYN announced
  c.sndMss = sendMss(c, s.mss);
  c.cwnd = initialCwnd(c.sndMss);
  c.sndWnd = s.wnd;
  c.sndWl1 = s.seq;
  c.sndWl2 = s.ack;
  c.maxSndWnd = s.wnd;
  if (f & TcpFlag.ACK) ackAdvance(c, s.ack, now);
  if (seqGt(c.sndUna, c.iss)) {
    established(c, now);
    c.ackNow = true;
    text(c, seqAdd(s.seq, 1), s, buf, false, now);
  } else {
    // simultaneous open: SYN,ACK at ISS; text waits for the peer to send it again
    c.state = TcpState.SYN_RECEIVED;
    c.sndPtr = c.iss;
  }
  output(c, now);
}

/** a segment for connection `c` (not LISTEN, not TIME_WAIT: those have no connection object) */
export function arrive(c: TcpConn, s: TcpSegment, buf: Uint8Array, now: number): void {
  if (c.state === TcpState.SYN_SENT) {
    synSent(c, s, buf, now);
    return;
  }
  const tcp = c.tcp;
  const f = s.flags;
  const segLen = s.len + ((f & TcpFlag.SYN) ? 1 : 0) + ((f & TcpFlag.FIN) ? 1 : 0);
  // first: sequence number; with a zero window, ACKs, URGs and RSTs at RCV.NXT still count
  let zeroWnd = false;
  if (!acceptable(s.seq, segLen, c.rcvNxt, rcvWnd(c))) {
    if (rcvWnd(c) === 0 && s.seq === c.rcvNxt) {
      zeroWnd = true;
    } else {
      tcp.counts[TcpCount.UNACCEPTABLE]++;
      if (!(f & TcpFlag.RST)) sendAck(c, now);
      return;
    }
  }
  if (c.keepAlive > 0) armKeepAlive(c, now);
  // second: RST (RFC 5961 §3.2)
  if (f & TcpFlag.RST) {
    if (s.seq !== c.rcvNxt) {
      challengeAck(c, now);
      return;
    }
    // SYN_RECEIVED of a passive open: back to LISTEN, i.e. the embryo goes and the listener stays
    end(c, c.state === TcpState.SYN_RECEIVED && !c.passive ? TcpCause.Refused : TcpCause.Reset, TcpState.CLOSED);
    return;
  }
  // fourth: SYN (RFC 5961 §4.2)
  if (f & TcpFlag.SYN) {
    if (c.state === TcpState.SYN_RECEIVED && c.passive) end(c, TcpCause.Reset, TcpState.CLOSED);
    else challengeAck(c, now);
    return;
  }
  // fifth: ACK
  if (!(f & TcpFlag.ACK)) {
    tcp.counts[TcpCount.DROPPED]++;
    return;
  }
  if (c.state === TcpState.SYN_RECEIVED) {
    if (!(seqLt(c.sndUna, s.ack) && seqLe(s.ack, c.sndNxt))) {
      replyRst(tcp, c.localIp, c.remoteIp, c.localPort, c.remotePort, f, s.seq, s.ack, 0, now);
      return;
    }
    c.sndWnd = s.wnd;
    c.sndWl1 = s.seq;
    c.sndWl2 = s.ack;
    if (s.wnd > c.maxSndWnd) c.maxSndWnd = s.wnd;
    established(c, now);
  }
  if (seqGt(s.ack, c.sndNxt)) {
    // acknowledges something not yet sent
    tcp.counts[TcpCount.DROPPED]++;
    sendAck(c, now);
    return;
  }
  if (seqLt(s.ack, seqAdd(c.sndUna, -c.maxSndWnd))) {
    // RFC 5961 §5.2: too old to be acceptable
    if (challengeAllowed(tcp, now)) sendAck(c, now);
    return;
  }
  if (seqLt(c.sndUna, s.ack)) {
    ackAdvance(c, s.ack, now);
  } else if (s.ack === c.sndUna && s.len === 0 && !(f & TcpFlag.FIN) && s.wnd === c.sndWnd && c.sndNxt !== c.sndUna) {
    if (++c.dupAcks === 3) fastRetransmit(c, now);
  }
  // the send window, from the newest segment only (SND.WL1, SND.WL2)
  if (seqLe(c.sndUna, s.ack) && (seqLt(c.sndWl1, s.seq) || (c.sndWl1 === s.seq && seqLe(c.sndWl2, s.ack)))) {
    // a window that opens after probing: the probe byte may not have been taken, go on from SND.UNA
    if (c.sndWnd === 0 && s.wnd > 0) c.sndPtr = c.sndUna;
    c.sndWnd = s.wnd;
    c.sndWl1 = s.seq;
    c.sndWl2 = s.ack;
    if (s.wnd > c.maxSndWnd) c.maxSndWnd = s.wnd;
    if (s.wnd === 0) c.retries = 0; // the peer answers: a closed window is no loss (RFC 9293 §3.8.6.1)
  }
  const st = c.state;
  if (st === TcpState.FIN_WAIT_1 && c.finAcked) {
    c.state = TcpState.FIN_WAIT_2;
  } else if (st === TcpState.CLOSING) {
    if (c.finAcked) enterTimeWait(c, now);
    else output(c, now);
    return;
  } else if (st === TcpState.LAST_ACK) {
    if (c.finAcked) end(c, TcpCause.None, TcpState.CLOSED);
    else output(c, now);
    return;
  }
  // sixth: URG is not supported; urgent bytes are read inline as data
  if (s.len > 0 || (f & TcpFlag.FIN)) text(c, s.seq, s, buf, zeroWnd, now);
  if (!c.ended) output(c, now);
}
