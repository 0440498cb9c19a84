/**
 * A virtual device that stays up: a bundle on the virtual board with its board file's NIC model behind the board's
 * SPI, INT and RST pins.
 * - W5500 (offload): the model in its worker thread, its network side the Linux kernel on loopback
 *   (192.168.1.0/24 ↔ 127.0.0.0/24); what went on the wire comes from the model's trace records.
 * - ENC28J60, or the W5500 in MACRAW mode: the model in its worker thread on a TAP wire into a network namespace
 *   made for the run, where the kernel is the PC (192.168.1.10/24); what went on the wire is the real frames, read
 *   from the wire's pcap as it is written. Needs root (namespaces and TAP); `start` says so when it cannot have them.
 * The device's console lines, the trace records and the frames reach the caller as they happen, stamped in
 * milliseconds since `start` (one clock for all, so a timeline can interleave them).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RealClock } from '../hal/node/real-clock';
import { Edge } from '../hal/pins';
import type { NodePin } from '../hal/node/pins';
import { VirtualBoard, readWiring, repoRoot } from '../sim/board/index';
import type { BoardWiring, PinSource } from '../sim/board/index';
import type { HostBinding } from '../sim/w5500/host-net';
import { W5500Thread } from '../sim/w5500/worker-client';
import { Enc28j60Thread } from '../sim/enc28j60/worker-client';
import { tapUnavailable } from '../sim/net/tap-wire';
import { PcapTail } from './pcap-tail';
import type { TraceRecord } from './start-timeline';

/** the PC's address on the TAP wire, as BENCH_NETWORK (firmware/app/bench-network.ts) expects it */
export const TAP_PC_ADDRESS = '192.168.1.10';

export interface DeviceOptions {
  boardName: string;
  /** the bundle `load()` runs, relative to the repository root */
  bundle?: string;
  /** W5500: OS port per chip port (0: the OS picks one; unlisted ports: the chip's own number) */
  hostPorts?: Record<string, number>;
  /** W5500: the model's trace kinds to follow (sim/w5500/trace.ts), e.g. ['cmd', 'net'] */
  trace?: string[];
  /** TAP paths: write the wire's frames to this pcap file (default: a temporary file, removed at stop) */
  pcapPath?: string;
  onConsole?: (line: string, ms: number) => void;
  /** W5500: each trace record */
  onTrace?: (rec: TraceRecord, ms: number) => void;
  /** TAP paths: each frame on the wire, both ways */
  onFrame?: (frame: Uint8Array, ms: number) => void;
  /** the performance.now() the stamps count from (default: when start was called) */
  origin?: number;
  /** the model thread reported an error */
  onChipError?: (message: string) => void;
}

/** what the board's pins need of a chip in its thread, whichever it is */
interface ChipThread {
  exchange(mosi: Uint8Array): Uint8Array;
  readonly intn: boolean;
  readonly intPin: NodePin;
  hardReset(): void;
  close(): Promise<void>;
}

const TRACE_POLL_MS = 20;
const TRACE_BATCH = 400;

export class VirtualDevice {
  readonly wiring: BoardWiring;
  private readonly t0: number;
  /** Date.now() at t0: pcap stamps are epoch times */
  private readonly epoch0: number;
  private poller: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastTraceMs = 0;

  private constructor(readonly board: VirtualBoard, private readonly chip: ChipThread, readonly clock: RealClock, private opts: DeviceOptions,
    private readonly w5500: W5500Thread | undefined, private readonly tap: { ns: string; tail: PcapTail; temporary: boolean } | undefined) {
    this.wiring = readWiring(opts.boardName);
    this.t0 = opts.origin ?? performance.now();
    this.epoch0 = Date.now() - (performance.now() - this.t0);
  }

  static async start(opts: DeviceOptions): Promise<VirtualDevice> {
    const wiring = readWiring(opts.boardName);
    const clock = new RealClock();
    let chip: ChipThread;
    let w5500: W5500Thread | undefined;
    let tap: { ns: string; tail: PcapTail; temporary: boolean } | undefined;
    if (wiring.nic === 'w5500') {
      chip = w5500 = await W5500Thread.start({
        clock, hostPorts: opts.hostPorts ?? {}, model: opts.trace && opts.trace.length ? { trace: opts.trace } : undefined,
        onError: opts.onChipError,
      });
    } else if (wiring.nic === 'enc28j60' || wiring.nic === 'w5500-macraw') {
      const why = tapUnavailable();
      if (why) {
        throw new Error(`the ${wiring.nic} path puts the chip model on a TAP device in a network namespace of its own, which needs root: ` +
          `${why}; run it as root (sudo npm start -- --board ${opts.boardName})`);
      }
      const pcapPath = opts.pcapPath ?? path.join(os.tmpdir(), `start-wire-${process.pid}.pcap`);
      const enc = await Enc28j60Thread.start({
        clock, prefix: 'start', hostAddress: TAP_PC_ADDRESS + '/24', ifname: 'tap0', pcapPath,
        w5500: wiring.nic === 'w5500-macraw' ? {} : undefined,
      });
      chip = enc;
      tap = { ns: enc.host().ns, tail: new PcapTail(pcapPath), temporary: opts.pcapPath === undefined };
    } else {
      throw new Error(`boards/${opts.boardName}.ts carries nic '${wiring.nic}', which the virtual device has no model for`);
    }
    let dev: VirtualDevice | undefined;
    const board = new VirtualBoard({
      clock, boardName: opts.boardName,
      onConsole: (line) => { if (dev) dev.console(line); },
    });
    dev = new VirtualDevice(board, chip, clock, opts, w5500, tap);
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
    if ((w5500 && opts.trace && opts.trace.length && opts.onTrace) || (tap && opts.onFrame)) dev.poller = setInterval(() => dev!.pollTrace(), TRACE_POLL_MS);
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

  /** W5500: the OS ports the chip listens on (none on the TAP paths: the PC reaches the device inside the namespace) */
  bound(): HostBinding[] {
    return this.w5500 ? this.w5500.bound() : [];
  }

  /** TAP paths: the network namespace where the kernel plays the PC (run `ip netns exec <it> nc …` there) */
  namespace(): string | undefined {
    return this.tap ? this.tap.ns : undefined;
  }

  /** hands every trace record the model holds to onTrace, or every new frame on the wire to onFrame, in order */
  pollTrace(): void {
    if (this.stopped) return;
    if (this.tap) {
      if (!this.opts.onFrame) return;
      for (const r of this.tap.tail.read()) {
        this.lastTraceMs = Math.max(this.lastTraceMs, r.epochMs - this.epoch0);
        this.opts.onFrame(r.frame, this.lastTraceMs);
      }
      return;
    }
    if (!this.w5500 || !this.opts.onTrace) return;
    for (;;) {
      let got: { now: number; lines: string[] };
      try {
        got = this.w5500.takeTrace(TRACE_BATCH);
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

  /** the chip's thread ended, with its OS sockets, or its TAP wire and namespace */
  async stop(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    this.pollTrace();
    this.stopped = true;
    this.clock.clearAll();
    await this.chip.close();
    if (this.tap && this.tap.temporary) fs.rmSync(this.tap.tail.path, { force: true });
  }

  private console(line: string): void {
    // the board keeps its log for tests; a device that stays up must not let it grow
    if (this.board.log.console.length > 1000) this.board.log.console.splice(0, 500);
    if (this.opts.onConsole) this.opts.onConsole(line, this.now());
  }
}
