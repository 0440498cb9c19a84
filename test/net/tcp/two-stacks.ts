/**
 * Two TCP stacks joined at the IPv4 seam (IpOutput of one → IpUpper.input of the other) through a
 * seeded lossy, reordering link on a virtual clock. Each datagram is copied when sent, dropped with
 * probability `loss`, and delivered after `delay` + a random part of `jitter` ms, so later datagrams
 * overtake earlier ones.
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

interface InFlight {
  at: number;
  order: number;
  to: Side;
  src: number;
  bytes: Uint8Array;
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
  c.timeWait = 4000;
  c.maxRetries = 12;
  if (cfg) Object.assign(c, cfg);
  return c;
}

export class Link implements TwoStacks {
  now = 0;
  rand: () => number;
  spec: LinkSpec;
  queue: InFlight[] = [];
  order = 0;
  lostCount = 0;
  overtakenCount = 0;
  a: Side;
  b: Side;

  constructor(spec: LinkSpec, cfg?: Partial<TcpConfig>) {
    this.spec = spec;
    this.rand = seeded(spec.seed * 7919 + 1);
    const c = testConfig(cfg);
    this.a = new Side(IP_A, this.output(IP_A, IP_B), c, seeded(spec.seed * 31 + 5));
    this.b = new Side(IP_B, this.output(IP_B, IP_A), c, seeded(spec.seed * 17 + 3));
  }

  lost(): number {
    return this.lostCount;
  }

  overtaken(): number {
    return this.overtakenCount;
  }

  /** the IPv4 seam of the end at `self`: datagrams go on the link towards `peer` */
  private output(self: number, peer: number): IpOutput {
    const link = this;
    return {
      sendIp: function (dst: number, proto: number, buf: Uint8Array, off: number, len: number, now: number): number {
        if (proto !== IpProto.TCP || dst !== peer) return -2;
        link.carry(peer === IP_A ? link.a : link.b, self, new Uint8Array(buf.subarray(off, off + len)), now);
        return len;
      },
      localAddr: function (): number {
        return self;
      },
    };
  }

  private uniform(): number {
    return this.rand() / 4294967296;
  }

  private carry(to: Side, src: number, bytes: Uint8Array, now: number): void {
    if (this.uniform() < this.spec.loss) {
      this.lostCount++;
      return;
    }
    const at = now + this.spec.delay + Math.floor(this.uniform() * this.spec.jitter);
    for (let i = 0; i < this.queue.length; i++) if (this.queue[i].at > at) this.overtakenCount++;
    this.queue.push({ at, order: this.order++, to, src, bytes });
  }

  /** the earliest moment something happens: a delivery or a timer of either stack */
  private next(): number {
    let t = -1;
    for (let i = 0; i < this.queue.length; i++) if (t < 0 || this.queue[i].at < t) t = this.queue[i].at;
    const da = this.a.tcp.nextDeadline();
    const db = this.b.tcp.nextDeadline();
    if (da >= 0 && (t < 0 || da < t)) t = da;
    if (db >= 0 && (t < 0 || db < t)) t = db;
    return t;
  }

  /**
   * Runs the link and both stacks until `done()` holds (checked after every step) or `limit` ms of
   * virtual time passed; `step()` is the applications' turn, called after every step. Returns
   * whether `done()` held.
   */
  run(step: () => void, done: () => boolean, limit: number): boolean {
    const end = this.now + limit;
    step();
    while (!done()) {
      const t = this.next();
      if (t < 0 || t > end) return false;
      if (t > this.now) this.now = t;
      // deliver everything due now, in arrival order
      this.queue.sort(function (x, y) { return x.at - y.at || x.order - y.order; });
      while (this.queue.length > 0 && this.queue[0].at <= this.now) {
        const d = this.queue.shift() as InFlight;
        d.to.tcp.input(d.src, d.to.ip, d.bytes, 0, d.bytes.length, this.now);
      }
      this.a.tcp.poll(this.now);
      this.b.tcp.poll(this.now);
      step();
    }
    return true;
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
