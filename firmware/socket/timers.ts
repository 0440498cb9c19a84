/**
 * Timers of the services above the socket API (DHCP, DNS, the Ethernet module's callbacks), kept by
 * the event loop: each is a deadline of its one timer, so the stack still sets exactly one timer on
 * the clock. A callback runs from a turn of the event loop, never inside a call, and what it throws
 * is logged, not passed on. They are made when a service first asks (`loopTimers`), so a bundle
 * without such services carries none of this.
 */

import type { ServiceLoop } from '../../hal/service-loop';
import type { SocketLayer } from './layer';

/** where the services' timers live: the event loop's one timer, with the layer's log (SocketLayer.eventLoop) */
export interface TimerHost extends ServiceLoop {
  /** where what a callback throws is logged (the layer's log option) */
  log: ((line: string) => void) | null;
  /** the services' timers, once one asked; the event loop runs them on every turn */
  timers?: LoopTimers;
}

/** the services' timers of `api`'s event loop (made on first use) */
export function loopTimers(api: SocketLayer): LoopTimers {
  const h = api.eventLoop();
  if (!h.timers) h.timers = new LoopTimers(h);
  return h.timers;
}

export class LoopTimers {
  private loop: ServiceLoop;
  private ids: number[] = [];
  private dues: number[] = [];
  private fns: (() => void)[] = [];
  private next = 1;

  constructor(loop: ServiceLoop) {
    this.loop = loop;
  }

  /** `fn` from a turn of the event loop `ms` from now; returns an id that is never 0 */
  set(ms: number, fn: () => void): number {
    const at = this.loop.clock.now() + (ms > 0 ? ms : 0);
    this.ids.push(this.next);
    this.dues.push(at);
    this.fns.push(fn);
    this.loop.at(at);
    return this.next++;
  }

  /** a timer that has not run yet runs never; other ids are ignored */
  clear(id: number): void {
    this.cut(this.ids.indexOf(id));
  }

  /** runs the callbacks due by `now`, at most as many as there were; returns the next due time, or -1 */
  run(c: TimerHost, now: number): number {
    let budget = this.ids.length;
    for (let i = 0; i < this.dues.length && budget > 0; i++) {
      if (this.dues[i] > now) continue;
      const fn = this.fns[i];
      this.cut(i);
      budget--;
      // a callback may add or remove timers: look again from the start
      i = -1;
      try {
        fn();
      } catch (e) {
        if (c.log) c.log('timer threw: ' + e);
      }
    }
    let due = -1;
    for (let i = 0; i < this.dues.length; i++) if (due < 0 || this.dues[i] < due) due = this.dues[i];
    return due;
  }

  private cut(i: number): void {
    if (i < 0) return;
    this.ids.splice(i, 1);
    this.dues.splice(i, 1);
    this.fns.splice(i, 1);
  }
}
