/**
 * The stack fuzzer: seeded mutations of captured frames fed to a live interface (host B of the
 * captures, UDP endpoints that answer, a UDP sender that keeps ARP busy, TCP when given), time moving
 * on, and every invariant checked after every frame. Used by `npm run fuzz` (tools/net-fuzz.ts) and by
 * a short mocha run (test/net/fuzz.test.ts).
 */
import { ArpState, ArpTiming } from '../../firmware/net/arp-cache';
import { fold, pseudoSum, sum16 } from '../../firmware/net/checksum';
import { DROP_NAMES, Drop, PASS } from '../../firmware/net/drop';
import { IpHeadroom, IpProto, IpUpper } from '../../firmware/net/ip-proto';
import { FrameSink, NetIf, Stat } from '../../firmware/net/iface';
import { UdpLimits, UdpReceiver } from '../../firmware/net/udp';
import { Arp, arpCheck } from '../../firmware/net/wire/arp';
import { get16, get32, macEquals, put16 } from '../../firmware/net/wire/bytes';
import { Eth, EtherType } from '../../firmware/net/wire/ethernet';
import { icmpCheck } from '../../firmware/net/wire/icmp';
import { Ip4, ip4Check } from '../../firmware/net/wire/ipv4';
import { udpCheck } from '../../firmware/net/wire/udp';
import * as V from './captured-frames';

export interface FuzzResult {
  frames: number;
  ms: number;
  /** drop counts by name (only reasons that occurred) */
  drops: Record<string, number>;
  delivered: { arp: number; icmpEcho: number; udp: number; upper: number };
  sent: number;
  /** real frames host A sent to B (interleaved with the mutated ones), and what TCP says of itself */
  live: number;
  tcp: string;
  /** the first broken invariant or escaped exception, with the frame that caused it; null when none */
  failure: string | null;
}

/**
 * TCP on both hosts of the fuzz (kept apart so the fuzzer runs before firmware/net/tcp exists):
 * `start` makes a TCP for each interface, attaches it, opens listeners and connections between them;
 * `step` is one round of application activity and both TCPs' timers; `check` gives B's broken TCP
 * invariant or null.
 */
export interface FuzzTcp {
  start(a: NetIf, b: NetIf, now: number): void;
  step(rnd: () => number, now: number): void;
  check(now: number): string | null;
  summary(): string;
}

function xorshift(seed: number): () => number {
  let x = (seed >>> 0) || 0x9e3779b9;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

/** frames addressed to B that reach deep into the stack, from the captures */
function corpus(): Uint8Array[] {
  const c: Uint8Array[] = V.CAPTURED.map((f) => new Uint8Array(f));
  // A → B versions of the B → A captures, so replies and errors also come in addressed to us
  const turn = (f: Uint8Array): Uint8Array => {
    const g = new Uint8Array(f);
    g.set(V.MAC_B, 0); g.set(V.MAC_A, 6);
    if (get16(g, 12) === EtherType.ARP) {
      g.set(V.MAC_A, 22); g.set([10, 77, 0, 1], 28); g.set(V.MAC_B, 32); g.set([10, 77, 0, 2], 38);
    } else {
      g.set([10, 77, 0, 1], 26); g.set([10, 77, 0, 2], 30); put16(g, 24, 0);
      put16(g, 24, fold(sum16(g, 14, 20, 0)));
    }
    return g;
  };
  c.push(turn(V.ARP_REPLY), turn(V.ICMP_ECHO_REPLY), turn(V.ICMP_PORT_UNREACHABLE));
  // a broadcast UDP datagram and a subnet-broadcast echo request
  const b = new Uint8Array(V.UDP_ECHO); b.fill(255, 0, 6); b.set([255, 255, 255, 255], 30); put16(b, 40, 0);
  put16(b, 24, 0); put16(b, 24, fold(sum16(b, 14, 20, 0)));
  c.push(b);
  return c;
}

/** recomputes IPv4/ICMP/TCP/UDP checksums after a mutation so it reaches the code behind them */
function fixChecksums(f: Uint8Array, len: number): void {
  if (len < 34 || get16(f, 12) !== EtherType.IPV4 || (f[14] & 15) !== 5) return;
  const total = get16(f, 16);
  if (total < 20 || 14 + total > len) return;
  put16(f, 24, 0); put16(f, 24, fold(sum16(f, 14, 20, 0)));
  const plen = total - 20;
  if (f[23] === IpProto.ICMP && plen >= 8) {
    put16(f, 36, 0); put16(f, 36, fold(sum16(f, 34, plen, 0)));
  } else if (f[23] === IpProto.TCP && plen >= 20) {
    put16(f, 50, 0); put16(f, 50, fold(sum16(f, 34, plen, pseudoSum(get32(f, 26), get32(f, 30), IpProto.TCP, plen))));
  } else if (f[23] === IpProto.UDP && plen >= 8) {
    const ul = get16(f, 38);
    if (ul < 8 || ul > plen) return;
    put16(f, 40, 0);
    const acc = pseudoSum(get32(f, 26), get32(f, 30), IpProto.UDP, ul);
    const c = fold(sum16(f, 34, ul, acc));
    put16(f, 40, c === 0 ? 0xffff : c);
  }
}

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x45, 0x40, 0x06, 0x11, 0x08];
const FIELDS = [12, 14, 16, 18, 20, 22, 23, 26, 30, 34, 36, 38, 20, 21, 24, 28, 38];

class EchoUdp implements UdpReceiver {
  count = 0;
  bytes = 0;
  constructor(private nif: NetIf, private h: () => number) {}
  udpInput(src: number, sport: number, dst: number, buf: Uint8Array, off: number, len: number, now: number): void {
    if (len < 0 || off + len > buf.length) throw new Error('UDP delivery outside the frame');
    this.count++;
    this.bytes += len;
    if (sport !== 0 && src !== 0) this.nif.udp.sendTo(this.h(), src, sport, buf, off, len, now);
  }
}

/** one host's output: checked (for B) and queued for the other host, as a wire would carry it */
class Wire implements FrameSink {
  frames = 0;
  problem: string | null = null;
  queue: Uint8Array[] = [];
  constructor(private nif: NetIf, private checked: boolean) {}
  sendFrame(buf: Uint8Array, off: number, len: number): void {
    this.frames++;
    if (this.checked && this.problem === null) this.problem = checkOut(this.nif, buf, off, len);
    if (this.queue.length < 256) this.queue.push(new Uint8Array(buf.subarray(off, off + len)));
  }
}

class Quiet implements UdpReceiver {
  udpInput(): void { /* the layer counts deliveries */ }
}

/** what the stack sends must be well-formed: from us, right checksums, nothing malformed echoed out */
function checkOut(nif: NetIf, buf: Uint8Array, off: number, len: number): string | null {
  if (len < Eth.HEADER + Arp.LEN || len > Eth.MAX_FRAME || off + len > buf.length) return 'sent a frame of ' + len + ' bytes';
  const f = buf.subarray(off, off + len);
  if (!macEquals(f, Eth.SRC, nif.mac)) return 'sent a frame from another MAC';
  if ((f[0] & 1) && f[0] !== 255) return 'sent to a multicast MAC';
  const t = get16(f, Eth.TYPE);
  if (t === EtherType.ARP) {
    if (arpCheck(f, 14, len - 14) !== PASS || !macEquals(f, 14 + Arp.SHA, nif.mac) || get32(f, 14 + Arp.SPA) !== nif.addr) return 'sent a bad ARP packet';
    return null;
  }
  if (t !== EtherType.IPV4) return 'sent EtherType ' + t;
  if (ip4Check(f, 14, len - 14) !== PASS || get32(f, 14 + Ip4.SRC) !== nif.addr) return 'sent a bad IPv4 header';
  const plen = get16(f, 16) - 20;
  if (14 + 20 + plen !== len) return 'IPv4 length does not match the frame';
  const dst = get32(f, 30);
  if (f[23] === IpProto.ICMP && icmpCheck(f, 34, plen) !== PASS) return 'sent a bad ICMP checksum';
  if (f[23] === IpProto.UDP && udpCheck(f, 34, plen, nif.addr, dst) !== PASS) return 'sent a bad UDP datagram';
  return null;
}

function invariants(nif: NetIf, frames: number): string | null {
  if (nif.addr !== V.IP_B || nif.mask !== V.MASK_24 || nif.gateway !== V.GATEWAY || !macEquals(nif.mac, 0, V.MAC_B)) return 'configuration changed';
  const s = nif.stats;
  if (s[Stat.RX_FRAMES] !== frames) return 'RX_FRAMES ' + s[Stat.RX_FRAMES] + ' after ' + frames + ' frames';
  let accounted = s[Stat.RX_ARP] + s[Stat.RX_ICMP_ECHO] + s[Stat.RX_UDP] + s[Stat.RX_UPPER];
  for (let d = 0; d < Drop.TX_ARP_FAILED; d++) accounted += nif.drops[d];
  if (accounted !== frames) return 'frames not accounted for: ' + accounted + ' of ' + frames;
  const a = nif.arp;
  let pending = 0;
  for (let i = 0; i < ArpTiming.ENTRIES; i++) {
    const st = a.state[i];
    if (st > ArpState.RESOLVED) return 'ARP state ' + st;
    if (st === ArpState.FREE) continue;
    if (!(a.due[i] === a.due[i]) || a.due[i] === Infinity) return 'ARP due not a time';
    const ip = a.ip[i];
    if (ip === 0 || ip === 0xffffffff || ip === nif.addr) return 'ARP entry for ' + ip.toString(16);
    for (let j = 0; j < i; j++) if (a.state[j] !== ArpState.FREE && a.ip[j] === ip) return 'two ARP entries for one address';
    if (st === ArpState.PENDING) {
      pending++;
      if (a.tries[i] < 1 || a.tries[i] > ArpTiming.TRIES) return 'ARP tries ' + a.tries[i];
    } else if ((a.mac[i * 6] & 1) || (a.mac[i * 6] | a.mac[i * 6 + 1] | a.mac[i * 6 + 2] | a.mac[i * 6 + 3] | a.mac[i * 6 + 4] | a.mac[i * 6 + 5]) === 0) {
      return 'ARP entry with a multicast or zero MAC';
    }
  }
  if (nif.holdLen !== 0) {
    if (nif.holdLen < IpHeadroom.BYTES || nif.holdLen > IpHeadroom.FRAME) return 'hold length ' + nif.holdLen;
    const i = a.find(nif.holdHop);
    if (i < 0 || a.state[i] !== ArpState.PENDING) return 'a held datagram with no pending ARP entry';
  }
  if (pending > ArpTiming.ENTRIES) return 'pending';
  for (let i = 0; i < UdpLimits.ENDPOINTS; i++) {
    if (nif.udp.bound[i] !== (i < 2 ? 1 : 0)) return 'UDP endpoint table changed';
  }
  if (nif.udp.port[0] !== 7 || nif.udp.port[1] !== 5000) return 'UDP ports changed';
  return null;
}

/** `onProgress` hears how many frames were tried, every 1,000 */
export function fuzz(frames: number, seed: number, tcp: FuzzTcp | null, onProgress?: (tried: number) => void): FuzzResult {
  const rnd = xorshift(seed);
  let now = 1000;
  // B is the stack under test; A is a second interface on the same wire, its live peer
  const nif = new NetIf();
  const wire = new Wire(nif, true);
  nif.setMac(V.MAC_B);
  nif.setAddress(V.IP_B, V.MASK_24, V.GATEWAY, now);
  nif.up(wire, now);
  let h7 = -1;
  const echo = new EchoUdp(nif, () => h7);
  h7 = nif.udp.open(7, echo);
  const h5000 = nif.udp.open(5000, new Quiet());
  const a = new NetIf();
  const wireA = new Wire(a, false);
  a.setMac(V.MAC_A);
  a.setAddress(V.IP_A, V.MASK_24, V.GATEWAY, now);
  a.up(wireA, now);
  const ha = a.udp.open(40000, new Quiet());
  if (tcp) tcp.start(a, nif, now);
  const seeds = corpus();
  const live: Uint8Array[] = [];
  const f = new Uint8Array(1600);
  const before = new Uint8Array(f.length);
  let beforeLen = 0;
  const msg = new Uint8Array(1472);
  for (let i = 0; i < msg.length; i++) msg[i] = i;
  const t0 = Date.now();
  let failure: string | null = null;
  let fed = 0;
  let liveFed = 0;
  let n = 0;
  let what = '';
  const input = (frame: Uint8Array, len: number): void => {
    fed++;
    const v = nif.input(frame, len, now);
    if (v !== PASS && !(v >= 0 && v < Drop.COUNT)) failure = 'input returned ' + v;
  };
  for (; n < frames && failure === null; n++) {
    if (onProgress && n % 1000 === 0) onProgress(n);
    try {
      // the live traffic first: what A sent B since the last round, and what B sent A
      what = 'live frames';
      const toB = wireA.queue;
      wireA.queue = [];
      for (const g of toB) {
        liveFed++;
        input(g, g.length);
        if (live.length < 64) live.push(g); else live[rnd() % 64] = g;
      }
      const toA = wire.queue;
      wire.queue = [];
      for (const g of toA) a.input(g, g.length, now);
      // then one mutated frame, from the captures or from the live traffic (whose tuples and sequence numbers are current)
      const base = live.length > 0 && rnd() % 3 === 0 ? live[rnd() % live.length] : seeds[rnd() % seeds.length];
      let len = base.length;
      f.fill(0);
      f.set(base);
      const ops = 1 + (rnd() % 4);
      for (let k = 0; k < ops; k++) {
        const r = rnd() % 10;
        if (r < 3) { const at = rnd() % len; f[at] ^= 1 << (rnd() % 8); } // bit flip
        else if (r < 5) f[rnd() % len] = INTERESTING[rnd() % INTERESTING.length];
        else if (r < 6) { const at = FIELDS[rnd() % FIELDS.length]; if (at + 1 < len) put16(f, at, rnd() & 0xffff); }
        else if (r < 7) len = rnd() % (len + 1); // truncate
        else if (r < 8) { const add = rnd() % 200; for (let i = 0; i < add && len < f.length; i++) f[len++] = rnd() & 0xff; } // extend, oversize
        else if (r < 9) { const o = seeds[rnd() % seeds.length]; const at = rnd() % len; const m = Math.min(o.length - at, rnd() % 64); if (m > 0) f.set(o.subarray(at, at + m), at); } // splice
        else f.set(V.MAC_B, 0); // make it ours
      }
      if (rnd() % 2) fixChecksums(f, len);
      now += rnd() % 50;
      before.set(f.subarray(0, len)); // the stack may answer in place
      beforeLen = len;
      what = 'the mutated frame';
      input(f, len);
      // the applications: B sends on-link, off-link (gateway) and broadcast; A talks to B's echo port
      what = 'applications and timers';
      if (rnd() % 64 === 0) {
        const dsts = [V.IP_A, 0x0a4d0000 + (rnd() % 254) + 1, 0x08080808, 0xffffffff];
        nif.udp.sendTo(h5000, dsts[rnd() % dsts.length], 5001, msg, 0, rnd() % 64, now);
      }
      if (rnd() % 16 === 0) a.udp.sendTo(ha, V.IP_B, 7, msg, 0, rnd() % msg.length, now);
      if (tcp) tcp.step(rnd, now);
      a.poll(now);
      const next = nif.poll(now);
      if (next !== -1 && !(next > now)) failure = 'poll deadline ' + next + ' not after ' + now;
      failure = failure || wire.problem || invariants(nif, fed) || (tcp ? tcp.check(now) : null);
    } catch (e) {
      failure = 'exception: ' + ((e as Error).stack || e);
    }
    if (failure !== null) {
      failure += '\nround ' + (n + 1) + ' (seed ' + seed + '), during ' + what + '; the mutated frame: ' +
        Buffer.from(before.subarray(0, beforeLen)).toString('hex');
    }
  }
  const drops: Record<string, number> = {};
  for (let d = 0; d < Drop.COUNT; d++) if (nif.drops[d]) drops[DROP_NAMES[d]] = nif.drops[d];
  return {
    frames: n,
    ms: Date.now() - t0,
    drops,
    delivered: { arp: nif.stats[Stat.RX_ARP], icmpEcho: nif.stats[Stat.RX_ICMP_ECHO], udp: nif.stats[Stat.RX_UDP], upper: nif.stats[Stat.RX_UPPER] },
    sent: wire.frames,
    live: liveFed,
    tcp: tcp ? tcp.summary() : 'not in this run',
    failure,
  };
}
