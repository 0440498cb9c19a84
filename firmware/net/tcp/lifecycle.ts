/** Entering and leaving the table: ESTABLISHED reached, connection over, TIME_WAIT handed to a record. */
import { TcpCause, TcpConst, TcpEvent, TcpState } from './constants';
import { rcvWnd, sendAck } from './output';
import { TimeWait } from './time-wait';
import type { TcpConn } from './conn';

/** queues an event for the next flush; a passive connection keeps its events until accept() */
export function raise(c: TcpConn, ev: number): void {
  if (c.events === 0 && c.listener === null) c.tcp.notify.push(c);
  c.events |= ev;
}

export function armKeepAlive(c: TcpConn, now: number): void {
  c.keepProbes = 0;
  c.keepAt = c.keepAlive > 0 ? now + c.keepAlive : -1;
}

/** SYN_SENT or SYN_RECEIVED → ESTABLISHED (or FIN_WAIT_1 if a close was queued meanwhile) */
export function established(c: TcpConn, now: number): void {
  c.state = TcpState.ESTABLISHED;
  // RFC 6298 (5.7)
  if (c.synRetransmitted && c.rto < TcpConst.SYN_TIMEOUT_RTO) c.rto = TcpConst.SYN_TIMEOUT_RTO;
  armKeepAlive(c, now);
  const l = c.listener;
  if (l !== null) {
    l.queue.push(c);
    if (!l.notified) {
      l.notified = true;
      c.tcp.notifyL.push(l);
    }
  } else {
    raise(c, TcpEvent.CONNECTED);
  }
  if (c.finQueued) c.state = TcpState.FIN_WAIT_1;
}

/**
 * The connection leaves the table (`final`: CLOSED, or TIME_WAIT when a record takes over). Its
 * user hears `ended` unless it aborted it; a passive connection nobody accepted goes silently.
 */
export function end(c: TcpConn, cause: TcpCause, final: TcpState): void {
  const tcp = c.tcp;
  const i = tcp.conns.indexOf(c);
  if (i >= 0) tcp.conns.splice(i, 1);
  c.state = final;
  c.ended = true;
  c.cause = cause;
  c.rtxAt = -1;
  c.ackAt = -1;
  c.keepAt = -1;
  const l = c.listener;
  if (l !== null) {
    const k = l.queue.indexOf(c);
    if (k >= 0) l.queue.splice(k, 1);
    c.listener = null;
    c.events = 0;
    c.aborted = true;
    return;
  }
  if (!c.aborted) raise(c, TcpEvent.ENDED);
}

/** FIN_WAIT_2 or CLOSING → TIME_WAIT: the peer's FIN is acknowledged, a small record keeps 2·MSL */
export function enterTimeWait(c: TcpConn, now: number): void {
  sendAck(c, now);
  const tcp = c.tcp;
  const t = new TimeWait();
  t.localIp = c.localIp;
  t.localPort = c.localPort;
  t.remoteIp = c.remoteIp;
  t.remotePort = c.remotePort;
  t.sndNxt = c.sndNxt;
  t.rcvNxt = c.rcvNxt;
  t.rcvWnd = rcvWnd(c);
  t.until = now + tcp.cfg.timeWait;
  tcp.addTimeWait(t);
  end(c, TcpCause.None, TcpState.TIME_WAIT);
}

