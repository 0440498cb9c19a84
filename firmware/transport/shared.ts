/** What every transport shares beside the deferred queue: the sink before one is set, and `idle`. */
import type { Clock } from '../../hal/clock';
import type { InputPin } from '../../hal/pins';
import type { TransportSink } from './transport';

/** every member of NOSINK (one function: each costs variables on a board) */
function none(): void { /* nobody listens, and nobody runs the transport yet: the layer pumps once when it sets its sink */ }

/** the sink until the socket layer sets its own: events go nowhere */
export const NOSINK: TransportSink = {
  connectDone: none, acceptable: none, readable: none, writable: none, peerFin: none, ended: none, link: none, wake: none,
};

const enum Idle {
  /** how often `idle` looks at the interrupt line, ms (a pin read, no bus traffic) */
  STEP_MS = 1,
}

/**
 * Transport.idle: lets time pass on `clock` until `until` or until the NIC's interrupt line (active
 * low) shows work, whichever comes first; without the line it simply pauses until `until`.
 */
export function idleUntil(clock: Clock, int: InputPin | undefined, until: number): void {
  for (;;) {
    const now = clock.now();
    if (now >= until) return;
    if (!int) {
      clock.pause(until - now);
      return;
    }
    if (!int.read()) return;
    const left = until - now;
    clock.pause(left < Idle.STEP_MS ? left : Idle.STEP_MS);
  }
}
