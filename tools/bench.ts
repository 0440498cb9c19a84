/**
 * W5500 driver benchmark: SPI transactions and bytes per operation, counted by the chip model's trace
 * counters on virtual time with scripted peers, so every run prints the same figures; then the ENC28J60
 * driver's (tools/bench-enc28j60.ts) and 1 MiB each way with a kernel peer on three NICs (tools/bench-tap.ts).
 *   npm run bench
 */
import { Rig, ip4, PEER_IP } from '../sim/w5500/driver-rig';
import { SnEvent } from '../hal/w5500/events';
import { Sn_MR } from '../hal/w5500/registers';
import { blockingRecvWakeups, idleWakeups } from '../sim/blocking-wakeups';
import { createHarness } from '../sim/harness';
import type { Harness } from '../sim/harness';
import { AddressFamily, SockType } from '../firmware/socket/constants';
import { benchEnc28j60 } from './bench-enc28j60';
import { benchKernelPeers } from './bench-tap';
import { optionsOrExit } from './cli';
import { Progress } from './progress';

optionsOrExit({
  usage: 'npm run bench --',
  about: 'SPI traffic of the W5500 and ENC28J60 drivers, counted by the chip models on virtual time (the same figures every run); then 1 MiB each way with a kernel peer in real time on the ENC28J60, the W5500 in MACRAW (through TAP: root) and the W5500 offload.',
  options: [],
}, process.argv.slice(2), 'bench');

interface Timing {
  name: string;
  latencyMs: number;
}

/** Instant: every network event happens at the moment the chip acts (the reference drivers' fake chip). Realistic: 0.5 ms each way, SEND_OK on the peer's ACK. */
const TIMINGS: Timing[] = [
  { name: 'instant', latencyMs: 0 },
  { name: 'realistic', latencyMs: 0.5 },
];

const BUF_KB = [16, 0, 0, 0, 0, 0, 0, 0];
const MAX_BURST = 16384;
const MIB = 1024 * 1024;
const PORT = 5000;

interface Row {
  scenario: string;
  timing: string;
  int: string;
  transactions: number;
  bytes: number;
  payload: number;
}

function rig(t: Timing, int: boolean, burst = MAX_BURST): Rig {
  const r = new Rig({ int, latencyMs: t.latencyMs, driver: { txBufKB: BUF_KB, rxBufKB: BUF_KB, maxBurst: burst } });
  const err = r.driver.begin();
  if (err) throw new Error('begin failed: ' + err);
  return r;
}

function must(v: number, what: string): number {
  if (v < 0) throw new Error(what + ' failed: ' + v);
  return v;
}

/** opens socket 0 and connects to an echo-less peer; returns the peer */
function connected(r: Rig) {
  const l = r.net.listen({ ip: PEER_IP, port: PORT });
  must(r.driver.open(0, Sn_MR.TCP | Sn_MR.ND, 40000, ip4(PEER_IP), PORT), 'open');
  must(r.driver.connect(0, ip4(PEER_IP), PORT), 'connect');
  if (!r.runUntil(() => r.events.indexOf('0:CON') >= 0, 1000)) throw new Error('no CON');
  r.take();
  return l.accepted[0];
}

function bringUp(t: Timing, int: boolean): Row {
  const r = new Rig({ int, latencyMs: t.latencyMs, driver: { txBufKB: BUF_KB, rxBufKB: BUF_KB, maxBurst: MAX_BURST } });
  must(r.driver.begin(), 'begin');
  const c = r.spiSince();
  r.close();
  return { scenario: '(a) bring-up', timing: t.name, int: int ? 'INT' : 'poll', transactions: c.transactions, bytes: c.bytes, payload: c.payloadBytes };
}

function session(t: Timing, int: boolean): Row {
  const r = rig(t, int);
  const l = r.net.listen({ ip: PEER_IP, port: PORT });
  l.onAccept = (p) => { p.onData = (b) => p.send(b); p.onFin = () => p.fin(); };
  const msg = new Uint8Array(64).fill(0x5a);
  const got = new Uint8Array(64);
  let have = 0;
  let done = false;
  r.spiSince();
  r.onEvent = (sn, ev) => {
    if (ev === SnEvent.CON) must(r.driver.send(sn, msg), 'send');
    if (ev === SnEvent.RECV) {
      have += must(r.driver.recv(sn, got.subarray(have)), 'recv');
      if (have === 64) must(r.driver.disconnect(sn), 'disconnect');
    }
    if (ev === SnEvent.CLOSED) { must(r.driver.close(sn), 'close'); done = true; }
  };
  must(r.driver.open(0, Sn_MR.TCP | Sn_MR.ND, 40000, ip4(PEER_IP), PORT), 'open');
  must(r.driver.connect(0, ip4(PEER_IP), PORT), 'connect');
  if (!r.runUntil(() => done, 5000)) throw new Error('session did not finish: ' + r.events.join(' '));
  const c = r.spiSince();
  r.close();
  return { scenario: '(b) connect+send 64+recv 64+close', timing: t.name, int: int ? 'INT' : 'poll', transactions: c.transactions, bytes: c.bytes, payload: c.payloadBytes };
}

function sendMiB(t: Timing, int: boolean, burst = MAX_BURST): Row {
  const r = rig(t, int, burst);
  const peer = connected(r);
  const data = new Uint8Array(MIB);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
  let off = 0;
  let done = false;
  const push = () => {
    if (off >= data.length) { done = true; return; }
    const n = must(r.driver.send(0, data.subarray(off, Math.min(off + 16384, data.length))), 'send');
    off += n;
  };
  r.spiSince();
  r.onEvent = (sn, ev) => { if (ev === SnEvent.SEND_OK || ev === SnEvent.WRITABLE) push(); };
  push();
  if (!r.runUntil(() => done, 60000)) throw new Error('send stalled at ' + off);
  const c = r.spiSince();
  r.run(10);
  if (peer.received.length !== MIB) throw new Error('peer got ' + peer.received.length);
  r.close();
  return { scenario: '(c) send 1 MiB' + (burst === MAX_BURST ? '' : `, ${burst}-byte bursts`), timing: t.name, int: int ? 'INT' : 'poll', transactions: c.transactions, bytes: c.bytes, payload: c.payloadBytes };
}

function recvMiB(t: Timing, int: boolean, burst = MAX_BURST): Row {
  const r = rig(t, int, burst);
  const peer = connected(r);
  const buf = new Uint8Array(16384);
  let got = 0;
  r.spiSince();
  r.onEvent = (sn, ev) => {
    if (ev !== SnEvent.RECV) return;
    for (;;) {
      const n = must(r.driver.recv(sn, buf), 'recv');
      got += n;
      if (n < buf.length) break;
    }
  };
  const chunk = new Uint8Array(65536).fill(0xa5);
  for (let i = 0; i < MIB / chunk.length; i++) peer.send(chunk);
  if (!r.runUntil(() => got >= MIB, 60000)) throw new Error('recv stalled at ' + got);
  const c = r.spiSince();
  r.close();
  return { scenario: '(d) receive 1 MiB' + (burst === MAX_BURST ? '' : `, ${burst}-byte bursts`), timing: t.name, int: int ? 'INT' : 'poll', transactions: c.transactions, bytes: c.bytes, payload: c.payloadBytes };
}

function idle(t: Timing, int: boolean): Row {
  const r = rig(t, int);
  r.spiSince();
  r.run(1000);
  const c = r.spiSince();
  r.close();
  return { scenario: '(e) 1 s idle', timing: t.name, int: int ? 'INT' : 'poll', transactions: c.transactions, bytes: c.bytes, payload: c.payloadBytes };
}

const KIB = 1024;
const DEFAULT_KIB = 64;
/** what the application hands to recv at a time in the default-configuration rows */
const APP_RECV_BUF = 2048;

interface PerKiB {
  what: string;
  int: string;
  transactions: number;
  bytes: number;
  kib: number;
}

/** the default configuration (8 sockets × 2 KB, runtime defaults) through the socket layer, connected to a scripted peer */
async function defaultConnection(int: boolean): Promise<{ h: Harness; s: number; peer: ReturnType<typeof peerOf> }> {
  const h = await createHarness({ int, latencyMs: 0.5 });
  const vnet = h.vnet;
  if (!vnet) throw new Error('no virtual network');
  const l = vnet.listen({ ip: PEER_IP, port: PORT });
  const s = h.api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
  if (h.api.connect(s, PEER_IP, PORT) !== 0) throw new Error('connect failed: ' + h.api.WSAGetLastError());
  await h.run(5);
  return { h, s, peer: peerOf(l) };
}

function peerOf(l: ReturnType<NonNullable<Harness['vnet']>['listen']>) {
  return l.accepted[0];
}

/** typed-array bytes held by `obj`'s own members, and bytes of Uint8Arrays held in its array members (per-endpoint buffers) */
function heldBytes(obj: object): { tables: number; buffers: number } {
  let tables = 0;
  let buffers = 0;
  for (const v of Object.values(obj)) {
    if (ArrayBuffer.isView(v)) tables += v.byteLength;
    else if (Array.isArray(v)) for (const e of v) if (e instanceof Uint8Array) buffers += e.byteLength;
  }
  return { tables, buffers };
}

/** RAM the driver and the transport give one connection, after it has moved data both ways */
async function ramPerConnection(): Promise<string> {
  const { h, s, peer } = await defaultConnection(true);
  // the offload transport keeps its records in `c` (core.ts), the driver in `c.drv`: tool-side introspection only
  const core = (h.transport as unknown as { c?: { drv?: object } }).c;
  if (!core || !core.drv) throw new Error('the offload transport no longer keeps its records in c / c.drv: update the RAM probe');
  const before = heldBytes(core).buffers;
  h.api.send(s, new Uint8Array(8 * KIB), undefined, undefined);
  peer.send(new Uint8Array(8 * KIB));
  const buf = new Uint8Array(APP_RECV_BUF);
  let have = 0;
  while (have < 8 * KIB) have += h.api.recv(s, buf, undefined, undefined);
  const t = heldBytes(core);
  const d = heldBytes(core.drv);
  const slots = h.transport.maxEndpoints();
  await h.close();
  return `RAM per connection: ${t.buffers - before} bytes of data buffers (beyond that, TX and RX data stay in the chip's rings); ` +
    `fixed bookkeeping tables: transport ${t.tables} bytes for ${slots} endpoints, driver ${d.tables} bytes for 8 hardware sockets ` +
    '(typed arrays; the socket layer\'s per-socket object comes on top)';
}

async function defaultSend(int: boolean): Promise<PerKiB> {
  const { h, s, peer } = await defaultConnection(int);
  const data = new Uint8Array(DEFAULT_KIB * KIB);
  for (let i = 0; i < data.length; i++) data[i] = (i * 13) & 0xff;
  h.trace.reset();
  const n = h.api.send(s, data, undefined, undefined);
  if (n !== data.length) throw new Error('blocking send took ' + n);
  if (!(await h.runUntil(() => peer.received.length === data.length, 10000))) throw new Error('peer got ' + peer.received.length);
  const c = h.trace.counters();
  if (Buffer.compare(Buffer.from(peer.received), Buffer.from(data)) !== 0) throw new Error('peer got other bytes');
  await h.close();
  return { what: `send ${DEFAULT_KIB} KiB (one blocking send)`, int: int ? 'INT' : 'poll', transactions: c.transactions, bytes: c.bytes, kib: DEFAULT_KIB };
}

async function defaultRecv(int: boolean): Promise<PerKiB> {
  const { h, s, peer } = await defaultConnection(int);
  const data = new Uint8Array(DEFAULT_KIB * KIB);
  for (let i = 0; i < data.length; i++) data[i] = (i * 11) & 0xff;
  const got = new Uint8Array(data.length);
  const buf = new Uint8Array(APP_RECV_BUF);
  h.trace.reset();
  peer.send(data);
  let have = 0;
  while (have < data.length) {
    const n = h.api.recv(s, buf, undefined, undefined);
    if (n <= 0) throw new Error('recv gave ' + n + ' after ' + have);
    got.set(buf.subarray(0, n), have);
    have += n;
  }
  const c = h.trace.counters();
  if (Buffer.compare(Buffer.from(got), Buffer.from(data)) !== 0) throw new Error('received other bytes');
  await h.close();
  return { what: `receive ${DEFAULT_KIB} KiB (blocking recv, ${APP_RECV_BUF}-byte buffer)`, int: int ? 'INT' : 'poll', transactions: c.transactions, bytes: c.bytes, kib: DEFAULT_KIB };
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

function share(row: Row): string {
  return row.payload > 0 ? ((100 * row.payload) / row.bytes).toFixed(2) + ' %' : '-';
}

const rows: Row[] = [];
const progress = new Progress('bench', 2 * TIMINGS.length + 1);
for (const t of TIMINGS) {
  for (const int of [true, false]) {
    progress.update(rows.length / 5, `timing ${t.name}, ${int ? 'INT wired' : 'polling'}`);
    rows.push(bringUp(t, int), session(t, int), sendMiB(t, int), recvMiB(t, int), idle(t, int));
  }
}
// the driver's default burst (what a board with little RAM would use)
rows.push(sendMiB(TIMINGS[1], true, 2048), recvMiB(TIMINGS[1], true, 2048));
progress.clear();
rows.sort((a, b) => (a.scenario < b.scenario ? -1 : a.scenario > b.scenario ? 1 : 0));

console.log('W5500 driver, SPI traffic counted by the chip model (virtual time, scripted peers)');
console.log(`socket 0: TX ${BUF_KB[0]} KB, RX ${BUF_KB[0]} KB (sockets 1-7: 0 KB); largest burst ${MAX_BURST} bytes; TCP with Sn_MR.ND`);
console.log('timing "instant": network events at the moment the chip acts (commands accept at once, SEND_OK on the immediate ACK)');
console.log('timing "realistic": 0.5 ms one-way latency, SEND_OK when the peer has acknowledged the data');
console.log('');
const head = [pad('scenario', 42), pad('timing', 10), pad('INT', 5), pad('transactions', 12, true), pad('SPI bytes', 10, true), pad('payload', 9, true), pad('payload share', 14, true)];
console.log(head.join(' | '));
console.log(head.map((h) => '-'.repeat(h.length)).join('-|-'));
for (const row of rows) {
  console.log([pad(row.scenario, 42), pad(row.timing, 10), pad(row.int, 5), pad(String(row.transactions), 12, true),
    pad(String(row.bytes), 10, true), pad(String(row.payload), 9, true), pad(share(row), 14, true)].join(' | '));
}
console.log('');
console.log('targets: (b) <= 27 transactions; (c), (d) >= 99.5 % payload; (e) 0 transactions with INT wired');
console.log('references, and where they come from:');
console.log('  (b) WIZnet ioLibrary_Driver, unmodified, run against this W5500 model (npm run sim -- w5500 --spi) with every command');
console.log('      completing at once, socket + connect + send 64 + recv 64 + disconnect + close: commit 1d2582a 58 transactions / 364 bytes;');
console.log('      its 2023 release 3847fb3 56 / 356');
console.log('  Espruino 2v29\'s built-in WIZnet driver is ioLibrary with byte-at-a-time SPI callbacks (libs/network/wiznet/jswrap_wiznet.c');
console.log('      registers wizchip_read/wizchip_write, one jshSPISend per byte; ../shared/docs/espruino.md §7): one SPI call per byte');
console.log('  (c), (d) ioLibrary 96.8 % / 97.4 %, Arduino Ethernet (b) 31, (c) 97.9 %, (d) 98.8 %: earlier figures whose run was not recorded');

// A blocking call that waits: each wake-up is one pump of the transport (a service pass over the NIC).
const waitInt = await blockingRecvWakeups(300, true);
const waitPoll = await blockingRecvWakeups(300, false);
console.log('');
console.log('socket layer over the offload transport (sim/harness.ts, default configuration), blocking recv with SO_RCVTIMEO 300 ms and no data:');
console.log(`  INT wired: ${waitInt.wakeups} wake-ups, ${waitInt.transactions} SPI transactions, returned after ${waitInt.elapsedMs} ms`);
console.log(`  polling:   ${waitPoll.wakeups} wake-ups, ${waitPoll.transactions} SPI transactions, returned after ${waitPoll.elapsedMs} ms`);
// The event loop with nothing to do: turns of its one timer over 10 s, a connected socket, no traffic.
console.log('event loop idle (one connected socket, no traffic, 10 s):');
for (const [int, health] of [[true, 0], [true, 1000], [false, 0], [false, 1000]] as [boolean, number][]) {
  const f = await idleWakeups(int, health, 10);
  console.log(`  ${int ? 'INT wired' : 'polling  '}, chip check ${health ? 'every ' + health + ' ms' : 'off'}: ${f.perSecond} wake-ups per second, ${f.transactions} SPI transactions, ${f.timers} timer set`);
}
async function defaultRows(): Promise<void> {
  const rows2: PerKiB[] = [];
  for (const int of [true, false]) rows2.push(await defaultSend(int), await defaultRecv(int));
  console.log('');
  console.log('(f) the default configuration: 8 sockets x 2 KB TX and RX, through the socket layer (blocking calls), timing "realistic"');
  const h2 = [pad('operation', 48), pad('INT', 5), pad('transactions', 12, true), pad('SPI bytes', 10, true), pad('per KiB', 8, true)];
  console.log(h2.join(' | '));
  console.log(h2.map((x) => '-'.repeat(x.length)).join('-|-'));
  for (const r of rows2) {
    console.log([pad(r.what, 48), pad(r.int, 5), pad(String(r.transactions), 12, true), pad(String(r.bytes), 10, true),
      pad((r.transactions / r.kib).toFixed(2), 8, true)].join(' | '));
  }
  console.log('target: <= 5 transactions per KiB sent and per KiB received');
  console.log(await ramPerConnection());
}

await defaultRows();

benchEnc28j60();

await benchKernelPeers();
