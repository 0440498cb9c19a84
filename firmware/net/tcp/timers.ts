/**
 * A connection's timers: retransmission per RFC 6298 (estimator, Karn, backoff, retry cap), which
 * also probes a zero window (RFC 9293 §3.8.6.1); the delayed ACK; keep-alive (RFC 9293 §3.8.4).
 * Deadlines are absolute milliseconds, −1 when off.
 */
import { TcpCause, TcpCount, TcpState } from './constants';
import { end } from './lifecycle';
import { output, rcvWnd, sendAck, sendForced, sendRst, transmit } from './output';
import { TcpFlag } from './header';
import { seqAdd, seqDiff } from './seq';
import type { TcpConn } from './conn';

/** RFC 6298 §2: a new RTT measurement `r` updates SRTT, RTTVAR and RTO (rounded up to whole ms) */
export function rttSample(c: TcpConn, r: number): void {
  const cfg = c.tcp.cfg;
  if (!c.rttValid) {
    // (2.2)
    c.srtt = r;
    c.rttvar = r / 2;
    c.rttValid = true;
  } else {
    // (2.3), RTTVAR first, from the old SRTT; alpha 1/8, beta 1/4
    c.rttvar = 0.75 * c.rttvar + 0.25 * Math.abs(c.srtt - r);
    c.srtt = 0.875 * c.srtt + 0.125 * r;
  }
  const k = 4 * c.rttvar;
  let rto = Math.ceil(c.srtt + (k > cfg.granularity ? k : cfg.granularity));
  if (rto < cfg.rtoMin) rto = cfg.rtoMin; // (2.4)
  if (rto > cfg.rtoMax) rto = cfg.rtoMax; // (2.5)
  c.rto = rto;
}

/** gives up on the connection: RST if the peer may hold it, then `ended(Timeout)` */
function timeout(c: TcpConn, now: number): void {
  if (c.state !== TcpState.SYN_SENT) sendRst(c, now);
  end(c, TcpCause.Timeout, TcpState.CLOSED);
}

/** RFC 6298 (5.4)–(5.6) */
function retransmitTimer(c: TcpConn, now: number): void {
  const cfg = c.tcp.cfg;
  c.rtxAt = -1;
  const syn = c.state === TcpState.SYN_SENT || c.state === TcpState.SYN_RECEIVED;
  if (c.retries >= (syn ? cfg.synRetries : cfg.maxRetries)) {
    timeout(c, now);
    return;
  }
  c.retries++;
  c.rttStart = -1; // Karn: nothing sent before now may be timed any more
  const rto = c.rto * 2; // (5.5)
  c.rto = rto < cfg.rtoMax ? rto : cfg.rtoMax;
  c.tcp.counts[TcpCount.RETRANSMIT]++;
  if (syn) {
    c.synRetransmitted = true;
    c.sndPtr = c.iss;
    output(c, now);
  } else {
    const flight = seqDiff(c.sndNxt, c.sndUna);
    if (flight > 0 && c.sndWnd > 0) {
      // RFC 5681 (4): loss ⇒ one segment, then slow start again
      const half = flight >> 1;
      c.ssthresh = half > 2 * c.sndMss ? half : 2 * c.sndMss;
      c.cwnd = c.sndMss;
    }
    // (5.4) the earliest unacknowledged segment; on a zero window, one byte: the probe
    c.sndPtr = c.sndUna;
    sendForced(c, c.sndWnd > 0 ? c.sndWnd : 1, now);
  }
  c.rtxAt = now + c.rto; // (5.6)
}

/** three duplicate ACKs: resend the segment at SND.UNA (RFC 5681 §3.2) */
export function fastRetransmit(c: TcpConn, now: number): void {
  const flight = seqDiff(c.sndNxt, c.sndUna);
  const half = flight >> 1;
  c.ssthresh = half > 2 * c.sndMss ? half : 2 * c.sndMss;
  c.cwnd = c.ssthresh;
  c.rttStart = -1;
  c.tcp.counts[TcpCount.RETRANSMIT]++;
  const ptr = c.sndPtr;
  c.sndPtr = c.sndUna;
  sendForced(c, c.sndWnd > 0 ? c.sndWnd : 1, now);
  if (seqDiff(ptr, c.sndPtr) > 0) c.sndPtr = ptr;
}

/** <SEQ=SND.NXT−1><ACK=RCV.NXT><CTL=ACK>: the peer must answer with an ACK (RFC 9293 §3.8.4) */
function keepAliveTimer(c: TcpConn, now: number): void {
  const st = c.state;
  if (st !== TcpState.ESTABLISHED && st !== TcpState.CLOSE_WAIT && st !== TcpState.FIN_WAIT_2) {
    c.keepAt = -1;
    return;
  }
  if (c.sndNxt !== c.sndUna || c.rtxAt >= 0) {
    // not idle: the retransmission timer watches the peer
    c.keepAt = now + c.keepAlive;
    return;
  }
  if (c.keepProbes >= c.tcp.cfg.keepCount) {
    timeout(c, now);
    return;
  }
  c.keepProbes++;
  transmit(c.tcp, c.localIp, c.remoteIp, c.localPort, c.remotePort, seqAdd(c.sndNxt, -1), c.rcvNxt, TcpFlag.ACK,
    rcvWnd(c), 0, null, 0, 0, now);
  c.keepAt = now + c.keepAlive;
}

/** runs whichever of the connection's timers are due at `now` */
export function connTimers(c: TcpConn, now: number): void {
  if (c.rtxAt >= 0 && c.rtxAt <= now) retransmitTimer(c, now);
  if (c.ended) return;
  if (c.ackAt >= 0 && c.ackAt <= now) sendAck(c, now);
  if (c.keepAt >= 0 && c.keepAt <= now) keepAliveTimer(c, now);
}

/** the connection's earliest deadline, −1 when none runs */
export function connDeadline(c: TcpConn): number {
  let d = c.rtxAt;
  if (c.ackAt >= 0 && (d < 0 || c.ackAt < d)) d = c.ackAt;
  if (c.keepAt >= 0 && (d < 0 || c.keepAt < d)) d = c.keepAt;
  return d;
}
