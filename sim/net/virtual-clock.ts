import type { Clock } from '../../hal/clock';
import { Scheduler } from './scheduler';

/**
 * Deterministic time for virtual-time runs. Time moves only when the test (or the virtual board's
 * event loop) advances it, or when firmware pauses inside a blocking call. A pause moves time but
 * runs no timer, as a busy wait on a board runs none.
 */
export class VirtualClock implements Clock {
  private t = 0;
  private timers = new Scheduler();

  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): number {
    return this.timers.at(this.t + Math.max(0, ms), fn);
  }
  clearTimeout(handle: number): void {
    this.timers.cancel(handle);
  }
  pause(ms: number): void {
    if (ms > 0) this.t += ms;
  }
  /** when the next timer is due, or undefined */
  nextDue(): number | undefined {
    return this.timers.next();
  }
  pending(): number {
    return this.timers.pending();
  }
  /** runs every timer due now or earlier, in due order (ties in creation order), including ones they schedule */
  runDue(): number {
    let ran = 0;
    for (;;) {
      const x = this.timers.take(this.t);
      if (!x) return ran;
      x.fn();
      ran++;
    }
  }
  /** moves time forward by `ms`, running each timer at its due time */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.runDue();
      const due = this.nextDue();
      if (due === undefined || due > end) break;
      this.t = Math.max(this.t, due);
    }
    this.t = Math.max(this.t, end);
    this.runDue();
  }
  /**
   * Runs timers in time order until `done()` holds or `limitMs` of virtual time has passed.
   * Returns whether `done()` held.
   */
  runUntil(done: () => boolean, limitMs: number): boolean {
    const end = this.t + limitMs;
    for (;;) {
      this.runDue();
      if (done()) return true;
      const due = this.nextDue();
      if (due === undefined || due > end) { this.t = Math.max(this.t, end); this.runDue(); return done(); }
      this.t = Math.max(this.t, due);
    }
  }
}
