/**
 * Ending connections at run time (docs/socket-semantics.md §3, §4): shutdown, closesocket by the
 * linger table of linger.ts, background closes and their bound (closeTimeout), the SD_RECEIVE
 * reset, the transport's end of a connection, and the reclaim of the oldest background close when
 * the transport has no endpoint left.
 */
import { EndpointKind, TCause } from '../transport/transport';
import { WSAError } from './errors';
import { ShutdownHow, SockType } from './constants';
import { SelectMode, select } from './events';
import { CloseAction, closeAction } from './linger';
import { endError } from './teardown';
import { CloseState, SState, closeDone, finSent, hasConnection, hasEnded } from './sock';
import type { Sock } from './sock';
import type { CloseDone, CloseResult } from './types';
import { fail, get, isStreamType, kick, touch, unread } from './core';
import type { LayerCore } from './core';
import { block } from './blocking';
import { dropQueued, evaluate } from './notify';
import { sendFinWhenFlushed } from './seqpacket';
import { WITH_DATAGRAM } from '../features';

export function shutdown(c: LayerCore, sh: number, how: number): number {
  const s = get(c, sh);
  if (!s) return fail(c, WSAError.WSAENOTSOCK);
  if (how !== ShutdownHow.SD_RECEIVE && how !== ShutdownHow.SD_SEND && how !== ShutdownHow.SD_BOTH) return fail(c, WSAError.WSAEINVAL);
  const wantSend = how !== ShutdownHow.SD_RECEIVE;
  const wantRecv = how !== ShutdownHow.SD_SEND;
  if (WITH_DATAGRAM && s.type === SockType.SOCK_DGRAM) {
    if (wantSend) s.shutSend = true;
    if (wantRecv) s.shutRecv = true;
    return 0;
  }
  if (!hasConnection(s)) return fail(c, WSAError.WSAENOTCONN);
  if (s.abortError !== 0) return fail(c, s.abortError);
  if (wantRecv) {
    s.shutRecv = true;
    if (!hasEnded(s) && unread(c, s) > 0) {
      if (wantSend) s.shutSend = true;
      localAbort(c, s);
      return 0;
    }
  }
  if (wantSend) {
    s.shutSend = true;
    sendFinWhenFlushed(c, s);
  }
  kick(c);
  return 0;
}

export function closesocket(c: LayerCore, sh: number, done?: CloseDone): number {
  const s = get(c, sh);
  if (!s) return fail(c, WSAError.WSAENOTSOCK);
  if (done !== undefined && typeof done !== 'function') return fail(c, WSAError.WSAEFAULT);
  const live = isStreamType(s.type) && hasConnection(s) && !hasEnded(s) && s.ep >= 0;
  const action = closeAction(s.lingerOn, s.lingerSec, s.nonBlocking, live);
  if (action === CloseAction.WouldBlock) return fail(c, WSAError.WSAEWOULDBLOCK);
  dropHandle(c, s);
  s.done = done === undefined ? null : done;
  if (action === CloseAction.FreeNow) {
    const res: CloseResult = { graceful: s.abortError === 0, error: s.abortError, unsentBytes: s.unsentAtEnd };
    if (s.ep >= 0) {
      if (hasEnded(s)) c.transport.release(s.ep);
      else c.transport.abort(s.ep);
      c.byEp[s.ep] = undefined;
      s.ep = -1;
    }
    finish(c, s, res);
    return 0;
  }
  if (action === CloseAction.Abort) {
    forceClose(c, s, WSAError.WSAECONNABORTED);
    return 0;
  }
  s.close = CloseState.Closing;
  c.closingList.push(s);
  settleClosing(c, s);
  if (action === CloseAction.Background) {
    if (!closeDone(s)) {
      // a deadline of the event loop (closeBound), not a timer of its own
      s.closeAt = c.clock.now() + c.closeTimeout;
      kick(c);
    }
    return 0;
  }
  // CloseAction.Linger: a blocking socket waits for the close, at most l_linger seconds.
  if (!closeDone(s)) {
    block(c, function () { return closeDone(s); }, s.lingerSec * 1000);
    if (!closeDone(s)) forceClose(c, s, WSAError.WSAETIMEDOUT);
  }
  return 0;
}

/** the SD_RECEIVE rule: unread or late data resets the connection (offload: CLOSE, software: RST) */
export function localAbort(c: LayerCore, s: Sock): void {
  if (s.ep >= 0) {
    s.unsentAtEnd = c.transport.abort(s.ep);
    c.byEp[s.ep] = undefined;
    s.ep = -1;
  }
  s.tx = null;
  s.state = SState.Aborted;
  s.abortError = WSAError.WSAECONNABORTED;
  evaluate(c, s);
}

export function onEnded(c: LayerCore, ep: number, cause: TCause, unsent: number): void {
  const s = c.byEp[ep];
  if (!s) return;
  s.abortError = endError(cause);
  // a listener the NIC took down stays a listener: accept() reports abortError
  if (s.state !== SState.Listening) s.state = cause === TCause.None ? SState.Closed : SState.Aborted;
  if (cause !== TCause.None) s.tx = null;
  s.unsentAtEnd = unsent;
  if (s.abortError !== 0) s.soError = s.abortError;
  if (s.close === CloseState.Released) {
    c.byEp[ep] = undefined;
    s.ep = -1;
    finish(c, s, { graceful: s.abortError === 0, error: s.abortError, unsentBytes: unsent });
    return;
  }
  touch(c, s);
  kick(c);
}

/** a closing socket's next step: staged data, FIN, then hand the endpoint to the transport */
export function settleClosing(c: LayerCore, s: Sock): void {
  if (s.close !== CloseState.Closing || s.ep < 0) return;
  if (!hasEnded(s)) {
    sendFinWhenFlushed(c, s);
    if (!finSent(s)) return;
  }
  s.close = CloseState.Released;
  if (c.transport.release(s.ep)) {
    c.byEp[s.ep] = undefined;
    s.ep = -1;
    finish(c, s, { graceful: s.abortError === 0, error: s.abortError, unsentBytes: s.unsentAtEnd });
  }
}

/** ends a close abortively now: linger 0, a linger or closeTimeout bound, or reclaim */
export function forceClose(c: LayerCore, s: Sock, error: number): void {
  let unsent = 0;
  if (s.ep >= 0) {
    unsent = c.transport.abort(s.ep);
    if (s.tx) unsent += s.tx.length - s.txOff;
    c.byEp[s.ep] = undefined;
    s.ep = -1;
  }
  finish(c, s, { graceful: false, error: error, unsentBytes: unsent });
}

/**
 * The background-close bound: forces closed (WSAETIMEDOUT) every background close whose time is up;
 * returns the next bound still to come (clock ms), or -1. Only the closing sockets are looked at.
 */
export function closeBound(c: LayerCore, now: number): number {
  let next = -1;
  const list = c.closingList;
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    if (s.closeAt < 0 || closeDone(s)) continue;
    if (now >= s.closeAt) {
      forceClose(c, s, WSAError.WSAETIMEDOUT);
      // finish() took it off the list
      if (list[i] !== s) i--;
      continue;
    }
    if (next < 0 || s.closeAt < next) next = s.closeAt;
  }
  return next;
}

/** when all transport endpoints are held, the oldest background close gives its up */
export function reclaimOldest(c: LayerCore): void {
  if (!c.transport.caps.holdsAfterClose || c.closingList.length === 0) return;
  forceClose(c, c.closingList[0], WSAError.WSAENOBUFS);
}

export function finish(c: LayerCore, s: Sock, res: CloseResult): void {
  if (s.close === CloseState.Done) return;
  s.close = CloseState.Done;
  s.tx = null;
  s.closeAt = -1;
  const i = c.closingList.indexOf(s);
  if (i >= 0) c.closingList.splice(i, 1);
  if (s.done) {
    c.doneQueue.push(s.done);
    c.doneResults.push(res);
    s.done = null;
    kick(c);
  }
}

export function dropHandle(c: LayerCore, s: Sock): void {
  c.socks[s.handle] = undefined;
  dropQueued(c, s);
  select(s.book, SelectMode.None, 0);
  s.handler = null;
  s.signal = null;
}

/** a failed or abandoned connect leaves the transport endpoint mid-attempt: replace it with a fresh one */
export function renewEndpoint(c: LayerCore, s: Sock): void {
  if (s.ep >= 0) {
    c.transport.abort(s.ep);
    c.byEp[s.ep] = undefined;
  }
  s.state = SState.Idle;
  s.bound = false;
  s.bindPort = 0;
  s.connectPending = false;
  const ep = c.transport.open(EndpointKind.Stream);
  s.ep = ep < 0 ? -1 : ep;
  if (ep >= 0) {
    c.byEp[ep] = s;
    touch(c, s);
  }
}
