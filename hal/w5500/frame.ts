import { Control } from './registers';

/**
 * The three header bytes of a variable-length-data-mode frame: 16-bit offset (high byte first),
 * then BSB<<3 | RWB<<2 | OM (datasheet p.13–14). Written into `buf` at `at` so frames are built
 * in place in a reused buffer.
 */
export function putHeader(buf: Uint8Array, at: number, address: number, block: number, write: boolean): void {
  buf[at] = (address >> 8) & 0xff;
  buf[at + 1] = address & 0xff;
  buf[at + 2] = ((block & 0x1f) << 3) | (write ? Control.Write : Control.Read) | Control.VDM;
}

/** The control byte alone, for a block and direction (VDM). */
export function controlByte(block: number, write: boolean): number {
  return ((block & 0x1f) << 3) | (write ? Control.Write : Control.Read) | Control.VDM;
}
