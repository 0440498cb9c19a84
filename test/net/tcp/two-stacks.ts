/**
 * Two TCP stacks joined on a virtual clock through a seeded lossy, reordering link: here at the IPv4
 * seam (IpOutput of one → IpUpper.input of the other); frame-stacks.ts joins them as Ethernet frames.
 * Each datagram is copied when sent, dropped with probability `loss`, and delivered after `delay` + a
 * random part of `jitter` ms, so later datagrams overtake earlier ones.
 */
import { Tcp } from '../../../firmware/net/tcp/tcp';
import { defaultTcpConfig } from '../../../firmware/net/tcp/config';
import type { TcpConfig, TcpSink } from '../../../firmware/net/tcp/config';
import type { TcpConn } from '../../../firmware/net/tcp/conn';
import type { TcpListener } from '../../../firmware/net/tcp/listener';
import type { IpOutput } from '../../../firmware/net/ip-proto';
import { IpProto } from '../../../firmware/net/ip-proto';
import { seeded, CAUSE_NAMES } from './fixture';

export const IP_A = 0x0a000001; // 10.0.0.1
export const IP_B = 0x0a000002; // 10.0.0.2

export interface LinkSpec {
  seed: number;
  /** probability that a datagram is lost */
  loss: number;
  delay: number;
  jitter: number;
}

interface InFlight<T> {
  at: number;
  order: number;
  item: T;
}

/** the seeded impairments of a link: each item is lost or delivered after delay + jitter, maybe overtaken */
export class Impaired<T> {
  rand: () => number;
  spec: LinkSpec;
  queue: InFlight<T>[] = [];
  order = 0;
  lost = 0;
  overtaken = 0;
  constructor(spec: LinkSpec) {
    this.spec = spec;
    this.rand = seeded(spec.seed * 7919 + 1);
  }
  private uniform(): number {
    return this.rand() / 4294967296;
  }
  carry(item: T, now: number): void {
    if (this.uniform() < this.spec.loss) {
      this.lost++;
      return;
    }
    const at = now + this.spec.delay + Math.floor(this.uniform() * this.spec.jitter);
    for (let i = 0; i < this.queue.length; i++) if (this.queue[i].at > at) this.overtaken++;
    this.queue.push({ at, order: this.order++, item });
  }
  /** when the next item arrives, −1 when none is on the way */
  next(): number {
    let t = -1;
    for (let i = 0; i < this.queue.length; i++) if (t < 0 || this.queue[i].at < t) t = this.queue[i].at;
    return t;
  }
  /** the next item due by `now` in arrival order, or undefined */
  due(now: number): T | undefined {
    this.queue.sort(function (x, y) { return x.at - y.at || x.order - y.order; });
    if (this.queue.length === 0 || this.queue[0].at > now) return undefined;
    return (this.queue.shift() as InFlight<T>).item;
  }
}

/** the earliest of several deadlines (−1 = none) */
export function earliest(ts: number[]): number {
  let t = -1;
  for (const d of ts) if (d >= 0 && (t < 0 || d < t)) t = d;
  return t;
}

/**
 * Runs `deliver` for everything due and `poll` at each moment something happens (`next()`), calling the
 * applications' `step` after each, until `done()` holds or `limit` ms of virtual time passed.
 */
export function runUntil(clock: { now: number }, next: () => number, deliverAndPoll: () => void, step: () => void,
  done: () => boolean, limit: number): boolean {
  const end = clock.now + limit;
  step();
  while (!done()) {
    const t = next();
    if (t < 0 || t > end) return false;
    if (t > clock.now) clock.now = t;
    deliverAndPoll();
    step();
  }
  return true;
}

/** one end: a TCP stack and the events it reported, in order */
export class Side implements TcpSink {
  ip: number;
  tcp: Tcp;
  /** events in order (repeats of readable/writable/allAcked folded) */
  log: string[] = [];
  constructor(ip: number, out: IpOutput, cfg: TcpConfig, isn: () => number) {
    this.ip = ip;
    this.tcp = new Tcp(out, cfg, isn, this);
  }
  connected(c: TcpConn): void { this.log.push('connected'); void c; }
  acceptable(l: TcpListener): void { this.log.push('acceptable'); void l; }
  readable(c: TcpConn): void { void c; if (this.log[this.log.length - 1] !== 'readable') this.log.push('readable'); }
  peerFin(c: TcpConn): void { this.log.push('peerFin'); void c; }
  writable(c: TcpConn): void { void c; if (this.log[this.log.length - 1] !== 'writable') this.log.push('writable'); }
  allAcked(c: TcpConn): void { void c; if (this.log[this.log.length - 1] !== 'allAcked') this.log.push('allAcked'); }
  ended(c: TcpConn, cause: number): void { this.log.push('ended ' + CAUSE_NAMES[cause]); void c; }
}

/** what the scenarios need of two joined stacks, whatever joins them */
export interface TwoStacks {
  now: number;
  a: Side;
  b: Side;
  /** datagrams or frames lost, and overtaken by later ones, so far */
  lost(): number;
  overtaken(): number;
  run(step: () => void, done: () => boolean, limit: number): boolean;
}

/** the settings both ends use in these tests: small buffers, so that windows fill and segments queue */
export function testConfig(cfg?: Partial<TcpConfig>): TcpConfig {
  const c = defaultTcpConfig();
  c.sndBuf = 1500;
  c.rcvBuf = 1200;
  c.mss = 536;
  // 2·MSL longer than the peer's FIN retransmissions can last under this loss, or a late FIN meets CLOSED and a RST
  c.timeWait = 60000;
  c.maxRetries = 12;
  if (cfg) Object.assign(c, cfg);
  return c;
}

interface Datagram {
  to: Side;
  src: number;
  bytes: Uint8Array;
}

/** two stacks joined at the IPv4 seam: each `sendIp` becomes an `input` at the other end */
export class Link implements TwoStacks {
  now = 0;
  wire: Impaired<Datagram>;
  a: Side;
  b: Side;

  constructor(spec: LinkSpec, cfg?: Partial<TcpConfig>) {
    this.wire = new Impaired<Datagram>(spec);
    const c = testConfig(cfg);
    this.a = new Side(IP_A, this.output(IP_A, IP_B), c, seeded(spec.seed * 31 + 5));
    this.b = new Side(IP_B, this.output(IP_B, IP_A), c, seeded(spec.seed * 17 + 3));
  }

  lost(): number {
    return this.wire.lost;
  }

  overtaken(): number {
    return this.wire.overtaken;
  }

  /** the IPv4 seam of the end at `self`: datagrams go on the link towards `peer` */
  private output(self: number, peer: number): IpOutput {
    const link = this;
    return {
      sendIp: function (dst: number, proto: number, buf: Uint8Array, off: number, len: number, now: number): number {
        if (proto !== IpProto.TCP || dst !== peer) return -2;
        link.wire.carry({ to: peer === IP_A ? link.a : link.b, src: self, bytes: new Uint8Array(buf.subarray(off, off + len)) }, now);
        return len;
      },
      localAddr: function (): number {
        return self;
      },
    };
  }

  run(step: () => void, done: () => boolean, limit: number): boolean {
    const link = this;
    return runUntil(this, function (): number {
      return earliest([link.wire.next(), link.a.tcp.nextDeadline(), link.b.tcp.nextDeadline()]);
    }, function (): void {
      for (let d = link.wire.due(link.now); d !== undefined; d = link.wire.due(link.now)) {
        d.to.tcp.input(d.src, d.to.ip, d.bytes, 0, d.bytes.length, link.now);
      }
      link.a.tcp.poll(link.now);
      link.b.tcp.poll(link.now);
    }, step, done, limit);
  }
}

/** `n` bytes of a seeded pattern */
export function pattern(n: number, seed: number): Uint8Array {
  const r = seeded(seed);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = r() & 0xff;
  return b;
}

/** a reader that keeps every byte recv() hands out */
export class Sink {
  buf: Uint8Array;
  n = 0;
  constructor(cap: number) {
    this.buf = new Uint8Array(cap);
  }
  drain(c: TcpConn, now: number): void {
    for (;;) {
      const k = c.recv(this.buf, this.n, this.buf.length - this.n, now);
      if (k <= 0) return;
      this.n += k;
    }
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.n);
  }
}

/** a writer that feeds `data` to send() as room allows */
export class Source {
  data: Uint8Array;
  off = 0;
  constructor(data: Uint8Array) {
    this.data = data;
  }
  pump(c: TcpConn, now: number): void {
    while (this.off < this.data.length) {
      const k = c.send(this.data, this.off, this.data.length - this.off, now);
      if (k <= 0) return;
      this.off += k;
    }
  }
  done(): boolean {
    return this.off === this.data.length;
  }
}
