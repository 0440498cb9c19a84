/**
 * The W5500's 16 KB TX and 16 KB RX memories, shared by the eight sockets in order 0 → 7 (datasheet p.31).
 * A socket's window starts where the previous one ends, so resizing moves the later windows over the same
 * bytes, as on silicon. Offsets are reduced modulo the socket's size; a burst wraps inside its window.
 * The backing arrays grow (zero-filled, contents kept) to the end of the last configured window: bytes past
 * it cannot be addressed, and a small configuration then costs little memory where the model runs on
 * Espruino itself (dist/selftest.js).
 */
import { Chip } from '../../hal/w5500/registers';

const VALID_KB = [0, 1, 2, 4, 8, 16];

interface Layout { base: number[]; size: number[] }

export class BufferMemory {
  private tx = new Uint8Array(0);
  private rx = new Uint8Array(0);
  private kb: (tx: boolean, n: number) => number;
  private cache: (Layout | undefined)[] = [undefined, undefined];

  /** `kb` reads Sn_TXBUF_SIZE / Sn_RXBUF_SIZE of socket n */
  constructor(kb: (tx: boolean, n: number) => number) {
    this.kb = kb;
  }
  /** a size register was written (or the chip reset) */
  invalidate(): void {
    this.cache = [undefined, undefined];
  }
  size(tx: boolean, n: number): number {
    return this.layout(tx).size[n];
  }
  write(tx: boolean, n: number, ptr: number, src: Uint8Array): void {
    const l = this.layout(tx);
    copyIn(tx ? this.tx : this.rx, l.base[n], l.size[n], ptr, src);
  }
  read(tx: boolean, n: number, ptr: number, len: number): Uint8Array {
    const l = this.layout(tx);
    return copyOut(tx ? this.tx : this.rx, l.base[n], l.size[n], ptr, len);
  }

  private layout(tx: boolean): Layout {
    const cached = this.cache[tx ? 1 : 0];
    if (cached) return cached;
    const base: number[] = [];
    const size: number[] = [];
    let at = 0;
    const total = tx ? Chip.TX_MEMORY : Chip.RX_MEMORY;
    for (let n = 0; n < Chip.SOCKETS; n++) {
      const kb = this.kb(tx, n);
      // an invalid size, or one that would pass the 16 KB total, gives the socket no memory (inferred)
      const bytes = VALID_KB.indexOf(kb) >= 0 && at + kb * 1024 <= total ? kb * 1024 : 0;
      base.push(at);
      size.push(bytes);
      at += bytes;
    }
    const l = { base, size };
    this.cache[tx ? 1 : 0] = l;
    const had = tx ? this.tx : this.rx;
    if (at > had.length) {
      const grown = new Uint8Array(at);
      grown.set(had, 0);
      if (tx) this.tx = grown; else this.rx = grown;
    }
    return l;
  }
}

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
