/**
 * Raw-SPI helpers for the ENC28J60 model tests: every instruction is built byte by byte, so a test shows what
 * crosses the bus, and time moves on a plain virtual clock through the model's and the pipe's deadlines.
 */
import { Enc28j60Model, type Enc28j60ModelOptions } from '../../sim/enc28j60/model';
import { REGS, Kind } from '../../sim/enc28j60/register-table';
import { ECON1, ECON2, Phy, Reg } from '../../sim/enc28j60/registers';
import { MII_MS } from '../../sim/enc28j60/phy';
import { FramePipe, type FramePipeOptions } from '../../sim/net/frame-pipe';
import { ScriptedFramePeer } from '../../sim/net/frame-peer';

export const CHIP_MAC = [0x02, 0x00, 0x00, 0x12, 0x34, 0x56];
export const PEER_MAC = [0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc];
/** the Linux driver's layout (enc28j60.md §6) */
export const RXST = 0x0000;
export const RXND = 0x19ff;
export const TXST = 0x1a00;

/**
 * The SPI side of a driver written out by hand: every instruction byte by byte over any `exchange`
 * (a model in this thread, a TAP rig, a worker). `wait(ms)` lets time pass (virtual rigs move their clock).
 */
export class EncSpi {
  constructor(protected xfer: (mosi: Uint8Array) => Uint8Array) {}

  /** lets `ms` pass (real-time rigs: nothing, the next window sees the time that passed) */
  wait(ms: number): void {
    void ms;
  }

  /** one chip-select window */
  x(bytes: number[]): number[] {
    return Array.from(this.xfer(new Uint8Array(bytes)));
  }

  /** selects the bank of `id` with BFC/BFS on ECON1 (common registers need none) */
  bank(id: number): void {
    if ((id & 0x1f) >= Reg.EIE) return;
    const b = (id >> 5) & 3;
    this.x([0xa0 | Reg.ECON1, ECON1.BSEL]);
    if (b) this.x([0x80 | Reg.ECON1, b]);
  }
  rcr(id: number): number {
    this.bank(id);
    const mac = REGS[id].kind === Kind.MacMii;
    const out = this.x(mac ? [id & 0x1f, 0, 0] : [id & 0x1f, 0]);
    return out[out.length - 1];
  }
  wcr(id: number, v: number): void {
    this.bank(id);
    this.x([0x40 | (id & 0x1f), v & 0xff]);
  }
  bfs(id: number, mask: number): void {
    this.bank(id);
    this.x([0x80 | (id & 0x1f), mask]);
  }
  bfc(id: number, mask: number): void {
    this.bank(id);
    this.x([0xa0 | (id & 0x1f), mask]);
  }
  r16(lo: number): number {
    return this.rcr(lo) | (this.rcr(lo + 1) << 8);
  }
  w16(lo: number, v: number): void {
    this.wcr(lo, v & 0xff);
    this.wcr(lo + 1, v >> 8);
  }
  rbm(n: number): number[] {
    return this.x([0x3a, ...new Array(n).fill(0)]).slice(1);
  }
  wbm(data: number[] | Uint8Array): void {
    this.x([0x7a, ...Array.from(data)]);
  }
  src(): void {
    this.x([0xff]);
  }

  /** waits out MISTAT.BUSY (bounded) */
  miiWait(): void {
    for (let i = 0; i < 10000; i++) {
      this.wait(MII_MS / 4);
      if (!(this.rcr(Reg.MISTAT) & 1)) return;
    }
    throw new Error('MISTAT.BUSY never cleared');
  }
  phyRead(reg: number): number {
    this.wcr(Reg.MIREGADR, reg);
    this.wcr(Reg.MICMD, 1);
    this.miiWait();
    this.wcr(Reg.MICMD, 0);
    return this.rcr(Reg.MIRDL) | (this.rcr(Reg.MIRDH) << 8);
  }
  phyWrite(reg: number, v: number): void {
    this.wcr(Reg.MIREGADR, reg);
    this.wcr(Reg.MIWRL, v & 0xff);
    this.wcr(Reg.MIWRH, v >> 8);
    this.miiWait();
  }

  /** the Linux driver's init (enc28j60.md §10), half duplex unless asked, RX on */
  init(opts: { fullDuplex?: boolean; erxfcon?: number; mac?: number[] } = {}): void {
    const mac = opts.mac || CHIP_MAC;
    this.wcr(Reg.ECON1, 0);
    this.wcr(Reg.ECON2, ECON2.AUTOINC | ECON2.VRPS);
    this.w16(Reg.ERXSTL, RXST);
    this.w16(Reg.ERXRDPTL, RXND);
    this.w16(Reg.ERXNDL, RXND);
    this.w16(Reg.ETXSTL, TXST);
    this.w16(Reg.ETXNDL, 0x1fff);
    this.wcr(Reg.ERXFCON, opts.erxfcon !== undefined ? opts.erxfcon : 0xa1);
    this.wcr(Reg.MACON1, 0x0d);
    this.wcr(Reg.MACON3, 0x32 | (opts.fullDuplex ? 1 : 0));
    this.wcr(Reg.MACON4, opts.fullDuplex ? 0 : 0x40);
    this.w16(Reg.MAMXFLL, 1518);
    this.phyWrite(Phy.PHLCON, 0x3476);
    this.phyWrite(Phy.PHCON1, opts.fullDuplex ? 0x0100 : 0);
    this.phyWrite(Phy.PHCON2, opts.fullDuplex ? 0 : 0x0100);
    const regs = [Reg.MAADR1, Reg.MAADR2, Reg.MAADR3, Reg.MAADR4, Reg.MAADR5, Reg.MAADR6];
    for (let i = 0; i < 6; i++) this.wcr(regs[i], mac[i]);
    this.phyWrite(Phy.PHIE, 0x12);
    this.bfc(Reg.EIR, 0x7b);
    this.wcr(Reg.EIE, 0xdb);
    this.bfs(Reg.ECON1, ECON1.RXEN);
  }

  /** writes control byte + frame at TXST, sets ETXND and TXRTS */
  send(frame: Uint8Array | number[], control = 0): void {
    this.w16(Reg.EWRPTL, TXST);
    this.wbm([control, ...Array.from(frame)]);
    this.w16(Reg.ETXNDL, TXST + frame.length);
    this.bfc(Reg.EIR, 0x0a);
    this.bfs(Reg.ECON1, ECON1.TXRTS);
  }

  /**
   * reads the frame at `at` in the ring (header by RBM), frees it (odd ERXRDPT) and decrements EPKTCNT;
   * returns the frame without its CRC and where the next one starts
   */
  take(at: number): { next: number; count: number; status: number; frame: Uint8Array } {
    this.w16(Reg.ERDPTL, at);
    const h = this.rbm(6);
    const next = h[0] | (h[1] << 8);
    const count = h[2] | (h[3] << 8);
    const data = this.rbm(count);
    this.w16(Reg.ERXRDPTL, next === RXST ? RXND : next - 1);
    this.bfs(Reg.ECON2, ECON2.PKTDEC);
    return { next, count, status: h[4] | (h[5] << 8), frame: new Uint8Array(data.slice(0, count - 4)) };
  }
}

export class Rig extends EncSpi {
  t = 0;
  readonly chip: Enc28j60Model;
  readonly pipe: FramePipe;
  readonly peer: ScriptedFramePeer;
  readonly intLog: { t: number; high: boolean }[] = [];

  constructor(opts: Partial<Enc28j60ModelOptions> = {}, pipe: Partial<FramePipeOptions> = {}) {
    super((mosi) => this.chip.exchange(mosi));
    this.pipe = new FramePipe({ now: () => this.t, ...pipe });
    this.chip = new Enc28j60Model({ now: () => this.t, trace: true, wire: this.pipe.a, ...opts });
    this.peer = new ScriptedFramePeer(this.pipe.b, () => this.t);
    this.chip.onIntn((high) => this.intLog.push({ t: this.t, high }));
  }

  wait(ms: number): void {
    this.run(ms);
  }

  /** moves time by `ms`, running the chip's and the wire's events at their times */
  run(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next = this.chip.nextDeadline();
      const p = this.pipe.nextDeadline();
      if (p !== undefined && (next === undefined || p < next)) next = p;
      if (next === undefined || next > end) break;
      this.t = Math.max(this.t, next);
      this.chip.advance();
      this.pipe.advance();
    }
    this.t = end;
    this.chip.advance();
    this.pipe.advance();
  }
}

/** an Ethernet frame: dst, src, type, then payload bytes (no padding) */
export function eth(dst: number[], src: number[], type: number, payload: number[]): Uint8Array {
  return new Uint8Array([...dst, ...src, type >> 8, type & 0xff, ...payload]);
}

/** a 60-byte frame to the chip with `tag` in the first payload byte */
export function toChip(tag: number, len = 60, dst = CHIP_MAC): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst, 0);
  f.set(PEER_MAC, 6);
  f[12] = 0x08;
  f[13] = 0x00;
  f[14] = tag;
  for (let i = 15; i < len; i++) f[i] = i & 0xff;
  return f;
}
