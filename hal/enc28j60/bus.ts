import type { SpiDevice, SpiOperation } from '../spi';
import { SpiOp } from '../spi';
import { ECON1, Op, Reg, RegBits } from './registers';

/**
 * The instruction layer: one SPI transaction (one chip-select window) per instruction, as the
 * datasheet describes them (DS §4.2) — the datasheet never describes several registers in one window.
 * Remembers the bank in ECON1.BSEL so a bank switch goes out only when a register needs another one,
 * and then as BFS/BFC of the changed bits only (ECON1's other bits are live: TXRTS, RXEN).
 * Buffers are reused; buffer-memory bursts move as one Uint8Array.
 */
export class EncBus {
  spi: SpiDevice;
  /** ECON1.BSEL as last written, or -1 when unknown (after a reset, or a failed transaction) */
  bank = 0;
  private b2: Uint8Array = new Uint8Array(2);
  private b3: Uint8Array = new Uint8Array(3);
  private one: SpiOperation[];
  private two: SpiOperation[];

  constructor(spi: SpiDevice) {
    this.spi = spi;
    this.one = [{ op: SpiOp.Transfer, buf: this.b2 }];
    this.two = [{ op: SpiOp.Write, buf: this.b2 }, { op: SpiOp.Write, buf: this.b2 }];
  }

  private run(op: number, buf: Uint8Array): boolean {
    const o = this.one[0];
    o.op = op;
    o.buf = buf;
    if (this.spi.transaction(this.one)) return true;
    this.bank = -1;
    return false;
  }

  private cmd(opcode: number, arg: number): boolean {
    const b = this.b2;
    b[0] = opcode;
    b[1] = arg & 0xff;
    return this.run(SpiOp.Write, b);
  }

  /** Selects the bank of `reg` if it has one and it is not the current one. */
  select(reg: number): boolean {
    if ((reg & RegBits.ADDR) >= RegBits.COMMON_FIRST) return true;
    const want = (reg & RegBits.BANK) >> RegBits.BANK_SHIFT;
    const have = this.bank;
    if (have === want) return true;
    if (have < 0) {
      if (!this.cmd(Op.BFC | Reg.ECON1, ECON1.BSEL)) return false;
      if (want && !this.cmd(Op.BFS | Reg.ECON1, want)) return false;
    } else {
      const clear = have & ~want;
      const set = want & ~have;
      if (clear && !this.cmd(Op.BFC | Reg.ECON1, clear)) return false;
      if (set && !this.cmd(Op.BFS | Reg.ECON1, set)) return false;
    }
    this.bank = want;
    return true;
  }

  /** RCR: the register's value, or -1 when the bus failed. MAC/MII registers clock out a dummy byte first. */
  read(reg: number): number {
    if (!this.select(reg)) return -1;
    const mac = (reg & RegBits.MACMII) !== 0;
    const b = mac ? this.b3 : this.b2;
    b.fill(0);
    b[0] = Op.RCR | (reg & RegBits.ADDR);
    if (!this.run(SpiOp.Transfer, b)) return -1;
    return mac ? b[2] : b[1];
  }

  /** WCR: any ETH, MAC or MII register. */
  write(reg: number, value: number): boolean {
    if (!this.select(reg)) return false;
    return this.cmd(Op.WCR | (reg & RegBits.ADDR), value);
  }

  /** A 16-bit pointer or limit, low byte first (ERXRDPT takes effect on the high byte, DS §7.2.4). */
  write16(regL: number, value: number): boolean {
    return this.write(regL, value & 0xff) && this.write(regL + 1, (value >> 8) & 0xff);
  }

  /**
   * A buffer pointer or limit that is not latched (ERDPT, EWRPT, ETXND): only the bytes that differ from
   * `old` (-1: unknown, both bytes) go out.
   */
  writePointer(regL: number, old: number, value: number): boolean {
    if (old < 0 || (old & 0xff) !== (value & 0xff)) { if (!this.write(regL, value & 0xff)) return false; }
    if (old < 0 || (old >> 8) !== (value >> 8)) { if (!this.write(regL + 1, value >> 8)) return false; }
    return true;
  }

  /** BFS: ETH registers only (DS §4.2.5); MAC/MII bits are set by read-modify-write. */
  set(reg: number, mask: number): boolean {
    if (!this.select(reg)) return false;
    return this.cmd(Op.BFS | (reg & RegBits.ADDR), mask);
  }

  /** BFC: ETH registers only (DS §4.2.6). */
  clear(reg: number, mask: number): boolean {
    if (!this.select(reg)) return false;
    return this.cmd(Op.BFC | (reg & RegBits.ADDR), mask);
  }

  /** SRC: the chip returns to its reset state, bank 0 (ECON1 = 0). */
  reset(): boolean {
    const b = this.b2.subarray(0, 1);
    b[0] = Op.SRC;
    const ok = this.run(SpiOp.Write, b);
    this.bank = ok ? 0 : -1;
    return ok;
  }

  /**
   * RBM: reads `n` bytes from ERDPT into `buf[1..n]` (buf[0] carries the opcode), one transaction.
   * The chip wraps from ERXND to ERXST inside the RX ring (DS §4.2.2).
   */
  readBuffer(buf: Uint8Array, n: number): boolean {
    const frame = n + 1 === buf.length ? buf : buf.subarray(0, n + 1);
    frame.fill(0);
    frame[0] = Op.RBM;
    return this.run(SpiOp.Transfer, frame);
  }

  /** WBM: `head` (opcode in head[0], then any bytes) and `data` at EWRPT, one transaction, no copy. */
  writeBuffer(head: Uint8Array, data: Uint8Array): boolean {
    head[0] = Op.WBM;
    const t = this.two;
    t[0].buf = head;
    t[1].buf = data;
    const ok = this.spi.transaction(t);
    t[1].buf = this.b2;
    if (!ok) this.bank = -1;
    return ok;
  }
}
