/**
 * What this build carries beside TCP streams with WSAAsyncSelect. In Node (tests, the simulator) everything; the
 * bundle build puts a per-application copy of this module in its place (rollup.config.js): what no module of the
 * application names is left out of its bundle, and a call into it returns its Winsock code (socket() refuses a type
 * with WSAESOCKTNOSUPPORT, WSAEventSelect and WSAEnumNetworkEvents fail with WSAEOPNOTSUPP, an option not built
 * is WSAENOPROTOOPT).
 */
/** SOCK_DGRAM (UDP; DHCP and DNS use it) */
export const WITH_DATAGRAM = true;
/** SOCK_SEQPACKET (messages framed on a TCP stream) */
export const WITH_SEQPACKET = true;
/** WSAEventSelect and WSAEnumNetworkEvents (the polling form of FD_* notification) */
export const WITH_EVENT_SELECT = true;
/** the per-socket options SO_KEEPALIVE and TCP_NODELAY (without, setsockopt/getsockopt give WSAENOPROTOOPT, as for an unknown option) */
export const WITH_KEEPALIVE = true;
export const WITH_NODELAY = true;
/** diagnostics in words; without, a code the README explains (a board file's `shortTexts`) */
export const WITH_TEXTS = true;
