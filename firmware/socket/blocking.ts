/**
 * Blocking calls: pump the transport and settle, sleeping between pumps until the transport's next
 * timed work, the call's own bound or the NIC's interrupt, whichever comes first.
 */
import type { LayerCore } from './core';

const enum Block {
  /** longest idle of a blocking call with no bound and nothing timed: a look at the NIC now and then */
  IDLE_MAX_MS = 1000,
}

/**
 * Pumps the transport until `cond` holds or `timeoutMs` (0 = no bound) has passed on the HAL
 * clock. Between pumps it idles until the earliest of: the transport's next timed work (what
 * pump returned), the bound, the NIC's interrupt; never less than `pollInterval`, so an interrupt
 * line stuck low costs no more than polling. Returns whether `cond` held.
 */
export function block(c: LayerCore, cond: () => boolean, timeoutMs: number): boolean {
  const clock = c.clock;
  const end = timeoutMs > 0 ? clock.now() + timeoutMs : -1;
  for (;;) {
    const due = c.transport.pump();
    c.settle(c);
    if (cond()) return true;
    const now = clock.now();
    if (end >= 0 && now >= end) return false;
    let until = end >= 0 ? end : now + Block.IDLE_MAX_MS;
    if (due >= 0 && due < until) until = due;
    const least = now + c.pollInterval;
    if (until > least) c.transport.idle(until);
    const t = clock.now();
    if (t < least) clock.pause(least - t);
  }
}
