/**
 * Soak: many connection lifecycles through the socket layer, each against a kernel peer, with a seeded
 * random choice of who connects, how much data flows each way and how the connection is torn down.
 * Checks every byte a graceful path promises and that no hardware socket is leaked. Bounded in count
 * and in time. The NIC (--nic):
 *   w5500         the W5500 model (TCP in the chip) on the host network: kernel peers on loopback;
 *   enc28j60      the ENC28J60 model under our own TCP/IP stack (software transport), through a TAP
 *   w5500-macraw  device into a namespace with the kernel there as every peer (root); also checked:
 *                 no connection and so no buffer left, every TIME_WAIT ended (2·MSL shortened to 2 s), none cut short.
 *
 *   npm run soak -- [--nic NIC] [--lifecycles N] [--seed S] [--concurrency C] [--limit-s SECONDS] [--faults]
 *
 * With --faults, chip resets, link flaps and torn reads hit the run at seeded random times
 * (tools/soak-faults.ts): a lifecycle a fault cut short must end with the error the contract gives
 * for that cause, and after a chip reset the stack is built again (a new generation of the rig).
 *
 * Exits 1 when a byte was lost on a graceful path, a hardware socket leaked, a lifecycle failed, or
 * the time bound ran out.
 */
import { AddressFamily, IoctlCmd, OptLevel, ShutdownHow, SockOpt, SockType } from '../firmware/socket/constants';
import { WSAError } from '../firmware/socket/errors';
import type { CloseResult, SockAddr } from '../firmware/socket/types';
import type { ConformanceRig, PeerConn, PeerListener } from '../sim/conformance/rig';
import { w5500HostRig } from '../sim/conformance/w5500-rig';
import { TapSide } from '../sim/conformance/tap-rig';
import type { TapNic } from '../sim/conformance/tap-rig';
import type { SoftwareTransport } from '../firmware/transport/software/software';
import { defaultTcpConfig } from '../firmware/net/tcp/config';
import { FaultInjector, codesIn, contractErrors } from './soak-faults';
import type { FaultKind } from './soak-faults';
import { optionsOrExit } from './cli';
import { Progress } from './progress';

const NICS = ['w5500', 'enc28j60', 'w5500-macraw'];
const opts = optionsOrExit({
  usage: 'npm run soak --',
  about: 'Connection lifecycles against kernel peers, each with a seeded random teardown path; every promised byte is checked.',
  options: [
    { name: 'nic', value: 'NIC', choices: NICS, help: 'w5500 (TCP in the chip, loopback peers; default), or enc28j60 / w5500-macraw (our stack, through TAP)' },
    { name: 'lifecycles', value: 'N', type: 'int', help: 'how many lifecycles (default 2000)' },
    { name: 'seed', value: 'S', type: 'int', help: 'the seed (default 1)' },
    { name: 'concurrency', value: 'C', type: 'int', help: 'lifecycles at once (default 6)' },
    { name: 'limit-s', value: 'SECONDS', type: 'int', help: 'time bound (default 290)' },
    { name: 'faults', help: 'chip resets, link flaps and torn reads at seeded random times' },
  ],
}, process.argv.slice(2), 'soak');

function option(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) {
    console.error(`${name} needs a non-negative number`);
    process.exit(2);
  }
  return v;
}

const LIFECYCLES = option('--lifecycles', 2000);
const SEED = option('--seed', 1);
const CONCURRENCY = Math.max(1, option('--concurrency', 6));
const LIMIT_MS = option('--limit-s', 290) * 1000;
const STEP_MS = 8000;
const FAULTS = process.argv.includes('--faults');
const NIC = (opts.nic as string | undefined) ?? 'w5500';
/** 2·MSL on our stack in the soak, so every TIME_WAIT ends within the run */
const TIME_WAIT_MS = 2000;

/** mulberry32: small, seedable, good enough to pick paths */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Path =
  | 'device shutdown, both read to the end'
  | 'device DONTLINGER'
  | 'device linger 0'
  | 'device non-blocking linger n, then shutdown, retried'
  | 'device DONTLINGER, peer slow to FIN'
  | 'device DONTLINGER, peer never FINs'
  | 'peer FIN, device linger n (blocking)'
  | 'peer FIN, device DONTLINGER'
  | 'peer RST';

const PATHS: [Path, number][] = [
  ['device shutdown, both read to the end', 20],
  ['device DONTLINGER', 20],
  ['device linger 0', 10],
  ['device non-blocking linger n, then shutdown, retried', 10],
  ['device DONTLINGER, peer slow to FIN', 4],
  ['device DONTLINGER, peer never FINs', 4],
  ['peer FIN, device linger n (blocking)', 12],
  ['peer FIN, device DONTLINGER', 14],
  ['peer RST', 10],
];

const stats = {
  lifecycles: 0,
  bytesChecked: 0,
  bytesLost: 0,
  reclaimed: 0,
  /** reclaimed before their FIN went out: their bytes were not promised */
  reclaimedBeforeFin: 0,
  /** server connections refused (and tried again) while the device's listener had no hardware socket to listen on */
  listenerStarved: 0,
  failures: [] as string[],
  /** lifecycles a fault ended, by fault and error: "chip reset → 10050" */
  endedByFault: new Map<string, number>(),
  /** hardware sockets held when a generation retired after a chip reset */
  leakedAtReset: 0,
  handlesOpen: 0,
  /** our stack: TCP connections (each holding its send and receive buffers) and TIME_WAIT records left at the end */
  connsLeft: 0,
  timeWaitsLeft: 0,
  byPath: new Map<Path, number>(),
  asServer: 0,
};

function bytes(n: number, r: () => number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (r() * 256) | 0;
  return b;
}

/** counts the bytes of `want` that did not arrive intact, in order, in `got` */
function check(got: Uint8Array, want: Uint8Array): void {
  let same = 0;
  while (same < got.length && same < want.length && got[same] === want[same]) same++;
  stats.bytesChecked += want.length;
  const lost = want.length - same + Math.max(0, got.length - want.length);
  if (lost > 0) {
    stats.bytesLost += lost;
    throw new Error(`${lost} of ${want.length} bytes lost or changed (first at ${same})`);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const o = new Uint8Array(a.length + b.length);
  o.set(a, 0);
  o.set(b, a.length);
  return o;
}

let lockTail: Promise<void> = Promise.resolve();
/** a FIFO lock: resolves with the function that lets the next waiter in */
function connectLock(): Promise<() => void> {
  let release!: () => void;
  const mine = new Promise<void>((r) => { release = r; });
  const prev = lockTail;
  lockTail = prev.then(() => mine);
  return prev.then(() => release);
}

/** set by main: whether a fault explains how a close nobody waits for ended */
let judgeLateClose: (r: CloseResult, gen: number, from: number) => boolean = () => false;

class Lifecycle {
  /** the device socket and the peer of this lifecycle, for the clean-up after a failure */
  sock = -1;
  peer: PeerConn | undefined;
  private api;
  private from = Date.now();
  constructor(private rig: ConformanceRig, private listener: PeerListener, private devListener: { s: number; port: number }, private r: () => number, private gen: number) {
    this.api = rig.api;
  }

  private async until(pred: () => boolean, what: string): Promise<void> {
    if (!(await this.rig.runUntil(pred, STEP_MS))) throw new Error('timed out waiting for ' + what);
  }

  private sleep(ms: number): Promise<void> {
    return this.rig.run(ms);
  }

  private async open(asServer: boolean): Promise<{ s: number; peer: PeerConn }> {
    const api = this.api;
    if (asServer) {
      // A W5500 socket stops listening when it takes a connection; the listener is armed again only on a free
      // hardware socket, so while every one is held a SYN is refused, as by the silicon. The peer tries again,
      // as a client would, until the lifecycle's time bound.
      const end = this.rig.now() + STEP_MS;
      for (;;) {
        const peer = await this.rig.peers.connect(this.devListener.port);
        this.peer = peer;
        let s = -1;
        await this.rig.runUntil(() => {
          s = api.accept(this.devListener.s, undefined);
          if (s > 0) return true;
          if (api.WSAGetLastError() !== WSAError.WSAEWOULDBLOCK) throw new Error('accept failed ' + api.WSAGetLastError());
          return peer.wasReset;
        }, Math.max(1, end - this.rig.now()));
        // accepted sockets inherit non-blocking mode from the listener
        if (s > 0) return { s, peer };
        if (!peer.wasReset) throw new Error('timed out waiting for accept; peer: ' + peer.log.join(' '));
        stats.listenerStarved++;
        if (this.rig.now() >= end) throw new Error('every connection refused for ' + STEP_MS + ' ms; peer: ' + peer.log.join(' '));
        await this.sleep(20);
      }
    }
    // connects go one at a time, so the next connection the peer accepts is ours; socket() and connect() with no
    // wait between them, so no other lifecycle takes the room socket() found (our stack gives a connection its
    // table slot at connect, the W5500 its hardware socket at socket())
    const release = await connectLock();
    try {
      const s = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
      if (s < 0) throw new Error('socket failed ' + api.WSAGetLastError());
      this.sock = s;
      api.ioctlsocket(s, IoctlCmd.FIONBIO, 1);
      const before = this.listener.conns.length;
      const out: SockAddr = { addr: '', port: 0 };
      if (api.connect(s, this.rig.peers.ip, this.listener.port) !== -1 || api.WSAGetLastError() !== WSAError.WSAEWOULDBLOCK) {
        throw new Error('connect did not start: ' + api.WSAGetLastError());
      }
      await this.until(() => api.getpeername(s, out) === 0 && this.listener.conns.length > before, 'connect');
      return { s, peer: this.listener.conns[before] };
    } finally {
      release();
    }
  }

  private async sendAll(s: number, data: Uint8Array): Promise<void> {
    let off = 0;
    while (off < data.length) {
      const n = this.api.send(s, data.subarray(off), undefined, undefined);
      if (n > 0) { off += n; continue; }
      if (this.api.WSAGetLastError() !== WSAError.WSAEWOULDBLOCK) throw new Error('send failed ' + this.api.WSAGetLastError());
      await this.sleep(1);
    }
  }

  private async recvToEnd(s: number): Promise<{ got: Uint8Array; err: number }> {
    const buf = new Uint8Array(2048);
    let got: Uint8Array = new Uint8Array(0);
    const end = this.rig.now() + STEP_MS;
    for (;;) {
      const n = this.api.recv(s, buf, undefined, undefined);
      if (n > 0) { got = concat(got, buf.subarray(0, n)); continue; }
      if (n === 0) return { got, err: 0 };
      const e = this.api.WSAGetLastError();
      if (e !== WSAError.WSAEWOULDBLOCK) return { got, err: e };
      if (this.rig.now() > end) throw new Error('no end of stream');
      await this.sleep(1);
    }
  }

  private closeWith(s: number, how: 'dontlinger' | 'linger0' | 'lingerN'): Promise<CloseResult> {
    const api = this.api;
    return new Promise((resolve, reject) => {
      const done = (r: CloseResult) => { if (r.error === WSAError.WSAENOBUFS) stats.reclaimed++; resolve(r); };
      if (how === 'linger0') api.setsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 0 });
      if (how === 'lingerN') {
        api.ioctlsocket(s, IoctlCmd.FIONBIO, 0);
        api.setsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 2 });
      }
      if (api.closesocket(s, done) !== 0) reject(new Error('closesocket failed ' + api.WSAGetLastError()));
    });
  }

  /**
   * A graceful close: every byte of `out`, then FIN, must reach the peer — unless the close was
   * reclaimed (forced CLOSE because a new socket needed its hardware socket), which promises nothing.
   */
  private async closeAndCheck(s: number, peer: PeerConn, out: Uint8Array, how: 'dontlinger' | 'lingerN'): Promise<void> {
    let done: CloseResult | undefined;
    void this.closeWith(s, how).then((r) => { done = r; });
    await this.until(() => peer.ended || (done !== undefined && !done.graceful), 'FIN or the end of the close');
    if (!peer.ended) {
      if (done!.error === WSAError.WSAENOBUFS) { stats.reclaimedBeforeFin++; return; }
      throw new Error('the close ended without a FIN: ' + JSON.stringify(done));
    }
    // Graceful means both sides say so: a peer that already sent its FIN cannot tell a RST that came right
    // behind data from a FIN (libuv reports EOF), so the device's result decides, then every byte is checked.
    await this.until(() => done !== undefined, 'the close to finish');
    if (!done!.graceful && done!.error !== WSAError.WSAENOBUFS) throw new Error(`not graceful: ${JSON.stringify(done)}, the peer got ${peer.received().length} of ${out.length} bytes`);
    check(peer.received(), out);
  }

  async run(path: Path, asServer: boolean): Promise<void> {
    const api = this.api;
    const r = this.r;
    const out = bytes(Math.floor(r() * 4000), r);
    const inn = bytes(Math.floor(r() * 4000), r);
    const { s, peer } = await this.open(asServer);
    this.sock = s;
    this.peer = peer;
    switch (path) {
      case 'device shutdown, both read to the end': {
        peer.onEnd = () => peer.end();
        if (inn.length) peer.send(inn);
        await this.sendAll(s, out);
        if (api.shutdown(s, ShutdownHow.SD_SEND) !== 0) throw new Error('shutdown ' + api.WSAGetLastError());
        const got = await this.recvToEnd(s);
        if (got.err !== 0) throw new Error('recv ended with ' + got.err);
        check(got.got, inn);
        const res = await this.closeWith(s, 'dontlinger');
        if (!res.graceful && res.error !== WSAError.WSAENOBUFS) throw new Error('not graceful: ' + JSON.stringify(res));
        await this.until(() => peer.ended, 'FIN');
        check(peer.received(), out);
        break;
      }
      case 'device DONTLINGER':
      case 'device DONTLINGER, peer slow to FIN': {
        const slow = path === 'device DONTLINGER, peer slow to FIN';
        peer.onEnd = () => { if (slow) setTimeout(() => peer.end(), 1500); else peer.end(); };
        if (inn.length) peer.send(inn);
        await this.sendAll(s, out);
        await this.closeAndCheck(s, peer, out, 'dontlinger');
        break;
      }
      case 'device DONTLINGER, peer never FINs': {
        // The background close holds its hardware socket until the close bound or a reclaim ends it;
        // the lifecycle does not wait for that, so such closes pile up and socket() must reclaim.
        if (inn.length) peer.send(inn);
        await this.sendAll(s, out);
        const res = this.closeWith(s, 'dontlinger');
        let early: CloseResult | undefined;
        void res.then((r) => { early = r; });
        await this.until(() => peer.ended || (early !== undefined && !early.graceful), 'FIN');
        if (!peer.ended) throw new Error('the close ended without a FIN: ' + JSON.stringify(early));
        check(peer.received(), out);
        void res.then((r) => {
          // ended by the layer's close bound (WSAETIMEDOUT) or reclaimed for a new socket (WSAENOBUFS)
          if (r.graceful || (r.error !== WSAError.WSAENOBUFS && r.error !== WSAError.WSAETIMEDOUT)) {
            if (!judgeLateClose(r, this.gen, this.from)) stats.failures.push('a close the peer never answered ended ' + JSON.stringify(r));
          }
          peer.reset();
        });
        return;
      }
      case 'device linger 0': {
        if (inn.length) peer.send(inn);
        await this.sendAll(s, out);
        const res = await this.closeWith(s, 'linger0');
        if (res.graceful) throw new Error('linger 0 reported graceful');
        await this.sleep(5);
        peer.reset();
        break;
      }
      case 'device non-blocking linger n, then shutdown, retried': {
        peer.onEnd = () => peer.end();
        await this.sendAll(s, out);
        api.setsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 3 });
        let result: CloseResult | undefined;
        const done = (x: CloseResult) => { result = x; };
        if (api.closesocket(s, done) !== -1 || api.WSAGetLastError() !== WSAError.WSAEWOULDBLOCK) throw new Error('expected WSAEWOULDBLOCK');
        if (api.shutdown(s, ShutdownHow.SD_SEND) !== 0) throw new Error('shutdown ' + api.WSAGetLastError());
        if (inn.length) peer.send(inn);
        const got = await this.recvToEnd(s);
        if (got.err !== 0) throw new Error('recv ended with ' + got.err);
        check(got.got, inn);
        await this.until(() => api.closesocket(s, done) === 0, 'closesocket to complete');
        await this.until(() => result !== undefined, 'done');
        if (!result!.graceful) throw new Error('not graceful: ' + JSON.stringify(result));
        check(peer.received(), out);
        break;
      }
      case 'peer FIN, device linger n (blocking)':
      case 'peer FIN, device DONTLINGER': {
        if (inn.length) peer.send(inn);
        peer.end();
        const got = await this.recvToEnd(s);
        if (got.err !== 0) throw new Error('recv ended with ' + got.err);
        check(got.got, inn);
        await this.sendAll(s, out);
        await this.closeAndCheck(s, peer, out, path === 'peer FIN, device DONTLINGER' ? 'dontlinger' : 'lingerN');
        break;
      }
      case 'peer RST': {
        if (inn.length) peer.send(inn);
        if (out.length) await this.sendAll(s, out.subarray(0, Math.min(out.length, 1000)));
        peer.reset();
        const got = await this.recvToEnd(s);
        if (got.err !== WSAError.WSAECONNRESET) {
          throw new Error(`expected WSAECONNRESET, got ${got.err} (after ${got.got.length} of ${inn.length} bytes sent by the peer; then recv → ${this.api.recv(s, new Uint8Array(8), undefined, undefined)}/${this.api.WSAGetLastError()})`);
        }
        await this.closeWith(s, 'dontlinger');
        break;
      }
    }
    peer.close();
  }
}

function pickPath(r: () => number): Path {
  let total = 0;
  for (const [, w] of PATHS) total += w;
  let x = r() * total;
  for (const [p, w] of PATHS) {
    if (x < w) return p;
    x -= w;
  }
  return PATHS[0][0];
}

/** One build of the stack (a chip reset ends it: the soak builds the next). */
interface Gen {
  id: number;
  rig: ConformanceRig;
  /** our stack under the rig (enc28j60, w5500-macraw), for what it holds */
  stack: SoftwareTransport | undefined;
  listener: PeerListener;
  devS: number;
  devPort: number;
  down: boolean;
  active: number;
}

/** the TAP side (namespace, TAP, chip thread, kernel peers) every generation of our stack runs on */
let side: TapSide | undefined;

/** TIME_WAIT records our stack entered, and those cut short because its table was full */
const timeWait = { entered: 0, cutShort: 0 };

/** counts the records the stack's TIME_WAIT table takes (tool-side introspection: Tcp.addTimeWait) */
function watchTimeWait(t: SoftwareTransport): void {
  const tcp = t.stackStats().tcp;
  const add = tcp.addTimeWait.bind(tcp);
  tcp.addTimeWait = (r) => {
    const full = tcp.cfg.maxTimeWait > 0 && tcp.timeWaits.length >= tcp.cfg.maxTimeWait;
    if (tcp.cfg.maxTimeWait > 0) timeWait.entered++;
    if (full) timeWait.cutShort++;
    add(r);
  };
}

async function makeGen(id: number): Promise<Gen> {
  let rig: ConformanceRig;
  let stack: SoftwareTransport | undefined;
  if (NIC === 'w5500') rig = await w5500HostRig();
  else {
    if (!side) side = await TapSide.open(NIC as TapNic);
    // as the conformance rig, with 2·MSL shortened and a TIME_WAIT table for every record 2·MSL holds at the soak's
    // rate (about 20 a second here), so none is cut short by a full table
    const tcp = Object.assign(defaultTcpConfig(), { rtoInit: 100, rtoMin: 100, maxRetries: 5, timeWait: TIME_WAIT_MS, maxTimeWait: 256 });
    const r = await side.rig({ tcp });
    stack = r.transport;
    watchTimeWait(stack);
    rig = r;
  }
  const api = rig.api;
  const listener = await rig.peers.listen();
  const devS = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
  const devPort = 7001;
  if (api.bind(devS, '0.0.0.0', devPort) !== 0 || api.listen(devS, 1) !== 0) throw new Error('device listen ' + api.WSAGetLastError());
  api.ioctlsocket(devS, IoctlCmd.FIONBIO, 1);
  return { id, rig, stack, listener, devS, devPort, down: false, active: 0 };
}

/** closes what is left of a generation; returns the hardware sockets still held (and counts handles left open) */
async function retire(g: Gen): Promise<number> {
  g.rig.api.closesocket(g.devS, undefined);
  // background closes finish (or are forced) within the close bound
  await g.rig.runUntil(() => g.rig.freeEndpoints() === g.rig.totalEndpoints, 6000);
  const leaked = g.rig.totalEndpoints - g.rig.freeEndpoints();
  stats.handlesOpen += g.rig.api.openSockets();
  const t = g.stack;
  if (t && !g.down) {
    // our stack: every connection (each with its two buffers) gone, every TIME_WAIT run out (2·MSL), no frame waiting
    const tcp = t.stackStats().tcp;
    await g.rig.runUntil(() => tcp.conns.length === 0 && tcp.timeWaits.length === 0, TIME_WAIT_MS + 6000);
    stats.connsLeft += tcp.conns.length;
    stats.timeWaitsLeft += tcp.timeWaits.length;
  }
  await g.rig.close();
  return leaked;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const wall = (): number => Date.now() - t0;
  let gen = await makeGen(1);
  let rebuilding: Promise<void> | undefined;
  const pick = rng(SEED);
  const faultPick = rng((SEED * 7919 + 17) >>> 0);
  let started = 0;
  let timedOut = false;
  console.log(`soak: ${LIFECYCLES} lifecycles, seed ${SEED}, ${CONCURRENCY} at a time, ${gen.rig.name}${FAULTS ? ', with faults' : ''}`);

  const injector = new FaultInjector(faultPick, wall, () => ({ id: gen.id, down: gen.down, faults: gen.rig.faults }), () => {
    const old = gen;
    old.down = true;
    rebuilding = (async () => {
      while (old.active > 0) await sleep(20);
      stats.leakedAtReset += await retire(old);
      gen = await makeGen(old.id + 1);
      rebuilding = undefined;
    })();
  });
  if (FAULTS) injector.start();

  /** was this failure the contract's answer to a fault? then it is counted, not failed */
  const explained = (g: Gen, from: number, codes: number[]): boolean => {
    if (!FAULTS) return false;
    const f = injector.explain(g.id, from, wall(), codes);
    if (!f) return false;
    const allowed = contractErrors(f.kind);
    const code = codes.find((c) => allowed.indexOf(c) >= 0) as number;
    const key = `${f.kind} → ${code}`;
    stats.endedByFault.set(key, (stats.endedByFault.get(key) ?? 0) + 1);
    return true;
  };
  judgeLateClose = (r: CloseResult, g: number, from: number): boolean => explained({ id: g } as Gen, from - t0, [r.error]);

  async function worker(id: number): Promise<void> {
    while (started < LIFECYCLES) {
      if (Date.now() - t0 > LIMIT_MS) { timedOut = true; return; }
      while (rebuilding) await rebuilding;
      const g = gen;
      if (g.down) continue;
      const n = started++;
      const r = rng((SEED * 1000003 + n) >>> 0);
      const path = pickPath(pick);
      // one device listener (backlog 1): server lifecycles go one at a time, on worker 0
      const asServer = id === 0 && pick() < 0.3;
      const api = g.rig.api;
      const lc = new Lifecycle(g.rig, g.listener, { s: g.devS, port: g.devPort }, r, g.id);
      const from = wall();
      g.active++;
      try {
        await lc.run(path, asServer);
      } catch (e) {
        const codes = codesIn((e as Error).message);
        // a failed lifecycle must not hold its handle: abortive close (a closed handle just says WSAENOTSOCK)
        if (lc.sock > 0) {
          const so = api.getsockopt(lc.sock, OptLevel.SOL_SOCKET, SockOpt.SO_ERROR);
          if (typeof so === 'number' && so > 0) codes.push(so);
          api.setsockopt(lc.sock, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 0 });
          api.closesocket(lc.sock, undefined);
        }
        if (lc.peer) lc.peer.reset();
        if (!explained(g, from, codes)) {
          const hit = FAULTS ? injector.overlapping(g.id, from, wall()) : [];
          stats.failures.push(`#${n} ${asServer ? 'server' : 'client'} "${path}": ${(e as Error).message}${codes.length ? ' [' + codes.join(', ') + ']' : ''}${hit.length ? ' (during: ' + hit.join(', ') + ')' : ''}`);
        }
      } finally {
        g.active--;
      }
      stats.lifecycles++;
      progress.update(stats.lifecycles, `${stats.failures.length} failed`);
      if (asServer) stats.asServer++;
      stats.byPath.set(path, (stats.byPath.get(path) ?? 0) + 1);
    }
  }
  const progress = new Progress('soak', LIFECYCLES);
  const workers: Promise<void>[] = [];
  for (let i = 0; i < CONCURRENCY; i++) workers.push(worker(i));
  await Promise.all(workers);
  progress.clear();
  injector.stop();
  while (rebuilding) await rebuilding;
  // the last generation: every link back up, no torn reads, then what is left must come free
  if (FAULTS && gen.rig.faults) {
    gen.rig.faults.link(true);
    gen.rig.faults.tornReads(false);
  }
  await sleep(FAULTS ? 2000 : 0);
  const leaked = (await retire(gen)) + stats.leakedAtReset;
  const elapsed = (Date.now() - t0) / 1000;

  console.log(`lifecycles: ${stats.lifecycles} (${stats.asServer} with the device as server)`);
  for (const [p] of PATHS) console.log(`  ${p}: ${stats.byPath.get(p) ?? 0}`);
  if (FAULTS) {
    const byKind = new Map<FaultKind, number>();
    for (const e of injector.events) byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + 1);
    console.log(`faults injected: chip resets ${byKind.get('chip reset') ?? 0}, link flaps ${byKind.get('link flap') ?? 0}, torn-read periods ${byKind.get('torn reads') ?? 0} (rig generations: ${gen.id})`);
    console.log('lifecycles a fault ended, with the error the contract gives for its cause:');
    if (stats.endedByFault.size === 0) console.log('  none');
    for (const [k, v] of stats.endedByFault) console.log(`  ${k}: ${v}`);
  }
  console.log(`bytes checked: ${stats.bytesChecked}`);
  console.log(`bytes lost on graceful paths: ${stats.bytesLost}`);
  console.log(`${gen.stack ? 'endpoints' : 'hardware sockets'} leaked: ${leaked}`);
  console.log(`handles left open: ${stats.handlesOpen}`);
  if (gen.stack) {
    console.log(`TCP connections left, each with its send and receive buffers: ${stats.connsLeft}`);
    console.log(`TIME_WAIT: ${timeWait.entered} entered (2·MSL ${TIME_WAIT_MS / 1000} s here), ${timeWait.cutShort} of them cut short by a full table, ${stats.timeWaitsLeft} not ended when the run ended`);
  }
  console.log(`sockets reclaimed: ${stats.reclaimed} (${stats.reclaimedBeforeFin} before their FIN went out)`);
  console.log(`server connections refused while every hardware socket was held (listener not re-armed; the peer tried again): ${stats.listenerStarved}`);
  console.log(`failed lifecycles: ${stats.failures.length}`);
  for (const f of stats.failures.slice(0, 20)) console.log('  ' + f);
  if (stats.failures.length > 20) console.log(`  … ${stats.failures.length - 20} more`);
  console.log(`elapsed: ${elapsed.toFixed(1)} s`);
  if (timedOut) console.log(`time bound of ${LIMIT_MS / 1000} s ran out after ${stats.lifecycles} lifecycles`);
  if (side) await side.close();
  const bad = stats.bytesLost > 0 || leaked > 0 || stats.handlesOpen > 0 || stats.failures.length > 0 || timedOut ||
    stats.connsLeft > 0 || stats.timeWaitsLeft > 0 || timeWait.cutShort > 0;
  process.exit(bad ? 1 : 0);
}

main().catch((e) => {
  console.error('soak failed: ' + ((e as Error).stack ?? String(e)));
  process.exit(1);
});
