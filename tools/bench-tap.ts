/**
 * 1 MiB each way between the device and a kernel peer, in real time, through the socket layer with the default
 * stack settings, on three NICs side by side: the ENC28J60 model and the W5500 model in MACRAW (our stack, through a
 * TAP device into a namespace: the kernel there is the peer), and the W5500 model with TCP in the chip (its peer a
 * kernel socket on loopback). Per direction: elapsed time; frames, pure ACKs and retransmitted segments per KiB
 * counted on the wire (the TAP's pcap); SPI transactions and bytes per KiB and the payload share (application
 * bytes / all SPI bytes) counted by the chip model. Called by tools/bench.ts (npm run bench). Without root the TAP
 * rows cannot be made: it says so loudly and prints the W5500 offload rows.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AddressFamily, IoctlCmd, SockType } from '../firmware/socket/constants';
import { WSAError } from '../firmware/socket/errors';
import type { ConformanceRig } from '../sim/conformance/rig';
import { RigUnavailable } from '../sim/conformance/rig';
import { TapSide } from '../sim/conformance/tap-rig';
import type { TapNic } from '../sim/conformance/tap-rig';
import { w5500HostRig } from '../sim/conformance/w5500-rig';

const KIB = 1024;
const MIB = 1024 * KIB;
/** the longest one direction may take before the bench gives up, ms */
const LIMIT_MS = 120000;

interface Spi {
  transactions: number;
  bytes: number;
}

interface Wire {
  frames: number;
  acks: number;
  retransmissions: number;
}

interface Run {
  nic: string;
  direction: 'device → peer' | 'peer → device';
  ms: number;
  spi: Spi;
  /** undefined: no frames to count (TCP in the chip) */
  wire: Wire | undefined;
}

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 11)) & 0xff;
  return b;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

/** the records of a classic pcap file (LINKTYPE_ETHERNET, little-endian, as sim/net/pcap.ts writes it) */
function pcapFrames(path: string): Uint8Array[] {
  const f = readFileSync(path);
  const out: Uint8Array[] = [];
  for (let at = 24; at + 16 <= f.length;) {
    const len = f.readUInt32LE(at + 8);
    out.push(new Uint8Array(f.buffer, f.byteOffset + at + 16, len));
    at += 16 + len;
  }
  return out;
}

/**
 * Frames of the TCP connection to `port` on the peer's side from frame `from` on, pure ACKs (no data, no SYN, FIN
 * or RST) and data segments that start below the highest sequence number already sent in their direction.
 */
function countWire(frames: Uint8Array[], from: number, peerIp: string, port: number): Wire {
  const ip = peerIp.split('.').map(Number);
  const w: Wire = { frames: 0, acks: 0, retransmissions: 0 };
  const high: Record<string, number> = {};
  for (let i = from; i < frames.length; i++) {
    const f = frames[i];
    if (f.length < 54 || f[12] !== 0x08 || f[13] !== 0x00 || f[23] !== 6) continue;
    const ihl = (f[14] & 0x0f) * 4;
    const t = 14 + ihl;
    const sport = (f[t] << 8) | f[t + 1];
    const dport = (f[t + 2] << 8) | f[t + 3];
    const fromPeer = f[26] === ip[0] && f[27] === ip[1] && f[28] === ip[2] && f[29] === ip[3];
    if ((fromPeer ? sport : dport) !== port) continue;
    w.frames++;
    const total = (f[16] << 8) | f[17];
    const data = total - ihl - (f[t + 12] >> 4) * 4;
    const flags = f[t + 13];
    if (data === 0 && (flags & 0x07) === 0 && (flags & 0x10)) w.acks++;
    if (data > 0) {
      const seq = ((f[t + 4] << 24) | (f[t + 5] << 16) | (f[t + 6] << 8) | f[t + 7]) >>> 0;
      const key = fromPeer ? 'p' : 'd';
      const h = high[key];
      if (h !== undefined && ((seq - h) | 0) < 0) w.retransmissions++;
      const end = (seq + data) >>> 0;
      if (h === undefined || ((end - h) | 0) > 0) high[key] = end;
    }
  }
  return w;
}

/** the device connects to a kernel peer, sends 1 MiB, then the peer sends 1 MiB; both checked byte for byte */
async function transfer(rig: ConformanceRig, nic: string, spi: () => Spi, wire: ((from: number, port: number) => Wire) | undefined, mark: () => number): Promise<Run[]> {
  const api = rig.api;
  const l = await rig.peers.listen();
  const s = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
  if (s < 0) throw new Error('socket failed ' + api.WSAGetLastError());
  api.ioctlsocket(s, IoctlCmd.FIONBIO, 1);
  if (api.connect(s, rig.peers.ip, l.port) !== -1 || api.WSAGetLastError() !== WSAError.WSAEWOULDBLOCK) throw new Error('connect did not start');
  if (!(await rig.runUntil(() => l.conns.length === 1, 5000))) throw new Error('no connection');
  const peer = l.conns[0];
  const out = pattern(MIB);
  const runs: Run[] = [];

  let s0 = spi();
  let f0 = mark();
  let t0 = rig.now();
  let off = 0;
  const sent = await rig.runUntil(() => {
    for (;;) {
      if (off >= out.length) return peer.received().length === out.length;
      const n = api.send(s, out.subarray(off), undefined, undefined);
      if (n <= 0) return false;
      off += n;
    }
  }, LIMIT_MS);
  if (!sent) throw new Error(`${nic}: device → peer stalled at ${off} sent, ${peer.received().length} received`);
  let t1 = rig.now();
  let s1 = spi();
  if (!same(peer.received(), out)) throw new Error(`${nic}: the peer got other bytes`);
  runs.push({ nic, direction: 'device → peer', ms: t1 - t0, spi: { transactions: s1.transactions - s0.transactions, bytes: s1.bytes - s0.bytes }, wire: wire ? wire(f0, l.port) : undefined });

  const back = pattern(MIB).reverse();
  const got = new Uint8Array(MIB);
  const buf = new Uint8Array(2048);
  let have = 0;
  s0 = spi();
  f0 = mark();
  t0 = rig.now();
  peer.send(back);
  const received = await rig.runUntil(() => {
    for (;;) {
      const n = api.recv(s, buf, undefined, undefined);
      if (n <= 0) return have === MIB;
      got.set(buf.subarray(0, n), have);
      have += n;
    }
  }, LIMIT_MS);
  if (!received) throw new Error(`${nic}: peer → device stalled at ${have}`);
  t1 = rig.now();
  s1 = spi();
  if (!same(got, back)) throw new Error(`${nic}: the device got other bytes`);
  runs.push({ nic, direction: 'peer → device', ms: t1 - t0, spi: { transactions: s1.transactions - s0.transactions, bytes: s1.bytes - s0.bytes }, wire: wire ? wire(f0, l.port) : undefined });
  api.closesocket(s, undefined);
  peer.close();
  return runs;
}

async function throughTap(nic: TapNic, label: string): Promise<Run[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-tap-'));
  const pcap = join(dir, 'wire.pcap');
  const side = await TapSide.open(nic, { pcapPath: pcap });
  try {
    const rig = await side.rig();
    const spi = (): Spi => {
      const c = side.thread.trace().counters;
      return { transactions: c.transactions, bytes: c.bytes };
    };
    const runs = await transfer(rig, label, spi, (from, port) => countWire(pcapFrames(pcap), from, rig.peers.ip, port), () => pcapFrames(pcap).length);
    await rig.close();
    return runs;
  } finally {
    await side.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function offload(): Promise<Run[]> {
  const rig = await w5500HostRig();
  try {
    const spi = (): Spi => {
      const c = rig.harness.trace.counters();
      return { transactions: c.transactions, bytes: c.bytes };
    };
    return await transfer(rig, 'W5500, TCP in the chip (offload)', spi, undefined, () => 0);
  } finally {
    await rig.close();
  }
}

function perKiB(n: number): string {
  return (n / KIB).toFixed(2);
}

export async function benchKernelPeers(): Promise<void> {
  const runs: Run[] = [];
  const missing: string[] = [];
  for (const [nic, label] of [['enc28j60', 'ENC28J60 (our stack)'], ['w5500-macraw', 'W5500 MACRAW (our stack)']] as [TapNic, string][]) {
    try {
      runs.push(...(await throughTap(nic, label)));
    } catch (e) {
      if (!(e instanceof RigUnavailable)) throw e;
      missing.push(`${label}: ${e.message}`);
    }
  }
  runs.push(...(await offload()));
  console.log('');
  console.log('1 MiB each way with a kernel peer, real time, default settings (our stack: 2 KB send and receive buffers per');
  console.log('connection; the W5500: 2 KB per socket), non-blocking calls; frames, pure ACKs and retransmitted segments counted on');
  console.log('the wire (the TAP\'s pcap; the W5500 offload model has no frames: its TCP is a kernel socket); SPI counted by the');
  console.log('chip model; payload share = application bytes / all SPI bytes');
  console.log('');
  const head = ['NIC'.padEnd(33), 'direction'.padEnd(13), 'elapsed'.padStart(9), 'KiB/s'.padStart(7), 'frames/KiB'.padStart(10), 'ACKs/KiB'.padStart(8),
    'retx/KiB'.padStart(8), 'SPI tx/KiB'.padStart(10), 'SPI B/KiB'.padStart(9), 'payload share'.padStart(13)];
  console.log(head.join(' | '));
  console.log(head.map((h) => '-'.repeat(h.length)).join('-|-'));
  for (const r of runs) {
    const w = r.wire;
    console.log([r.nic.padEnd(33), r.direction.padEnd(13), ((r.ms / 1000).toFixed(2) + ' s').padStart(9), (MIB / KIB / (r.ms / 1000)).toFixed(0).padStart(7),
      (w ? perKiB(w.frames) : '-').padStart(10), (w ? perKiB(w.acks) : '-').padStart(8), (w ? perKiB(w.retransmissions) : '-').padStart(8),
      perKiB(r.spi.transactions).padStart(10), perKiB(r.spi.bytes).padStart(9), ((100 * MIB / r.spi.bytes).toFixed(1) + ' %').padStart(13)].join(' | '));
  }
  for (const m of missing) {
    console.log('');
    console.log(`!!! NOT MEASURED: ${m}`);
    console.log('!!! (the TAP rows need root and network namespaces; run npm run bench as root for them)');
  }
}

if (process.argv[1] && process.argv[1].endsWith('bench-tap.ts')) {
  await benchKernelPeers();
  process.exit(0);
}
