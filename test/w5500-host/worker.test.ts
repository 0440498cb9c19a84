import assert from 'node:assert/strict';
import { W5500Thread } from '../../sim/w5500/worker-client';
import { NodeSpiDevice } from '../../hal/node/spi';
import { SpiOp } from '../../hal/spi';
import { Edge } from '../../hal/pins';
import { until } from './loopback';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const STUB = new URL('./stub-model.ts', import.meta.url).href;

describe('W5500 worker runner (plumbing, stand-in chip)', function () {
  let t: W5500Thread | undefined;
  afterEach(async () => {
    if (t) await t.close();
    t = undefined;
  });

  it('answers chip-select windows synchronously through NodeSpiDevice', async () => {
    t = await W5500Thread.start({ modelModule: STUB });
    assert.deepEqual([...t.exchange(new Uint8Array([0x00, 0x39, 0x00, 0x00]))], [0, 0, 0, 0x04]);
    const dev = new NodeSpiDevice(t.exchange);
    const hdr = new Uint8Array([0x00, 0x39, 0x00]);
    const v = new Uint8Array(1);
    assert.equal(dev.transaction([{ op: SpiOp.Write, buf: hdr }, { op: SpiOp.Read, buf: v }]), true);
    assert.deepEqual([...v], [0x04]);
    assert.deepEqual(t.trace(), { transactions: 2, bytes: 8, payloadBytes: 0 });
    assert.deepEqual(t.traceLines(), ['{"stub":true}']);
  });

  it('shows INTn at once through the shared level and later to pin watchers, in order', async () => {
    t = await W5500Thread.start({ modelModule: STUB });
    const seen: boolean[] = [];
    t.intPin.watch(Edge.Both, (h) => seen.push(h));
    assert.equal(t.intn, true);
    t.exchange(new Uint8Array([0x00, 0x16, 0x04, 0x80])); // IMR = CONFLICT
    assert.equal(t.fault('ir', 0x80), 0x80);
    assert.equal(t.intn, false, 'the level is current as soon as the control returns');
    assert.equal(t.intPin.read(), false);
    t.exchange(new Uint8Array([0x00, 0x15, 0x04, 0x80])); // IR write-1-to-clear
    assert.equal(t.intn, true);
    await until(() => seen.length === 2, 'two INTn edges');
    assert.deepEqual(seen, [false, true]);
  });

  it('forwards faults, reports model errors as bus failures, and refuses work after close', async () => {
    t = await W5500Thread.start({ modelModule: STUB });
    assert.equal(t.fault('slowCommandMs', 7), null);
    assert.throws(() => t!.fault('noSuchHook', 1), /no fault hook named noSuchHook/);
    assert.throws(() => t!.exchange(new Uint8Array([0x00, 0x00, 0x08, 0x00])), /stub has no socket blocks/);
    assert.equal(new NodeSpiDevice(t.exchange).transaction([{ op: SpiOp.Read, buf: new Uint8Array(3) }]), true);
    t.hardReset();
    assert.deepEqual([...t.exchange(new Uint8Array([0x00, 0x39, 0x00, 0x00]))], [0, 0, 0, 0x04]);
    const th = t;
    await th.close();
    t = undefined;
    assert.throws(() => th.exchange(new Uint8Array(4)), /closed/);
    await th.close();
  });

  it('fails to start with a clear message when the model module is missing', async () => {
    await assert.rejects(W5500Thread.start({ modelModule: new URL('./no-such-model.ts', import.meta.url).href }), /W5500 worker failed to start/);
  });

  it('runs under plain tsx too, and the process ends by itself after close()', async () => {
    const script = fileURLToPath(new URL('./clients/thread-versionr.ts', import.meta.url));
    const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      execFile(process.execPath, [tsxCli, script], { timeout: 20000 }, (e, out) => resolve({ code: e ? 1 : 0, out }));
    });
    assert.deepEqual(r, { code: 0, out: '01020304\n' });
  });
});
