import { parentPort, workerData } from 'node:worker_threads';
import { applyFault } from '../w5500/host-chip';
import { Kind, Slot, Status, syncAnswer } from '../w5500/worker-protocol';
import { createTapChip, type TapChip } from './tap-chip';
import { createW5500TapChip, type W5500TapChip } from '../w5500/tap-chip';
import type { EncControl, EncWorkerInit, EncWorkerMessage } from './worker-client';

/**
 * The ENC28J60's own thread in real-time runs: the model and its TAP wire (namespace, bridge) live here and keep
 * receiving from the kernel while the firmware thread sleeps inside an SPI transaction or a busy wait. With
 * `w5500` in the init, the chip on the TAP wire is the W5500 model on its frame-level side (MACRAW) instead.
 */

const init = workerData as EncWorkerInit;
const ctrl = new Int32Array(init.ctrl);
const data = new Uint8Array(init.data);
const port = parentPort!;
const post = (m: EncWorkerMessage) => port.postMessage(m);
const enc = new TextEncoder();
const dec = new TextDecoder();
// Node 20 has Atomics.waitAsync; the project's ES2022 lib does not declare it.
const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, i: number, v: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

type AnyTapChip = TapChip | W5500TapChip;

async function control(rig: AnyTapChip, req: EncControl): Promise<{ result: unknown; stop: boolean }> {
  const t = rig.chip.trace;
  switch (req.op) {
    case 'fault': return { result: applyFault(rig.chip.faults, req.name, req.args) ?? null, stop: false };
    case 'trace': return { result: 'drops' in t ? { counters: t.counters, drops: t.drops, driverFaults: t.driverFaults } : { counters: t.counters }, stop: false };
    case 'traceLines': return { result: t.lines(), stop: false };
    case 'hardReset': rig.chip.hardReset(); return { result: null, stop: false };
    case 'host': return { result: { ns: rig.ns.name, hostIp: rig.hostIp, hostMac: rig.tap.hostMac() }, stop: false };
    case 'exec': return { result: rig.ns.exec(req.argv), stop: false };
    case 'close': await rig.close(); return { result: null, stop: true };
    default: throw new Error(`unknown control ${JSON.stringify(req)}`);
  }
}

async function main(): Promise<void> {
  let rig: AnyTapChip;
  try {
    rig = init.w5500 ? await createW5500TapChip(init.w5500) : await createTapChip(init.options);
    rig.chip.onIntn((high) => {
      Atomics.store(ctrl, Slot.INTN, high ? 1 : 0);
      post({ type: 'intn', high });
    });
    Atomics.store(ctrl, Slot.INTN, rig.chip.intn ? 1 : 0);
  } catch (e) {
    post({ type: 'failed', message: e instanceof Error ? e.stack ?? e.message : String(e) });
    return;
  }
  // A pending Atomics.waitAsync does not keep a thread's event loop alive; a port listener does.
  port.on('message', () => {});
  post({ type: 'ready' });
  let seen = 0;
  for (;;) {
    const w = waitAsync(ctrl, Slot.REQ, seen);
    if (w.async) await w.value;
    const seq = Atomics.load(ctrl, Slot.REQ);
    if (seq === seen) continue;
    seen = seq;
    const len = Atomics.load(ctrl, Slot.REQ_LEN);
    let stop = false;
    try {
      if (Atomics.load(ctrl, Slot.KIND) === Kind.SPI) {
        syncAnswer(ctrl, data, seq, Status.OK, rig.exchange(data.slice(0, len)));
      } else {
        const r = await control(rig, JSON.parse(dec.decode(data.subarray(0, len))) as EncControl);
        stop = r.stop;
        syncAnswer(ctrl, data, seq, Status.OK, enc.encode(JSON.stringify(r.result)));
      }
    } catch (e) {
      syncAnswer(ctrl, data, seq, Status.ERROR, enc.encode(e instanceof Error ? e.message : String(e)));
    }
    if (stop) break;
  }
  port.close();
}

void main();
