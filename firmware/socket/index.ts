/** The socket layer's public surface: the Winsock-style API, its constants and value types. */
export { SocketLayer } from './layer';
export { WSAError } from './errors';
export {
  WSAResult, AddressFamily, SockType, Protocol, ShutdownHow, OptLevel, SockOpt, TcpOpt, IoctlCmd, MsgFlag, FdEvent, FdBit, InAddr,
} from './constants';
export type {
  Linger, SockAddr, WSANETWORKEVENTS, IoctlArg, CloseResult, CloseDone, AsyncHandler, SocketLayerOptions,
} from './types';
export { Framing, MessageReader, frameMessage, writeHeader, readHeader } from './seqpacket-framing';
export { fdBit } from './events';
