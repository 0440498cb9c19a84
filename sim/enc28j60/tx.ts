/**
 * Transmit path (DS §7.1): TXRTS sends the frame ETXST+1..ETXND, shaped by its control byte or MACON3 (padding,
 * CRC, huge frames); when it has left, the chip clears TXRTS, writes the 7-byte status vector at ETXND+1 and sets
 * TXIF (and TXERIF on an abort). Errata #12, #13 and #15 live here.
 */
import { crc32, fcsBytes } from '../net/fcs';
import { SeededRandom } from '../net/seeded-random';
import { ptr, type EncCore } from './core';
import { ECON1, EIR, ESTAT, MACON3, Mem, Reg, Tsv, TxControl } from './registers';

/** one byte at 10 Mbit/s, in ms */
const BYTE_MS = 0.0008;
const PREAMBLE = 8;
const MIN_FRAME = 60;
const VLAN_MIN = 64;
const ETH_TYPE_VLAN = 0x8100;
const ETH_TYPE_MAC_CONTROL = 0x8808;
const MAX_LENGTH_FIELD = 1500;

export interface TxOut {
  /** the frame as it goes on the wire, without FCS */
  frame: Uint8Array;
  fcsBad: boolean;
}

interface Pending { at: number; out: TxOut; tsv: Uint8Array; abort: boolean }

export class EncTx {
  /** errata #12: the TX logic is locked until a TXRST pulse */
  locked = false;
  private pending: Pending | undefined;
  private recovered = false;
  private rnd: SeededRandom;

  constructor(private c: EncCore, seed: number, private deliver: (out: TxOut) => void) {
    this.rnd = new SeededRandom(seed);
  }

  reset(): void {
    this.pending = undefined;
    this.locked = false;
    this.recovered = false;
  }

  busy(): boolean {
    return this.pending !== undefined || this.stalled();
  }
  stalled(): boolean {
    return this.locked && (this.c.regs[Reg.ECON1] & ECON1.TXRTS) !== 0;
  }

  /** TXRTS went from 0 to 1 */
  start(): void {
    const c = this.c;
    const t = c.time();
    if (c.regs[Reg.ECON1] & ECON1.TXRST) {
      c.regs[Reg.ECON1] &= ~ECON1.TXRTS;
      c.trace.record({ t, ev: 'tx', ignored: 'TXRTS while TXRST' });
      return;
    }
    if (this.locked) {
      c.trace.record({ t, ev: 'tx', stalled: true });
      return;
    }
    c.regs[Reg.ESTAT] &= ~(ESTAT.TXABRT | ESTAT.LATECOL);
    const shaped = this.shape();
    const lateCol = !c.phy.fullDuplex() && c.errata.lateCollision &&
      (c.faults.lateCollisionsLeft > 0 || this.rnd.chance(c.faults.lateCollisionRate));
    if (lateCol && c.faults.lateCollisionsLeft > 0) c.faults.lateCollisionsLeft--;
    const r = c.regs;
    const maxfl = r[Reg.MAMXFLL] | (r[Reg.MAMXFLH] << 8);
    const giant = !shaped.huge && shaped.wire.length > maxfl;
    let flags = shaped.flags | Tsv.DONE;
    if (giant) flags = (flags | Tsv.GIANT) & ~Tsv.DONE;
    if (lateCol) flags = (flags | Tsv.LATE_COLLISION) & ~Tsv.DONE;
    const n = shaped.wire.length;
    const tsv = new Uint8Array([n & 0xff, n >> 8, flags & 0xff, flags >> 8, n & 0xff, n >> 8, 0]);
    if (shaped.control) tsv[6] |= 0x01;
    if (shaped.pause) tsv[6] |= 0x02;
    if (shaped.vlan) tsv[6] |= 0x08;
    const abort = giant || lateCol;
    // an aborted frame stops early; a late collision comes after the collision window (MACLCON2 bytes)
    const bytesOnWire = giant ? 0 : lateCol ? Math.min(n, (r[Reg.MACLCON2] & 0x3f) + 8) : n;
    const fcsBad = crc32(shaped.wire.subarray(0, n - 4)) !== readLe32(shaped.wire, n - 4);
    this.pending = {
      at: t + (PREAMBLE + bytesOnWire) * BYTE_MS, abort, tsv,
      out: { frame: shaped.wire.slice(0, n - 4), fcsBad },
    };
    c.trace.record({ t, ev: 'tx', start: ptr(r, Reg.ETXSTL), len: n - 4, abort: abort ? (giant ? 'giant' : 'lateCollision') : undefined });
  }

  /** TXRTS cleared by software: the transmission is cancelled */
  cancel(): void {
    const c = this.c;
    if (!this.pending) return;
    this.pending = undefined;
    c.regs[Reg.ESTAT] |= ESTAT.TXABRT;
    c.trace.record({ t: c.time(), ev: 'tx', cancelled: true });
  }

  /** ECON1.TXRST set (true) or cleared (false) */
  txReset(on: boolean): void {
    const c = this.c;
    if (on) {
      if (this.locked) this.recovered = true;
      this.locked = false;
      this.pending = undefined;
      c.regs[Reg.ECON1] &= ~ECON1.TXRTS;
      return;
    }
    if (this.recovered && c.errata.txStallAfterAbort) c.raise(EIR.TXERIF);
    this.recovered = false;
  }

  lock(): void {
    this.locked = true;
    this.pending = undefined;
  }

  nextDeadline(): number | undefined {
    return this.pending ? this.pending.at : undefined;
  }

  /** the transmission in flight has ended by now */
  finish(): void {
    const c = this.c;
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    const r = c.regs;
    let at = (ptr(r, Reg.ETXNDL) + 1) & Mem.MASK;
    for (let i = 0; i < 7; i++) { c.mem[at] = p.tsv[i]; at = (at + 1) & Mem.MASK; }
    r[Reg.ECON1] &= ~ECON1.TXRTS;
    if (p.abort) {
      c.trace.counters.txAborted++;
      r[Reg.ESTAT] |= ESTAT.TXABRT;
      if ((p.tsv[3] << 8 | p.tsv[2]) & Tsv.LATE_COLLISION && !c.errata.latecolUnreliable) r[Reg.ESTAT] |= ESTAT.LATECOL;
      if (c.errata.txStallAfterAbort && !c.phy.fullDuplex()) this.locked = true;
      c.trace.record({ t: c.time(), ev: 'tx', done: false, tsv: Array.from(p.tsv) });
      c.raise(EIR.TXIF | EIR.TXERIF);
      return;
    }
    c.trace.counters.txFrames++;
    c.trace.counters.txBytes += p.out.frame.length;
    c.trace.record({ t: c.time(), ev: 'tx', done: true, tsv: Array.from(p.tsv) });
    this.deliver(p.out);
    c.raise(EIR.TXIF);
  }

  /** the frame as the MAC puts it on the wire (with FCS), and what the status vector says about it */
  private shape(): { wire: Uint8Array; huge: boolean; flags: number; control: boolean; pause: boolean; vlan: boolean } {
    const c = this.c;
    const r = c.regs;
    const st = ptr(r, Reg.ETXSTL);
    const nd = ptr(r, Reg.ETXNDL);
    const len = (nd - st + Mem.SIZE) % Mem.SIZE;
    const ctl = c.mem[st];
    const data = new Uint8Array(len);
    for (let i = 0; i < len; i++) data[i] = c.mem[(st + 1 + i) & Mem.MASK];
    const m3 = r[Reg.MACON3];
    let padTo = 0;
    let crc: boolean;
    let huge: boolean;
    const type = len >= 14 ? (data[12] << 8) | data[13] : 0;
    if (ctl & TxControl.POVERRIDE) {
      padTo = ctl & TxControl.PPADEN ? MIN_FRAME : 0;
      crc = (ctl & TxControl.PCRCEN) !== 0 || padTo > 0;
      huge = (ctl & TxControl.PHUGEEN) !== 0;
    } else {
      const pad = (m3 & MACON3.PADCFG) >> MACON3.PADCFG_SHIFT;
      if (pad === 1) padTo = MIN_FRAME;
      else if (pad === 3 || pad === 7) padTo = VLAN_MIN;
      else if (pad === 5) padTo = type === ETH_TYPE_VLAN ? VLAN_MIN : MIN_FRAME;
      crc = (m3 & MACON3.TXCRCEN) !== 0 || padTo > 0;
      huge = (m3 & MACON3.HFRMLEN) !== 0;
    }
    const body = Math.max(len, padTo);
    const wire = new Uint8Array(body + (crc ? 4 : 0));
    wire.set(data, 0);
    if (crc) wire.set(fcsBytes(wire.subarray(0, body)), body);
    let flags = 0;
    const dst0 = wire[0];
    if (dst0 === 0xff && wire[1] === 0xff && wire[2] === 0xff && wire[3] === 0xff && wire[4] === 0xff && wire[5] === 0xff) flags |= Tsv.BROADCAST;
    else if (dst0 & 1) flags |= Tsv.MULTICAST;
    if (type > MAX_LENGTH_FIELD) flags |= Tsv.LENGTH_RANGE;
    else if ((m3 & MACON3.FRMLNEN) && type !== len - 14 && !(len === MIN_FRAME && type < len - 14)) flags |= Tsv.LENGTH_CHECK;
    if (!crc && wire.length >= 4 && crc32(wire.subarray(0, wire.length - 4)) !== readLe32(wire, wire.length - 4)) flags |= Tsv.CRC_ERROR;
    const control = type === ETH_TYPE_MAC_CONTROL;
    return { wire, huge, flags, control, pause: control && ((data[14] << 8) | data[15]) === 1, vlan: type === ETH_TYPE_VLAN };
  }
}

function readLe32(b: Uint8Array, at: number): number {
  if (at < 0) return -1;
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}
