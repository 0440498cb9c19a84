/**
 * The minimal recorded-SPI basis: every chip-select window is logged as hex, and a small register file
 * answers RCR (with the dummy byte for MAC/MII), WCR, BFS, BFC and the MII read/write handshake, so the
 * driver's exact instruction sequences can be asserted. It is not a chip model (no buffer, no MAC): the
 * driver's behaviour against the chip is tested on sim/enc28j60.
 */
import type { SpiDevice, SpiOperation } from '../../hal/spi';
import { SpiOp } from '../../hal/spi';

export function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

export class RecordedSpi implements SpiDevice {
  log: string[] = [];
  /** 4 banks × 32; 0x1B–0x1F shared */
  regs = new Uint8Array(128);
  phy = new Uint16Array(32);
  /** what MISO carries when set: the chip is absent (0xFF) or held (0x00) */
  stuck: number | undefined;
  fail = false;
  /** what the buffer memory answers to the next RBM windows, in order (zeros when none is queued) */
  rbm: Uint8Array[] = [];

  constructor() {
    this.regs[3 * 32 + 0x12] = 0x06; // EREVID: B7
  }

  private at(addr: number): number {
    return addr >= 0x1b ? addr : (this.regs[0x1f] & 3) * 32 + addr;
  }

  transaction(ops: SpiOperation[]): boolean {
    if (this.fail) return false;
    let n = 0;
    for (const o of ops) n += o.buf.length;
    const mosi = new Uint8Array(n);
    let k = 0;
    for (const o of ops) { if (o.op !== SpiOp.Read) mosi.set(o.buf, k); k += o.buf.length; }
    this.log.push(hex(mosi.subarray(0, Math.min(n, 16))) + (n > 16 ? ' …(' + n + ')' : ''));
    const miso = new Uint8Array(n);
    if (this.stuck !== undefined) miso.fill(this.stuck);
    else this.exchange(mosi, miso);
    k = 0;
    for (const o of ops) { if (o.op !== SpiOp.Write) o.buf.set(miso.subarray(k, k + o.buf.length)); k += o.buf.length; }
    return true;
  }

  private exchange(mosi: Uint8Array, miso: Uint8Array): void {
    const op = mosi[0] & 0xe0;
    const a = mosi[0] & 0x1f;
    if (mosi[0] === 0xff) { this.regs.fill(0, 0, 0x60); this.regs[0x1f] = 0; return; }
    if (mosi[0] === 0x3a) {
      const d = this.rbm.shift();
      if (d) miso.set(d.subarray(0, miso.length - 1), 1);
      return;
    }
    if (mosi[0] === 0x7a) return;
    const r = this.at(a);
    const bank = this.regs[0x1f] & 3;
    const mac = (bank === 2 && a < 0x1b) || (bank === 3 && (a <= 5 || a === 0x0a));
    if (op === 0x00) { miso[mac ? 2 : 1] = this.regs[r]; return; }
    if (op === 0x40) this.regs[r] = mosi[1];
    else if (op === 0x80) this.regs[r] |= mosi[1];
    else if (op === 0xa0) this.regs[r] &= ~mosi[1];
    if (op === 0x40 && bank === 2 && a === 0x17) this.phy[this.regs[2 * 32 + 0x14]] = this.regs[2 * 32 + 0x16] | (mosi[1] << 8);
    if (op === 0x40 && bank === 2 && a === 0x12 && (mosi[1] & 1)) {
      const v = this.phy[this.regs[2 * 32 + 0x14]];
      this.regs[2 * 32 + 0x18] = v & 0xff;
      this.regs[2 * 32 + 0x19] = v >> 8;
    }
  }

  take(): string[] {
    const l = this.log;
    this.log = [];
    return l;
  }
}
