import { HostNet, type HostBinding, type HostNetOptions } from './host-net';
import type { NetSide } from './network';
import type { HostRoute } from './host-routes';

/**
 * A W5500 model running in real time on the host network side: it advances the chip when the OS
 * has reported something and when the chip's next timer is due, so the chip keeps working while the
 * firmware is blocked (busy-waiting in a linger close) or simply not talking to it.
 * Shared by the worker thread and the Unix-socket SPI endpoint.
 */

/** What the runner needs of a chip model (the public API of sim/w5500/model.ts). */
export interface ChipModel {
  exchange(mosi: Uint8Array): Uint8Array;
  readonly intn: boolean;
  onIntn(cb: (high: boolean) => void): void;
  advance(): void;
  nextDeadline(): number | undefined;
  hardReset(): void;
  readonly faults: unknown;
  readonly trace: unknown;
  close(): void;
}

export interface ChipModelCtor {
  new (opts: { net: NetSide; now: () => number; trace?: boolean } & Record<string, unknown>): ChipModel;
}

/** The serialisable part of the host side's options (crosses to a worker or comes from the command line). */
export interface HostChipConfig {
  routes?: HostRoute[];
  listenHost?: string;
  /** OS port per chip port: 'same' (default), 'ephemeral' (0, see `bound()`), or a table (unlisted ports stay the same) */
  hostPorts?: 'same' | 'ephemeral' | Record<string, number>;
  bindLocalAddress?: boolean;
  bindLocalPort?: boolean;
  /** extra model options (trace, behaviour switches) */
  model?: Record<string, unknown>;
  /** module that exports the chip model class `W5500Model` (default: ./model.ts next to this file) */
  modelModule?: string;
}

export const DEFAULT_MODEL_MODULE = new URL('./model.ts', import.meta.url).href;

export function hostPortFn(spec: HostChipConfig['hostPorts']): (chipPort: number) => number {
  if (spec === undefined || spec === 'same') return (p) => p;
  if (spec === 'ephemeral') return () => 0;
  const table = spec;
  return (p) => (Object.prototype.hasOwnProperty.call(table, String(p)) ? table[String(p)] : p);
}

/** Counters as the model keeps them (`trace.counters` or the trace object itself). */
export interface TraceCounters {
  transactions: number;
  bytes: number;
  payloadBytes: number;
}

export function readCounters(trace: unknown): TraceCounters {
  const t = (trace ?? {}) as Record<string, unknown>;
  const c = (typeof t.counters === 'object' && t.counters !== null ? t.counters : t) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  return { transactions: num(c.transactions), bytes: num(c.bytes), payloadBytes: num(c.payloadBytes) };
}

export function readTraceLines(trace: unknown): string[] {
  const t = trace as { lines?: () => unknown };
  if (t && typeof t.lines === 'function') {
    const l = t.lines();
    if (Array.isArray(l)) return l.map(String);
  }
  return [];
}

/** Takes (and forgets) at most `max` of the trace's recorded lines, oldest first. */
export function takeTraceLines(trace: unknown, max: number): string[] {
  const t = trace as { take?: (n: number) => unknown };
  if (t && typeof t.take === 'function') {
    const l = t.take(max);
    if (Array.isArray(l)) return l.map(String);
  }
  return [];
}

/** A fault hook: a function is called with the arguments, anything else is assigned the one argument. */
export function applyFault(faults: unknown, name: string, args: unknown[]): unknown {
  const f = faults as Record<string, unknown>;
  if (f === null || typeof f !== 'object' || !(name in f)) throw new Error(`no fault hook named ${name}`);
  const hook = f[name];
  if (typeof hook === 'function') return (hook as (...a: unknown[]) => unknown).apply(f, args);
  if (args.length !== 1) throw new Error(`fault ${name} takes one value`);
  f[name] = args[0];
  return undefined;
}

export async function loadModelCtor(modelModule: string = DEFAULT_MODEL_MODULE): Promise<ChipModelCtor> {
  const mod = (await import(modelModule)) as Record<string, unknown>;
  const ctor = mod.W5500Model;
  if (typeof ctor !== 'function') throw new Error(`${modelModule} exports no W5500Model`);
  return ctor as ChipModelCtor;
}

export interface HostChipHooks {
  onIntn?: (high: boolean) => void;
  onBound?: (b: HostBinding) => void;
  onError?: (err: Error) => void;
}

export class HostChip {
  readonly net: HostNet;
  readonly model: ChipModel;
  private origin = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private kick: NodeJS.Immediate | undefined;
  private closed = false;

  constructor(Model: ChipModelCtor, config: HostChipConfig = {}, private hooks: HostChipHooks = {}) {
    const port = hostPortFn(config.hostPorts);
    const netOpts: HostNetOptions = {
      routes: config.routes,
      listenHost: config.listenHost,
      hostPort: (p) => port(p),
      bindLocalAddress: config.bindLocalAddress,
      bindLocalPort: config.bindLocalPort,
      onPending: () => this.soon(),
      onBound: hooks.onBound,
      onError: hooks.onError,
    };
    this.net = new HostNet(netOpts);
    this.model = new Model({ ...(config.model ?? {}), net: this.net, now: () => this.now() });
    if (hooks.onIntn) this.model.onIntn(hooks.onIntn);
    this.reschedule();
  }

  /** milliseconds since this chip was powered */
  now(): number {
    return performance.now() - this.origin;
  }

  exchange(mosi: Uint8Array): Uint8Array {
    if (this.closed) throw new Error('W5500 model is closed');
    const miso = this.model.exchange(mosi);
    this.reschedule();
    return miso;
  }

  /** resolves once the OS has caught up with the last transaction (a LISTEN's port is open), or undefined: see HostNet.settled */
  settled(): Promise<void> | undefined {
    return this.net.settled();
  }

  hardReset(): void {
    this.model.hardReset();
    this.reschedule();
  }

  /** run the chip up to now (OS events, due timers) */
  advance(): void {
    if (this.closed) return;
    try {
      this.model.advance();
    } catch (e) {
      // Runs from timers and OS callbacks: report, never throw out of the event loop.
      if (this.hooks.onError) this.hooks.onError(e instanceof Error ? e : new Error(String(e)));
    }
    this.reschedule();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.kick !== undefined) clearImmediate(this.kick);
    this.timer = undefined;
    this.kick = undefined;
    this.model.close();
    this.net.shutdown();
  }

  private soon(): void {
    if (this.closed || this.kick !== undefined) return;
    this.kick = setImmediate(() => {
      this.kick = undefined;
      this.advance();
    });
  }

  private reschedule(): void {
    if (this.closed) return;
    const at = this.model.nextDeadline();
    if (at === undefined) {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = Infinity;
      return;
    }
    if (this.timer !== undefined && at === this.timerAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    // +0.5 ms so the timer does not fire a hair before the deadline and spin.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.advance();
    }, Math.max(0, at - this.now() + 0.5));
  }
}
