/** Digital pins as a board gives them to a driver. */
export interface OutputPin {
  write(high: boolean): void;
}

export const enum Edge {
  Rising = 1,
  Falling = -1,
  Both = 0,
}

export interface InputPin {
  read(): boolean;
  /**
   * Calls `fn(high)` on every matching edge, later, from the event loop (never inside the edge).
   * Returns a handle for `unwatch`.
   */
  watch(edge: Edge, fn: (high: boolean) => void): number;
  unwatch(handle: number): void;
}
