import type { Clock } from '../clock';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Wall-clock time for real-time runs on a PC. */
export class RealClock implements Clock {
  private origin = performance.now();
  private timers = new Map<number, NodeJS.Timeout>();
  private next = 1;

  now(): number {
    return performance.now() - this.origin;
  }
  setTimeout(fn: () => void, ms: number): number {
    const id = this.next++;
    this.timers.set(id, setTimeout(() => { this.timers.delete(id); fn(); }, ms));
    return id;
  }
  clearTimeout(handle: number): void {
    const t = this.timers.get(handle);
    if (t !== undefined) clearTimeout(t);
    this.timers.delete(handle);
  }
  pause(ms: number): void {
    // Blocks this thread as a busy wait would on a board; a chip model in another thread keeps running.
    Atomics.wait(sleeper, 0, 0, ms);
  }
  /** clears every pending timer (what a board loses on reset) */
  clearAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
