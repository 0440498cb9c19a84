import { parentPort, workerData } from 'node:worker_threads';
import { HostChip, applyFault, loadModelCtor, readCounters, readTraceLines, takeTraceLines } from './host-chip';
import { Kind, Slot, Status, syncAnswer, type ControlRequest, type WorkerInit, type WorkerMessage } from './worker-protocol';

/**
 * The W5500's own thread in real-time runs: the chip model and its OS sockets live here and keep
 * running while the firmware thread sleeps inside an SPI transaction or a busy wait.
 */

const init = workerData as WorkerInit;
const ctrl = new Int32Array(init.ctrl);
const data = new Uint8Array(init.data);
const port = parentPort!;
const post = (m: WorkerMessage) => port.postMessage(m);
const enc = new TextEncoder();
const dec = new TextDecoder();
// Node 20 has Atomics.waitAsync; the project's ES2022 lib does not declare it.
const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, i: number, v: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

function answer(seq: number, status: Status, bytes: Uint8Array): void {
  syncAnswer(ctrl, data, seq, status, bytes);
}

function control(chip: HostChip, req: ControlRequest): { result: unknown; stop: boolean } {
  switch (req.op) {
    case 'fault': return { result: applyFault(chip.model.faults, req.name, req.args) ?? null, stop: false };
    case 'trace': return { result: readCounters(chip.model.trace), stop: false };
    case 'traceLines': return { result: readTraceLines(chip.model.trace), stop: false };
    case 'traceTake': return { result: { now: chip.now(), lines: takeTraceLines(chip.model.trace, req.max) }, stop: false };
    case 'hardReset': chip.hardReset(); return { result: null, stop: false };
    case 'bound': return { result: chip.net.bound(), stop: false };
    case 'close': chip.close(); return { result: null, stop: true };
    default: throw new Error(`unknown control ${JSON.stringify(req)}`);
  }
}

async function main(): Promise<void> {
  let chip: HostChip;
  try {
    const Model = await loadModelCtor(init.config.modelModule);
    chip = new HostChip(Model, init.config, {
      onIntn: (high) => {
        Atomics.store(ctrl, Slot.INTN, high ? 1 : 0);
        post({ type: 'intn', high });
      },
      onError: (e) => post({ type: 'error', message: e.message }),
    });
    Atomics.store(ctrl, Slot.INTN, chip.model.intn ? 1 : 0);
  } catch (e) {
    post({ type: 'failed', message: e instanceof Error ? e.stack ?? e.message : String(e) });
    return;
  }
  // A pending Atomics.waitAsync does not keep a thread's event loop alive; a port listener does.
  port.on('message', () => {});
  post({ type: 'ready' });

  // The client starts counting at 0; reading REQ here instead would race its first request.
  let seen = 0;
  for (;;) {
    const w = waitAsync(ctrl, Slot.REQ, seen);
    if (w.async) await w.value;
    const seq = Atomics.load(ctrl, Slot.REQ);
    if (seq === seen) continue;
    seen = seq;
    const len = Atomics.load(ctrl, Slot.REQ_LEN);
    const kind = Atomics.load(ctrl, Slot.KIND);
    let stop = false;
    try {
      if (kind === Kind.SPI) {
        const miso = chip.exchange(data.slice(0, len));
        // the transaction that issued LISTEN ends when the OS port listens (HostNet.settled)
        const open = chip.settled();
        if (open) await open;
        answer(seq, Status.OK, miso);
      } else {
        const r = control(chip, JSON.parse(dec.decode(data.subarray(0, len))) as ControlRequest);
        stop = r.stop;
        answer(seq, Status.OK, enc.encode(JSON.stringify(r.result)));
      }
    } catch (e) {
      answer(seq, Status.ERROR, enc.encode(e instanceof Error ? e.message : String(e)));
    }
    if (stop) break;
  }
  port.close();
}

void main();
