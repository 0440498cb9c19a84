import assert from 'node:assert/strict';
import { FramePipe } from '../../sim/net/frame-pipe';
import { ScriptedFramePeer } from '../../sim/net/frame-peer';
import { PcapWriter } from '../../sim/net/pcap';

/** a 60-byte frame whose byte 14 carries `n`, so deliveries can be told apart */
function frame(n: number, len = 60): Uint8Array {
  const f = new Uint8Array(len);
  f.fill(0xff, 0, 6);
  f.set([2, 0, 0, 0, 0, 1], 6);
  f[12] = 0x88;
  f[13] = 0xb5;
  f[14] = n;
  return f;
}

class Rig {
  t = 0;
  readonly pipe: FramePipe;
  readonly A: ScriptedFramePeer;
  readonly B: ScriptedFramePeer;
  constructor(opts: Partial<ConstructorParameters<typeof FramePipe>[0]> = {}) {
    this.pipe = new FramePipe({ now: () => this.t, ...opts });
    this.A = new ScriptedFramePeer(this.pipe.a, () => this.t);
    this.B = new ScriptedFramePeer(this.pipe.b, () => this.t);
  }
  /** moves time to each delivery until nothing is in flight */
  drain(): void {
    for (let d = this.pipe.nextDeadline(); d !== undefined; d = this.pipe.nextDeadline()) {
      this.t = Math.max(this.t, d);
      this.pipe.advance();
    }
  }
  /** what B received: [time, tag] */
  atB(): [number, number][] {
    return this.B.received.map((r) => [r.t, r.frame[14]]);
  }
}

describe('frame pipe (sim/net/frame-pipe.ts)', () => {
  it('delivers in order after the delay, only from advance(), with a copy of the frame', () => {
    const r = new Rig({ delayMs: 2 });
    const f = frame(1);
    r.A.send(f);
    f[14] = 99; // the wire took a copy
    r.A.send(frame(2));
    assert.equal(r.B.received.length, 0);
    assert.equal(r.pipe.nextDeadline(), 2);
    r.t = 1.999;
    r.pipe.advance();
    assert.equal(r.B.received.length, 0);
    r.drain();
    assert.deepEqual(r.atB(), [[2, 1], [2, 2]]);
    assert.equal(r.B.received[0].fcsBad, false);
    assert.deepEqual(r.pipe.counters.a, { sent: 2, delivered: 2, lost: 0, duplicated: 0, reordered: 0, corrupted: 0, unclaimed: 0, bytes: 120 });
    assert.deepEqual(r.pipe.counters.b.sent, 0);
  });

  it('a reply sent from a receiver with no delay arrives in the same advance()', () => {
    const r = new Rig();
    r.B.responder = (f) => [frame(f[14] + 100)];
    r.A.send(frame(7));
    r.pipe.advance();
    assert.deepEqual(r.atB(), [[0, 7]]);
    assert.deepEqual(r.A.received.map((x) => x.frame[14]), [107]);
  });

  it('serialises at the bit rate: a 1514-byte frame takes 1.2304 ms at 10 Mbit/s and the next queues behind it', () => {
    const r = new Rig({ bitRate: 10e6, delayMs: 0.1 });
    r.A.send(frame(1, 1514));
    r.A.send(frame(2, 60));
    r.drain();
    const got = r.atB();
    assert.equal(got.length, 2);
    assert.ok(Math.abs(got[0][0] - (1.2304 + 0.1)) < 1e-9, String(got[0][0]));
    assert.ok(Math.abs(got[1][0] - (1.2304 + 0.0672 + 0.1)) < 1e-9, String(got[1][0]));
  });

  it('seeded loss: the same seed loses the same frames, loss 1 loses all, counters add up', () => {
    const run = (seed: number) => {
      const r = new Rig({ loss: 0.3, seed });
      for (let i = 0; i < 100; i++) r.A.send(frame(i));
      r.drain();
      return r;
    };
    const x = run(42);
    const y = run(42);
    const z = run(43);
    assert.deepEqual(x.atB(), y.atB());
    assert.notDeepEqual(x.atB(), z.atB());
    assert.equal(x.pipe.counters.a.lost + x.pipe.counters.a.delivered, 100);
    assert.ok(x.pipe.counters.a.lost > 15 && x.pipe.counters.a.lost < 45, String(x.pipe.counters.a.lost));
    const all = new Rig({ loss: 1 });
    all.A.send(frame(1));
    all.drain();
    assert.equal(all.B.received.length, 0);
    assert.equal(all.pipe.counters.a.lost, 1);
  });

  it('duplication delivers the copy right after the original', () => {
    const r = new Rig({ duplicate: 1, delayMs: 1 });
    r.A.send(frame(1));
    r.A.send(frame(2));
    r.drain();
    assert.deepEqual(r.atB(), [[1, 1], [1, 1], [1, 2], [1, 2]]);
    assert.equal(r.pipe.counters.a.duplicated, 2);
  });

  it('reordering holds a frame back so a later one overtakes it', () => {
    const r = new Rig({ delayMs: 1 });
    r.pipe.impair('a', { reorder: 1, reorderMs: 5 });
    r.A.send(frame(1));
    r.pipe.impair('a', { reorder: 0 });
    r.t = 1;
    r.A.send(frame(2));
    r.drain();
    assert.deepEqual(r.atB(), [[2, 2], [6, 1]]);
    assert.equal(r.pipe.counters.a.reordered, 1);
  });

  it('corruption flips exactly one bit and marks the FCS bad, unless corruptKeepsFcs', () => {
    const r = new Rig({ corrupt: 1, seed: 5 });
    const f = frame(1);
    r.A.send(f);
    r.pipe.impair('a', { corruptKeepsFcs: true });
    r.A.send(f);
    r.drain();
    for (const got of r.B.received) {
      let bits = 0;
      for (let i = 0; i < f.length; i++) for (let x = got.frame[i] ^ f[i]; x; x &= x - 1) bits++;
      assert.equal(bits, 1);
    }
    assert.deepEqual(r.B.received.map((x) => x.fcsBad), [true, false]);
    assert.equal(r.pipe.counters.a.corrupted, 2);
  });

  it('a frame sent with a bad FCS arrives with it; directions are independent', () => {
    const r = new Rig();
    r.pipe.impair('b', { loss: 1 });
    r.A.send(frame(1));
    r.pipe.a.send(frame(2), true);
    r.B.send(frame(3));
    r.drain();
    assert.deepEqual(r.B.received.map((x) => [x.frame[14], x.fcsBad]), [[1, false], [2, true]]);
    assert.equal(r.A.received.length, 0);
    assert.equal(r.pipe.counters.b.lost, 1);
  });

  it('dropNext and intercept lose chosen frames; a port without a receiver counts them unclaimed', () => {
    const r = new Rig();
    r.pipe.dropNext('a', 2);
    r.pipe.intercept = (from, f) => from === 'a' && f[14] === 4;
    for (let i = 1; i <= 5; i++) r.A.send(frame(i));
    r.B.detach();
    r.A.send(frame(6));
    r.B.detach();
    r.drain();
    assert.deepEqual(r.B.received.map((x) => x.frame[14]), []);
    assert.equal(r.pipe.counters.a.lost, 3);
    assert.equal(r.pipe.counters.a.unclaimed, 3);
    const s = new Rig();
    s.pipe.dropNext('a', 1);
    s.A.send(frame(1));
    s.A.send(frame(2));
    s.drain();
    assert.deepEqual(s.B.received.map((x) => x.frame[14]), [2]);
  });

  it('writes each delivered frame to the pcap at its delivery time', () => {
    const pcap = new PcapWriter(undefined, 0);
    const r = new Rig({ delayMs: 1.5, pcap });
    r.A.send(frame(1));
    r.drain();
    const b = pcap.bytes();
    assert.equal(b.length, 24 + 16 + 60);
    const v = new DataView(b.buffer, b.byteOffset);
    assert.equal(v.getUint32(24, true), 0);
    assert.equal(v.getUint32(28, true), 1500);
    assert.equal(v.getUint32(32, true), 60);
    assert.deepEqual(b.subarray(40), frame(1));
  });
});
