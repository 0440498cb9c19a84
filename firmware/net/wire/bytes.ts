/** Big-endian field access at fixed offsets, and 6-byte MAC addresses, with no loop and no allocation. */

export function get16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

export function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v;
}

/** unsigned, host order (as IPv4 addresses are kept everywhere) */
export function get32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

export function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

/** the 6 bytes at `o` equal `mac` */
export function macEquals(b: Uint8Array, o: number, mac: Uint8Array): boolean {
  return b[o] === mac[0] && b[o + 1] === mac[1] && b[o + 2] === mac[2] &&
    b[o + 3] === mac[3] && b[o + 4] === mac[4] && b[o + 5] === mac[5];
}

/** ff:ff:ff:ff:ff:ff */
export function macIsBroadcast(b: Uint8Array, o: number): boolean {
  return (b[o] & b[o + 1] & b[o + 2] & b[o + 3] & b[o + 4] & b[o + 5]) === 0xff;
}

/** copies 6 bytes from `src` at `so` to `dst` at `o` (no subarray view) */
export function macCopy(dst: Uint8Array, o: number, src: Uint8Array, so: number): void {
  dst[o] = src[so];
  dst[o + 1] = src[so + 1];
  dst[o + 2] = src[so + 2];
  dst[o + 3] = src[so + 3];
  dst[o + 4] = src[so + 4];
  dst[o + 5] = src[so + 5];
}
