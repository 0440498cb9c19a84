/**
 * The firmware thread's handle on an ENC28J60 model running in its own worker thread with a TAP wire to the kernel
 * of a namespace made for it (real time). `exchange` blocks this thread until the chip has answered, as an SPI
 * transfer does; the chip and its wire keep running while this thread is blocked. Same channel as the W5500's
 * worker (sim/w5500/worker-protocol.ts).
 */
import { Worker } from 'node:worker_threads';
import type { Clock } from '../../hal/clock';
import { NodePin } from '../../hal/node/pins';
import { RealClock } from '../../hal/node/real-clock';
import { workerEntry, workerExecArgv } from '../w5500/worker-client';
import { Kind, Slot, syncRequest } from '../w5500/worker-protocol';
import type { TapChipOptions } from './tap-chip';
import type { W5500TapChipOptions } from '../w5500/tap-chip';
import type { EncCounters, EncDrops, EncDriverFaults } from './trace';

export interface EncWorkerInit {
  ctrl: SharedArrayBuffer;
  data: SharedArrayBuffer;
  options: TapChipOptions;
  /** when set, the chip on the TAP wire is the W5500 model (MACRAW on its frame-level side) with these options */
  w5500?: W5500TapChipOptions;
}

export type EncWorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'intn'; high: boolean };

export type EncControl =
  | { op: 'fault'; name: string; args: unknown[] }
  | { op: 'trace' }
  | { op: 'traceLines' }
  | { op: 'hardReset' }
  | { op: 'host' }
  | { op: 'exec'; argv: string[] }
  | { op: 'close' };

export interface EncThreadOptions extends TapChipOptions {
  /** put the W5500 model on the TAP wire instead (its MACRAW socket on the frame-level side), with these model options */
  w5500?: Record<string, unknown>;
  /** runs the INT pin's watch callbacks (default: a RealClock) */
  clock?: Clock;
  /** how long one transaction may take before it counts as a bus failure, ms (default 10000) */
  timeoutMs?: number;
}

class ThreadIntPin extends NodePin {
  constructor(clock: Clock, private ctrl: Int32Array) {
    super(clock, Atomics.load(ctrl, Slot.INTN) !== 0);
  }
  read(): boolean {
    return Atomics.load(this.ctrl, Slot.INTN) !== 0;
  }
}

const WORKER_URL = new URL('./worker.ts', import.meta.url).href;
const CAPACITY = 65536;

export class Enc28j60Thread {
  /** INT as a NodePin (active low: false = asserted) */
  readonly intPin: NodePin;
  private seq = 0;
  private closed = false;
  private finished = false;
  private exited: Promise<number>;
  private enc = new TextEncoder();
  private dec = new TextDecoder();

  private constructor(private worker: Worker, private ctrl: Int32Array, private data: Uint8Array, private opts: EncThreadOptions) {
    this.intPin = new ThreadIntPin(opts.clock || new RealClock(), ctrl);
    this.exited = new Promise((r) => worker.once('exit', (code) => { this.closed = true; r(code); }));
    worker.on('message', (m: EncWorkerMessage) => { if (m.type === 'intn') this.intPin.write(m.high); });
  }

  /** starts the worker: namespace, TAP, model; resolves when the chip is powered */
  static async start(opts: EncThreadOptions = {}): Promise<Enc28j60Thread> {
    const ctrl = new SharedArrayBuffer(Slot.COUNT * 4);
    const data = new SharedArrayBuffer(CAPACITY);
    const options: TapChipOptions = { prefix: opts.prefix, hostAddress: opts.hostAddress, ifname: opts.ifname, pcapPath: opts.pcapPath, model: opts.model };
    const w5500 = opts.w5500 ? { prefix: opts.prefix, hostAddress: opts.hostAddress, ifname: opts.ifname, pcapPath: opts.pcapPath, model: opts.w5500 } : undefined;
    const worker = new Worker(workerEntry(WORKER_URL), { workerData: { ctrl, data, options, w5500 } as EncWorkerInit, execArgv: workerExecArgv() });
    await new Promise<void>((resolve, reject) => {
      const done = () => { worker.off('message', onMsg); worker.off('error', onErr); worker.off('exit', onExit); };
      const onMsg = (m: EncWorkerMessage) => {
        if (m.type === 'ready') { done(); resolve(); }
        if (m.type === 'failed') { done(); void worker.terminate(); reject(new Error(`ENC28J60 worker failed to start: ${m.message}`)); }
      };
      const onErr = (e: Error) => { done(); void worker.terminate(); reject(e); };
      const onExit = (code: number) => { done(); reject(new Error(`ENC28J60 worker exited with ${code} before it was ready`)); };
      worker.on('message', onMsg);
      worker.on('error', onErr);
      worker.on('exit', onExit);
    });
    return new Enc28j60Thread(worker, new Int32Array(ctrl), new Uint8Array(data), opts);
  }

  /** INT level, true = high (not asserted) */
  get intn(): boolean {
    return Atomics.load(this.ctrl, Slot.INTN) !== 0;
  }

  /** one chip-select window (the function NodeSpiDevice wants); throws on a dead or stuck worker */
  exchange = (mosi: Uint8Array): Uint8Array => this.request(Kind.SPI, mosi);

  /** a fault hook of the model (chip.faults): a function hook is called with `args`, a value hook set to `args[0]` */
  fault(name: string, ...args: unknown[]): unknown {
    return this.control({ op: 'fault', name, args });
  }
  trace(): { counters: EncCounters; drops: EncDrops; driverFaults: EncDriverFaults } {
    return this.control({ op: 'trace' }) as { counters: EncCounters; drops: EncDrops; driverFaults: EncDriverFaults };
  }
  traceLines(): string[] {
    return this.control({ op: 'traceLines' }) as string[];
  }
  /** an RST pulse */
  hardReset(): void {
    this.control({ op: 'hardReset' });
  }
  /** the kernel side: namespace name, IPv4 address and MAC of the TAP */
  host(): { ns: string; hostIp: string; hostMac: string } {
    return this.control({ op: 'host' }) as { ns: string; hostIp: string; hostMac: string };
  }
  /** runs a command inside the namespace (e.g. ['ping', '-c', '1', '10.77.0.2']) and returns its stdout */
  exec(argv: string[]): string {
    return this.control({ op: 'exec', argv }) as string;
  }

  /** removes the wire and its namespace and ends the thread; safe to call twice */
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

  private control(req: EncControl): unknown {
    return JSON.parse(this.dec.decode(this.request(Kind.CONTROL, this.enc.encode(JSON.stringify(req)))));
  }

  private request(kind: Kind, payload: Uint8Array): Uint8Array {
    if (this.closed) throw new Error('ENC28J60 thread is closed');
    let r: { ok: boolean; out: Uint8Array };
    try {
      r = syncRequest(this.ctrl, this.data, (this.seq = (this.seq + 1) | 0), kind, payload, this.opts.timeoutMs || 10000);
    } catch (e) {
      if ((e as Error).message !== 'timeout') throw e;
      this.closed = true;
      throw new Error('ENC28J60 worker did not answer in time');
    }
    if (!r.ok) throw new Error(this.dec.decode(r.out));
    return r.out;
  }
}
