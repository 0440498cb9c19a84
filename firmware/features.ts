/**
 * Which socket types this build carries beside TCP streams. In Node (tests, the simulator) every one; the bundle
 * build puts a per-application copy of this module in its place (rollup.config.js): a type the application's entry
 * file does not name is left out of its bundle, and socket() refuses it with WSAESOCKTNOSUPPORT.
 */
/** SOCK_DGRAM (UDP; DHCP and DNS use it) */
export const WITH_DATAGRAM = true;
/** SOCK_SEQPACKET (messages framed on a TCP stream) */
export const WITH_SEQPACKET = true;
