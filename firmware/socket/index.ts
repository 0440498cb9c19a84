/**
 * The socket layer's public surface: the Winsock-style API (docs/socket-semantics.md), its
 * constants (Winsock names and values) and value types.
 *
 *   const ws = new SocketLayer(transport, clock, { closeTimeout: 4000 });
 *   socket(af, type, protocol?) → handle | INVALID_SOCKET
 *   bind(s, addr, port)   listen(s, backlog)   accept(s, from?: SockAddr) → handle
 *   connect(s, addr, port)
 *   send(s, buf: Uint8Array, len?, flags?)   recv(s, buf, len?, flags?) → bytes, 0 = graceful end
 *   sendto(s, buf, len, flags, addr, port)   recvfrom(s, buf, len?, flags?, from?: SockAddr)
 *   shutdown(s, how)   WSASendDisconnect(s, data?)   closesocket(s, done?: (CloseResult) => void)
 *   setsockopt(s, level, opt, value)   getsockopt(s, level, opt) → value | Linger | SOCKET_ERROR
 *   ioctlsocket(s, FIONBIO, 0|1)   ioctlsocket(s, FIONREAD, { value })
 *   WSAAsyncSelect(s, handler(s, event, error), events)
 *   WSAEventSelect(s, events, signal?)   WSAEnumNetworkEvents(s, out: WSANETWORKEVENTS)
 *   getpeername(s, out: SockAddr)   getsockname(s, out: SockAddr)   WSAGetLastError()
 *
 * Addresses are dotted IPv4 strings. Every failure returns -1 (SOCKET_ERROR / INVALID_SOCKET) and
 * sets WSAGetLastError(); nothing throws.
 */
export { SocketLayer } from './layer';
export { WSAError } from './errors';
export {
  WSAResult, AddressFamily, SockType, Protocol, ShutdownHow, OptLevel, SockOpt, TcpOpt, IoctlCmd, MsgFlag, FdEvent, FdBit, InAddr,
} from './constants';
export type {
  Linger, SockAddr, WSANETWORKEVENTS, IoctlArg, CloseResult, CloseDone, AsyncHandler, SocketLayerOptions,
} from './types';
export { Framing, MessageReader, frameMessage, writeHeader, readHeader } from './seqpacket-framing';
export { fdBit, fdEventName } from './events';
