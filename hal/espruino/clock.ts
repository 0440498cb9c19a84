/// <reference types="espruino" />
import type { Clock } from '../clock';

/** getTime() is seconds as a float; setTimeout ids are never 0 on Espruino. */
export class EspruinoClock implements Clock {
  now(): number {
    return getTime() * 1000;
  }
  setTimeout(fn: () => void, ms: number): number {
    return setTimeout(fn, ms);
  }
  clearTimeout(handle: number): void {
    // clearTimeout() with no argument clears every timer on Espruino, and undefined throws.
    if (handle) clearTimeout(handle);
  }
  pause(ms: number): void {
    const until = getTime() + ms / 1000;
    while (getTime() < until) { /* busy wait: the chip keeps working meanwhile */ }
  }
}
