/**
 * 32-bit sequence-number arithmetic (RFC 9293 §3.4). Sequence numbers are kept as unsigned 32-bit
 * numbers (0 … 2^32 − 1). The difference of two of them, taken modulo 2^32 and read as a signed
 * 32-bit integer (`| 0`), orders them correctly across the wrap as long as they are less than 2^31
 * apart, which the window sizes guarantee.
 */

/** a + n, wrapped to an unsigned 32-bit sequence number (n may be negative) */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** a − b as a signed 32-bit distance */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export function seqGe(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}
