/**
 * Receive path (DS §7.2, §8): a frame from the wire passes the MAC checks and the ERXFCON filters and is written
 * into the circular buffer ERXST..ERXND behind a 6-byte header (next-packet pointer, byte count with the 4 CRC
 * bytes, status vector bits 16–31), the data followed by its CRC, the next frame starting at an even address.
 */
import { fcsBytes, crc32 } from '../net/fcs';
import { ptr, setPtr, step, type EncCore } from './core';
import { ECON1, EIR, ERXFCON, MACON1, MACON3, Mem, Reg, Rsv } from './registers';

/** frames shorter than this (without FCS) are collision fragments and never stored */
const MIN_FRAME = 60;
const MAX_EPKTCNT = 255;
const ETH_TYPE_VLAN = 0x8100;
const ETH_TYPE_MAC_CONTROL = 0x8808;
const MAX_LENGTH_FIELD = 1500;

function isBroadcast(f: Uint8Array): boolean {
  return f[0] === 0xff && f[1] === 0xff && f[2] === 0xff && f[3] === 0xff && f[4] === 0xff && f[5] === 0xff;
}

/** MAADR as wire octets 1–6 (DS Table 3-1 order: MAADR1 at 0x64 … see registers.ts) */
export function macAddress(regs: Uint8Array): Uint8Array {
  return new Uint8Array([regs[Reg.MAADR1], regs[Reg.MAADR2], regs[Reg.MAADR3], regs[Reg.MAADR4], regs[Reg.MAADR5], regs[Reg.MAADR6]]);
}

function sameAddress(f: Uint8Array, at: number, mac: Uint8Array): boolean {
  for (let i = 0; i < 6; i++) if (f[at + i] !== mac[i]) return false;
  return true;
}

/** IP-style one's complement sum over a byte stream (the pattern-match checksum, DS §8.2) */
function onesComplement(bytes: number[]): number {
  let s = 0;
  for (let i = 0; i < bytes.length; i += 2) s += (bytes[i] << 8) | (i + 1 < bytes.length ? bytes[i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

export class EncRx {
  constructor(private c: EncCore) {}

  /** one frame (no FCS) from the wire, or looped back from our own transmitter */
  receive(frame: Uint8Array, fcsBad: boolean): void {
    const c = this.c;
    const r = c.regs;
    const t = c.time();
    const len = frame.length;
    if (!(r[Reg.ECON1] & ECON1.RXEN) || (r[Reg.ECON1] & ECON1.RXRST) || !(r[Reg.MACON1] & MACON1.MARXEN)) return c.trace.drop(t, 'disabled', len);
    if (len < MIN_FRAME) return c.trace.drop(t, 'runt', len);
    const maxfl = r[Reg.MAMXFLL] | (r[Reg.MAMXFLH] << 8);
    if (len + 4 > maxfl && !(r[Reg.MACON3] & MACON3.HFRMLEN)) return c.trace.drop(t, 'tooLong', len);
    const fcon = r[Reg.ERXFCON];
    if (fcsBad && (fcon & ERXFCON.CRCEN)) return c.trace.drop(t, 'crc', len);
    if (!this.passes(frame, fcon)) return c.trace.drop(t, 'filter', len);
    if (c.errata.dmaChecksumDropsRx && (r[Reg.ECON1] & (ECON1.DMAST | ECON1.CSUMEN)) === (ECON1.DMAST | ECON1.CSUMEN)) return c.trace.drop(t, 'dmaChecksum', len);
    if (r[Reg.EPKTCNT] >= MAX_EPKTCNT) {
      c.raise(EIR.RXERIF);
      return c.trace.drop(t, 'countFull', len);
    }
    const st = ptr(r, Reg.ERXSTL);
    const nd = ptr(r, Reg.ERXNDL);
    const size = nd >= st ? nd - st + 1 : 0;
    const wr = ptr(r, Reg.ERXWRPTL);
    const rd = ptr(r, Reg.ERXRDPTL);
    const stored = 6 + len + 4;
    const padded = stored + (stored & 1);
    // bytes the chip may fill from wr before it reaches ERXRDPT; the write pointer never catches up with it
    let room = (rd - wr + Mem.SIZE) % Mem.SIZE;
    if (wr >= st && wr <= nd) room = (rd - wr + size) % size;
    if (room === 0) room = size;
    if (size === 0 || padded >= room) {
      c.raise(EIR.RXERIF);
      return c.trace.drop(t, 'overflow', len);
    }
    let next = wr;
    for (let i = 0; i < padded; i++) next = step(next, st, nd);
    let nextField = next;
    if (c.errata.evenRxRdptCorrupts && (rd & 1) === 0) nextField = next | 1;
    const status = this.status(frame, fcsBad);
    const fcs = fcsBytes(frame);
    if (fcsBad) fcs[0] ^= 0xff;
    const count = len + 4;
    const head = [nextField & 0xff, nextField >> 8, count & 0xff, count >> 8, status & 0xff, status >> 8];
    let p = wr;
    const m = c.mem;
    for (let i = 0; i < 6; i++) { m[p] = head[i]; p = step(p, st, nd); }
    for (let i = 0; i < len; i++) { m[p] = frame[i]; p = step(p, st, nd); }
    for (let i = 0; i < 4; i++) { m[p] = fcs[i]; p = step(p, st, nd); }
    setPtr(r, Reg.ERXWRPTL, next);
    r[Reg.EPKTCNT]++;
    c.trace.counters.rxFrames++;
    c.trace.counters.rxBytes += len;
    c.trace.record({ t, ev: 'rx', at: wr, next: nextField, len, status, epktcnt: r[Reg.EPKTCNT] });
    c.raise(EIR.PKTIF);
  }

  /** DS Fig. 8-1 (OR) and 8-2 (AND); no filter enabled = promiscuous */
  private passes(f: Uint8Array, fcon: number): boolean {
    const and = (fcon & ERXFCON.ANDOR) !== 0;
    const mac = macAddress(this.c.regs);
    const tests: [number, () => boolean][] = [
      [ERXFCON.UCEN, () => sameAddress(f, 0, mac)],
      [ERXFCON.PMEN, () => this.patternMatch(f)],
      [ERXFCON.MPEN, () => sameAddress(f, 0, mac) && this.magicPacket(f, mac)],
      [ERXFCON.HTEN, () => this.hashHit(f)],
      [ERXFCON.MCEN, () => (f[0] & 1) === 1],
      [ERXFCON.BCEN, () => isBroadcast(f)],
    ];
    let any = false;
    for (const [bit, test] of tests) {
      if (!(fcon & bit)) continue;
      any = true;
      const ok = test();
      if (and && !ok) return false;
      if (!and && ok) return true;
    }
    return !any || and;
  }

  private patternMatch(f: Uint8Array): boolean {
    const r = this.c.regs;
    const off = r[Reg.EPMOL] | (r[Reg.EPMOH] << 8);
    if (off + 64 > f.length) return false;
    const picked: number[] = [];
    for (let i = 0; i < 64; i++) if (r[Reg.EPMM0 + (i >> 3)] & (1 << (i & 7))) picked.push(f[off + i]);
    return onesComplement(picked) === (r[Reg.EPMCSL] | (r[Reg.EPMCSH] << 8));
  }

  /** six 0xFF then the station address sixteen times, anywhere after the header (DS §8.5) */
  private magicPacket(f: Uint8Array, mac: Uint8Array): boolean {
    for (let i = 14; i + 6 + 96 <= f.length; i++) {
      let ok = true;
      for (let k = 0; k < 6 && ok; k++) ok = f[i + k] === 0xff;
      for (let n = 0; n < 16 && ok; n++) ok = sameAddress(f, i + 6 + n * 6, mac);
      if (ok) return true;
    }
    return false;
  }

  /** CRC of the destination address, bits 28–23 select one of the 64 EHT bits (DS §8.4) */
  private hashHit(f: Uint8Array): boolean {
    const ptrBits = (crc32(f.subarray(0, 6)) >>> 23) & 0x3f;
    return (this.c.regs[Reg.EHT0 + (ptrBits >> 3)] & (1 << (ptrBits & 7))) !== 0;
  }

  private status(f: Uint8Array, fcsBad: boolean): number {
    const r = this.c.regs;
    const type = (f[12] << 8) | f[13];
    let s = 0;
    if (fcsBad) s |= Rsv.CRC_ERROR;
    if (type > MAX_LENGTH_FIELD) s |= Rsv.LENGTH_RANGE;
    else if ((r[Reg.MACON3] & MACON3.FRMLNEN) && type !== f.length - 14 && !(f.length === MIN_FRAME && type < f.length - 14)) s |= Rsv.LENGTH_CHECK;
    if (!(s & (Rsv.CRC_ERROR | Rsv.LENGTH_CHECK))) s |= Rsv.RX_OK;
    if (isBroadcast(f)) s |= Rsv.BROADCAST;
    else if (f[0] & 1) s |= Rsv.MULTICAST;
    if (type === ETH_TYPE_MAC_CONTROL) {
      s |= Rsv.CONTROL;
      s |= ((f[14] << 8) | f[15]) === 1 ? Rsv.PAUSE : Rsv.UNKNOWN_OPCODE;
    }
    if (type === ETH_TYPE_VLAN) s |= Rsv.VLAN;
    return s;
  }
}
