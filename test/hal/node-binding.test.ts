import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/net/virtual-clock';
import { NodeSpiDevice } from '../../hal/node/spi';
import { NodePin } from '../../hal/node/pins';
import { SpiOp } from '../../hal/spi';
import { Edge } from '../../hal/pins';

describe('Node HAL binding', () => {
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
