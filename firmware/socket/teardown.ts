/**
 * How the end of a connection shows to the application (docs/socket-semantics.md §5): the FD_CLOSE
 * error by cause, when FD_CLOSE is due relative to unread data, and connect failures. Pure.
 */
import { TCause } from '../transport/transport';
import { WSAError } from './errors';

/** error of FD_CLOSE, recv and send once a connection ended for `cause` */
export function endError(cause: TCause): number {
  switch (cause) {
    case TCause.None: return WSAError.NO_ERROR;
    case TCause.Reset: return WSAError.WSAECONNRESET;
    case TCause.Timeout: return WSAError.WSAECONNABORTED;
    case TCause.NetDown: return WSAError.WSAENETDOWN;
    case TCause.Refused: return WSAError.WSAECONNREFUSED;
    case TCause.Unreachable: return WSAError.WSAEHOSTUNREACH;
  }
  return WSAError.WSAECONNABORTED;
}

/** error of FD_CONNECT / connect for a failed attempt */
export function connectError(cause: TCause): number {
  switch (cause) {
    case TCause.None: return WSAError.NO_ERROR;
    case TCause.Refused: return WSAError.WSAECONNREFUSED;
    case TCause.Reset: return WSAError.WSAECONNREFUSED;
    case TCause.Timeout: return WSAError.WSAETIMEDOUT;
    case TCause.Unreachable: return WSAError.WSAEHOSTUNREACH;
    case TCause.NetDown: return WSAError.WSAENETDOWN;
  }
  return WSAError.WSAECONNREFUSED;
}

/**
 * Whether FD_CLOSE is due now, and with which error; -1 = not (yet).
 * @param peerFin the peer's FIN has been seen (or the connection ended gracefully)
 * @param abortError 0, or the error of an abortive end (reset, timeout, NIC down, local abort)
 * @param unread bytes (or whole messages) still readable
 */
export function closeIndication(peerFin: boolean, abortError: number, unread: number): number {
  if (abortError !== 0) return abortError;
  if (peerFin && unread === 0) return WSAError.NO_ERROR;
  return -1;
}
