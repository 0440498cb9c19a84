/**
 * The event loop. It keeps the stack's one timer (hal/service-loop.ts), set for the earliest of:
 * the transport's pump deadline (what `pump()` returned, or what its `wake` asked for: an interrupt,
 * a call that queued work), the background-close bounds, the services' timers (timers.ts), and now
 * when the layer owes a turn (an API call, a handler to call). When it fires, one turn runs: pump the transport, enforce the bounds,
 * settle, call handlers; then the timer is set again from what is due. Nothing else in the stack
 * arms a timer, and with nothing due no timer is set at all.
 *
 * One turn: transport events only mark state and ask for a turn; the turn
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
import { WITH_EVENT_SELECT, WITH_SEQPACKET } from '../features';
import { closeBound, localAbort, settleClosing } from './closing';
import { earlier } from '../../hal/service-loop';

/**
 * conditions → notifications, for the sockets on the dirty list (a transport event on their
 * endpoint, an API call, a new endpoint since the last turn) that still have an endpoint; the
 * others' conditions have not changed
 */
export function settle(c: LayerCore): void {
  const list = c.dirtyList;
  // settling one may touch another (it then joins this pass)
  while (list.length > 0) {
    const s = list.shift() as Sock;
    s.dirty = false;
    if (s.ep < 0 || c.byEp[s.ep] !== s) continue;
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

/**
 * One turn of the event loop, run by the one timer: the transport's due work, the background-close
 * bounds, then settling and the handlers. Returns when the next turn is due (clock ms) or -1.
 */
export function service(c: LayerCore): number {
  const due = c.transport.pump();
  const now = c.clock.now();
  const bound = closeBound(c, now);
  flush(c);
  // the services' timers last, as an application's timer would run after the network's events
  const t = c.timers;
  return earlier(earlier(due, bound), t ? t.run(c, now) : -1);
}

/** settle, then call handlers, signals and close callbacks */
export function flush(c: LayerCore): void {
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
  const sig = c.signalList;
  const m = sig.length;
  for (let i = 0; WITH_EVENT_SELECT && i < m && sig.length > 0; i++) {
    const s = sig.shift() as Sock;
    if (!s.signalDue) continue;
    s.signalDue = false;
    if (c.socks[s.handle] !== s || !s.signal) continue;
    try {
      s.signal();
    } catch (e) {
      report(c, 'event signal', e);
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
