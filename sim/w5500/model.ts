/**
 * Model of the WIZnet W5500 as the SPI bus sees it: registers, socket buffers, the socket state machines with
 * their timers, and the INTn pin. The network behind the PHY is a NetSide (virtual peers or host sockets).
 * Behaviour and its sources: sim/w5500/README.md. The class does no I/O of its own and reads time only
 * through `now()`, so it runs synchronously in a test thread (virtual time) or inside a worker (real time).
 */
import type { NetSide } from './network';
import { Chip, CommonReg, CommonSize, IR, MR, PHYCFGR, SnReg, SnSize, Sn_IR, VERSIONR } from '../../hal/w5500/registers';
import { Access, COMMON_MAP, SOCKET_MAP } from './register-table';
import { intLevelGapMs } from './timing';
import { W5500Faults } from './faults';
import { W5500Trace, hex } from './trace';
import type { TraceSpec } from './trace';
import { BufferMemory } from './buffers';
import { SocketEngine, type FinWait2 } from './sockets';
import type { Sock } from './socket-state';

export { W5500Faults } from './faults';
export type { TornReads } from './faults';
export { W5500Trace } from './trace';
export type { FinWait2 } from './sockets';

export interface W5500ModelOptions {
  net: NetSide;
  now: () => number;
  /** what the trace records (trace.ts): true = everything, or a list of record kinds */
  trace?: TraceSpec;
  /** Sn_IR bits raised when a RST closes the socket (peer reset, CONNECT refused). Default Sn_IR.DISCON (inferred). */
  rstIr?: number;
  /** how long SOCK_TIME_WAIT lasts, ms (undocumented; default 1) */
  timeWaitMs?: number;
  /**
   * FIN_WAIT with our FIN acknowledged and no FIN from the peer: 'tcpto' (default, datasheet) TIMEOUT + CLOSED when
   * the DISCON's retries run out (TCP_TO); 'forever' stays; a number of ms: TIMEOUT + CLOSED that long after the ACK
   */
  finWait2?: FinWait2;
  /** SEND_OK when the peer has acknowledged all data of the SEND ('ack', default) or when the SEND is handed to the wire ('send') */
  sendOkOn?: 'ack' | 'send';
  /** Sn_IR bits are set only when enabled in Sn_IMR (datasheet text, default true); false = Sn_IMR gates INTn only */
  imrGatesSnIr?: boolean;
  /** MISO during the 3 header bytes; default 01 02 03 (reported) */
  headerMiso?: [number, number, number];
  /** MISO during the data bytes of a write frame; default 0x00 (inferred) */
  writeMiso?: number;
  /** value OPEN gives Sn_TX_RD/WR and Sn_RX_RD/WR; default 0. Non-zero values exercise 16-bit pointer wrap. */
  pointerBase?: number;
  /** the manual SEND_KEEP and the automatic probe both need one data exchange first (datasheet p.57); default true */
  keepAliveNeedsData?: boolean;
}

const enum Tear { None = 0, Frame = 1, Split = 2 }

const FDM_LEN = [0, 1, 2, 4];

export class W5500Model {
  readonly faults: W5500Faults;
  readonly trace: W5500Trace;

  private net: NetSide;
  private now: () => number;
  private headerMiso: [number, number, number];
  private writeMiso: number;

  private cur: number;
  private common = new Uint8Array(CommonSize.Length);
  private mem: BufferMemory;
  private engine: SocketEngine;
  private socks: Sock[];

  private linkFault = true;
  private linkWas = true;
  private wireQ: (() => void)[] = [];

  private intnHigh = true;
  private intnLastHigh = -Infinity;
  private intnDue: number | undefined;
  private intnCbs: ((high: boolean) => void)[] = [];
  private closed = false;

  constructor(opts: W5500ModelOptions) {
    this.net = opts.net;
    this.now = opts.now;
    this.headerMiso = opts.headerMiso || [0x01, 0x02, 0x03];
    this.writeMiso = opts.writeMiso !== undefined ? opts.writeMiso : 0x00;
    this.trace = new W5500Trace(opts.trace);
    const self = this;
    this.faults = new W5500Faults({
      setLinkFault(up: boolean) { self.advance(); self.linkFault = up; self.linkChanged(); self.updateIntn(); },
      linkIsUp() { return self.linkUp(); },
      setRxOverflowDrop(sn: number, drop: boolean) { const s = self.socks[sn]; if (s) s.dropOverflow = drop; },
    });
    this.cur = this.now();
    this.common.set(COMMON_MAP.reset);
    this.mem = new BufferMemory((tx, n) => this.socks[n].regs[tx ? SnReg.Sn_TXBUF_SIZE : SnReg.Sn_RXBUF_SIZE]);
    const core = {
      net: this.net, trace: this.trace, faults: this.faults, mem: this.mem, common: this.common,
      time: () => self.cur,
      linkUp: () => self.linkUp(),
      onWire: (fn: () => void) => { if (self.linkUp()) fn(); else self.wireQ.push(fn); },
      closed: () => self.closed,
    };
    this.engine = new SocketEngine(core, {
      rstIr: opts.rstIr !== undefined ? opts.rstIr : Sn_IR.DISCON,
      timeWaitMs: opts.timeWaitMs !== undefined ? opts.timeWaitMs : 1,
      finWait2: opts.finWait2 !== undefined ? opts.finWait2 : 'tcpto',
      sendOkOn: opts.sendOkOn || 'ack',
      imrGates: opts.imrGatesSnIr !== false,
      pointerBase: (opts.pointerBase || 0) & 0xffff,
      kaNeedsData: opts.keepAliveNeedsData !== false,
    }, Chip.SOCKETS);
    this.socks = this.engine.socks;
  }

  // ───────────────────────────── public surface ─────────────────────────────

  get intn(): boolean {
    return this.intnHigh;
  }
  onIntn(cb: (high: boolean) => void): void {
    this.intnCbs.push(cb);
  }

  exchange(mosi: Uint8Array): Uint8Array {
    this.advance();
    const miso = new Uint8Array(mosi.length);
    const c = this.trace.counters;
    c.transactions++;
    c.bytes += mosi.length;
    if (this.faults.chipAbsent) {
      miso.fill(0xff);
      this.trace.record({ t: this.cur, ev: 'spi', absent: true, mosi: hex(mosi), miso: hex(miso) });
      return miso;
    }
    let i = 0;
    while (i < mosi.length) {
      const start = i;
      const hdr = Math.min(3, mosi.length - i);
      for (let k = 0; k < hdr; k++) miso[i + k] = this.headerMiso[k];
      if (hdr < 3) {
        this.trace.record({ t: this.cur, ev: 'spi', partialHeader: hex(mosi.subarray(i)) });
        break;
      }
      const addr = (mosi[i] << 8) | mosi[i + 1];
      const ctl = mosi[i + 2];
      i += 3;
      const om = ctl & 3;
      const n = om === 0 ? mosi.length - i : Math.min(FDM_LEN[om], mosi.length - i);
      this.frame(addr, ctl, mosi, miso, i, n);
      i += n;
      if (this.trace.wants('spi')) this.traceFrame(addr, ctl, mosi.subarray(start, i), miso.subarray(start, i));
      if (om === 0) break;
    }
    this.linkChanged();
    this.updateIntn();
    return miso;
  }

  advance(): void {
    if (this.closed) return; // the network side is gone: nothing more happens on its own
    const target = this.now();
    this.engine.landStale(target);
    let guard = 0;
    for (;;) {
      if (++guard > 1000000) break;
      const tt = this.timerDue();
      const tn = this.linkUp() && this.net.nextDeadline ? this.net.nextDeadline() : undefined;
      const netNext = tn !== undefined && tn <= target;
      const timerNext = tt !== undefined && tt <= target;
      if (!netNext && !timerNext) break;
      if (netNext && (!timerNext || (tn as number) <= (tt as number))) {
        this.cur = Math.max(this.cur, tn as number);
        this.net.poll(this.cur);
      } else {
        this.cur = Math.max(this.cur, tt as number);
        if (this.linkUp()) this.net.poll(this.cur);
        this.fireTimers();
      }
      this.updateIntn();
    }
    this.cur = Math.max(this.cur, target);
    if (this.linkUp()) this.net.poll(this.cur);
    this.updateIntn();
  }

  nextDeadline(): number | undefined {
    if (this.closed) return undefined;
    let best = this.timerDue();
    const tn = this.linkUp() && this.net.nextDeadline ? this.net.nextDeadline() : undefined;
    if (tn !== undefined && (best === undefined || tn < best)) best = tn;
    return best;
  }

  hardReset(): void {
    this.advance();
    this.resetChip();
    this.trace.record({ t: this.cur, ev: 'reset', how: 'RSTn' });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.net.shutdown();
  }

  /** chip time: how far the model has run (≤ now()) */
  get time(): number {
    return this.cur;
  }

  // ───────────────────────────── SPI front ─────────────────────────────

  private frame(addr: number, ctl: number, mosi: Uint8Array, miso: Uint8Array, off: number, n: number): void {
    const bsb = ctl >> 3;
    const write = (ctl & 0x04) !== 0;
    const kind = bsb & 3;
    if (bsb === 0) {
      for (let k = 0; k < n; k++) {
        const a = (addr + k) & 0xffff;
        if (write) { this.writeCommon(a, mosi[off + k]); miso[off + k] = this.writeMiso; }
        else miso[off + k] = this.readCommon(a);
      }
      return;
    }
    if (kind === 0) {
      // reserved block: nothing answers; reads 0, writes vanish
      for (let k = 0; k < n; k++) miso[off + k] = write ? this.writeMiso : 0;
      return;
    }
    const s = this.socks[(bsb - kind) >> 2];
    if (kind === 1) {
      const tear = this.tearMode();
      let lastRead = -1;
      for (let k = 0; k < n; k++) {
        const a = (addr + k) & 0xffff;
        if (write) { this.writeSock(s, a, mosi[off + k]); miso[off + k] = this.writeMiso; continue; }
        miso[off + k] = this.readSock(s, a);
        lastRead = a;
        if ((tear & Tear.Frame) && k + 1 < n && (a === SnReg.Sn_TX_FSR || a === SnReg.Sn_RX_RSR)) this.engine.landHeld(s);
      }
      if ((tear & Tear.Split) && (lastRead === SnReg.Sn_TX_FSR || lastRead === SnReg.Sn_RX_RSR)) this.engine.landHeld(s);
      return;
    }
    const tx = kind === 2;
    this.trace.counters.payloadBytes += n;
    if (write) {
      this.mem.write(tx, s.n, addr, mosi.subarray(off, off + n));
      miso.fill(this.writeMiso, off, off + n);
    } else {
      miso.set(this.mem.read(tx, s.n, addr, n), off);
    }
  }

  private tearMode(): number {
    const t = this.faults.tornReads;
    return t === 'frame' ? Tear.Frame : t === 'split' ? Tear.Split : t === 'both' ? Tear.Frame | Tear.Split : Tear.None;
  }

  private readCommon(a: number): number {
    if (a >= CommonSize.Length || COMMON_MAP.access[a] === Access.Reserved) return 0;
    if (a === CommonReg.SIR) return this.engine.sir();
    if (a === CommonReg.PHYCFGR) return this.phycfgr();
    if (a === CommonReg.VERSIONR) return VERSIONR.W5500;
    return this.common[a];
  }

  private writeCommon(a: number, v: number): void {
    if (a >= CommonSize.Length) return;
    const acc = COMMON_MAP.access[a];
    if (acc === Access.Reserved || acc === Access.RO) return;
    switch (a) {
      case CommonReg.MR:
        if (v & MR.RST) { this.resetChip(); this.trace.record({ t: this.cur, ev: 'reset', how: 'MR.RST' }); return; }
        this.common[a] = v & (MR.WOL | MR.PB | MR.PPPoE | MR.FARP);
        return;
      case CommonReg.IR:
        this.common[a] &= ~(v & (IR.CONFLICT | IR.UNREACH | IR.PPPoE | IR.MP));
        return;
      case CommonReg.IMR:
        this.common[a] = v & (IR.CONFLICT | IR.UNREACH | IR.PPPoE | IR.MP);
        return;
      case CommonReg.PHYCFGR:
        this.common[a] = v & (PHYCFGR.RST | PHYCFGR.OPMD | PHYCFGR.OPMDC_MASK);
        return;
      default:
        this.common[a] = v;
    }
  }

  private readSock(s: Sock, a: number): number {
    if (a >= SnSize.Length || SOCKET_MAP.access[a] === Access.Reserved) return 0;
    switch (a) {
      case SnReg.Sn_CR: return s.cmdPending;
      case SnReg.Sn_IR: return s.ir;
      case SnReg.Sn_SR: return s.sr;
      case SnReg.Sn_TX_FSR: return this.engine.fsr(s) >> 8;
      case SnReg.Sn_TX_FSR + 1: return this.engine.fsr(s) & 0xff;
      case SnReg.Sn_TX_RD: return s.txRd >> 8;
      case SnReg.Sn_TX_RD + 1: return s.txRd & 0xff;
      case SnReg.Sn_RX_RSR: return this.engine.rsr(s) >> 8;
      case SnReg.Sn_RX_RSR + 1: return this.engine.rsr(s) & 0xff;
      case SnReg.Sn_RX_WR: return this.engine.rxWrPub(s) >> 8;
      case SnReg.Sn_RX_WR + 1: return this.engine.rxWrPub(s) & 0xff;
      default: return s.regs[a];
    }
  }

  private writeSock(s: Sock, a: number, v: number): void {
    if (a >= SnSize.Length) return;
    const acc = SOCKET_MAP.access[a];
    if (acc === Access.Reserved || acc === Access.RO) return;
    if (a === SnReg.Sn_CR) { this.engine.writeCr(s, v); return; }
    if (a === SnReg.Sn_IR) { s.ir &= ~(v & Sn_IR.ALL); return; }
    s.regs[a] = v;
    if (a === SnReg.Sn_KPALVTR) this.engine.kaArm(s);
    if (a === SnReg.Sn_RXBUF_SIZE || a === SnReg.Sn_TXBUF_SIZE) this.mem.invalidate();
  }

  // ───────────────────────────── PHY and link ─────────────────────────────

  private linkUp(): boolean {
    const p = this.common[CommonReg.PHYCFGR];
    if (!this.linkFault || !(p & PHYCFGR.RST)) return false;
    if ((p & PHYCFGR.OPMD) && (p & PHYCFGR.OPMDC_MASK) === PHYCFGR.OPMDC_PDOWN) return false;
    return true;
  }

  private phycfgr(): number {
    const p = this.common[CommonReg.PHYCFGR];
    if (!this.linkUp()) return p;
    // the configured mode decides speed and duplex; auto-negotiation is assumed to reach 100 Mbit/s full duplex
    const mode = p & PHYCFGR.OPMD ? (p & PHYCFGR.OPMDC_MASK) >> 3 : 7;
    const spd = mode === 2 || mode === 3 || mode === 4 || mode === 7 ? PHYCFGR.SPD : 0;
    const dpx = mode === 1 || mode === 3 || mode === 7 ? PHYCFGR.DPX : 0;
    return p | spd | dpx | PHYCFGR.LNK;
  }

  private linkChanged(): void {
    const up = this.linkUp();
    if (up === this.linkWas) return;
    this.linkWas = up;
    this.trace.record({ t: this.cur, ev: 'link', up });
    if (up) {
      this.net.poll(this.cur);
      const q = this.wireQ;
      this.wireQ = [];
      for (const fn of q) fn();
    }
  }

  // ───────────────────────────── interrupts ─────────────────────────────

  private updateIntn(): void {
    const c = this.common;
    const want = ((c[CommonReg.IR] & c[CommonReg.IMR]) | (this.engine.sir() & c[CommonReg.SIMR])) !== 0;
    if (want && this.intnHigh) {
      const gapEnd = this.intnLastHigh + intLevelGapMs((c[CommonReg.INTLEVEL] << 8) | c[CommonReg.INTLEVEL + 1]);
      if (this.cur < gapEnd) { this.intnDue = gapEnd; return; }
      this.intnDue = undefined;
      this.setIntn(false);
    } else if (!want) {
      this.intnDue = undefined;
      if (!this.intnHigh) { this.intnLastHigh = this.cur; this.setIntn(true); }
    }
  }
  private setIntn(high: boolean): void {
    this.intnHigh = high;
    this.trace.record({ t: this.cur, ev: 'intn', high });
    for (const cb of this.intnCbs) cb(high);
  }

  // ───────────────────────────── timers ─────────────────────────────

  private timerDue(): number | undefined {
    const t = this.engine.nextTimer();
    return this.intnDue !== undefined && (t === undefined || this.intnDue < t) ? this.intnDue : t;
  }

  private fireTimers(): void {
    if (this.intnDue !== undefined && this.intnDue <= this.cur) this.intnDue = undefined;
    this.engine.fireTimers();
  }

  private resetChip(): void {
    this.engine.resetAll(SOCKET_MAP.reset);
    this.common.set(COMMON_MAP.reset);
    this.mem.invalidate();
    this.wireQ = [];
    this.intnDue = undefined;
    this.linkChanged();
    this.updateIntn();
  }

  private traceFrame(addr: number, ctl: number, mosi: Uint8Array, miso: Uint8Array): void {
    const bsb = ctl >> 3;
    const kind = bsb & 3;
    const om = ctl & 3;
    const n = mosi.length - 3;
    let block: string;
    let names: string[] = [];
    if (bsb === 0) { block = 'common'; names = regNames(COMMON_MAP.names, addr, n); }
    else if (kind === 0) block = 'reserved(' + bsb + ')';
    else {
      const sn = (bsb - kind) >> 2;
      block = 'S' + sn + (kind === 1 ? '' : kind === 2 ? '_TX' : '_RX');
      if (kind === 1) names = regNames(SOCKET_MAP.names, addr, n).map((x) => x.replace('Sn_', 'S' + sn + '_'));
    }
    this.trace.record({
      t: this.cur, ev: 'spi', block, op: ctl & 4 ? 'W' : 'R', mode: om === 0 ? 'VDM' : 'FDM' + FDM_LEN[om],
      addr: addr, regs: names, mosi: hex(mosi), miso: hex(miso),
    });
  }
}

function regNames(map: string[], addr: number, n: number): string[] {
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    const a = (addr + k) & 0xffff;
    const nm = a < map.length && map[a] ? map[a] : 'reserved';
    if (out[out.length - 1] !== nm) out.push(nm);
  }
  return out;
}
