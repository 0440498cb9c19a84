/**
 * The transport speaks IPv4 addresses as unsigned 32-bit numbers (host order); the W5500 driver as
 * four bytes, network order. Conversions between the two, without allocating on the hot path.
 */

/** writes `ip` into `out[at..at+3]`, most significant byte first */
export function ipToBytes(ip: number, out: Uint8Array, at: number): Uint8Array {
  out[at] = (ip >>> 24) & 0xff;
  out[at + 1] = (ip >>> 16) & 0xff;
  out[at + 2] = (ip >>> 8) & 0xff;
  out[at + 3] = ip & 0xff;
  return out;
}

/** the address in `b[at..at+3]` as an unsigned 32-bit number */
export function bytesToIp(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}
