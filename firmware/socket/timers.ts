/**
 * Timers of the services above the socket API (DHCP, DNS), kept by the event loop: each is a
 * deadline of its one timer, so the stack still sets exactly one timer on the clock. A callback runs
 * from a turn of the event loop, never inside a call, and what it throws is reported, not passed on.
 */
/** where what a callback throws is logged (the layer's log option) */
export interface TimerLog {
  log: ((line: string) => void) | null;
}

export class LoopTimers {
  private ids: number[] = [];
  private dues: number[] = [];
  private fns: (() => void)[] = [];
  private next = 1;

  /** `fn` on a turn at `at` (clock ms) or later; returns an id that is never 0 */
  add(at: number, fn: () => void): number {
    const id = this.next;
    this.next = this.next >= 0x3fffffff ? 1 : this.next + 1;
    this.ids.push(id);
    this.dues.push(at);
    this.fns.push(fn);
    return id;
  }

  /** tolerates ids that already ran or were removed */
  remove(id: number): void {
    const i = this.ids.indexOf(id);
    if (i < 0) return;
    this.ids.splice(i, 1);
    this.dues.splice(i, 1);
    this.fns.splice(i, 1);
  }

  /** runs the callbacks due by `now` (those they add run on a later turn); returns the next due time, or -1 */
  run(c: TimerLog, now: number): number {
    let due = -1;
    let ran: number[] | null = null;
    for (let i = 0; i < this.dues.length; i++) {
      if (this.dues[i] <= now) {
        if (!ran) ran = [];
        ran.push(this.ids[i]);
      }
    }
    // by id: a callback may remove or add timers
    for (let k = 0; ran && k < ran.length; k++) {
      const i = this.ids.indexOf(ran[k]);
      if (i < 0) continue;
      const fn = this.fns[i];
      this.remove(ran[k]);
      try {
        fn();
      } catch (e) {
        if (c.log) c.log('timer threw: ' + String(e));
      }
    }
    for (let i = 0; i < this.dues.length; i++) if (due < 0 || this.dues[i] < due) due = this.dues[i];
    return due;
  }
}
