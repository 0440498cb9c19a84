import type { VirtualClock } from './virtual-clock';

/**
 * What a virtual-time run needs of a simulated device (a chip model, a network side): run its own time up
 * to the clock's now, and say when it next has work (absolute ms, or undefined).
 */
export interface TimedDevice {
  advance(): void;
  nextDeadline(): number | undefined;
}

function advanceAll(devices: TimedDevice[]): void {
  for (let i = 0; i < devices.length; i++) devices[i].advance();
}

/**
 * Runs firmware timers and every device on one virtual clock until `done()` holds or `limitMs` has
 * passed, moving time straight to the next of (a timer due, a device's next deadline). Returns whether
 * `done()` held. Devices advance in the order given.
 */
export function runUntil(clock: VirtualClock, devices: TimedDevice[], done: () => boolean, limitMs: number): boolean {
  const end = clock.now() + limitMs;
  for (let guard = 0; guard < 10000000; guard++) {
    clock.runDue();
    advanceAll(devices);
    clock.runDue();
    if (done()) return true;
    let next = clock.nextDue();
    for (let i = 0; i < devices.length; i++) {
      const b = devices[i].nextDeadline();
      if (b !== undefined && (next === undefined || b < next)) next = b;
    }
    if (next === undefined || next > end) break;
    const now = clock.now();
    // work due now that advance() did not clear: step a little
    clock.pause(next > now ? next - now : 0.001);
  }
  if (clock.now() < end) clock.pause(end - clock.now());
  clock.runDue();
  advanceAll(devices);
  clock.runDue();
  return done();
}
