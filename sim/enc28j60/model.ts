/**
 * Model of the Microchip ENC28J60 as the SPI bus sees it: one call per chip-select window with the MOSI bytes,
 * answered with the MISO bytes the silicon would shift out. Registers with their reset values and banks, the 8 KB
 * buffer with the receive ring and the transmitter, the PHY behind MII, EIE/EIR and the INT pin, DMA, and the rev.
 * B7 errata (errata.ts). The wire is a FramePort (a frame pipe or a TAP device). The class does no I/O and reads
 * time only through `now()`, so it runs in a test thread on a virtual clock or in a worker in real time.
 * Behaviour, sources and assumptions: sim/enc28j60/README.md.
 */
import type { FramePort } from '../net/frame-port';
import { ptr, setPtr, step, type EncCore } from './core';
import { ControlRegisters } from './control-registers';
import { EncDma } from './dma';
import { defaultErrata, type Errata } from './errata';
import { EncFaults } from './faults';
import { EncPhy } from './phy';
import { REGS, Kind, regId, resetValues } from './register-table';
import { BUFFER_ARG, ECON1, ECON2, EIE, EIR, Mem, Opcode, Reg, SRC_BYTE } from './registers';
import { EncRx } from './rx';
import { EncTrace, hex } from './trace';
import { EncTx, type TxOut } from './tx';

export { EncFaults } from './faults';
export { EncTrace } from './trace';
export type { Errata } from './errata';

export interface Enc28j60ModelOptions {
  now: () => number;
  /** the wire; frames are sent on it and received from it (may be attached later with attach()) */
  wire?: FramePort;
  trace?: boolean;
  /** errata switches (default: every one on, as rev. B7 silicon) */
  errata?: Partial<Errata>;
  /**
   * BFS/BFC on a MAC/MII address: 'apply' (default: drivers that do it work on real chips, see README) or
   * 'ignore'. Counted as a driver fault either way.
   */
  bitOpsOnMacMii?: 'apply' | 'ignore';
  /** how long after a reset (SRC, RST, power-up) the chip ignores writes, ms (default 1, errata #2 workaround) */
  resetBusyMs?: number;
  /** seed of the random late collisions (faults.lateCollisionRate) */
  seed?: number;
}

/** what MISO carries after a torn window's cut: nobody drives the line */
const FLOAT_MISO = 0xff;

export class Enc28j60Model {
  readonly faults: EncFaults;
  readonly trace: EncTrace;
  readonly errata: Errata;
  /** the 8 KB buffer (tests may look, the driver may not) */
  readonly mem = new Uint8Array(Mem.SIZE);

  private now: () => number;
  private cur: number;
  private regs = resetValues();
  private phy: EncPhy;
  private rx: EncRx;
  private tx: EncTx;
  private dma: EncDma;
  private cregs: ControlRegisters;
  private wire: FramePort | undefined;
  private readyAt = -Infinity;
  private resetBusyMs: number;
  private bitOps: 'apply' | 'ignore';
  private cableAt: { at: number; up: boolean } | undefined;
  private intnHigh = true;
  private intnCbs: ((high: boolean) => void)[] = [];

  constructor(opts: Enc28j60ModelOptions) {
    this.now = opts.now;
    this.cur = this.now();
    this.trace = new EncTrace(!!opts.trace);
    this.errata = Object.assign(defaultErrata(), opts.errata || {});
    this.resetBusyMs = opts.resetBusyMs !== undefined ? opts.resetBusyMs : 1;
    this.bitOps = opts.bitOpsOnMacMii || 'apply';
    const self = this;
    this.faults = new EncFaults({
      setCable(up: boolean) { self.advance(); self.cableAt = undefined; self.phy.cable = up; self.phy.checkLink(self.cur); self.updateInt(); },
      cable() { return self.phy.cable; },
      scheduleCable(up: boolean, afterMs: number) { self.cableAt = { at: self.cur + afterMs, up }; },
      selfReset() { self.advance(); self.resetChip('fault'); },
      lockTx() { self.advance(); self.tx.lock(); },
      inject(frame: Uint8Array, fcsBad: boolean) { self.receive(frame, fcsBad); },
    });
    const core: EncCore = {
      regs: this.regs, mem: this.mem, errata: this.errata, trace: this.trace, faults: this.faults,
      phy: undefined as unknown as EncPhy,
      time: () => self.cur,
      // PKTIF is not stored: it is EPKTCNT ≠ 0
      raise: (eir: number) => { self.regs[Reg.EIR] |= eir & ~EIR.PKTIF; self.updateInt(); },
    };
    this.phy = new EncPhy({
      regs: this.regs,
      setLinkIf(on: boolean) {
        if (on) self.regs[Reg.EIR] |= EIR.LINKIF;
        else self.regs[Reg.EIR] &= ~EIR.LINKIF;
        self.updateInt();
      },
      trace(rec: Record<string, unknown>) { self.trace.record(rec); },
    });
    core.phy = this.phy;
    this.rx = new EncRx(core);
    this.tx = new EncTx(core, opts.seed !== undefined ? opts.seed : 1, (out) => this.transmitted(out));
    this.dma = new EncDma(core);
    this.cregs = new ControlRegisters({
      core, tx: this.tx, dma: this.dma,
      intAsserted: () => !self.intnHigh,
      ready: () => self.cur >= self.readyAt,
      updateInt: () => self.updateInt(),
    });
    if (opts.wire) this.attach(opts.wire);
  }

  // ───────────────────────────── public surface ─────────────────────────────

  /** connects the chip's wire side (replacing any earlier one) */
  attach(wire: FramePort): void {
    if (this.wire) this.wire.setReceiver(undefined);
    this.wire = wire;
    wire.setReceiver((frame, fcsBad) => this.receive(frame, fcsBad));
  }

  /** INT is active low: true = high (no enabled interrupt pending) */
  get intn(): boolean {
    return this.intnHigh;
  }
  onIntn(cb: (high: boolean) => void): void {
    this.intnCbs.push(cb);
  }

  /** chip time: how far the model has run (≤ now()) */
  get time(): number {
    return this.cur;
  }

  /** one chip-select window: MOSI in, MISO (same length) out */
  exchange(mosi: Uint8Array): Uint8Array {
    this.advance();
    const n = mosi.length;
    // MISO is 0x00 while the opcode and write data are clocked in (undocumented; assumed)
    const miso = new Uint8Array(n);
    const c = this.trace.counters;
    c.transactions++;
    c.bytes += n;
    const absent = this.faults.chipAbsent;
    if (absent !== false) {
      miso.fill(absent);
      this.trace.record({ t: this.cur, ev: 'spi', absent: true, mosi: hex(mosi) });
      return miso;
    }
    let len = n;
    if (this.faults.tearAt >= 0) {
      len = Math.min(n, this.faults.tearAt);
      this.faults.tearAt = -1;
      miso.fill(FLOAT_MISO, len);
      this.trace.record({ t: this.cur, ev: 'spi', torn: len, of: n });
    }
    if (len > 0) this.instruction(mosi, miso, len);
    this.updateInt();
    return miso;
  }

  /** a frame from the wire (the wire's receiver; tests may call it to inject) */
  receive(frame: Uint8Array, fcsBad: boolean): void {
    this.advance();
    if (!this.phy.linkUp(this.cur) || this.phy.loopback()) { this.trace.drop(this.cur, 'noLink', frame.length); return; }
    if (this.cur < this.readyAt) { this.trace.drop(this.cur, 'disabled', frame.length); return; }
    this.rx.receive(frame, fcsBad);
    this.updateInt();
  }

  /** the RST pin pulsed */
  hardReset(): void {
    this.advance();
    this.resetChip('RST');
  }

  /** runs the chip's own timers (MII, transmission, DMA, PHY reset, scheduled link changes) up to now() */
  advance(): void {
    const target = this.now();
    for (let guard = 0; guard < 100000; guard++) {
      const due = this.nextDeadline();
      if (due === undefined || due > target) break;
      this.cur = Math.max(this.cur, due);
      this.fire();
    }
    this.cur = Math.max(this.cur, target);
    this.phy.advance(this.cur);
    this.updateInt();
  }

  /** when the chip next does something on its own (absolute ms), or undefined */
  nextDeadline(): number | undefined {
    let best = this.phy.nextDeadline();
    const more = [this.tx.nextDeadline(), this.dma.nextDeadline(), this.cableAt ? this.cableAt.at : undefined];
    for (const t of more) if (t !== undefined && (best === undefined || t < best)) best = t;
    return best;
  }

  /** a register as the driver would read it, without side effects (tests) */
  peekRegister(id: number): number {
    return this.cregs.read(id, false);
  }
  /** a PHY register's current value, without side effects (tests) */
  peekPhy(reg: number): number {
    return this.phy.peek(reg, this.cur);
  }
  /** the transmitter is locked (errata #12) */
  get txLocked(): boolean {
    return this.tx.locked;
  }

  // ───────────────────────────── SPI front ─────────────────────────────

  private instruction(mosi: Uint8Array, miso: Uint8Array, len: number): void {
    const b0 = mosi[0];
    const t = this.cur;
    if (b0 === SRC_BYTE) {
      this.trace.record({ t, ev: 'spi', op: 'SRC' });
      this.resetChip('SRC');
      return;
    }
    const op = b0 >> 5;
    const arg = b0 & 0x1f;
    const bank = this.regs[Reg.ECON1] & ECON1.BSEL;
    const id = regId(bank, arg);
    switch (op) {
      case Opcode.RCR: return this.rcr(id, mosi, miso, len);
      case Opcode.WCR:
      case Opcode.BFS:
      case Opcode.BFC: return this.writeOp(op, id, mosi, len);
      case Opcode.RBM:
      case Opcode.WBM:
        if (arg === BUFFER_ARG) return op === Opcode.RBM ? this.rbm(miso, len) : this.wbm(mosi, len);
        break;
    }
    this.trace.fault(t, 'badInstruction', { mosi: hex(mosi.subarray(0, len)) });
  }

  private rcr(id: number, mosi: Uint8Array, miso: Uint8Array, len: number): void {
    const def = REGS[id];
    const mac = def.kind === Kind.MacMii;
    const first = mac ? 2 : 1;
    const v = this.cregs.read(id, true);
    if (mac && len >= 2) miso[1] = ~v & 0xff; // the dummy byte: undefined on silicon, never the value here
    for (let i = first; i < len; i++) miso[i] = v;
    if (mac && len === 2) this.trace.fault(this.cur, 'macMiiReadWithoutDummy', { reg: def.name });
    if (len > first + 1) this.trace.fault(this.cur, 'extraBytes', { op: 'RCR', reg: def.name, bytes: len - first - 1 });
    this.trace.record({ t: this.cur, ev: 'spi', op: 'RCR', reg: def.name || 'reserved', value: v, mosi: hex(mosi.subarray(0, len)), miso: hex(miso) });
  }

  private writeOp(op: number, id: number, mosi: Uint8Array, len: number): void {
    const t = this.cur;
    const def = REGS[id];
    const name = op === Opcode.WCR ? 'WCR' : op === Opcode.BFS ? 'BFS' : 'BFC';
    this.trace.record({ t, ev: 'spi', op: name, reg: def.name || 'reserved', mosi: hex(mosi.subarray(0, len)) });
    if (len < 2) return;
    if (len > 2) this.trace.fault(t, 'extraBytes', { op: name, reg: def.name, bytes: len - 2 });
    const d = mosi[1];
    if (op !== Opcode.WCR && def.kind === Kind.MacMii) {
      this.trace.fault(t, 'bitOpOnMacMii', { op: name, reg: def.name });
      if (this.bitOps === 'ignore') return;
    }
    if (t < this.readyAt) {
      this.trace.fault(t, 'writeWhileResetting', { reg: def.name });
      return;
    }
    const old = this.cregs.read(id, false);
    const v = op === Opcode.WCR ? d : op === Opcode.BFS ? old | d : old & ~d;
    this.cregs.write(id, v & 0xff);
  }

  private rbm(miso: Uint8Array, len: number): void {
    const r = this.regs;
    const auto = (r[Reg.ECON2] & ECON2.AUTOINC) !== 0;
    const st = ptr(r, Reg.ERXSTL);
    const nd = ptr(r, Reg.ERXNDL);
    let p = ptr(r, Reg.ERDPTL);
    const from = p;
    for (let i = 1; i < len; i++) {
      miso[i] = this.mem[p];
      if (auto) p = step(p, st, nd);
    }
    setPtr(r, Reg.ERDPTL, p);
    this.trace.counters.payloadBytes += len - 1;
    this.trace.record({ t: this.cur, ev: 'spi', op: 'RBM', at: from, bytes: len - 1 });
  }

  private wbm(mosi: Uint8Array, len: number): void {
    const r = this.regs;
    const t = this.cur;
    if (t < this.readyAt) {
      this.trace.fault(t, 'writeWhileResetting', { op: 'WBM' });
      return;
    }
    const auto = (r[Reg.ECON2] & ECON2.AUTOINC) !== 0;
    let p = ptr(r, Reg.EWRPTL);
    const from = p;
    const busyTx = (r[Reg.ECON1] & ECON1.TXRTS) !== 0;
    const txSt = ptr(r, Reg.ETXSTL);
    const txEnd = (ptr(r, Reg.ETXNDL) + 7) & Mem.MASK;
    let touched = false;
    for (let i = 1; i < len; i++) {
      if (busyTx && !touched && inRange(p, txSt, txEnd)) touched = true;
      this.mem[p] = mosi[i];
      if (auto) p = (p + 1) & Mem.MASK;
    }
    setPtr(r, Reg.EWRPTL, p);
    this.trace.counters.payloadBytes += len - 1;
    if (touched) this.trace.fault(t, 'txWhileTxrts', { op: 'WBM', at: from });
    this.trace.record({ t, ev: 'spi', op: 'WBM', at: from, bytes: len - 1 });
  }

  // ───────────────────────────── time, wire, reset, INT ─────────────────────────────

  private fire(): void {
    const t = this.cur;
    this.phy.advance(t);
    if (this.cableAt && this.cableAt.at <= t) {
      this.phy.cable = this.cableAt.up;
      this.cableAt = undefined;
      this.phy.checkLink(t);
    }
    const tx = this.tx.nextDeadline();
    if (tx !== undefined && tx <= t) this.tx.finish();
    const dma = this.dma.nextDeadline();
    if (dma !== undefined && dma <= t) this.dma.finish();
    this.updateInt();
  }

  private transmitted(out: TxOut): void {
    const t = this.cur;
    const loop = this.phy.loopback();
    const hearOwn = loop || (!this.phy.fullDuplex() && this.errata.halfDuplexLoopback && !this.phy.halfDuplexLoopbackDisabled());
    if (!loop && this.phy.linkUp(t) && !this.phy.txDisabled() && this.wire) this.wire.send(out.frame, out.fcsBad);
    else this.trace.record({ t, ev: 'tx', notOnWire: loop ? 'loopback' : 'no link' });
    if (hearOwn) this.rx.receive(out.frame, out.fcsBad);
  }

  private resetChip(how: string): void {
    this.regs.set(resetValues());
    this.cregs.reset();
    this.phy.reset(this.cur);
    this.tx.reset();
    this.dma.reset();
    this.readyAt = this.cur + this.resetBusyMs;
    this.trace.record({ t: this.cur, ev: 'reset', how });
    this.updateInt();
  }

  private updateInt(): void {
    const r = this.regs;
    let eir = r[Reg.EIR];
    if (r[Reg.EPKTCNT] > 0) eir |= EIR.PKTIF;
    const want = (r[Reg.EIE] & EIE.INTIE) !== 0 && (r[Reg.EIE] & eir & EIR.ALL) !== 0;
    if (want === !this.intnHigh) return;
    this.intnHigh = !want;
    this.trace.record({ t: this.cur, ev: 'int', high: this.intnHigh });
    for (const cb of this.intnCbs) cb(this.intnHigh);
  }
}

function inRange(p: number, from: number, to: number): boolean {
  return from <= to ? p >= from && p <= to : p >= from || p <= to;
}
