/** Waiting on the wall clock, for tests whose peer is the kernel. */

/** resolves true as soon as `cond()` holds (checked every 2 ms), false once `ms` have passed */
export function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  return new Promise((resolve) => {
    const tick = () => {
      if (cond()) resolve(true);
      else if (Date.now() > end) resolve(false);
      else setTimeout(tick, 2);
    };
    tick();
  });
}
