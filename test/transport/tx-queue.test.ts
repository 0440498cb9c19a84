import assert from 'node:assert/strict';
import { TxQueue } from '../../firmware/transport/software/tx-queue';
import type { FrameDriver, FrameHandler } from '../../hal/frame-driver';
import type { Wake } from '../../hal/service-loop';

/** a driver that takes one frame, then is BUSY until `done()`; it keeps a copy of each frame it was given */
class OneAtATime implements FrameDriver {
  mac = new Uint8Array(6);
  counters = new Uint32Array(13);
  sent: number[][] = [];
  busy = false;
  up = true;
  begin(): number { return 0; }
  stop(): void { /* nothing to stop */ }
  setHandler(_h: FrameHandler | undefined): void { /* frames go to `sent` */ }
  setWake(_w: Wake): void { /* never asks for a turn: the test runs the queue */ }
  send(frame: Uint8Array, len: number): number {
    if (!this.up) return -13;
    if (this.busy) return -10;
    this.sent.push(Array.from(frame.subarray(0, len)));
    this.busy = true;
    return 0;
  }
  canSend(): boolean { return this.up && !this.busy; }
  service(): number { return -1; }
  isUp(): boolean { return this.up; }
  isLinkUp(): boolean { return true; }
  checkChip(): number { return 0; }
}

function frame(len: number, fill: number): Uint8Array {
  return new Uint8Array(len).fill(fill);
}

/** the driver finishes the frame in flight and the queue hands over the next */
function done(d: OneAtATime, q: TxQueue): void {
  d.busy = false;
  q.next();
}

describe('software transport: the frame queue in front of a one-frame driver', function () {
  it('a frame goes straight to an idle driver; the ones behind it wait in order, each handed over whole after the previous one is done', function () {
    const d = new OneAtATime();
    const q = new TxQueue(d, 64);
    const buf = new Uint8Array(40);
    buf.set(frame(20, 1), 10);
    q.sendFrame(buf, 10, 20);
    q.sendFrame(frame(20, 2), 0, 20);
    q.sendFrame(frame(20, 3), 0, 20);
    assert.deepEqual(d.sent, [Array(20).fill(1)]);
    assert.equal(q.frames, 2);
    assert.equal(q.queued, 2);
    done(d, q);
    done(d, q);
    assert.deepEqual(d.sent, [Array(20).fill(1), Array(20).fill(2), Array(20).fill(3)]);
    assert.equal(q.frames, 0);
    assert.equal(q.dropped, 0);
  });

  it('a record that does not fit before the end starts again at 0, ahead of the oldest; a frame with no room is dropped and counted', function () {
    const d = new OneAtATime();
    const q = new TxQueue(d, 70);
    q.sendFrame(frame(14, 9), 0, 14); // in flight
    q.sendFrame(frame(30, 1), 0, 30); // ring 0..32
    q.sendFrame(frame(30, 2), 0, 30); // ring 32..64
    q.sendFrame(frame(10, 3), 0, 10); // 12 bytes: not before the end (64 + 12 > 70), and not before the oldest (at 0): dropped
    assert.equal(q.dropped, 1);
    done(d, q); // frame 1 leaves: 0..32 is free
    q.sendFrame(frame(20, 4), 0, 20); // wraps to 0..22
    q.sendFrame(frame(8, 5), 0, 8); // 22..32, up to the oldest record at 32
    q.sendFrame(frame(1, 6), 0, 1); // no room left before the oldest: dropped
    assert.equal(q.dropped, 2);
    assert.equal(q.frames, 3);
    done(d, q);
    done(d, q);
    done(d, q);
    assert.deepEqual(d.sent.map((f) => [f.length, f[0]]), [[14, 9], [30, 1], [30, 2], [20, 4], [8, 5]]);
    assert.equal(q.frames, 0);
    // empty again: the whole ring is free
    done(d, q);
    q.sendFrame(frame(10, 7), 0, 10); // in flight
    q.sendFrame(frame(66, 8), 0, 66);
    assert.equal(q.frames, 1);
    assert.equal(q.dropped, 2);
  });

  it('a driver gone down while frames wait: the one refused is counted and the queue is emptied', function () {
    const d = new OneAtATime();
    const q = new TxQueue(d, 200);
    q.sendFrame(frame(20, 1), 0, 20);
    q.sendFrame(frame(20, 2), 0, 20);
    q.sendFrame(frame(20, 3), 0, 20);
    d.busy = false;
    d.up = false;
    d.canSend = () => true;
    q.next();
    assert.equal(q.dropped, 1);
    assert.equal(q.frames, 0);
    assert.deepEqual(d.sent, [Array(20).fill(1)]);
  });
});
