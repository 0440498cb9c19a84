/**
 * Winsock error codes, with their Winsock values (winsock2.h), so code written for CE ports by
 * search and replace. Every error the socket layer reports is one of these.
 */
export const enum WSAError {
  /** no error (also the FD_CLOSE error of a graceful close) */
  NO_ERROR = 0,
  WSAEINTR = 10004,
  WSAEFAULT = 10014,
  WSAEINVAL = 10022,
  WSAEMFILE = 10024,
  WSAEWOULDBLOCK = 10035,
  WSAEINPROGRESS = 10036,
  WSAEALREADY = 10037,
  WSAENOTSOCK = 10038,
  WSAEMSGSIZE = 10040,
  WSAENOPROTOOPT = 10042,
  WSAEPROTONOSUPPORT = 10043,
  WSAESOCKTNOSUPPORT = 10044,
  WSAEOPNOTSUPP = 10045,
  WSAEAFNOSUPPORT = 10047,
  WSAEADDRINUSE = 10048,
  WSAEADDRNOTAVAIL = 10049,
  WSAENETDOWN = 10050,
  WSAENETUNREACH = 10051,
  WSAENETRESET = 10052,
  WSAECONNABORTED = 10053,
  WSAECONNRESET = 10054,
  WSAENOBUFS = 10055,
  WSAEISCONN = 10056,
  WSAENOTCONN = 10057,
  WSAESHUTDOWN = 10058,
  WSAETIMEDOUT = 10060,
  WSAECONNREFUSED = 10061,
  WSAEHOSTUNREACH = 10065,
  WSAEDISCON = 10101,
  /** the name does not exist (NXDOMAIN), or the server failed (SERVFAIL) */
  WSAHOST_NOT_FOUND = 11001,
  /** no answer from any DNS server in time, or none is known yet */
  WSATRY_AGAIN = 11002,
  /** the name exists but has no A record */
  WSANO_DATA = 11004,
}
