import type { Clock } from '../clock';
import type { EncBus } from './bus';
import { MICMD, MISTAT, Reg } from './registers';

/** MISTAT.BUSY polls before giving up; the MII needs 10.24 µs (DS §3.3), one poll on a board. */
const enum Mii {
  POLLS = 4,
}

/**
 * Waits for MISTAT.BUSY to clear: read at once (on a board the SPI traffic alone outlasts 10.24 µs),
 * then 1 ms apart. Returns false when the bus failed or BUSY never cleared.
 */
function miiIdle(bus: EncBus, clock: Clock): boolean {
  for (let i = 0; i < Mii.POLLS; i++) {
    const s = bus.read(Reg.MISTAT);
    if (s < 0) return false;
    if (!(s & MISTAT.BUSY)) return true;
    clock.pause(1);
  }
  return false;
}

/**
 * Reads a PHY register through the MII (DS §3.3.1): MIREGADR, MICMD.MIIRD, wait for BUSY to clear,
 * MICMD = 0, then MIRDL and MIRDH. Returns the 16-bit value or -1.
 */
export function phyRead(bus: EncBus, clock: Clock, phy: number): number {
  if (!bus.write(Reg.MIREGADR, phy) || !bus.write(Reg.MICMD, MICMD.MIIRD)) return -1;
  if (!miiIdle(bus, clock)) return -1;
  if (!bus.write(Reg.MICMD, 0)) return -1;
  const lo = bus.read(Reg.MIRDL);
  const hi = lo < 0 ? -1 : bus.read(Reg.MIRDH);
  if (hi < 0) return -1;
  return (hi << 8) | lo;
}

/** Writes a PHY register (DS §3.3.2): MIREGADR, MIWRL, MIWRH (which starts the write), wait for BUSY. */
export function phyWrite(bus: EncBus, clock: Clock, phy: number, value: number): boolean {
  return bus.write(Reg.MIREGADR, phy) && bus.write(Reg.MIWRL, value & 0xff) && bus.write(Reg.MIWRH, (value >> 8) & 0xff) &&
    miiIdle(bus, clock);
}
