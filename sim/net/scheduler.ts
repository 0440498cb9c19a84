/**
 * A queue of actions due at virtual times, taken in due order, ties in the order they were queued. The one
 * ordering rule every simulated part (clock timers, virtual networks, chip models) shares, so a run is
 * deterministic. Written to run on Espruino too (the self-test bundles it).
 */

export interface Scheduled {
  id: number;
  at: number;
  seq: number;
  fn: () => void;
}

export class Scheduler {
  private items: Scheduled[] = [];
  private seq = 0;
  private nextId = 1;

  /** queues `fn` at absolute time `at`; returns an id that is never 0 */
  at(at: number, fn: () => void): number {
    const id = this.nextId++;
    this.items.push({ id: id, at: at, seq: this.seq++, fn: fn });
    return id;
  }
  /** forgets a queued action; ids that already ran or were cancelled are ignored */
  cancel(id: number): void {
    const items = this.items;
    for (let i = 0; i < items.length; i++) {
      if (items[i].id === id) { items.splice(i, 1); return; }
    }
  }
  /** when the earliest action is due, or undefined */
  next(): number | undefined {
    const items = this.items;
    let best: number | undefined;
    for (let i = 0; i < items.length; i++) if (best === undefined || items[i].at < best) best = items[i].at;
    return best;
  }
  /** removes and returns the first action due at or before `now` (due order, then queue order), or undefined */
  take(now: number): Scheduled | undefined {
    const items = this.items;
    let k = -1;
    for (let i = 0; i < items.length; i++) {
      const x = items[i];
      if (x.at <= now && (k < 0 || x.at < items[k].at || (x.at === items[k].at && x.seq < items[k].seq))) k = i;
    }
    if (k < 0) return undefined;
    return items.splice(k, 1)[0];
  }
  pending(): number {
    return this.items.length;
  }
  clear(): void {
    this.items = [];
  }
}
