import type { VirtualClock } from '../../hal/node/virtual-clock';

/** What a virtual-time run needs of a chip model: run its time up to now, and say when it next has work. */
export interface ChipTime {
  advance(): void;
  nextDeadline(): number | undefined;
}

/**
 * Runs firmware timers and the chip on one virtual clock until `done()` holds or `limitMs` has
 * passed, moving time straight to the next of (a timer due, the chip's next deadline). Returns
 * whether `done()` held.
 */
export function runChipUntil(clock: VirtualClock, chip: ChipTime, done: () => boolean, limitMs: number): boolean {
  const end = clock.now() + limitMs;
  for (let guard = 0; guard < 10000000; guard++) {
    clock.runDue();
    chip.advance();
    clock.runDue();
    if (done()) return true;
    let next = clock.nextDue();
    const b = chip.nextDeadline();
    if (b !== undefined && (next === undefined || b < next)) next = b;
    if (next === undefined || next > end) break;
    const now = clock.now();
    // work due now that advance() did not clear: step a little
    clock.pause(next > now ? next - now : 0.001);
  }
  if (clock.now() < end) clock.pause(end - clock.now());
  clock.runDue();
  chip.advance();
  clock.runDue();
  return done();
}
