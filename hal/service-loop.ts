/**
 * The one timer of a network stack. Drivers and transports arm no timers of their own: they say
 * when they next need service (`Wake`), and whoever runs them — the socket layer's event loop on a
 * board, or a test rig running a driver alone — keeps one timer, for the earliest time asked for,
 * and runs the service then. The service returns its next deadline, as smoltcp's `poll_at`.
 */
import type { Clock } from './clock';

/** Asks for a service at `at` (clock ms) at the latest; `at` ≤ now means on the next turn. -1: nothing. */
export type Wake = (at: number) => void;

/** the earlier of two deadlines (-1 = none) */
export function earlier(a: number, b: number): number {
  if (a < 0) return b;
  if (b < 0) return a;
  return a < b ? a : b;
}

/** what a driver or transport calls before anyone runs it: the request goes nowhere */
export function noWake(at: number): void { /* nobody runs it yet */ }

export class ServiceLoop {
  clock: Clock;
  private run: (self: ServiceLoop) => number;
  private timer = 0;
  /** when the timer is set for (clock ms), or -1 when none is */
  due = -1;
  private stopped?: boolean;
  /** how many times the service ran (the wake-ups of the event loop) */
  runs = 0;

  /**
   * `run(this loop)` does the service and returns its next deadline (clock ms), or -1 when only an
   * event brings work (the socket layer's core is a ServiceLoop whose `run` is its turn)
   */
  constructor(clock: Clock, run: (self: ServiceLoop) => number) {
    this.clock = clock;
    this.run = run;
  }

  /** runs the service at `at` at the latest (an earlier request replaces a later one); -1 is ignored */
  at(at: number): void {
    if (at < 0 || this.stopped) return;
    if (this.timer) {
      if (this.due <= at) return;
      this.clock.clearTimeout(this.timer);
    }
    const now = this.clock.now();
    const self = this;
    this.due = at;
    this.timer = this.clock.setTimeout(function () {
      self.timer = 0;
      self.due = -1;
      self.runs++;
      self.at(self.run(self));
    }, at > now ? at - now : 0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = 0;
    this.due = -1;
  }
}
