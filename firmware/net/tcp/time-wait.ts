/**
 * TIME_WAIT as a small record (RFC 9293 §3.10.7.4 rows for TIME-WAIT), so that the application's
 * connection object and its buffers are free while 2·MSL runs.
 */
import { TcpCount } from './constants';
import { TcpFlag } from './header';
import { challengeAllowed, transmit } from './output';
import { seqAdd, seqGt } from './seq';
import { acceptable } from './accept';
import type { TcpSegment } from './header';
import type { Tcp } from './tcp';

export class TimeWait {
  localIp = 0;
  localPort = 0;
  remoteIp = 0;
  remotePort = 0;
  sndNxt = 0;
  rcvNxt = 0;
  /** the window last announced, for the acceptability test */
  rcvWnd = 0;
  /** when the record is deleted */
  until = 0;
}

function ack(tcp: Tcp, t: TimeWait, now: number): void {
  transmit(tcp, t.localIp, t.remoteIp, t.localPort, t.remotePort, t.sndNxt, t.rcvNxt, TcpFlag.ACK, t.rcvWnd, 0, null, 0, 0, now);
}

/** a segment for a TIME_WAIT record; returns false when the record is to be deleted */
export function timeWaitArrive(tcp: Tcp, t: TimeWait, s: TcpSegment, now: number): boolean {
  const f = s.flags;
  const segLen = s.len + ((f & TcpFlag.SYN) ? 1 : 0) + ((f & TcpFlag.FIN) ? 1 : 0);
  if (!acceptable(s.seq, segLen, t.rcvNxt, t.rcvWnd)) {
    tcp.counts[TcpCount.UNACCEPTABLE]++;
    if (f & TcpFlag.RST) return true;
    // The retransmitted FIN of the peer (its ACK was lost): acknowledge it and restart 2·MSL.
    if ((f & TcpFlag.FIN) && seqAdd(s.seq, segLen) === t.rcvNxt) t.until = now + tcp.cfg.timeWait;
    ack(tcp, t, now);
    return true;
  }
  if (f & TcpFlag.RST) {
    // RFC 5961 §3.2: only an exact RST deletes; an in-window one gets a challenge ACK
    if (s.seq === t.rcvNxt) return false;
    if (challengeAllowed(tcp, now)) ack(tcp, t, now);
    return true;
  }
  if (f & TcpFlag.SYN) {
    // RFC 5961 §4.2 (RFC 9293 fourth check, synchronized states)
    if (challengeAllowed(tcp, now)) ack(tcp, t, now);
    return true;
  }
  if (!(f & TcpFlag.ACK)) {
    tcp.counts[TcpCount.DROPPED]++;
    return true;
  }
  if (seqGt(s.ack, t.sndNxt)) {
    // acknowledges something never sent (RFC 9293 fifth check)
    ack(tcp, t, now);
    return true;
  }
  // An in-window segment in TIME_WAIT carries nothing to take (RFC 9293: text and FIN ignored).
  tcp.counts[TcpCount.DROPPED]++;
  return true;
}
