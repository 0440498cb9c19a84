import type { W5500Bus } from './bus';
import { W5500Err } from './errors';

/** How many reads a 16-bit counter gets to produce two equal values in a row. */
const enum Stable {
  TRIES = 6,
}

/**
 * Reads a run of registers that starts with a 16-bit counter the chip updates on its own
 * (Sn_TX_FSR, Sn_RX_RSR) until two successive reads give the same counter (datasheet p.54–55:
 * the two bytes can change between each other). Returns the counter, TORN if it never settled,
 * or BUS. The rest of the run (e.g. Sn_TX_WR or Sn_RX_RD) is copied into `rest` from the last read.
 */
export function readStable(bus: W5500Bus, address: number, block: number, length: number, rest: Uint8Array | undefined): number {
  let prev = -1;
  for (let i = 0; i < Stable.TRIES; i++) {
    const v = bus.read(address, block, length);
    if (!v) return W5500Err.BUS;
    const value = (v[0] << 8) | v[1];
    if (value === prev) {
      if (rest) rest.set(v.subarray(2, length));
      return value;
    }
    prev = value;
  }
  return W5500Err.TORN;
}
