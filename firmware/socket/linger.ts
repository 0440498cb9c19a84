/**
 * The closesocket linger table (docs/socket-semantics.md §4) as a pure decision, so that it can be
 * tested row by row without a transport.
 */

export const enum CloseAction {
  /** nothing on the wire to finish (no connection, or it already ended): free now */
  FreeNow = 0,
  /** SO_LINGER with l_linger = 0: drop queued data, abortive close, return at once */
  Abort = 1,
  /** SO_DONTLINGER: graceful close in the background, return at once */
  Background = 2,
  /** SO_LINGER n > 0 on a blocking socket: graceful, wait up to n s, then abortive */
  Linger = 3,
  /** SO_LINGER n > 0 on a non-blocking socket that cannot close at once: WSAEWOULDBLOCK, nothing started */
  WouldBlock = 4,
}

/**
 * @param lingerOn l_onoff ≠ 0
 * @param lingerSec l_linger in seconds
 * @param nonBlocking the socket is non-blocking (FIONBIO, WSAAsyncSelect, WSAEventSelect)
 * @param live the socket has a connection (established or half-closed) that has not ended yet
 */
export function closeAction(lingerOn: boolean, lingerSec: number, nonBlocking: boolean, live: boolean): CloseAction {
  if (!live) return CloseAction.FreeNow;
  if (!lingerOn) return CloseAction.Background;
  if (lingerSec === 0) return CloseAction.Abort;
  return nonBlocking ? CloseAction.WouldBlock : CloseAction.Linger;
}
