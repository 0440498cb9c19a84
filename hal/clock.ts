/** Time as the firmware sees it. Nothing in firmware/ or hal/ reads any other clock. */
export interface Clock {
  /** monotonic milliseconds */
  now(): number;
  /** one-shot timer; returns a handle that is never 0 */
  setTimeout(fn: () => void, ms: number): number;
  /** tolerates handles that already fired or were cleared */
  clearTimeout(handle: number): void;
  /**
   * Lets time pass inside a blocking call that polls the chip (a linger close, a blocking recv).
   * On a board this is a short busy wait; on a virtual clock it moves time forward by `ms`.
   */
  pause(ms: number): void;
}
