/**
 * A byte ring for a connection's send queue (bytes from SND.UNA on: sent-unacknowledged, then
 * unsent) and receive queue (bytes up to RCV.NXT not yet read). Every copy is one or two
 * `set`/`subarray` calls; `subarray` ends are clamped here (Espruino does not clamp them).
 */
export class ByteRing {
  buf: Uint8Array;
  head = 0;
  count = 0;

  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }

  free(): number {
    return this.buf.length - this.count;
  }

  /** appends up to `len` bytes of `src` from `off`; returns how many fit */
  write(src: Uint8Array, off: number, len: number): number {
    const size = this.buf.length;
    const n = len < size - this.count ? len : size - this.count;
    if (n <= 0) return 0;
    let tail = this.head + this.count;
    if (tail >= size) tail -= size;
    const first = n < size - tail ? n : size - tail;
    this.buf.set(src.subarray(off, off + first), tail);
    if (n > first) this.buf.set(src.subarray(off + first, off + n), 0);
    this.count += n;
    return n;
  }

  /** copies `len` bytes starting `from` bytes after the head into `dst` at `at`, consuming nothing */
  peek(from: number, dst: Uint8Array, at: number, len: number): void {
    if (len <= 0) return;
    const size = this.buf.length;
    let p = this.head + from;
    if (p >= size) p -= size;
    const first = len < size - p ? len : size - p;
    dst.set(this.buf.subarray(p, p + first), at);
    if (len > first) dst.set(this.buf.subarray(0, len - first), at + first);
  }

  /** consumes `n` bytes from the head */
  drop(n: number): void {
    if (n > this.count) n = this.count;
    this.head += n;
    if (this.head >= this.buf.length) this.head -= this.buf.length;
    this.count -= n;
    if (this.count === 0) this.head = 0;
  }

  /** copies out and consumes up to `len` bytes; returns the count */
  read(dst: Uint8Array, at: number, len: number): number {
    const n = len < this.count ? len : this.count;
    this.peek(0, dst, at, n);
    this.drop(n);
    return n;
  }
}
