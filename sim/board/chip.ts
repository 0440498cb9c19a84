/** A chip on an SPI bus: one chip-select window in, the same number of MISO bytes out. */
export interface SpiChip {
  exchange(mosi: Uint8Array): Uint8Array;
}

/**
 * A chip's output pin (e.g. W5500 INTn) as the board's MCU sees it: a level, and a callback on
 * every change. `onChange` is how the board learns about edges; `read` is what digitalRead returns.
 */
export interface PinSource {
  read(): boolean;
  onChange(fn: (high: boolean) => void): void;
}

/** A pin level that a chip model or a test drives. */
export class ChipPin implements PinSource {
  private listeners: Array<(high: boolean) => void> = [];
  constructor(private level: boolean) {}
  read(): boolean {
    return this.level;
  }
  onChange(fn: (high: boolean) => void): void {
    this.listeners.push(fn);
  }
  set(high: boolean): void {
    if (high === this.level) return;
    this.level = high;
    for (const fn of this.listeners) fn(high);
  }
}
