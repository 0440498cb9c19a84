import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Clock } from '../../hal/clock';
import { NodePin } from '../../hal/node/pins';
import { RealClock } from '../../hal/node/real-clock';
import type { HostBinding } from './host-net';
import type { HostChipConfig, TraceCounters } from './host-chip';
import { Kind, Slot, syncRequest, type ControlRequest, type WorkerInit, type WorkerMessage } from './worker-protocol';

/**
 * The firmware thread's handle on a W5500 model running in its own worker thread (real time, host
 * network side). `exchange` blocks this thread until the chip has answered, as an SPI transfer
 * does; the chip and its OS sockets keep running while this thread is blocked.
 */

export interface W5500ThreadOptions extends HostChipConfig {
  /** runs the INT pin's watch callbacks (default: a RealClock) */
  clock?: Clock;
  /** largest message through the channel, bytes (default 65536) */
  capacity?: number;
  /** how long one transaction may take before it counts as a bus failure, ms (default 10000: a loaded host, not the chip) */
  timeoutMs?: number;
  /** OS errors and model errors reported by the worker (default: kept in `errors`) */
  onError?: (message: string) => void;
}

/** INTn as the firmware sees it: read() gives the chip's current level, watchers hear every change. */
class ThreadIntPin extends NodePin {
  constructor(clock: Clock, private ctrl: Int32Array) {
    super(clock, Atomics.load(ctrl, Slot.INTN) !== 0);
  }
  read(): boolean {
    return Atomics.load(this.ctrl, Slot.INTN) !== 0;
  }
}

const WORKER_URL = new URL('./worker.ts', import.meta.url).href;

/**
 * The worker's entry is TypeScript. Under Node 20 an inherited `--import tsx` does not reach a
 * worker's entry module, so a tiny ESM bootstrap registers tsx in the worker and then imports it.
 */
export function workerEntry(workerUrl: string): URL {
  // createRequire works whether this file runs as ESM (tsx) or was compiled to CommonJS (mocha + tsx).
  // The ESM build of tsx/esm/api (its package exports map `import` to this file).
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  const api = new URL('./dist/esm/api/index.mjs', pathToFileURL(pkg)).href;
  const code = `import { register } from ${JSON.stringify(api)};\nregister();\nawait import(${JSON.stringify(workerUrl)});\n`;
  return new URL('data:text/javascript,' + encodeURIComponent(code));
}

/** the parent's node flags minus its tsx hooks (the bootstrap installs them) */
export function workerExecArgv(): string[] {
  const out: string[] = [];
  const a = process.execArgv;
  for (let i = 0; i < a.length; i++) {
    if (a[i].includes('tsx')) continue;
    if ((a[i] === '--import' || a[i] === '--require' || a[i] === '--loader') && i + 1 < a.length && a[i + 1].includes('tsx')) { i++; continue; }
    out.push(a[i]);
  }
  return out;
}

export class W5500Thread {
  readonly intPin: NodePin;
  readonly errors: string[] = [];
  private ctrl: Int32Array;
  private data: Uint8Array;
  private seq = 0;
  private closed = false;
  private finished = false;
  private exited: Promise<number>;
  private enc = new TextEncoder();
  private dec = new TextDecoder();

  private constructor(private worker: Worker, ctrl: Int32Array, data: Uint8Array, private opts: W5500ThreadOptions) {
    this.ctrl = ctrl;
    this.data = data;
    this.intPin = new ThreadIntPin(opts.clock ?? new RealClock(), ctrl);
    this.exited = new Promise((r) => worker.once('exit', (code) => { this.closed = true; r(code); }));
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'intn') this.intPin.write(m.high);
      else if (m.type === 'error') this.report(m.message);
    });
    worker.on('error', (e) => this.report(e.message));
  }

  /** starts the worker and waits until the chip is powered */
  static async start(opts: W5500ThreadOptions = {}): Promise<W5500Thread> {
    const ctrl = new SharedArrayBuffer(Slot.COUNT * 4);
    const data = new SharedArrayBuffer(opts.capacity ?? 65536);
    const init: WorkerInit = {
      ctrl,
      data,
      config: {
        routes: opts.routes,
        listenHost: opts.listenHost,
        hostPorts: opts.hostPorts,
        bindLocalAddress: opts.bindLocalAddress,
        bindLocalPort: opts.bindLocalPort,
        model: opts.model,
        modelModule: opts.modelModule,
      },
    };
    const worker = new Worker(workerEntry(WORKER_URL), { workerData: init, execArgv: workerExecArgv() });
    await new Promise<void>((resolve, reject) => {
      const onMsg = (m: WorkerMessage) => {
        if (m.type === 'ready') { done(); resolve(); }
        if (m.type === 'failed') { done(); void worker.terminate(); reject(new Error(`W5500 worker failed to start: ${m.message}`)); }
      };
      const onErr = (e: Error) => { done(); void worker.terminate(); reject(e); };
      const onExit = (code: number) => { done(); reject(new Error(`W5500 worker exited with ${code} before it was ready`)); };
      const done = () => { worker.off('message', onMsg); worker.off('error', onErr); worker.off('exit', onExit); };
      worker.on('message', onMsg);
      worker.on('error', onErr);
      worker.on('exit', onExit);
    });
    return new W5500Thread(worker, new Int32Array(ctrl), new Uint8Array(data), opts);
  }

  /** INTn level, true = high (not asserted) */
  get intn(): boolean {
    return Atomics.load(this.ctrl, Slot.INTN) !== 0;
  }

  /** one chip-select window (the function NodeSpiDevice wants); throws on a dead or stuck worker */
  exchange = (mosi: Uint8Array): Uint8Array => this.request(Kind.SPI, mosi);

  /** a fault hook of the model: a function hook is called with `args`, a value hook is set to `args[0]` */
  fault(name: string, ...args: unknown[]): unknown {
    return this.control({ op: 'fault', name, args });
  }

  /** the model's trace counters */
  trace(): TraceCounters {
    return this.control({ op: 'trace' }) as TraceCounters;
  }

  /** the model's JSON-lines trace (when started with model: { trace: true }) */
  traceLines(): string[] {
    return this.control({ op: 'traceLines' }) as string[];
  }

  /**
   * Takes (and forgets) at most `max` trace lines, oldest first, with the chip's clock now (ms since it was
   * powered, the clock of each line's `t`), so a long run can follow the trace without it growing.
   */
  takeTrace(max: number): { now: number; lines: string[] } {
    return this.control({ op: 'traceTake', max }) as { now: number; lines: string[] };
  }

  /** an RSTn pulse */
  hardReset(): void {
    this.control({ op: 'hardReset' });
  }

  /** OS ports the chip has open (listening TCP, bound UDP) */
  bound(): HostBinding[] {
    return this.control({ op: 'bound' }) as HostBinding[];
  }

  /** closes the chip's OS sockets and ends the thread; safe to call twice */
  async close(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    try {
      if (!this.closed) this.control({ op: 'close' });
    } catch {
      // a dead worker has nothing left to close
    }
    this.closed = true;
    await this.worker.terminate();
    await this.exited;
  }

  private control(req: ControlRequest): unknown {
    const out = this.request(Kind.CONTROL, this.enc.encode(JSON.stringify(req)));
    return JSON.parse(this.dec.decode(out));
  }

  private request(kind: Kind, payload: Uint8Array): Uint8Array {
    if (this.closed) throw new Error('W5500 thread is closed');
    let r: { ok: boolean; out: Uint8Array };
    try {
      r = syncRequest(this.ctrl, this.data, (this.seq = (this.seq + 1) | 0), kind, payload, this.opts.timeoutMs ?? 10000);
    } catch (e) {
      if ((e as Error).message !== 'timeout') throw e;
      // The worker may still be using the channel: from now on this chip counts as gone.
      this.closed = true;
      throw new Error('W5500 worker did not answer in time');
    }
    if (!r.ok) throw new Error(this.dec.decode(r.out));
    return r.out;
  }


  private report(message: string): void {
    this.errors.push(message);
    if (this.opts.onError) this.opts.onError(message);
  }
}
