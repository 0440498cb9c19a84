/**
 * Retry and timeout arithmetic of the W5500 (datasheet v1.0.9 p.38–39). RTR is in 100 µs units.
 * Kept apart from the model so tests and the README can quote the same numbers.
 */

/** Wait after the k-th transmission (k = 0 is the first): RTR·2^min(k, M), M = last doubling that stays ≤ 65535. */
export function retryWaitUnits(rtr: number, k: number): number {
  if (rtr <= 0) return 0;
  let m = 0;
  while (m < k && rtr * Math.pow(2, m + 1) <= 0xffff) m++;
  return rtr * Math.pow(2, m);
}

/** TCP_TO in ms: the sum of the RCR+1 waits (defaults RTR 2000, RCR 8 → 31 800 ms). */
export function tcpTimeoutMs(rtr: number, rcr: number): number {
  let units = 0;
  for (let k = 0; k <= rcr; k++) units += retryWaitUnits(rtr, k);
  return units / 10;
}

/** ARP_TO in ms: RTR·(RCR+1) (defaults → 1 800 ms). */
export function arpTimeoutMs(rtr: number, rcr: number): number {
  return (rtr * (rcr + 1)) / 10;
}

/** INTn re-assert wait for INTLEVEL: (INTLEVEL+1)·4 PLL clocks at 150 MHz, in ms (0 when INTLEVEL is 0). */
export function intLevelGapMs(intlevel: number): number {
  return intlevel > 0 ? ((intlevel + 1) * 4) / 150000 : 0;
}
