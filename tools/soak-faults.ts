/**
 * The faults of `npm run soak -- --faults`: chip resets, link flaps and torn reads at seeded random
 * times, and the errors the contract (docs/socket-semantics.md §5) gives a connection for each cause.
 */
import { WSAError } from '../firmware/socket/errors';
import type { RigFaults } from '../sim/conformance/rig';

export type FaultKind = 'chip reset' | 'link flap' | 'torn reads';

export interface FaultEvent {
  kind: FaultKind;
  /** which rig generation it hit (a chip reset ends one) */
  gen: number;
  /** wall ms since the soak started: from, to */
  at: number;
  until: number;
}

/**
 * What a connection may end with when `kind` hit it: the NIC down → WSAENETDOWN; a link flap → the
 * retransmission timeout (WSAECONNABORTED), a close bound that ran out meanwhile (WSAETIMEDOUT), or
 * for a connect, ARP that got no answer (WSAEHOSTUNREACH); torn reads → nothing (the driver reads a
 * torn counter again).
 */
export function contractErrors(kind: FaultKind): number[] {
  if (kind === 'chip reset') return [WSAError.WSAENETDOWN];
  if (kind === 'link flap') return [WSAError.WSAECONNABORTED, WSAError.WSAETIMEDOUT, WSAError.WSAEHOSTUNREACH];
  return [];
}

/** the Winsock error codes named in a lifecycle's failure message */
export function codesIn(message: string): number[] {
  const out: number[] = [];
  const re = /\b(100\d\d|110\d\d)\b/g;
  for (let m = re.exec(message); m; m = re.exec(message)) out.push(Number(m[1]));
  return out;
}

/**
 * Fires one fault every 1.5–4 s (seeded) on the generation `current()` gives, until `stop()`.
 * A link flap lasts 100–600 ms, torn reads 1 s; a chip reset calls `onReset` (the stack is down until
 * the soak builds the next generation).
 */
export class FaultInjector {
  readonly events: FaultEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private pick: () => number,
    private now: () => number,
    private current: () => { id: number; down: boolean; faults: RigFaults | undefined },
    private onReset: () => void,
  ) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.fire(), 1500 + this.pick() * 2500);
  }

  private fire(): void {
    const g = this.current();
    if (g.down || !g.faults) { this.schedule(); return; }
    const f = g.faults;
    const x = this.pick();
    const at = this.now();
    if (x < 0.2) {
      this.events.push({ kind: 'chip reset', gen: g.id, at, until: Infinity });
      f.chipReset();
      this.onReset();
    } else if (x < 0.65) {
      const ms = 100 + this.pick() * 500;
      this.events.push({ kind: 'link flap', gen: g.id, at, until: at + ms });
      f.link(false);
      setTimeout(() => { if (!g.down) f.link(true); }, ms);
    } else {
      this.events.push({ kind: 'torn reads', gen: g.id, at, until: at + 1000 });
      f.tornReads(true);
      setTimeout(() => { if (!g.down) f.tornReads(false); }, 1000);
    }
    this.schedule();
  }

  /** the faults that hit generation `gen` while a lifecycle ran from `from` to `to` */
  overlapping(gen: number, from: number, to: number): FaultKind[] {
    const out: FaultKind[] = [];
    for (const e of this.events) if (e.gen === gen && e.at <= to && e.until >= from) out.push(e.kind);
    return out;
  }

  /**
   * The fault that explains an error of a lifecycle of generation `gen` that ran from `from` to `to`
   * (wall ms), or undefined: one that hit the same generation while it ran, and whose contract
   * errors include one of `codes`.
   */
  explain(gen: number, from: number, to: number, codes: number[]): FaultEvent | undefined {
    for (const e of this.events) {
      if (e.gen !== gen || e.at > to || e.until < from) continue;
      const allowed = contractErrors(e.kind);
      if (codes.some((c) => allowed.indexOf(c) >= 0)) return e;
    }
    return undefined;
  }
}
