/** Value types of the socket API (Winsock's structs, as JavaScript objects). */

/** SO_LINGER's value: l_onoff ≠ 0 turns lingering on; l_linger is in seconds (0–65535) */
export interface Linger {
  onoff: number;
  linger: number;
}

/** sockaddr_in as the API gives it: dotted IPv4 address and port */
export interface SockAddr {
  addr: string;
  port: number;
}

/** WSAEnumNetworkEvents' result: occurred FD_* events and, by FdBit, their errors */
export interface WSANETWORKEVENTS {
  lNetworkEvents: number;
  iErrorCode: number[];
}

/** FIONREAD's out-argument (and FIONBIO's, if given as an object) */
export interface IoctlArg {
  value: number;
}

/** what `closesocket(s, done)` reports once the close has finished */
export interface CloseResult {
  /** every byte queued was acknowledged and the FIN exchange completed (or there was no connection) */
  graceful: boolean;
  /** 0, or why not: WSAECONNRESET, WSAECONNABORTED, WSAENETDOWN, WSAETIMEDOUT (a bound forced it), WSAENOBUFS (reclaimed) */
  error: number;
  /** bytes queued before the close that the peer never acknowledged */
  unsentBytes: number;
}

export type CloseDone = (result: CloseResult) => void;

/** WSAAsyncSelect handler: one call per notification */
export type AsyncHandler = (s: number, event: number, error: number) => void;

export interface SocketLayerOptions {
  /** most handles open at once (WSAEMFILE beyond); default 32 */
  maxSockets?: number;
  /** bound on a background graceful close before it is forced abortive, ms; default 4000 */
  closeTimeout?: number;
  /** least pause between pumps inside a blocking call, ms (it sleeps longer when the transport has nothing timed); default 1 */
  pollInterval?: number;
  /** keep-alive period handed to the transport when SO_KEEPALIVE is on, s; default 60 */
  keepAliveSeconds?: number;
  /** largest SOCK_SEQPACKET message kept on receive and accepted by send; default 4096 */
  maxMessage?: number;
  /** where a handler's exception is reported (the layer never lets it escape) */
  log?: (line: string) => void;
  /** told of every change of the NIC's link, from the event loop */
  onLink?: (up: boolean) => void;
}
