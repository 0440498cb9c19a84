/**
 * Frames out: the stack's FrameSink (firmware/net/iface.ts) in front of a FrameDriver, which takes
 * one frame at a time (BUSY until its `sent`). A frame the driver cannot take now is copied into a
 * byte ring (a 2-byte length, then the frame, each record in one piece: a record that does not fit
 * before the ring's end starts again at 0) and handed over, as a view of the ring, when the one in
 * flight is done. A frame that does not fit the ring is dropped and counted: TCP retransmits it, as
 * after a loss on the wire. No allocation per frame; no buffer besides the ring.
 */
import { FrameErr } from '../../../hal/frame-driver';
import type { FrameDriver } from '../../../hal/frame-driver';
import type { FrameSink } from '../../net/iface';

export class TxQueue implements FrameSink {
  private drv: FrameDriver;
  private ring: Uint8Array;
  /** the oldest record, and where the next one goes */
  private head = 0;
  private tail = 0;
  /** records wrapped to 0 while older ones still end at `end` */
  private wrapped = false;
  private end = 0;
  /** frames waiting in the ring */
  frames = 0;
  /** frames that had to wait in the ring, and frames dropped because it was full or the driver refused them */
  queued = 0;
  dropped = 0;

  constructor(drv: FrameDriver, bytes: number) {
    this.drv = drv;
    this.ring = new Uint8Array(bytes);
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
    const r = this.ring;
    while (this.frames > 0 && drv.canSend()) {
      const h = this.head;
      const len = (r[h] << 8) | r[h + 1];
      this.head = h + 2 + len;
      if (this.wrapped && this.head === this.end) {
        this.head = 0;
        this.wrapped = false;
      }
      if (--this.frames === 0) this.clear();
      // the driver copies the frame during `send`: the ring may take new records at once
      if (drv.send(r.subarray(h + 2, h + 2 + len), len) === FrameErr.OK) return;
      this.dropped++;
      if (!drv.isUp()) {
        this.clear();
        return;
      }
    }
  }

  clear(): void {
    this.head = 0;
    this.tail = 0;
    this.wrapped = false;
    this.frames = 0;
  }

  private push(buf: Uint8Array, off: number, len: number): void {
    const n = 2 + len;
    let at = this.tail;
    if (this.wrapped ? at + n > this.head : at + n > this.ring.length) {
      if (this.wrapped || n > this.head) {
        this.dropped++;
        return;
      }
      // not enough room before the end: the record starts again at 0, ahead of the oldest one
      this.end = at;
      this.wrapped = true;
      at = 0;
    }
    const r = this.ring;
    r[at] = len >> 8;
    r[at + 1] = len & 0xff;
    r.set(buf.subarray(off, off + len), at + 2);
    this.tail = at + n;
    this.frames++;
    this.queued++;
  }
}
