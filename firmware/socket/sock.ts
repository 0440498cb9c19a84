/** The socket layer's record of one socket (one handle, or one background close after closesocket). */
import { EventBook } from './events';
import type { MessageReader } from './seqpacket-framing';
import type { AsyncHandler, CloseDone } from './types';
import { TCause } from '../transport/transport';

export const enum SState {
  /** created, maybe bound; no connection (again, after a failed connect) */
  Idle = 0,
  Listening = 1,
  Connecting = 2,
  /** has (had) a connection: established, half-closed or ended */
  Connected = 3,
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
  shutSend = false;
  shutRecv = false;
  /** the transport has been told to FIN */
  finSent = false;
  /** the peer's FIN has been seen */
  peerFin = false;
  /** the transport reported the end of the connection (or the layer aborted it) */
  ended = false;
  /** 0, or the error of an abortive end: WSAECONNRESET, WSAECONNABORTED, WSAENETDOWN */
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
  /** SOCK_DGRAM after connect: default peer */
  dgramIp = 0;
  dgramPort = 0;
  /** SOCK_SEQPACKET: reassembly of received messages, and the one message still being handed to the transport */
  reader: MessageReader | null = null;
  tx: Uint8Array | null = null;
  txOff = 0;
  /** closesocket was called: the handle is gone, a close is finishing */
  closing = false;
  /** transport.release() has been called */
  released = false;
  closeFinished = false;
  done: CloseDone | null = null;
  closeTimer = 0;
}
