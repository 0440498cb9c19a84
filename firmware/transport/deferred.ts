/**
 * The one queue of sink calls a transport may not make at once: an event that arises inside a
 * member (where the sink must not be called, transport.ts) waits here and is delivered by the next
 * `pump()`, in the order it arose; queueing asks the event loop for that pump (the sink's `wake`).
 * Every transport uses it.
 *
 * An entry carries the endpoint's generation when it was queued: an endpoint freed and handed out
 * again in between has another generation, and its stale entries are skipped.
 */
/** What a queued entry tells the sink. */
export const enum Deferred {
  Readable = 1,
  PeerFin = 2,
  Ended = 3,
  Acceptable = 4,
  /** a connection attempt's outcome (`cause`) */
  ConnectDone = 5,
}

/** Called once per entry still current; returns nothing, may queue more (they run in the same flush). */
export type DeferredDeliver = (ep: number, what: Deferred, cause: number, unsent: number) => void;

export class DeferredEvents {
  private wake: () => void;
  private deliver: DeferredDeliver;
  private gen: Uint16Array;
  private qEp: number[] = [];
  private qGen: number[] = [];
  private qWhat: number[] = [];
  private qCause: number[] = [];
  private qUnsent: number[] = [];
  /** a flush is owed (asked for, not yet run): the transport's pump deadline is now */
  asked = false;
  /** called after every flush (a transport's follow-up work, e.g. re-arming listeners) */
  afterFlush: (() => void) | null = null;

  /** `wake` asks for a pump on the next turn (the transport passes it on to its sink's `wake`) */
  constructor(endpoints: number, deliver: DeferredDeliver, wake: () => void) {
    this.wake = wake;
    this.deliver = deliver;
    this.gen = new Uint16Array(endpoints);
  }

  /** the endpoint was freed: what is queued for it now is stale */
  retire(ep: number): void {
    this.gen[ep] = (this.gen[ep] + 1) & 0xffff;
  }

  push(ep: number, what: Deferred, cause: number, unsent: number): void {
    this.qEp.push(ep);
    this.qGen.push(this.gen[ep]);
    this.qWhat.push(what);
    this.qCause.push(cause);
    this.qUnsent.push(unsent);
    this.schedule();
  }

  /** asks for a pump, and so a flush, on the next turn (also for `afterFlush` work alone) */
  schedule(): void {
    if (this.asked) return;
    this.asked = true;
    this.wake();
  }

  pending(): boolean {
    return this.qEp.length > 0;
  }

  flush(): void {
    this.asked = false;
    while (this.qEp.length > 0) {
      const ep = this.qEp.shift() as number;
      const g = this.qGen.shift() as number;
      const what = this.qWhat.shift() as number;
      const cause = this.qCause.shift() as number;
      const unsent = this.qUnsent.shift() as number;
      if (this.gen[ep] === g) this.deliver(ep, what, cause, unsent);
    }
    if (this.afterFlush) this.afterFlush();
  }
}
