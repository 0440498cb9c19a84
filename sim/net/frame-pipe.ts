/**
 * A wire between two frame ports on the virtual clock, with seeded impairments per direction: delay and jitter,
 * loss, duplication, reordering, corruption, and the serialisation time of a given bit rate. Deterministic: the
 * same seed and the same sends give the same deliveries at the same times. Frames move only in `advance()`
 * (also with no delay), so a receiver never runs inside the sender's `send`.
 */
import type { FramePort, FrameReceiver } from './frame-port';
import type { PcapWriter } from './pcap';
import { Scheduler } from './scheduler';
import { SeededRandom } from './seeded-random';

/** a direction is named by the end that sends: 'a' = frames sent into port a, delivered at port b */
export type PipeEnd = 'a' | 'b';

export interface Impairments {
  /** one-way delay, ms (default 0) */
  delayMs?: number;
  /** extra delay drawn uniformly from [0, jitterMs) per frame; frames may overtake each other (default 0) */
  jitterMs?: number;
  /** probability a frame is lost (default 0) */
  loss?: number;
  /** probability a frame is delivered twice, the copy right after the original (default 0) */
  duplicate?: number;
  /** probability a frame is held back by `reorderMs`, so later frames overtake it (default 0) */
  reorder?: number;
  /** how long a reordered frame is held back, ms (default 1) */
  reorderMs?: number;
  /** probability one bit of a frame is flipped (default 0) */
  corrupt?: number;
  /**
   * false (default): a flipped bit is a bit error on the wire, so the frame arrives with `fcsBad` and a MAC drops
   * it; true: the frame was damaged before its FCS was computed (a faulty router), so only the IP/TCP/UDP
   * checksums can catch it
   */
  corruptKeepsFcs?: boolean;
  /** line rate in bit/s: each frame takes (preamble + frame + FCS + gap) × 8 / bitRate and frames queue behind each other; 0 = no serialisation time (default) */
  bitRate?: number;
}

export interface FramePipeOptions extends Impairments {
  now: () => number;
  /** seed of the impairment draws (default 1) */
  seed?: number;
  /** every delivered frame is written here at its delivery time, as the receiver got it */
  pcap?: PcapWriter;
}

export interface DirectionCounters {
  /** frames handed to the sending port */
  sent: number;
  /** frames handed to the receiving port's receiver (duplicates included) */
  delivered: number;
  /** frames lost (random loss, dropNext, intercept) */
  lost: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  /** frames that arrived while the receiving port had no receiver */
  unclaimed: number;
  /** bytes delivered */
  bytes: number;
}

/** preamble + SFD (8), FCS (4), inter-packet gap (12): what a frame costs on the line beyond its own bytes */
const LINE_OVERHEAD = 24;

function emptyCounters(): DirectionCounters {
  return { sent: 0, delivered: 0, lost: 0, duplicated: 0, reordered: 0, corrupted: 0, unclaimed: 0, bytes: 0 };
}

export class FramePipe {
  readonly a: FramePort;
  readonly b: FramePort;
  /** per sending end */
  readonly counters: { a: DirectionCounters; b: DirectionCounters } = { a: emptyCounters(), b: emptyCounters() };
  /** called for every frame entering the wire; returning true drops it (counted as lost) */
  intercept: ((from: PipeEnd, frame: Uint8Array) => boolean) | undefined;

  private now: () => number;
  private rnd: SeededRandom;
  private pcap: PcapWriter | undefined;
  private imp: { a: Impairments; b: Impairments };
  private busyUntil = { a: -Infinity, b: -Infinity };
  private drops = { a: 0, b: 0 };
  private rx: { a: FrameReceiver | undefined; b: FrameReceiver | undefined } = { a: undefined, b: undefined };
  private queue = new Scheduler();

  constructor(opts: FramePipeOptions) {
    this.now = opts.now;
    this.rnd = new SeededRandom(opts.seed !== undefined ? opts.seed : 1);
    this.pcap = opts.pcap;
    const base: Impairments = {
      delayMs: opts.delayMs, jitterMs: opts.jitterMs, loss: opts.loss, duplicate: opts.duplicate, reorder: opts.reorder,
      reorderMs: opts.reorderMs, corrupt: opts.corrupt, corruptKeepsFcs: opts.corruptKeepsFcs, bitRate: opts.bitRate,
    };
    this.imp = { a: Object.assign({}, base), b: Object.assign({}, base) };
    this.a = this.port('a');
    this.b = this.port('b');
  }

  /** changes the impairments of one direction (the fields given; the others stay) */
  impair(from: PipeEnd, imp: Impairments): void {
    Object.assign(this.imp[from], imp);
  }

  /** the next `n` frames sent from `from` are lost */
  dropNext(from: PipeEnd, n: number): void {
    this.drops[from] += n;
  }

  /** frames on the wire, not yet delivered */
  inFlight(): number {
    return this.queue.pending();
  }

  /** delivers every frame due by now(), including frames the receivers send in reply that are due by then */
  advance(): void {
    const now = this.now();
    for (let x = this.queue.take(now); x; x = this.queue.take(now)) x.fn();
  }

  /** when the next frame arrives (absolute ms), or undefined */
  nextDeadline(): number | undefined {
    return this.queue.next();
  }

  private port(end: PipeEnd): FramePort {
    const self = this;
    return {
      send(frame: Uint8Array, fcsBad?: boolean) { self.enter(end, frame, !!fcsBad); },
      setReceiver(rx: FrameReceiver | undefined) { self.rx[end] = rx; },
    };
  }

  private enter(from: PipeEnd, frame: Uint8Array, fcsBad: boolean): void {
    const c = this.counters[from];
    const imp = this.imp[from];
    const to: PipeEnd = from === 'a' ? 'b' : 'a';
    const now = this.now();
    c.sent++;
    const copy = new Uint8Array(frame);
    // the line is busy even for a frame that is lost further on
    let at = now;
    if (imp.bitRate && imp.bitRate > 0) {
      const start = Math.max(now, this.busyUntil[from]);
      this.busyUntil[from] = start + ((copy.length + LINE_OVERHEAD) * 8 * 1000) / imp.bitRate;
      at = this.busyUntil[from];
    }
    if (this.drops[from] > 0) { this.drops[from]--; c.lost++; return; }
    if (this.intercept && this.intercept(from, copy)) { c.lost++; return; }
    if (this.rnd.chance(imp.loss || 0)) { c.lost++; return; }
    at += imp.delayMs || 0;
    if (imp.jitterMs) at += this.rnd.next() * imp.jitterMs;
    if (this.rnd.chance(imp.reorder || 0)) {
      c.reordered++;
      at += imp.reorderMs !== undefined ? imp.reorderMs : 1;
    }
    let bad = fcsBad;
    if (copy.length > 0 && this.rnd.chance(imp.corrupt || 0)) {
      c.corrupted++;
      copy[this.rnd.below(copy.length)] ^= 1 << this.rnd.below(8);
      if (!imp.corruptKeepsFcs) bad = true;
    }
    this.queue.at(at, () => this.deliver(to, at, copy, bad));
    if (this.rnd.chance(imp.duplicate || 0)) {
      c.duplicated++;
      const dup = new Uint8Array(copy);
      this.queue.at(at, () => this.deliver(to, at, dup, bad));
    }
  }

  private deliver(to: PipeEnd, at: number, frame: Uint8Array, fcsBad: boolean): void {
    const c = this.counters[to === 'a' ? 'b' : 'a'];
    const rx = this.rx[to];
    if (!rx) { c.unclaimed++; return; }
    c.delivered++;
    c.bytes += frame.length;
    if (this.pcap) this.pcap.write(at, frame);
    rx(frame, fcsBad);
  }
}
