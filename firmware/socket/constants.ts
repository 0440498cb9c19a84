/**
 * Winsock constants other than error codes, valued as in winsock2.h / ws2tcpip.h. The enum names
 * group them; the member names are Winsock's own.
 */

/** Failure results of the API calls. */
export const enum WSAResult {
  SOCKET_ERROR = -1,
  INVALID_SOCKET = -1,
}

export const enum AddressFamily {
  AF_UNSPEC = 0,
  AF_INET = 2,
}

export const enum SockType {
  SOCK_STREAM = 1,
  SOCK_DGRAM = 2,
  SOCK_SEQPACKET = 5,
}

export const enum Protocol {
  IPPROTO_IP = 0,
  IPPROTO_TCP = 6,
  IPPROTO_UDP = 17,
}

/** `how` of shutdown() */
export const enum ShutdownHow {
  SD_RECEIVE = 0,
  SD_SEND = 1,
  SD_BOTH = 2,
}

/** The `level` of setsockopt/getsockopt. */
export const enum OptLevel {
  SOL_SOCKET = 0xffff,
  IPPROTO_TCP = 6,
}

/** SOL_SOCKET options. SO_DONTLINGER is `(int)(~SO_LINGER)` as in winsock2.h. */
export const enum SockOpt {
  SO_ACCEPTCONN = 0x0002,
  SO_KEEPALIVE = 0x0008,
  SO_LINGER = 0x0080,
  SO_DONTLINGER = -129,
  SO_SNDTIMEO = 0x1005,
  SO_RCVTIMEO = 0x1006,
  SO_ERROR = 0x1007,
  SO_TYPE = 0x1008,
}

/** IPPROTO_TCP options. */
export const enum TcpOpt {
  TCP_NODELAY = 0x0001,
}

/** ioctlsocket commands, as the signed 32-bit values winsock2.h gives them. */
export const enum IoctlCmd {
  /** _IOW('f', 126, u_long) = 0x8004667E */
  FIONBIO = -2147195266,
  /** _IOR('f', 127, u_long) = 0x4004667F */
  FIONREAD = 1074030207,
}

/** send/recv flags. Only 0 is accepted; the others are named so that they can be refused by name. */
export const enum MsgFlag {
  MSG_OOB = 0x1,
  MSG_PEEK = 0x2,
  MSG_DONTROUTE = 0x4,
}

/** FD_* network events (bit masks). */
export const enum FdEvent {
  FD_READ = 0x01,
  FD_WRITE = 0x02,
  FD_OOB = 0x04,
  FD_ACCEPT = 0x08,
  FD_CONNECT = 0x10,
  FD_CLOSE = 0x20,
  FD_QOS = 0x40,
  FD_GROUP_QOS = 0x80,
  FD_ROUTING_INTERFACE_CHANGE = 0x100,
  FD_ADDRESS_LIST_CHANGE = 0x200,
  FD_ALL_EVENTS = 0x3ff,
}

/** Index of each FD_* event in WSANETWORKEVENTS.iErrorCode. */
export const enum FdBit {
  FD_READ_BIT = 0,
  FD_WRITE_BIT = 1,
  FD_OOB_BIT = 2,
  FD_ACCEPT_BIT = 3,
  FD_CONNECT_BIT = 4,
  FD_CLOSE_BIT = 5,
  FD_QOS_BIT = 6,
  FD_GROUP_QOS_BIT = 7,
  FD_ROUTING_INTERFACE_CHANGE_BIT = 8,
  FD_ADDRESS_LIST_CHANGE_BIT = 9,
  FD_MAX_EVENTS = 10,
}

export const enum InAddr {
  INADDR_ANY = 0,
}
