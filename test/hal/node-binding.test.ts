import assert from 'node:assert/strict';
import { VirtualClock } from '../../hal/node/virtual-clock';
import { NodeSpiDevice } from '../../hal/node/spi';
import { NodePin } from '../../hal/node/pins';
import { SpiOp } from '../../hal/spi';
import { Edge } from '../../hal/pins';

describe('Node HAL binding', () => {
  it('VirtualClock runs timers in due order, ties in creation order, and pause runs none', () => {
    const c = new VirtualClock();
    const seen: string[] = [];
    c.setTimeout(() => seen.push('b20'), 20);
    c.setTimeout(() => seen.push('a10'), 10);
    const gone = c.setTimeout(() => seen.push('never'), 15);
    c.setTimeout(() => { seen.push('c10'); c.setTimeout(() => seen.push('d10+0'), 0); }, 10);
    c.clearTimeout(gone);
    c.pause(50);
    assert.deepEqual(seen, []);
    assert.equal(c.now(), 50);
    c.runDue();
    assert.deepEqual(seen, ['a10', 'c10', 'b20', 'd10+0']); // d was scheduled at t=50
  });

  it('VirtualClock.advance stops at the end time and runUntil reports whether the condition held', () => {
    const c = new VirtualClock();
    let n = 0;
    c.setTimeout(() => n++, 100);
    c.advance(99);
    assert.equal(n, 0);
    assert.equal(c.now(), 99);
    c.advance(1);
    assert.equal(n, 1);
    assert.equal(c.runUntil(() => n === 2, 1000), false);
    assert.equal(c.now(), 1100);
    c.setTimeout(() => n++, 5);
    assert.equal(c.runUntil(() => n === 2, 1000), true);
    assert.equal(c.now(), 1105);
  });

  it('NodeSpiDevice joins operations into one chip-select window and splits the answer', () => {
    const windows: number[][] = [];
    const dev = new NodeSpiDevice((mosi) => {
      windows.push([...mosi]);
      return mosi.map((b, i) => (b ^ 0xff) + i);
    });
    const w = new Uint8Array([0x01, 0x02]);
    const r = new Uint8Array(2).fill(0x55);
    const t = new Uint8Array([0x10]);
    assert.equal(dev.transaction([{ op: SpiOp.Write, buf: w }, { op: SpiOp.Read, buf: r }, { op: SpiOp.Transfer, buf: t }]), true);
    assert.deepEqual(windows, [[0x01, 0x02, 0x00, 0x00, 0x10]]);
    assert.deepEqual([...w], [0x01, 0x02]);
    assert.deepEqual([...r], [0xff + 2, 0xff + 3].map((x) => x & 0xff));
    assert.deepEqual([...t], [(0xef + 4) & 0xff]);
  });

  it('NodeSpiDevice reports a bus failure as false', () => {
    const dev = new NodeSpiDevice(() => { throw new Error('bus'); });
    assert.equal(dev.transaction([{ op: SpiOp.Read, buf: new Uint8Array(1) }]), false);
    const short = new NodeSpiDevice(() => new Uint8Array(1));
    assert.equal(short.transaction([{ op: SpiOp.Read, buf: new Uint8Array(3) }]), false);
  });

  it('NodePin calls watchers later, on matching edges only', () => {
    const c = new VirtualClock();
    const p = new NodePin(c, true);
    const falls: boolean[] = [];
    const both: boolean[] = [];
    p.watch(Edge.Falling, (h) => falls.push(h));
    const id = p.watch(Edge.Both, (h) => both.push(h));
    p.write(false);
    p.write(false);
    assert.deepEqual(falls, []);
    c.runDue();
    assert.deepEqual(falls, [false]);
    assert.deepEqual(both, [false]);
    p.unwatch(id);
    p.write(true);
    c.runDue();
    assert.deepEqual(falls, [false]);
    assert.deepEqual(both, [false]);
    assert.equal(p.read(), true);
  });
});
