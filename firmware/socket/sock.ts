/** The socket layer's record of one socket (one handle, or one background close after closesocket). */
import { EventBook } from './events';
import type { MessageReader } from './seqpacket-framing';
import type { AsyncHandler, CloseDone } from './types';
import { TCause } from '../transport/transport';

/**
 * Where a socket's connection is, in TCP's names (RFC 793 §3.2) as the application sees them. The
 * transport's events move it: connectDone → Established, our FIN handed over → FinWait, the peer's
 * FIN → CloseWait, both → Closing, the end → Closed (graceful) or Aborted (abortError says why).
 */
export const enum SState {
  /** created, maybe bound; no connection (again, after a failed connect) */
  Idle = 0,
  Listening = 1,
  /** SYN_SENT: connect() under way */
  Connecting = 2,
  Established = 3,
  /** our FIN has gone to the transport (shutdown SD_SEND, or a closesocket); receiving goes on */
  FinWait = 4,
  /** the peer's FIN has arrived; sending goes on */
  CloseWait = 5,
  /** both FINs; the transport's end of the connection is awaited */
  Closing = 6,
  /** the connection ended gracefully: both FINs exchanged */
  Closed = 7,
  /** the connection ended abortively: reset, timeout, NIC down, or a local abort */
  Aborted = 8,
}

/** Where the handle's closesocket is. */
export const enum CloseState {
  /** no closesocket yet */
  Open = 0,
  /** closesocket was called: the handle is gone; what is staged and the FIN still go out */
  Closing = 1,
  /** the endpoint was handed to transport.release(): the close runs in the background */
  Released = 2,
  /** done: the close callback has its result */
  Done = 3,
}

/** the close has its result (after closesocket) */
export function closeDone(s: Sock): boolean {
  return s.close === CloseState.Done;
}

/** has (had) a connection: established, half-closed or ended */
export function hasConnection(s: Sock): boolean {
  return s.state >= SState.Established;
}

/** the connection is over (Closed or Aborted) */
export function hasEnded(s: Sock): boolean {
  return s.state >= SState.Closed;
}

/** the peer's FIN has been seen (a graceful end implies it) */
export function peerFinSeen(s: Sock): boolean {
  const t = s.state;
  return t === SState.CloseWait || t === SState.Closing || t === SState.Closed;
}

/** our FIN has gone to the transport (a graceful end implies it) */
export function finSent(s: Sock): boolean {
  const t = s.state;
  return t === SState.FinWait || t === SState.Closing || t === SState.Closed;
}

export function onPeerFin(s: Sock): void {
  if (s.state === SState.Established) s.state = SState.CloseWait;
  else if (s.state === SState.FinWait) s.state = SState.Closing;
}

export function onFinSent(s: Sock): void {
  if (s.state === SState.Established) s.state = SState.FinWait;
  else if (s.state === SState.CloseWait) s.state = SState.Closing;
}

export class Sock {
  handle = 0;
  type = 0;
  /** transport endpoint, -1 once given back */
  ep = -1;
  state: SState = SState.Idle;
  /** port given to an explicit bind (0: none or ephemeral), for WSAEADDRINUSE */
  bindPort = 0;
  bound = false;
  nonBlocking = false;
  lingerOn = false;
  lingerSec = 0;
  keepAlive = false;
  noDelay = false;
  /** ms, 0 = no bound */
  rcvTimeo = 0;
  sndTimeo = 0;
  /** the application's shutdown directions (Winsock: they never reopen) */
  shutSend = false;
  shutRecv = false;
  /** 0, or the error of an abortive end (state Aborted): WSAECONNRESET, WSAECONNABORTED, WSAENETDOWN */
  abortError = 0;
  unsentAtEnd = 0;
  /** SO_ERROR */
  soError = 0;
  /** connect() was called on it (FD_CONNECT applies) */
  connectByCall = false;
  /** a connectDone arrived and is not processed yet */
  connectPending = false;
  connectCause: TCause = TCause.None;
  /** error of the last failed connect */
  connectError = 0;
  book = new EventBook();
  handler: AsyncHandler | null = null;
  signal: (() => void) | null = null;
  signalDue = false;
  /** on the layer's dirty list: settled on the next turn (core.ts touch) */
  dirty = false;
  /** SOCK_DGRAM after connect: default peer */
  dgramIp = 0;
  dgramPort = 0;
  /** SOCK_SEQPACKET: reassembly of received messages, and the one message still being handed to the transport */
  reader: MessageReader | null = null;
  tx: Uint8Array | null = null;
  txOff = 0;
  close: CloseState = CloseState.Open;
  done: CloseDone | null = null;
  /** the background-close bound: forced closed at this clock time (ms) if still closing; -1 = none */
  closeAt = -1;
}
