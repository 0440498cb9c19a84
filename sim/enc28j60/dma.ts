/**
 * The DMA controller (DS §13): ECON1.DMAST copies EDMAST..EDMAND to EDMADST, or with ECON1.CSUMEN computes the IP
 * checksum of that range into EDMACS; both read through the receive-ring wrap. DMAST clears and DMAIF is set when
 * done. The datasheet gives no rate; the model assumes one byte per 0.2 µs (see README).
 */
import { ptr, step, type EncCore } from './core';
import { ECON1, EIR, Reg } from './registers';

const BYTE_MS = 0.0002;

export class EncDma {
  private doneAt: number | undefined;

  constructor(private c: EncCore) {}

  reset(): void {
    this.doneAt = undefined;
  }

  /** DMAST went from 0 to 1 */
  start(): void {
    const r = this.c.regs;
    const n = this.length();
    this.doneAt = this.c.time() + n * BYTE_MS;
    this.c.trace.record({ t: this.c.time(), ev: 'dma', checksum: (r[Reg.ECON1] & ECON1.CSUMEN) !== 0, bytes: n });
  }

  /** DMAST cleared by software: the copy stops where it is (here: does not happen) */
  cancel(): void {
    this.doneAt = undefined;
  }

  nextDeadline(): number | undefined {
    return this.doneAt;
  }

  finish(): void {
    if (this.doneAt === undefined) return;
    this.doneAt = undefined;
    const c = this.c;
    const r = c.regs;
    const st = ptr(r, Reg.ERXSTL);
    const nd = ptr(r, Reg.ERXNDL);
    let p = ptr(r, Reg.EDMASTL);
    const n = this.length();
    if (r[Reg.ECON1] & ECON1.CSUMEN) {
      let s = 0;
      for (let i = 0; i < n; i++) {
        s += i & 1 ? c.mem[p] : c.mem[p] << 8;
        p = step(p, st, nd);
      }
      while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
      const sum = ~s & 0xffff;
      // EDMACSH holds the first byte of the checksum as it goes into a header (DS §13.2)
      r[Reg.EDMACSH] = sum >> 8;
      r[Reg.EDMACSL] = sum & 0xff;
    } else {
      let q = ptr(r, Reg.EDMADSTL);
      for (let i = 0; i < n; i++) {
        c.mem[q] = c.mem[p];
        p = step(p, st, nd);
        q = step(q, st, nd);
      }
    }
    r[Reg.ECON1] &= ~ECON1.DMAST;
    c.trace.record({ t: c.time(), ev: 'dma', done: true });
    c.raise(EIR.DMAIF);
  }

  private length(): number {
    const r = this.c.regs;
    const st = ptr(r, Reg.ERXSTL);
    const nd = ptr(r, Reg.ERXNDL);
    const end = ptr(r, Reg.EDMANDL);
    let p = ptr(r, Reg.EDMASTL);
    let n = 1;
    for (; p !== end && n <= 0x2000; n++) p = step(p, st, nd);
    return n;
  }
}
