/** What the receive, transmit and DMA engines share with the SPI front of the model. */
import type { Errata } from './errata';
import type { EncFaults } from './faults';
import type { EncPhy } from './phy';
import type { EncTrace } from './trace';
import { Mem } from './registers';

export interface EncCore {
  regs: Uint8Array;
  mem: Uint8Array;
  errata: Errata;
  trace: EncTrace;
  faults: EncFaults;
  phy: EncPhy;
  /** chip time of the event being handled */
  time(): number;
  /** sets EIR flags (INT follows) */
  raise(eir: number): void;
}

/** a 13-bit buffer pointer from its L/H register pair */
export function ptr(regs: Uint8Array, lo: number): number {
  return (regs[lo] | (regs[lo + 1] << 8)) & Mem.MASK;
}

export function setPtr(regs: Uint8Array, lo: number, v: number): void {
  regs[lo] = v & 0xff;
  regs[lo + 1] = (v >> 8) & 0x1f;
}

/** the next address after `p` in a stream that wraps from `end` to `start` (and from 0x1FFF to 0x0000) */
export function step(p: number, start: number, end: number): number {
  return p === end ? start : (p + 1) & Mem.MASK;
}
