/**
 * FD_* notifications at run time: which conditions hold for a socket now (evaluate), recording
 * them through the pure bookkeeping of events.ts, and queueing what becomes a notification for the
 * next turn (WSAAsyncSelect handler, WSAEventSelect signal).
 */
import { FdEvent, SockType } from './constants';
import { SelectMode, record, writePossibleAtSelect } from './events';
import { closeIndication } from './teardown';
import type { MessageReader } from './seqpacket-framing';
import { SState, hasConnection, hasEnded, peerFinSeen } from './sock';
import type { Sock } from './sock';
import { kick, unread } from './core';
import { WITH_DATAGRAM, WITH_EVENT_SELECT, WITH_SEQPACKET } from '../features';
import type { LayerCore } from './core';

/** records every FD_* condition that holds now; the bookkeeping decides what becomes a notification */
export function evaluate(c: LayerCore, s: Sock): void {
  const b = s.book;
  if (b.mode === SelectMode.None) return;
  const t = c.transport;
  const ep = s.ep;
  if (WITH_DATAGRAM && s.type === SockType.SOCK_DGRAM) {
    if (ep >= 0 && !s.shutRecv && t.readable(ep) >= 0) note(c, s, FdEvent.FD_READ, 0);
    if (ep >= 0 && t.writeSpace(ep) > 0) note(c, s, FdEvent.FD_WRITE, 0);
    return;
  }
  if (s.state === SState.Listening) {
    if (s.abortError === 0 && ep >= 0 && t.pendingAccepts(ep) > 0) note(c, s, FdEvent.FD_ACCEPT, 0);
    return;
  }
  if (!hasConnection(s)) return;
  if (s.connectByCall) note(c, s, FdEvent.FD_CONNECT, 0);
  const waiting = s.abortError === 0 ? unread(c, s) : 0;
  if (s.abortError === 0 && !s.shutRecv) {
    const hasData = WITH_SEQPACKET && s.type === SockType.SOCK_SEQPACKET ? (s.reader as MessageReader).ready() : waiting > 0;
    if (hasData) note(c, s, FdEvent.FD_READ, 0);
  }
  if (!hasEnded(s) && !s.shutSend && ep >= 0) {
    const room = WITH_SEQPACKET && s.type === SockType.SOCK_SEQPACKET ? s.tx === null : t.writeSpace(ep) > 0;
    if (room) note(c, s, FdEvent.FD_WRITE, 0);
  }
  // Unread bytes hold FD_CLOSE back; a seqpacket partial frame after FIN is lost, not unread.
  let pending = waiting;
  if (WITH_SEQPACKET && s.type === SockType.SOCK_SEQPACKET && ep >= 0) pending = (s.reader as MessageReader).ready() || t.readable(ep) > 0 ? 1 : 0;
  const closeErr = closeIndication(peerFinSeen(s) || hasEnded(s), s.abortError, pending);
  if (closeErr >= 0) note(c, s, FdEvent.FD_CLOSE, closeErr);
}

export function note(c: LayerCore, s: Sock, ev: number, error: number): void {
  if (record(s.book, ev, error)) post(c, s, ev, error);
}

export function post(c: LayerCore, s: Sock, ev: number, error: number): void {
  if (s.book.mode === SelectMode.Async) {
    c.qSock.push(s);
    c.qEvent.push(ev);
    c.qError.push(error);
  } else if (WITH_EVENT_SELECT && s.signal) {
    if (!s.signalDue) c.signalList.push(s);
    s.signalDue = true;
  } else {
    return;
  }
  kick(c);
}

export function atSelect(c: LayerCore, s: Sock): void {
  if (hasConnection(s) && !hasEnded(s) && !s.shutSend && s.ep >= 0) {
    const room = WITH_SEQPACKET && s.type === SockType.SOCK_SEQPACKET ? s.tx === null : c.transport.writeSpace(s.ep) > 0;
    if (room) writePossibleAtSelect(s.book);
  }
  // posted now, so that notifications of several selections keep the order of the calls
  evaluate(c, s);
  kick(c);
}

export function dropQueued(c: LayerCore, s: Sock): void {
  for (let i = c.qSock.length - 1; i >= 0; i--) {
    if (c.qSock[i] === s) {
      c.qSock.splice(i, 1);
      c.qEvent.splice(i, 1);
      c.qError.splice(i, 1);
    }
  }
  s.signalDue = false;
}
