import type { Clock } from '../clock';
import type { InputPin, OutputPin } from '../pins';
import { Edge } from '../pins';

/**
 * A pin level shared by whoever drives it (a chip model's INTn, a test) and whoever reads or
 * watches it (a driver). Watch callbacks run later on the clock, as Espruino runs them from its loop.
 */
export class NodePin implements InputPin, OutputPin {
  private level: boolean;
  // an array, not a Map: the self-test runs this on Espruino
  private watchers: { id: number; edge: Edge; fn: (high: boolean) => void }[] = [];
  private nextId = 1;
  constructor(private clock: Clock, initial: boolean) {
    this.level = initial;
  }
  read(): boolean {
    return this.level;
  }
  write(high: boolean): void {
    if (high === this.level) return;
    this.level = high;
    const ws = this.watchers.slice();
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i];
      if (w.edge === Edge.Both || (w.edge === Edge.Rising) === high) {
        const fn = w.fn;
        this.clock.setTimeout(() => fn(high), 0);
      }
    }
  }
  watch(edge: Edge, fn: (high: boolean) => void): number {
    const id = this.nextId++;
    this.watchers.push({ id: id, edge: edge, fn: fn });
    return id;
  }
  unwatch(handle: number): void {
    for (let i = 0; i < this.watchers.length; i++) if (this.watchers[i].id === handle) { this.watchers.splice(i, 1); return; }
  }
  watcherCount(): number {
    return this.watchers.length;
  }
}
