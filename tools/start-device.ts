/**
 * A virtual device that stays up: a bundle on the virtual board, the W5500 model in its worker thread behind the
 * board's SPI, INT and RST pins, its network side the Linux kernel on loopback (192.168.1.0/24 ↔ 127.0.0.0/24).
 * The device's console lines and the model's trace records reach the caller as they happen, stamped in
 * milliseconds since `start` (one clock for both, so a timeline can interleave them).
 */
import fs from 'node:fs';
import path from 'node:path';
import { RealClock } from '../hal/node/real-clock';
import { Edge } from '../hal/pins';
import { VirtualBoard, readWiring, repoRoot } from '../sim/board/index';
import type { BoardWiring, PinSource } from '../sim/board/index';
import type { HostBinding } from '../sim/w5500/host-net';
import { W5500Thread } from '../sim/w5500/worker-client';
import type { TraceRecord } from './start-timeline';

export interface DeviceOptions {
  boardName: string;
  /** the bundle `load()` runs, relative to the repository root */
  bundle?: string;
  /** OS port per chip port (0: the OS picks one; unlisted ports: the chip's own number) */
  hostPorts?: Record<string, number>;
  /** the model's trace kinds to follow (sim/w5500/trace.ts), e.g. ['cmd', 'net'] */
  trace?: string[];
  onConsole?: (line: string, ms: number) => void;
  onTrace?: (rec: TraceRecord, ms: number) => void;
  /** the performance.now() the stamps count from (default: when start was called) */
  origin?: number;
  /** the model thread reported an error */
  onChipError?: (message: string) => void;
}

const TRACE_POLL_MS = 20;
const TRACE_BATCH = 400;

export class VirtualDevice {
  readonly wiring: BoardWiring;
  private readonly t0: number;
  private poller: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastTraceMs = 0;

  private constructor(readonly board: VirtualBoard, readonly chip: W5500Thread, readonly clock: RealClock, private opts: DeviceOptions) {
    this.wiring = readWiring(opts.boardName);
    this.t0 = opts.origin ?? performance.now();
  }

  static async start(opts: DeviceOptions): Promise<VirtualDevice> {
    const wiring = readWiring(opts.boardName);
    if (wiring.nic !== 'w5500') throw new Error(`boards/${opts.boardName}.ts carries nic '${wiring.nic}'; the virtual device runs the W5500 model`);
    const clock = new RealClock();
    const hostPorts = opts.hostPorts ?? {};
    const chip = await W5500Thread.start({
      clock, hostPorts, model: opts.trace && opts.trace.length ? { trace: opts.trace } : undefined,
      onError: opts.onChipError,
    });
    let dev: VirtualDevice | undefined;
    const board = new VirtualBoard({
      clock, boardName: opts.boardName,
      onConsole: (line) => { if (dev) dev.console(line); },
    });
    dev = new VirtualDevice(board, chip, clock, opts);
    board.attachSpi(wiring.spi, wiring.cs, { exchange: (mosi) => chip.exchange(mosi) });
    if (wiring.int) {
      const intn: PinSource = { read: () => chip.intn, onChange: (fn) => { chip.intPin.watch(Edge.Both, fn); } };
      board.attachPin(wiring.int, intn);
    }
    if (wiring.rst) {
      let level = true;
      board.onPinWrite(wiring.rst, (high) => {
        if (level && !high) chip.hardReset();
        level = high;
      });
    }
    if (opts.trace && opts.trace.length && opts.onTrace) dev.poller = setInterval(() => dev!.pollTrace(), TRACE_POLL_MS);
    return dev;
  }

  /** runs the bundle, as an upload does; its top-level error, if any */
  load(): string | undefined {
    if (!this.opts.bundle) return 'no bundle named';
    return this.run(fs.readFileSync(path.join(repoRoot, this.opts.bundle), 'utf8'), this.opts.bundle);
  }

  /** runs code at top level, as the board's console does; its error, if any */
  run(code: string, name: string): string | undefined {
    const err = this.board.load(code, name);
    return err ? `${err.name}: ${err.message}` : undefined;
  }

  /** milliseconds since start */
  now(): number {
    return performance.now() - this.t0;
  }

  /** the OS ports the chip listens on */
  bound(): HostBinding[] {
    return this.chip.bound();
  }

  /** hands every trace record the model holds to onTrace, in order */
  pollTrace(): void {
    if (this.stopped || !this.opts.onTrace) return;
    for (;;) {
      let got: { now: number; lines: string[] };
      try {
        got = this.chip.takeTrace(TRACE_BATCH);
      } catch {
        return; // the chip thread is gone; stop() says so
      }
      const offset = this.now() - got.now;
      for (const l of got.lines) {
        const rec = JSON.parse(l) as TraceRecord;
        // the records come in the order the chip made them; a stamp never goes back
        this.lastTraceMs = Math.max(this.lastTraceMs, rec.t + offset);
        this.opts.onTrace(rec, this.lastTraceMs);
      }
      if (got.lines.length < TRACE_BATCH) return;
    }
  }

  /**
   * What `reset()` does to a board: E.on('kill') handlers run (the application closes its connections), then
   * its timers and watches are gone. The chip keeps running: what the firmware handed it still goes out.
   */
  kill(): void {
    this.board.reset();
  }

  /** the chip's OS sockets closed, its thread ended */
  async stop(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    this.pollTrace();
    this.stopped = true;
    this.clock.clearAll();
    await this.chip.close();
  }

  private console(line: string): void {
    // the board keeps its log for tests; a device that stays up must not let it grow
    if (this.board.log.console.length > 1000) this.board.log.console.splice(0, 500);
    if (this.opts.onConsole) this.opts.onConsole(line, this.now());
  }
}
