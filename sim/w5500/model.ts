/**
 * Model of the WIZnet W5500 as the SPI bus sees it: registers, socket buffers, the socket state machines with
 * their timers, and the INTn pin. The network behind the PHY is a NetSide (virtual peers or host sockets).
 * Behaviour and its sources: sim/w5500/README.md. The class does no I/O of its own and reads time only
 * through `now()`, so it runs synchronously in a test thread (virtual time) or inside a worker (real time).
 */
import type { Endpoint, Listener, MacrawPort, NetSide, TcpConn, TcpEvents, UdpSock } from './network';
import {
  Chip, CommonReg, CommonSize, IR, MR, PHYCFGR, SnReg, SnSize, Sn_CR, Sn_IR, Sn_MR, Sn_SR, VERSIONR,
} from '../../hal/w5500/registers';
import { Access, COMMON_MAP, SOCKET_MAP } from './register-table';
import { arpTimeoutMs, intLevelGapMs, retryWaitUnits } from './timing';
import { W5500Faults } from './faults';
import { W5500Trace, hex } from './trace';

export { W5500Faults } from './faults';
export type { TornReads } from './faults';
export { W5500Trace } from './trace';

export interface W5500ModelOptions {
  net: NetSide;
  now: () => number;
  trace?: boolean;
  /** Sn_IR bits raised when a RST closes the socket (peer reset, CONNECT refused). Default Sn_IR.DISCON (inferred). */
  rstIr?: number;
  /** how long SOCK_TIME_WAIT lasts, ms (undocumented; default 1) */
  timeWaitMs?: number;
  /** FIN_WAIT with our FIN acked but no FIN from the peer ends in TIMEOUT + CLOSED after this long; default: never */
  finWait2TimeoutMs?: number;
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

/** One hardware socket: register bytes plus the chip's internal state behind them. */
class Sock {
  readonly n: number;
  regs = new Uint8Array(SnSize.Length);
  sr: number = Sn_SR.SOCK_CLOSED;
  ir = 0;
  /** command written to Sn_CR and not yet accepted (slow-CR fault) */
  cmdPending = 0;
  cmdDue: number | undefined;

  // 16-bit pointers as the chip keeps them; TX_WR and RX_RD live in regs (host-written)
  txRd = 0;
  /** acknowledged-data pointer (TCP); for UDP/MACRAW it follows TX_RD */
  txAck = 0;
  /** TX_WR as latched by the last SEND: Sn_TX_FSR shrinks only when the host issues SEND */
  txLatched = 0;
  rxWr = 0;
  /** RX_RD as latched by the last RECV: Sn_RX_RSR grows back only after RECV */
  rxRdLatched = 0;
  /** parts of a counter change not yet visible (torn-read fault) */
  rxHeld = 0;
  ackHeld = 0;
  heldSince = 0;
  txSent = 0;
  txAcked = 0;
  /** txSent totals at which a SEND completes (SEND_OK) */
  sendEnds: number[] = [];
  /** peer bytes that did not fit into the RX buffer: flow control holds them until RECV frees space */
  pendingRx: Uint8Array[] = [];
  dropOverflow = false;

  conn: TcpConn | undefined;
  listener: Listener | undefined;
  udp: UdpSock | undefined;
  mac: MacrawPort | undefined;
  /** bumps whenever the socket forgets a connection, so late events of the old one are ignored */
  gen = 0;

  syn = false;
  finSent = false;
  finAcked = false;
  probe = false;
  exchanged = false;

  rtxDue: number | undefined;
  rtxTries = 0;
  arpDue: number | undefined;
  arpTries = 0;
  arpFor: 'tcp' | 'udp' | undefined;
  udpPending: { to: Endpoint; bytes: Uint8Array } | undefined;
  twDue: number | undefined;
  fw2Due: number | undefined;
  kaDue: number | undefined;

  constructor(n: number) {
    this.n = n;
    this.regs.set(SOCKET_MAP.reset);
  }
  reg16(off: number): number {
    return (this.regs[off] << 8) | this.regs[off + 1];
  }
  set16(off: number, v: number): void {
    this.regs[off] = (v >> 8) & 0xff;
    this.regs[off + 1] = v & 0xff;
  }
}

const VALID_KB = [0, 1, 2, 4, 8, 16];
/** Sn_MSSR 0 means the mode's default (DS1.0 p.53) */
const TCP_MSS = 1460;
/** how long a torn counter change waits for the read that tears it (real-time runs always move time between frames) */
const TORN_HOLD_MS = 1;
const FDM_LEN = [0, 1, 2, 4];

function ipOf(b: Uint8Array, off: number): string {
  return b[off] + '.' + b[off + 1] + '.' + b[off + 2] + '.' + b[off + 3];
}
function ipBytes(ip: string): number[] {
  const p = ip.split('.').map((x) => parseInt(x, 10) & 0xff);
  while (p.length < 4) p.push(0);
  return p;
}

export class W5500Model {
  readonly faults: W5500Faults;
  readonly trace: W5500Trace;

  private net: NetSide;
  private now: () => number;
  private rstIr: number;
  private timeWaitMs: number;
  private finWait2TimeoutMs: number | undefined;
  private sendOkOn: 'ack' | 'send';
  private imrGates: boolean;
  private headerMiso: [number, number, number];
  private writeMiso: number;
  private pointerBase: number;
  private kaNeedsData: boolean;

  private cur: number;
  private common = new Uint8Array(CommonSize.Length);
  private socks: Sock[] = [];
  private txMem = new Uint8Array(Chip.TX_MEMORY);
  private rxMem = new Uint8Array(Chip.RX_MEMORY);

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
    this.rstIr = opts.rstIr !== undefined ? opts.rstIr : Sn_IR.DISCON;
    this.timeWaitMs = opts.timeWaitMs !== undefined ? opts.timeWaitMs : 1;
    this.finWait2TimeoutMs = opts.finWait2TimeoutMs;
    this.sendOkOn = opts.sendOkOn || 'ack';
    this.imrGates = opts.imrGatesSnIr !== false;
    this.headerMiso = opts.headerMiso || [0x01, 0x02, 0x03];
    this.writeMiso = opts.writeMiso !== undefined ? opts.writeMiso : 0x00;
    this.pointerBase = (opts.pointerBase || 0) & 0xffff;
    this.kaNeedsData = opts.keepAliveNeedsData !== false;
    this.trace = new W5500Trace(!!opts.trace);
    const self = this;
    this.faults = new W5500Faults({
      setLinkFault(up: boolean) { self.advance(); self.linkFault = up; self.linkChanged(); self.updateIntn(); },
      linkIsUp() { return self.linkUp(); },
      setRxOverflowDrop(sn: number, drop: boolean) { if (self.socks[sn]) self.socks[sn].dropOverflow = drop; },
    });
    this.cur = this.now();
    for (let n = 0; n < Chip.SOCKETS; n++) this.socks.push(new Sock(n));
    this.common.set(COMMON_MAP.reset);
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
      if (this.trace.enabled) this.traceFrame(addr, ctl, mosi.subarray(start, i), miso.subarray(start, i));
      if (om === 0) break;
    }
    this.linkChanged();
    this.updateIntn();
    return miso;
  }

  advance(): void {
    const target = this.now();
    this.landStale(target);
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
    if (this.linkUp() && !this.closed) this.net.poll(this.cur);
    this.updateIntn();
  }

  nextDeadline(): number | undefined {
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
        if ((tear & Tear.Frame) && k + 1 < n && (a === SnReg.Sn_TX_FSR || a === SnReg.Sn_RX_RSR)) this.landHeld(s);
      }
      if ((tear & Tear.Split) && (lastRead === SnReg.Sn_TX_FSR || lastRead === SnReg.Sn_RX_RSR)) this.landHeld(s);
      return;
    }
    const tx = kind === 2;
    const size = this.bufSize(tx, s.n);
    const base = this.bufBase(tx, s.n);
    const mem = tx ? this.txMem : this.rxMem;
    this.trace.counters.payloadBytes += n;
    if (write) {
      if (size > 0) copyIn(mem, base, size, addr, mosi.subarray(off, off + n));
      miso.fill(this.writeMiso, off, off + n);
    } else if (size > 0) {
      miso.set(copyOut(mem, base, size, addr, n), off);
    }
  }

  private tearMode(): number {
    const t = this.faults.tornReads;
    return t === 'frame' ? Tear.Frame : t === 'split' ? Tear.Split : t === 'both' ? Tear.Frame | Tear.Split : Tear.None;
  }

  private readCommon(a: number): number {
    if (a >= CommonSize.Length || COMMON_MAP.access[a] === Access.Reserved) return 0;
    if (a === CommonReg.SIR) return this.sir();
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
      case SnReg.Sn_TX_FSR: return this.fsr(s) >> 8;
      case SnReg.Sn_TX_FSR + 1: return this.fsr(s) & 0xff;
      case SnReg.Sn_TX_RD: return s.txRd >> 8;
      case SnReg.Sn_TX_RD + 1: return s.txRd & 0xff;
      case SnReg.Sn_RX_RSR: return this.rsr(s) >> 8;
      case SnReg.Sn_RX_RSR + 1: return this.rsr(s) & 0xff;
      case SnReg.Sn_RX_WR: return this.rxWrPub(s) >> 8;
      case SnReg.Sn_RX_WR + 1: return this.rxWrPub(s) & 0xff;
      default: return s.regs[a];
    }
  }

  private writeSock(s: Sock, a: number, v: number): void {
    if (a >= SnSize.Length) return;
    const acc = SOCKET_MAP.access[a];
    if (acc === Access.Reserved || acc === Access.RO) return;
    if (a === SnReg.Sn_CR) { this.writeCr(s, v); return; }
    if (a === SnReg.Sn_IR) { s.ir &= ~(v & Sn_IR.ALL); return; }
    s.regs[a] = v;
    if (a === SnReg.Sn_KPALVTR) this.kaArm(s);
    if (a === SnReg.Sn_RXBUF_SIZE || a === SnReg.Sn_TXBUF_SIZE) this.layoutCache = [undefined, undefined];
  }

  private sir(): number {
    let v = 0;
    for (let n = 0; n < Chip.SOCKETS; n++) {
      const s = this.socks[n];
      if ((s.ir & (this.imrGates ? 0xff : s.regs[SnReg.Sn_IMR])) !== 0) v |= 1 << n;
    }
    return v;
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

  /** chip → network: happens now, or when the link comes back */
  private wire(s: Sock, fn: () => void): void {
    const gen = s.gen;
    const run = () => { if (s.gen === gen) fn(); };
    if (this.linkUp()) run(); else this.wireQ.push(run);
  }

  // ───────────────────────────── buffers ─────────────────────────────

  private layoutCache: ({ base: number[]; size: number[] } | undefined)[] = [undefined, undefined];

  private layoutOf(tx: boolean): { base: number[]; size: number[] } {
    const cached = this.layoutCache[tx ? 1 : 0];
    if (cached) return cached;
    const base: number[] = [];
    const size: number[] = [];
    let at = 0;
    const total = tx ? Chip.TX_MEMORY : Chip.RX_MEMORY;
    for (let n = 0; n < Chip.SOCKETS; n++) {
      const kb = this.socks[n].regs[tx ? SnReg.Sn_TXBUF_SIZE : SnReg.Sn_RXBUF_SIZE];
      // an invalid size, or one that would pass the 16 KB total, gives the socket no memory (inferred)
      const bytes = VALID_KB.indexOf(kb) >= 0 && at + kb * 1024 <= total ? kb * 1024 : 0;
      base.push(at);
      size.push(bytes);
      at += bytes;
    }
    const l = { base, size };
    this.layoutCache[tx ? 1 : 0] = l;
    return l;
  }
  private bufSize(tx: boolean, n: number): number {
    return this.layoutOf(tx).size[n];
  }
  private bufBase(tx: boolean, n: number): number {
    return this.layoutOf(tx).base[n];
  }

  private fsr(s: Sock): number {
    const size = this.bufSize(true, s.n);
    const used = (s.txLatched - ((s.txAck - s.ackHeld) & 0xffff)) & 0xffff;
    return used >= size ? 0 : size - used;
  }
  private rxWrPub(s: Sock): number {
    return (s.rxWr - s.rxHeld) & 0xffff;
  }
  private rsr(s: Sock): number {
    return (this.rxWrPub(s) - s.rxRdLatched) & 0xffff;
  }
  private rxFree(s: Sock): number {
    const used = (s.rxWr - s.rxRdLatched) & 0xffff;
    const size = this.bufSize(false, s.n);
    return used >= size ? 0 : size - used;
  }

  /** bytes into the RX buffer at RX_WR; with the torn-read fault part of the RSR change stays hidden until the next read */
  private storeRx(s: Sock, chunks: Uint8Array[]): void {
    const size = this.bufSize(false, s.n);
    const base = this.bufBase(false, s.n);
    const before = this.rsr(s);
    let n = 0;
    for (const c of chunks) {
      copyIn(this.rxMem, base, size, s.rxWr, c);
      s.rxWr = (s.rxWr + c.length) & 0xffff;
      n += c.length;
    }
    if (this.tearMode() !== Tear.None) {
      const full = before + s.rxHeld + n;
      const shown = before >> 8 === full >> 8 ? full : before | 0xff;
      s.rxHeld = full - shown;
      if (s.rxHeld) s.heldSince = this.cur;
    }
  }

  private landHeld(s: Sock): void {
    s.rxHeld = 0;
    s.ackHeld = 0;
  }
  /** a held counter change lands by itself once TORN_HOLD_MS of chip time has passed without the read that tears it */
  private landStale(t: number): void {
    for (const s of this.socks) if ((s.rxHeld || s.ackHeld) && t >= s.heldSince + TORN_HOLD_MS) this.landHeld(s);
  }

  // ───────────────────────────── interrupts ─────────────────────────────

  private raise(s: Sock, bits: number): void {
    if (this.imrGates) bits &= s.regs[SnReg.Sn_IMR];
    s.ir |= bits;
  }

  private updateIntn(): void {
    const c = this.common;
    const want = ((c[CommonReg.IR] & c[CommonReg.IMR]) | (this.sir() & c[CommonReg.SIMR])) !== 0;
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
    let best = this.intnDue;
    const pick = (t: number | undefined) => { if (t !== undefined && (best === undefined || t < best)) best = t; };
    for (const s of this.socks) { pick(s.cmdDue); pick(s.rtxDue); pick(s.arpDue); pick(s.twDue); pick(s.fw2Due); pick(s.kaDue); }
    return best;
  }

  private fireTimers(): void {
    const t = this.cur;
    if (this.intnDue !== undefined && this.intnDue <= t) { this.intnDue = undefined; }
    for (const s of this.socks) {
      if (s.cmdDue !== undefined && s.cmdDue <= t) { s.cmdDue = undefined; const cmd = s.cmdPending; s.cmdPending = 0; this.command(s, cmd); }
      if (s.arpDue !== undefined && s.arpDue <= t) this.arpTick(s);
      if (s.rtxDue !== undefined && s.rtxDue <= t) this.rtxTick(s);
      if (s.twDue !== undefined && s.twDue <= t) { s.twDue = undefined; this.netLog(s, 'TIME_WAIT over'); this.toClosed(s); }
      if (s.fw2Due !== undefined && s.fw2Due <= t) { s.fw2Due = undefined; this.timeout(s); }
      if (s.kaDue !== undefined && s.kaDue <= t) { s.kaDue = undefined; this.kaFire(s); }
    }
  }

  private rtr(): number {
    return (this.common[CommonReg.RTR] << 8) | this.common[CommonReg.RTR + 1];
  }
  private rcr(): number {
    return this.common[CommonReg.RCR];
  }

  private outstanding(s: Sock): boolean {
    return s.syn || s.probe || s.txSent > s.txAcked || (s.finSent && !s.finAcked);
  }
  /** something new waits for the peer: start the retransmission clock unless it already runs */
  private rtxStart(s: Sock): void {
    if (s.rtxDue === undefined) { s.rtxTries = 0; s.rtxDue = this.cur + retryWaitUnits(this.rtr(), 0) / 10; }
  }
  /** the peer answered: back-off starts over, or stops when nothing is outstanding */
  private rtxProgress(s: Sock): void {
    s.rtxDue = undefined;
    if (this.outstanding(s)) this.rtxStart(s);
  }
  private rtxTick(s: Sock): void {
    s.rtxDue = undefined;
    if (!this.outstanding(s)) return;
    if (s.rtxTries >= this.rcr()) { this.timeout(s); return; }
    s.rtxTries++;
    s.rtxDue = this.cur + retryWaitUnits(this.rtr(), s.rtxTries) / 10;
    const conn = s.conn;
    this.netLog(s, 'retransmit', { try: s.rtxTries });
    if (conn && conn.retransmit) this.wire(s, () => { if (conn.retransmit) conn.retransmit(); });
  }

  /** ARP for the destination: 0.0.0.0 never answers; 255.255.255.255 needs no ARP */
  private resolves(ip: string): boolean {
    if (!this.linkUp() || ip === '0.0.0.0') return false;
    return ip === '255.255.255.255' || this.net.resolves(ip);
  }

  private arpStart(s: Sock, kind: 'tcp' | 'udp'): void {
    s.arpFor = kind;
    s.arpTries = 0;
    s.arpDue = this.cur + this.rtr() / 10;
    this.netLog(s, 'ARP request', { ip: ipOf(s.regs, SnReg.Sn_DIPR) });
  }
  /** ARP retries every RTR, RCR+1 requests in all, then TIMEOUT (ARP_TO = RTR·(RCR+1)) */
  private arpTick(s: Sock): void {
    s.arpDue = undefined;
    const ip = ipOf(s.regs, SnReg.Sn_DIPR);
    if (this.resolves(ip)) { this.arpDone(s); return; }
    if (s.arpTries >= this.rcr()) {
      const kind = s.arpFor;
      s.arpFor = undefined;
      this.netLog(s, 'ARP timeout', { ip });
      if (kind === 'tcp') { this.timeout(s); return; }
      // UDP: the datagram is dropped, the socket stays open (W5200 DS p.32)
      s.udpPending = undefined;
      s.txAck = s.txRd;
      this.raise(s, Sn_IR.TIMEOUT);
      return;
    }
    s.arpTries++;
    s.arpDue = this.cur + this.rtr() / 10;
  }
  private arpDone(s: Sock): void {
    const kind = s.arpFor;
    s.arpFor = undefined;
    this.fillDhar(s);
    if (kind === 'tcp') this.tcpStartConnect(s);
    else if (kind === 'udp' && s.udpPending) {
      const p = s.udpPending;
      s.udpPending = undefined;
      this.udpTransmit(s, p.to, p.bytes);
    }
  }
  private fillDhar(s: Sock): void {
    // the virtual network has no MACs; a locally administered address derived from the IP stands in for ARP's answer
    const ip = ipBytes(ipOf(s.regs, SnReg.Sn_DIPR));
    s.regs.set([0x02, 0x00, ip[0], ip[1], ip[2], ip[3]], SnReg.Sn_DHAR);
  }

  // ───────────────────────────── commands ─────────────────────────────

  private writeCr(s: Sock, v: number): void {
    if (s.cmdPending !== 0 || v === 0) return; // busy, or nothing to do
    const slow = this.faults.slowCommandMs;
    if (slow > 0) {
      s.cmdPending = v;
      s.cmdDue = this.cur + slow;
      return;
    }
    this.command(s, v);
  }

  private command(s: Sock, cmd: number): void {
    this.trace.record({ t: this.cur, ev: 'cmd', sn: s.n, cmd: cmdName(cmd), sr: s.sr });
    const proto = s.regs[SnReg.Sn_MR] & Sn_MR.P_MASK;
    switch (cmd) {
      case Sn_CR.OPEN: this.cmdOpen(s, proto); break;
      case Sn_CR.LISTEN: this.cmdListen(s); break;
      case Sn_CR.CONNECT: this.cmdConnect(s); break;
      case Sn_CR.DISCON: this.cmdDiscon(s); break;
      case Sn_CR.CLOSE: this.toClosed(s); break;
      case Sn_CR.SEND: this.cmdSend(s, false); break;
      case Sn_CR.SEND_MAC: this.cmdSend(s, true); break;
      case Sn_CR.SEND_KEEP: this.cmdSendKeep(s); break;
      case Sn_CR.RECV: this.cmdRecv(s); break;
      default: break; // unknown codes are accepted and do nothing (inferred)
    }
  }

  private local(s: Sock): Endpoint {
    return { ip: ipOf(this.common, CommonReg.SIPR), port: s.reg16(SnReg.Sn_PORT) };
  }
  private remote(s: Sock): Endpoint {
    return { ip: ipOf(s.regs, SnReg.Sn_DIPR), port: s.reg16(SnReg.Sn_DPORT) };
  }

  private cmdOpen(s: Sock, proto: number): void {
    if (s.sr !== Sn_SR.SOCK_CLOSED) this.toClosed(s);
    const b = this.pointerBase;
    s.txRd = s.txAck = s.txLatched = b;
    s.rxWr = s.rxRdLatched = b;
    s.set16(SnReg.Sn_TX_WR, b);
    s.set16(SnReg.Sn_RX_RD, b);
    s.rxHeld = s.ackHeld = 0;
    s.txSent = s.txAcked = 0;
    s.sendEnds = [];
    s.pendingRx = [];
    s.syn = s.finSent = s.finAcked = s.probe = s.exchanged = false;
    if (proto === Sn_MR.TCP) {
      s.sr = Sn_SR.SOCK_INIT;
    } else if (proto === Sn_MR.UDP) {
      s.sr = Sn_SR.SOCK_UDP;
      const gen = s.gen;
      const self = this;
      s.udp = this.net.udpOpen(this.local(s), {
        datagram(from: Endpoint, bytes: Uint8Array) { if (s.gen === gen) self.onDatagram(s, from, bytes); },
        unreachable(to: Endpoint) { if (s.gen === gen) self.onUnreachable(s, to); },
      });
    } else if (proto === Sn_MR.MACRAW && s.n === 0) {
      s.sr = Sn_SR.SOCK_MACRAW;
      const gen = s.gen;
      const self = this;
      if (this.net.macrawOpen) s.mac = this.net.macrawOpen({ frame(bytes: Uint8Array) { if (s.gen === gen) self.onFrame(s, bytes); } });
    }
    // any other Sn_MR protocol: OPEN is accepted and the socket stays CLOSED (inferred)
    this.netLog(s, 'open', { sr: s.sr });
  }

  private cmdListen(s: Sock): void {
    if (s.sr !== Sn_SR.SOCK_INIT) return;
    s.sr = Sn_SR.SOCK_LISTEN;
    const gen = s.gen;
    const self = this;
    s.listener = this.net.tcpListen(this.local(s), (conn: TcpConn) => {
      if (s.gen !== gen || s.sr !== Sn_SR.SOCK_LISTEN) return undefined;
      return self.accept(s, conn);
    });
  }

  private accept(s: Sock, conn: TcpConn): TcpEvents {
    // a W5500 socket serves one connection; further SYNs to the port find no listener
    const l = s.listener;
    s.listener = undefined;
    if (l) l.close();
    s.gen++;
    const ev = this.tcpEvents(s);
    s.conn = conn;
    s.regs.set(ipBytes(conn.remote.ip), SnReg.Sn_DIPR);
    s.set16(SnReg.Sn_DPORT, conn.remote.port);
    this.fillDhar(s);
    s.sr = Sn_SR.SOCK_ESTABLISHED;
    this.raise(s, Sn_IR.CON);
    this.netLog(s, 'accepted', { from: conn.remote.ip + ':' + conn.remote.port });
    this.kaArm(s);
    return ev;
  }

  private cmdConnect(s: Sock): void {
    if (s.sr !== Sn_SR.SOCK_INIT) return;
    s.sr = Sn_SR.SOCK_SYNSENT;
    const ip = ipOf(s.regs, SnReg.Sn_DIPR);
    if (this.resolves(ip)) { this.fillDhar(s); this.tcpStartConnect(s); }
    else this.arpStart(s, 'tcp');
  }

  private tcpStartConnect(s: Sock): void {
    s.gen++;
    const ev = this.tcpEvents(s);
    s.syn = true;
    const local = this.local(s);
    const remote = this.remote(s);
    this.netLog(s, 'SYN', { to: remote.ip + ':' + remote.port });
    s.conn = this.net.tcpConnect(local, remote, ev);
    this.rtxStart(s);
  }

  private cmdDiscon(s: Sock): void {
    switch (s.sr) {
      case Sn_SR.SOCK_ESTABLISHED:
      case Sn_SR.SOCK_CLOSE_WAIT: {
        s.sr = s.sr === Sn_SR.SOCK_ESTABLISHED ? Sn_SR.SOCK_FIN_WAIT : Sn_SR.SOCK_LAST_ACK;
        s.finSent = true;
        s.kaDue = undefined;
        const conn = s.conn;
        this.netLog(s, 'FIN');
        if (conn) this.wire(s, () => conn.fin());
        this.rtxStart(s);
        return;
      }
      case Sn_SR.SOCK_INIT:
      case Sn_SR.SOCK_LISTEN:
      case Sn_SR.SOCK_SYNSENT:
      case Sn_SR.SOCK_SYNRECV:
        // nothing to finish yet: the chip drops the attempt (inferred)
        this.toClosed(s);
        return;
      default:
        return;
    }
  }

  private cmdSend(s: Sock, mac: boolean): void {
    const tcp = s.sr === Sn_SR.SOCK_ESTABLISHED || s.sr === Sn_SR.SOCK_CLOSE_WAIT;
    const udp = s.sr === Sn_SR.SOCK_UDP;
    const raw = s.sr === Sn_SR.SOCK_MACRAW;
    if (!tcp && !udp && !raw) return;
    if (mac && !udp) return;
    if (udp && s.arpFor) return; // still resolving the previous datagram's destination
    const size = this.bufSize(true, s.n);
    const wr = s.reg16(SnReg.Sn_TX_WR);
    let len = (wr - s.txRd) & 0xffff;
    if (len > size) len = size; // more than the buffer holds: the overwritten part is lost (inferred)
    const bytes = copyOut(this.txMem, this.bufBase(true, s.n), size, s.txRd, len);
    s.txRd = (s.txRd + len) & 0xffff;
    s.txLatched = s.txRd;
    if (tcp) {
      s.txSent += len;
      s.sendEnds.push(s.txSent);
      s.exchanged = true;
      const conn = s.conn;
      this.netLog(s, 'send', { n: len });
      // one segment per MSS: the peer acknowledges them one by one, so Sn_TX_FSR grows back in steps
      const mss = s.reg16(SnReg.Sn_MSSR) || TCP_MSS;
      if (len > 0 && conn) this.wire(s, () => { for (let i = 0; i < bytes.length; i += mss) conn.send(bytes.subarray(i, i + mss)); });
      if (len > 0) this.rtxStart(s);
      if (this.sendOkOn === 'send' || len === 0) { s.sendEnds.pop(); this.sendOk(s); }
      this.kaArm(s);
      return;
    }
    if (raw) {
      const port = s.mac;
      this.netLog(s, 'frame out', { n: len });
      this.wire(s, () => { if (port) port.send(bytes); s.txAck = s.txRd; this.sendOk(s); });
      return;
    }
    const to = this.remote(s);
    if (mac || this.resolves(to.ip)) {
      if (!mac && to.ip !== '255.255.255.255') this.fillDhar(s);
      this.udpTransmit(s, to, bytes);
    } else {
      s.udpPending = { to, bytes };
      this.arpStart(s, 'udp');
    }
  }

  private udpTransmit(s: Sock, to: Endpoint, bytes: Uint8Array): void {
    const udp = s.udp;
    this.netLog(s, 'datagram out', { to: to.ip + ':' + to.port, n: bytes.length });
    this.wire(s, () => { if (udp) udp.sendTo(to, bytes); s.txAck = s.txRd; this.sendOk(s); });
  }

  private sendOk(s: Sock): void {
    if (!this.faults.withholdSendOk) this.raise(s, Sn_IR.SEND_OK);
  }

  private cmdSendKeep(s: Sock): void {
    if (s.sr !== Sn_SR.SOCK_ESTABLISHED && s.sr !== Sn_SR.SOCK_CLOSE_WAIT) return;
    if (s.regs[SnReg.Sn_KPALVTR] !== 0) return; // the automatic process owns keep-alive then
    if (this.kaNeedsData && !s.exchanged) return;
    this.sendProbe(s);
  }

  private sendProbe(s: Sock): void {
    s.probe = true;
    const conn = s.conn;
    this.netLog(s, 'keep-alive');
    if (conn) this.wire(s, () => conn.keepAlive());
    this.rtxStart(s);
  }

  private kaArm(s: Sock): void {
    const kp = s.regs[SnReg.Sn_KPALVTR];
    const on = kp > 0 && (s.sr === Sn_SR.SOCK_ESTABLISHED || s.sr === Sn_SR.SOCK_CLOSE_WAIT) && (s.exchanged || !this.kaNeedsData);
    s.kaDue = on && !s.probe ? this.cur + kp * 5000 : undefined;
  }
  private kaFire(s: Sock): void {
    const kp = s.regs[SnReg.Sn_KPALVTR];
    if (kp === 0 || (s.sr !== Sn_SR.SOCK_ESTABLISHED && s.sr !== Sn_SR.SOCK_CLOSE_WAIT)) return;
    if (this.outstanding(s)) { this.kaArm(s); return; } // retransmission already watches the peer
    this.sendProbe(s);
  }

  private cmdRecv(s: Sock): void {
    s.rxRdLatched = s.reg16(SnReg.Sn_RX_RD);
    if (s.pendingRx.length === 0) { this.tellWindow(s); return; }
    const held = s.pendingRx;
    s.pendingRx = [];
    for (const b of held) this.rxTcp(s, b);
  }

  private tellWindow(s: Sock): void {
    const conn = s.conn;
    if (conn && conn.window) conn.window(this.rxFree(s));
  }

  // ───────────────────────────── network → chip ─────────────────────────────

  private tcpEvents(s: Sock): TcpEvents {
    const gen = s.gen;
    const self = this;
    const live = () => s.gen === gen && !self.closed;
    return {
      connected() { if (live()) self.onConnected(s); },
      refused() { if (live()) self.onReset(s, 'refused'); },
      data(bytes: Uint8Array) { if (live()) self.onData(s, bytes); },
      acked(n: number) { if (live()) self.onAcked(s, n); },
      fin() { if (live()) self.onFin(s); },
      finAcked() { if (live()) self.onFinAcked(s); },
      reset() { if (live()) self.onReset(s, 'reset'); },
    };
  }

  private onConnected(s: Sock): void {
    if (s.sr !== Sn_SR.SOCK_SYNSENT) return;
    s.syn = false;
    s.sr = Sn_SR.SOCK_ESTABLISHED;
    this.raise(s, Sn_IR.CON);
    this.netLog(s, 'connected');
    this.rtxProgress(s);
    this.kaArm(s);
  }

  private onData(s: Sock, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.netLog(s, 'data in', { n: bytes.length });
    s.exchanged = true;
    this.rxTcp(s, bytes);
    if (s.sr === Sn_SR.SOCK_ESTABLISHED || s.sr === Sn_SR.SOCK_CLOSE_WAIT) this.kaArm(s);
  }

  private rxTcp(s: Sock, bytes: Uint8Array): void {
    if (s.pendingRx.length > 0) { s.pendingRx.push(bytes); return; }
    const free = this.rxFree(s);
    const fit = Math.min(free, bytes.length);
    if (fit > 0) {
      this.storeRx(s, [bytes.subarray(0, fit)]);
      this.raise(s, Sn_IR.RECV);
    }
    if (fit < bytes.length) {
      const rest = bytes.subarray(fit);
      if (s.dropOverflow) { this.faults.rxDropped += rest.length; this.netLog(s, 'rx overflow dropped', { n: rest.length }); }
      else s.pendingRx.push(rest.slice());
    }
    this.tellWindow(s);
  }

  private onAcked(s: Sock, n: number): void {
    if (s.sr === Sn_SR.SOCK_SYNSENT) return;
    const ackable = s.txSent - s.txAcked;
    const k = Math.max(0, Math.min(n, ackable));
    this.netLog(s, 'acked', { n: k });
    if (k > 0) {
      const before = this.fsr(s);
      s.txAcked += k;
      s.txAck = (s.txAck + k) & 0xffff;
      if (this.tearMode() !== Tear.None) {
        const full = before + s.ackHeld + k;
        const shown = before >> 8 === full >> 8 ? full : before | 0xff;
        s.ackHeld = full - shown;
        if (s.ackHeld) s.heldSince = this.cur;
      }
      while (s.sendEnds.length > 0 && s.sendEnds[0] <= s.txAcked) { s.sendEnds.shift(); this.sendOk(s); }
    }
    if (s.probe) s.probe = false;
    this.rtxProgress(s);
    this.kaArm(s);
  }

  private onFin(s: Sock): void {
    this.netLog(s, 'FIN in');
    if (s.sr === Sn_SR.SOCK_ESTABLISHED) {
      s.sr = Sn_SR.SOCK_CLOSE_WAIT;
      this.raise(s, Sn_IR.DISCON);
    } else if (s.sr === Sn_SR.SOCK_FIN_WAIT) {
      this.raise(s, Sn_IR.DISCON);
      s.fw2Due = undefined;
      if (s.finAcked) this.enterTimeWait(s);
      else s.sr = Sn_SR.SOCK_CLOSING;
    }
  }

  private onFinAcked(s: Sock): void {
    if (!s.finSent || s.finAcked) return;
    s.finAcked = true;
    this.netLog(s, 'FIN acked');
    this.rtxProgress(s);
    if (s.sr === Sn_SR.SOCK_CLOSING) this.enterTimeWait(s);
    else if (s.sr === Sn_SR.SOCK_LAST_ACK) this.toClosed(s);
    else if (s.sr === Sn_SR.SOCK_FIN_WAIT && this.finWait2TimeoutMs !== undefined) s.fw2Due = this.cur + this.finWait2TimeoutMs;
  }

  private enterTimeWait(s: Sock): void {
    s.sr = Sn_SR.SOCK_TIME_WAIT;
    s.rtxDue = undefined;
    s.twDue = this.cur + this.timeWaitMs;
  }

  private onReset(s: Sock, why: string): void {
    this.netLog(s, why === 'refused' ? 'refused (RST)' : 'RST in');
    if (s.sr === Sn_SR.SOCK_CLOSED) return;
    this.forget(s, false);
    s.sr = Sn_SR.SOCK_CLOSED;
    this.raise(s, this.rstIr);
  }

  private onDatagram(s: Sock, from: Endpoint, bytes: Uint8Array): void {
    if (s.sr !== Sn_SR.SOCK_UDP) return;
    this.netLog(s, 'datagram in', { from: from.ip + ':' + from.port, n: bytes.length });
    const need = Chip.UDP_HEADER + bytes.length;
    if (need > this.rxFree(s)) { this.faults.rxDropped += bytes.length; return; } // a datagram that does not fit is dropped whole (inferred)
    const ip = ipBytes(from.ip);
    const h = new Uint8Array([ip[0], ip[1], ip[2], ip[3], from.port >> 8, from.port & 0xff, bytes.length >> 8, bytes.length & 0xff]);
    this.storeRx(s, [h, bytes]);
    this.raise(s, Sn_IR.RECV);
  }

  /** ICMP port unreachable: a chip-wide event, IR.UNREACH with the address in UIPR/UPORTR (IR bits are not masked by IMR) */
  private onUnreachable(s: Sock, to: Endpoint): void {
    this.netLog(s, 'ICMP unreachable', { to: to.ip + ':' + to.port });
    this.common.set(ipBytes(to.ip), CommonReg.UIPR);
    this.common[CommonReg.UPORTR] = (to.port >> 8) & 0xff;
    this.common[CommonReg.UPORTR + 1] = to.port & 0xff;
    this.common[CommonReg.IR] |= IR.UNREACH;
  }

  private onFrame(s: Sock, frame: Uint8Array): void {
    if (s.sr !== Sn_SR.SOCK_MACRAW || frame.length < 14) return;
    if (!this.macrawAccepts(s, frame)) return;
    const need = Chip.MACRAW_HEADER + frame.length;
    if (need > this.rxFree(s)) { this.faults.rxDropped += frame.length; return; }
    // the length field counts itself (esp-idf W5500 MAC driver subtracts 2)
    this.storeRx(s, [new Uint8Array([need >> 8, need & 0xff]), frame]);
    this.netLog(s, 'frame in', { n: frame.length });
    this.raise(s, Sn_IR.RECV);
  }

  private macrawAccepts(s: Sock, f: Uint8Array): boolean {
    const mr = s.regs[SnReg.Sn_MR];
    const bcast = f[0] === 0xff && f[1] === 0xff && f[2] === 0xff && f[3] === 0xff && f[4] === 0xff && f[5] === 0xff;
    const mcast = !bcast && (f[0] & 1) === 1;
    if (bcast && (mr & Sn_MR.BCASTB)) return false;
    if (mcast && (mr & Sn_MR.MMB)) return false;
    if ((mr & Sn_MR.MIP6B) && f[12] === 0x86 && f[13] === 0xdd) return false;
    if (mr & Sn_MR.MFEN) {
      if (bcast || mcast) return true;
      for (let i = 0; i < 6; i++) if (f[i] !== this.common[CommonReg.SHAR + i]) return false;
    }
    return true;
  }

  // ───────────────────────────── closing ─────────────────────────────

  private timeout(s: Sock): void {
    this.netLog(s, 'TIMEOUT');
    this.forget(s, true);
    s.sr = Sn_SR.SOCK_CLOSED;
    this.raise(s, Sn_IR.TIMEOUT);
  }

  /**
   * to SOCK_CLOSED, forgetting the connection (`silence()`): after CLOSE or a dropped attempt the peer is not told
   * and its next segment meets a RST; after TIME_WAIT or LAST_ACK both FINs are through and nothing more comes
   */
  private toClosed(s: Sock): void {
    this.forget(s, true);
    s.sr = Sn_SR.SOCK_CLOSED;
  }

  /** drop every tie to the network; RX bytes and pointers stay until the next OPEN */
  private forget(s: Sock, silence: boolean): void {
    const conn = s.conn;
    if (conn && silence) conn.silence();
    if (s.listener) s.listener.close();
    if (s.udp) s.udp.close();
    if (s.mac) s.mac.close();
    s.conn = undefined;
    s.listener = undefined;
    s.udp = undefined;
    s.mac = undefined;
    s.gen++;
    s.rtxDue = s.arpDue = s.twDue = s.fw2Due = s.kaDue = undefined;
    s.arpFor = undefined;
    s.udpPending = undefined;
    s.syn = s.probe = false;
    s.pendingRx = [];
  }

  private resetChip(): void {
    for (const s of this.socks) {
      this.forget(s, true);
      s.regs.set(SOCKET_MAP.reset);
      s.sr = Sn_SR.SOCK_CLOSED;
      s.ir = 0;
      s.cmdPending = 0;
      s.cmdDue = undefined;
      s.txRd = s.txAck = s.txLatched = s.rxWr = s.rxRdLatched = 0;
      s.rxHeld = s.ackHeld = s.txSent = s.txAcked = 0;
      s.sendEnds = [];
      s.finSent = s.finAcked = s.exchanged = false;
    }
    this.common.set(COMMON_MAP.reset);
    this.layoutCache = [undefined, undefined];
    this.wireQ = [];
    this.intnDue = undefined;
    this.linkChanged();
    this.updateIntn();
  }

  private netLog(s: Sock, what: string, extra?: Record<string, unknown>): void {
    if (!this.trace.enabled) return;
    const rec: Record<string, unknown> = { t: this.cur, ev: 'net', sn: s.n, what };
    if (extra) for (const k of Object.keys(extra)) rec[k] = extra[k];
    this.trace.record(rec);
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

function cmdName(cmd: number): string {
  switch (cmd) {
    case Sn_CR.OPEN: return 'OPEN';
    case Sn_CR.LISTEN: return 'LISTEN';
    case Sn_CR.CONNECT: return 'CONNECT';
    case Sn_CR.DISCON: return 'DISCON';
    case Sn_CR.CLOSE: return 'CLOSE';
    case Sn_CR.SEND: return 'SEND';
    case Sn_CR.SEND_MAC: return 'SEND_MAC';
    case Sn_CR.SEND_KEEP: return 'SEND_KEEP';
    case Sn_CR.RECV: return 'RECV';
    default: return '0x' + cmd.toString(16);
  }
}

/** copy into a socket buffer at `ptr` mod size, wrapping inside the socket's own region */
function copyIn(mem: Uint8Array, base: number, size: number, ptr: number, src: Uint8Array): void {
  if (size === 0) return;
  let p = ptr % size;
  let i = 0;
  while (i < src.length) {
    const chunk = Math.min(size - p, src.length - i);
    mem.set(src.subarray(i, i + chunk), base + p);
    i += chunk;
    p = 0;
  }
}

function copyOut(mem: Uint8Array, base: number, size: number, ptr: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  if (size === 0) return out;
  let p = ptr % size;
  let i = 0;
  while (i < len) {
    const chunk = Math.min(size - p, len - i);
    out.set(mem.subarray(base + p, base + p + chunk), i);
    i += chunk;
    p = 0;
  }
  return out;
}
