/**
 * Frames out: the stack's FrameSink (firmware/net/iface.ts) in front of a FrameDriver, which takes
 * one frame at a time (BUSY until its `sent`). A frame the driver cannot take now is copied into a
 * byte ring (a 2-byte length, then the frame) and handed over when the one in flight is done. A
 * frame that does not fit the ring is dropped and counted: TCP retransmits it, as after a loss on
 * the wire. No allocation per frame.
 */
import { FrameErr } from '../../../hal/frame-driver';
import type { FrameDriver } from '../../../hal/frame-driver';
import type { FrameSink } from '../../net/iface';

export class TxQueue implements FrameSink {
  private drv: FrameDriver;
  private ring: Uint8Array;
  private head = 0;
  private used = 0;
  /** frames waiting in the ring */
  frames = 0;
  /** frames that had to wait in the ring, and frames dropped because it was full or the driver refused them */
  queued = 0;
  dropped = 0;
  /** the frame being sent, copied out of the ring (the driver reads it during `send` only, but keep it simple) */
  private out: Uint8Array;

  constructor(drv: FrameDriver, bytes: number) {
    this.drv = drv;
    this.ring = new Uint8Array(bytes);
    this.out = new Uint8Array(1514);
  }

  sendFrame(buf: Uint8Array, off: number, len: number): void {
    const drv = this.drv;
    if (this.frames === 0 && drv.canSend()) {
      const r = drv.send(off === 0 ? buf : buf.subarray(off, off + len), len);
      if (r === FrameErr.OK) return;
      if (r !== FrameErr.BUSY) {
        this.dropped++;
        return;
      }
    }
    this.push(buf, off, len);
  }

  /** the driver's `sent`: the next waiting frame goes out */
  next(): void {
    const drv = this.drv;
    while (this.frames > 0 && drv.canSend()) {
      const len = this.take();
      const r = drv.send(this.out, len);
      if (r === FrameErr.OK) return;
      this.dropped++;
      if (!drv.isUp()) {
        this.clear();
        return;
      }
    }
  }

  clear(): void {
    this.head = 0;
    this.used = 0;
    this.frames = 0;
  }

  private push(buf: Uint8Array, off: number, len: number): void {
    const size = this.ring.length;
    if (this.used + 2 + len > size) {
      this.dropped++;
      return;
    }
    let tail = this.head + this.used;
    if (tail >= size) tail -= size;
    this.ring[tail] = len >> 8;
    tail = tail + 1 === size ? 0 : tail + 1;
    this.ring[tail] = len & 0xff;
    tail = tail + 1 === size ? 0 : tail + 1;
    const first = len < size - tail ? len : size - tail;
    this.ring.set(buf.subarray(off, off + first), tail);
    if (len > first) this.ring.set(buf.subarray(off + first, off + len), 0);
    this.used += 2 + len;
    this.frames++;
    this.queued++;
  }

  /** removes the oldest frame into `out`; returns its length */
  private take(): number {
    const size = this.ring.length;
    const r = this.ring;
    let h = this.head;
    const len = (r[h] << 8) | r[h + 1 === size ? 0 : h + 1];
    h += 2;
    if (h >= size) h -= size;
    const first = len < size - h ? len : size - h;
    this.out.set(r.subarray(h, h + first), 0);
    if (len > first) this.out.set(r.subarray(0, len - first), first);
    h += len;
    if (h >= size) h -= size;
    this.head = h;
    this.used -= 2 + len;
    this.frames--;
    if (this.frames === 0) this.head = 0;
    if (this.frames === 0) this.used = 0;
    return len;
  }
}
