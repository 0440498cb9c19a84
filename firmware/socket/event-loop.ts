/**
 * One turn of the event loop: transport events only mark state and ask for a turn; the turn
 * settles every socket (connect outcomes, closes, SEQPACKET flushing, the SD_RECEIVE rule, FD_*
 * conditions) and then calls the handlers, signals and close callbacks, so no handler ever runs
 * inside an API call.
 */
import { TCause } from '../transport/transport';
import { FdEvent, SockType } from './constants';
import { SelectMode, connected, record } from './events';
import { connectError } from './teardown';
import { CloseState, SState, hasConnection, hasEnded } from './sock';
import type { Sock } from './sock';
import type { CloseDone, CloseResult } from './types';
import { kick, report, unread } from './core';
import type { LayerCore } from './core';
import { evaluate, post } from './notify';
import { flushTx, pullMessages, sendFinWhenFlushed } from './seqpacket';
import { WITH_SEQPACKET } from '../features';
import { localAbort, settleClosing } from './closing';

/** conditions → notifications, for every socket with an endpoint */
export function settle(c: LayerCore): void {
  const list = c.byEp;
  for (let ep = 0; ep < list.length; ep++) {
    const s = list[ep];
    if (!s) continue;
    if (s.close !== CloseState.Open) {
      if (WITH_SEQPACKET && s.type === SockType.SOCK_SEQPACKET) flushTx(c, s);
      settleClosing(c, s);
      continue;
    }
    if (s.connectPending) connectSettled(c, s);
    if (WITH_SEQPACKET && s.type === SockType.SOCK_SEQPACKET && s.ep >= 0 && s.abortError === 0) {
      flushTx(c, s);
      if (s.shutSend) sendFinWhenFlushed(c, s);
      pullMessages(c, s);
    }
    if (s.shutRecv && hasConnection(s) && !hasEnded(s) && s.ep >= 0 && unread(c, s) > 0) {
      localAbort(c, s);
      continue;
    }
    evaluate(c, s);
  }
}

export function connectSettled(c: LayerCore, s: Sock): void {
  s.connectPending = false;
  // success: the sink made it Established already (events of the same pump may have moved it on)
  if (s.connectCause === TCause.None) {
    if (hasConnection(s)) connected(s.book);
    return;
  }
  if (s.state !== SState.Connecting) return;
  s.state = SState.Idle;
  s.connectError = connectError(s.connectCause);
  s.soError = s.connectError;
  if (record(s.book, FdEvent.FD_CONNECT, s.connectError)) post(c, s, FdEvent.FD_CONNECT, s.connectError);
}

/** one turn of the event loop: settle, then call handlers, signals and close callbacks */
export function flush(c: LayerCore): void {
  c.flushTimer = 0;
  if (c.linkDue) {
    c.linkDue = false;
    if (c.onLink) {
      try {
        c.onLink(c.link);
      } catch (e) {
        report(c, 'link handler', e);
      }
    }
  }
  settle(c);
  const n = c.qSock.length;
  for (let i = 0; i < n && c.qSock.length > 0; i++) {
    const s = c.qSock.shift() as Sock;
    const ev = c.qEvent.shift() as number;
    const err = c.qError.shift() as number;
    if (c.socks[s.handle] !== s || s.book.mode !== SelectMode.Async || (s.book.selected & ev) === 0 || !s.handler) continue;
    try {
      s.handler(s.handle, ev, err);
    } catch (e) {
      report(c, 'FD handler', e);
    }
  }
  for (let h = 1; h < c.socks.length; h++) {
    const s = c.socks[h];
    if (s && s.signalDue && s.signal) {
      s.signalDue = false;
      try {
        s.signal();
      } catch (e) {
        report(c, 'event signal', e);
      }
    }
  }
  while (c.doneQueue.length > 0) {
    const d = c.doneQueue.shift() as CloseDone;
    const r = c.doneResults.shift() as CloseResult;
    try {
      d(r);
    } catch (e) {
      report(c, 'closesocket done', e);
    }
  }
  if (c.qSock.length > 0) kick(c);
}
