import type { Clock } from '../clock';
import type { OutputPin } from '../pins';
import { FrameErr } from '../frame-driver';
import type { EncBus } from './bus';
import { phyRead, phyWrite } from './phy';
import {
  ECON1, ECON2, EIE, EIR, ERXFCON, Eth, Gap, MACON1, MACON3, MACON4, Mem, PHCON1, PHCON2, PHIE, PHLCON, Phy, PHSTAT2, Reg,
} from './registers';

/** Bring-up waits. */
const enum Wait {
  /** errata #19: after leaving power-save, ≥ 300 µs before SRC */
  POWER_SAVE_EXIT_MS = 1,
  /** errata #2: CLKRDY is set too early after a reset; wait ≥ 1 ms instead of polling it (Linux waits 2) */
  AFTER_RESET_MS = 2,
  /** RESET pin low time (DS: ≥ 400 ns) */
  RESET_LOW_MS = 1,
}

export interface EncConfig {
  mac: Uint8Array;
  fullDuplex: boolean;
  multicast: boolean;
  /** EIE is set only when INT is wired; flags in EIR are set either way */
  interrupts: boolean;
}

/** What EREVID (or any register) reads when nothing drives MISO (0xFF) or something holds it low (0x00). */
export function diagnose(value: number): number {
  if (value === 0xff) return FrameErr.NO_CHIP;
  if (value === 0x00) return FrameErr.WIRING;
  return FrameErr.OK;
}

/**
 * Resets the chip: out of power-save first (errata #19: SRC is ignored in power-save), then the RESET
 * pin if wired, else SRC; then a fixed wait (errata #2). Checks EREVID for presence. Returns OK,
 * NO_CHIP, WIRING or BUS; `rev` gets the revision.
 */
export function resetChip(bus: EncBus, clock: Clock, rst: OutputPin | undefined, rev: Uint8Array): number {
  bus.bank = -1;
  if (!bus.clear(Reg.ECON2, ECON2.PWRSV)) return FrameErr.BUS;
  clock.pause(Wait.POWER_SAVE_EXIT_MS);
  if (rst) {
    rst.write(false);
    clock.pause(Wait.RESET_LOW_MS);
    rst.write(true);
    bus.bank = 0;
  } else if (!bus.reset()) return FrameErr.BUS;
  clock.pause(Wait.AFTER_RESET_MS);
  const r = bus.read(Reg.EREVID);
  if (r < 0) return FrameErr.BUS;
  rev[0] = r;
  return diagnose(r);
}

/**
 * The init sequence after a reset (DS §6, §7; errata #5, #9, #11, #14): buffer pointers with RX ring at
 * 0x0000 and an odd end, receive filters, MAC (duplex in MACON3 matching PHCON1, padding and CRC by
 * the MAC, frame length check, MAMXFL 1518, back-to-back and non-back-to-back gaps), PHY (duplex,
 * HDLDIS in half duplex, LEDs, link interrupt), station address, interrupts, then RXEN.
 * Reads back what a wrong bus would garble. OK, CONFIG, PHY or BUS.
 */
export function configure(bus: EncBus, clock: Clock, cfg: EncConfig): number {
  const full = cfg.fullDuplex;
  let ok = bus.write(Reg.ECON1, 0);
  bus.bank = 0;
  ok = ok && bus.write(Reg.ECON2, ECON2.AUTOINC | ECON2.VRPS) &&
    bus.write16(Reg.ERXSTL, Mem.RX_START) && bus.write16(Reg.ERXNDL, Mem.RX_END) &&
    bus.write16(Reg.ERXRDPTL, Mem.RX_END) && bus.write16(Reg.ERDPTL, Mem.RX_START) &&
    bus.write16(Reg.ETXSTL, Mem.TX_START) && bus.write16(Reg.EWRPTL, Mem.TX_START) &&
    bus.write(Reg.ERXFCON, ERXFCON.UCEN | ERXFCON.CRCEN | ERXFCON.BCEN | (cfg.multicast ? ERXFCON.MCEN : 0)) &&
    bus.write(Reg.MACON1, MACON1.MARXEN | (full ? MACON1.TXPAUS | MACON1.RXPAUS : 0)) &&
    bus.write(Reg.MACON3, MACON3.PADCFG0 | MACON3.TXCRCEN | MACON3.FRMLNEN | (full ? MACON3.FULDPX : 0)) &&
    bus.write(Reg.MACON4, full ? 0 : MACON4.DEFER) &&
    bus.write16(Reg.MAMXFLL, Eth.MAX_WITH_CRC) &&
    bus.write(Reg.MABBIPG, full ? Gap.MABBIPG_FULL : Gap.MABBIPG_HALF) &&
    bus.write(Reg.MAIPGL, Gap.MAIPGL) &&
    bus.write(Reg.MAIPGH, full ? 0 : Gap.MAIPGH_HALF);
  if (!ok) return FrameErr.BUS;
  if (!phyWrite(bus, clock, Phy.PHCON1, full ? PHCON1.PDPXMD : 0) ||
    !phyWrite(bus, clock, Phy.PHCON2, full ? 0 : PHCON2.HDLDIS) ||
    !phyWrite(bus, clock, Phy.PHLCON, PHLCON.LINK_AND_ACTIVITY) ||
    !phyWrite(bus, clock, Phy.PHIE, PHIE.PGEIE | PHIE.PLNKIE)) return FrameErr.PHY;
  const m = cfg.mac;
  ok = bus.write(Reg.MAADR1, m[0]) && bus.write(Reg.MAADR2, m[1]) && bus.write(Reg.MAADR3, m[2]) &&
    bus.write(Reg.MAADR4, m[3]) && bus.write(Reg.MAADR5, m[4]) && bus.write(Reg.MAADR6, m[5]);
  if (!ok) return FrameErr.BUS;
  // Read back through both kinds of RCR (ETH; MAC/MII with its dummy byte) and the MII.
  const nd = bus.read(Reg.ERXNDH);
  const m3 = bus.read(Reg.MACON3);
  const a1 = bus.read(Reg.MAADR1);
  if (nd < 0 || m3 < 0 || a1 < 0) return FrameErr.BUS;
  if (nd !== Mem.RX_END >> 8 || m3 !== (MACON3.PADCFG0 | MACON3.TXCRCEN | MACON3.FRMLNEN | (full ? MACON3.FULDPX : 0)) ||
    a1 !== m[0]) return FrameErr.CONFIG;
  const c1 = phyRead(bus, clock, Phy.PHCON1);
  if (c1 < 0) return FrameErr.PHY;
  if ((c1 & PHCON1.PDPXMD) !== (full ? PHCON1.PDPXMD : 0)) return FrameErr.CONFIG;
  ok = bus.clear(Reg.EIR, EIR.ALL) &&
    bus.write(Reg.EIE, cfg.interrupts ? EIE.INTIE | EIE.PKTIE | EIE.LINKIE | EIE.TXIE | EIE.TXERIE | EIE.RXERIE : 0) &&
    bus.set(Reg.ECON1, ECON1.RXEN);
  return ok ? FrameErr.OK : FrameErr.BUS;
}

/** PHSTAT2.LSTAT now; reading PHIR first acknowledges a pending link interrupt (DS §12.1.5). 1, 0 or -1. */
export function readLink(bus: EncBus, clock: Clock): number {
  if (phyRead(bus, clock, Phy.PHIR) < 0) return -1;
  const s = phyRead(bus, clock, Phy.PHSTAT2);
  if (s < 0) return -1;
  return (s & PHSTAT2.LSTAT) ? 1 : 0;
}

/**
 * Is the chip still there and still configured? ECON1.RXEN is set from bring-up on; a reset clears it
 * and the bank bits. OK, CHIP_RESET, NO_CHIP, WIRING or BUS.
 */
export function checkChip(bus: EncBus): number {
  const c = bus.read(Reg.ECON1);
  if (c < 0) return FrameErr.BUS;
  const believed = bus.bank;
  // Whatever we believed, BSEL now says which bank the next RCR reaches.
  bus.bank = c & ECON1.BSEL;
  if (c === 0xff || c === 0x00) {
    const r = bus.read(Reg.EREVID);
    if (r < 0) return FrameErr.BUS;
    const d = diagnose(r);
    if (d !== FrameErr.OK) return d;
  }
  if (!(c & ECON1.RXEN)) return FrameErr.CHIP_RESET;
  if (believed >= 0 && (c & ECON1.BSEL) !== believed) return FrameErr.CHIP_RESET;
  return FrameErr.OK;
}
