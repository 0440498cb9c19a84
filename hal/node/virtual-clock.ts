import type { Clock } from '../clock';

interface Timer { id: number; at: number; seq: number; fn: () => void }

/**
 * Deterministic time for virtual-time runs. Time moves only when the test (or the virtual board's
 * event loop) advances it, or when firmware pauses inside a blocking call. A pause moves time but
 * runs no timer, as a busy wait on a board runs none.
 */
export class VirtualClock implements Clock {
  private t = 0;
  private seq = 0;
  private nextId = 1;
  private timers: Timer[] = [];

  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): number {
    const id = this.nextId++;
    this.timers.push({ id, at: this.t + Math.max(0, ms), seq: this.seq++, fn });
    return id;
  }
  clearTimeout(handle: number): void {
    const i = this.timers.findIndex((x) => x.id === handle);
    if (i >= 0) this.timers.splice(i, 1);
  }
  pause(ms: number): void {
    if (ms > 0) this.t += ms;
  }
  /** when the next timer is due, or undefined */
  nextDue(): number | undefined {
    let best: number | undefined;
    for (const x of this.timers) if (best === undefined || x.at < best) best = x.at;
    return best;
  }
  pending(): number {
    return this.timers.length;
  }
  /** runs every timer due now or earlier, in due order (ties in creation order), including ones they schedule */
  runDue(): number {
    let ran = 0;
    for (;;) {
      let k = -1;
      for (let i = 0; i < this.timers.length; i++) {
        const x = this.timers[i];
        if (x.at <= this.t && (k < 0 || x.at < this.timers[k].at || (x.at === this.timers[k].at && x.seq < this.timers[k].seq))) k = i;
      }
      if (k < 0) return ran;
      const [x] = this.timers.splice(k, 1);
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
