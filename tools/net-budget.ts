/**
 * npm run net:budget [-- --espruino <interpreter>]: the memory and speed budget of firmware/net.
 *  - bytes of typed arrays per interface and per UDP endpoint;
 *  - typed-array allocations (constructions and subarray views) per received frame, counted in Node;
 *  - the stack's share of a bundle (built through the boards' rollup pipeline, also pretokenised);
 *  - with --espruino: interpreter time per full-size frame, as a multiple of one per-byte JavaScript
 *    loop over 1,460 bytes, run by hand on an Espruino Linux build (not used by CI).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildNet, netEntry } from './net-bundle';

type Ctor = { new(...a: unknown[]): ArrayBufferView; name: string };
const g = globalThis as unknown as Record<string, Ctor>;
const KINDS = ['Uint8Array', 'Uint16Array', 'Uint32Array', 'Int32Array', 'Float64Array', 'DataView'];
let allocs = 0;
for (const k of KINDS) {
  const C = g[k];
  g[k] = new Proxy(C, { construct(t, a, nt) { allocs++; return Reflect.construct(t, a, nt); } });
}
const TA = Object.getPrototypeOf(Uint8Array.prototype) as { subarray: (...a: number[]) => unknown };
const subarray = TA.subarray;
TA.subarray = function (this: unknown, ...a: number[]) { allocs++; return subarray.apply(this, a); };

const { NetIf } = await import('../firmware/net/iface');
const { IpHeadroom, IpProto } = await import('../firmware/net/ip-proto');
const { ip4Emit } = await import('../firmware/net/wire/ipv4');
const { fold, sum16 } = await import('../firmware/net/checksum');
const { udpEmit } = await import('../firmware/net/wire/udp');
const { icmpEmit } = await import('../firmware/net/wire/icmp');
const { ARP_REQUEST, IP_A, IP_B, MAC_A, MAC_B } = await import('../sim/net/captured-frames');

function typedBytes(o: object, seen: Set<unknown>): number {
  if (seen.has(o)) return 0;
  seen.add(o);
  if (ArrayBuffer.isView(o)) return o.byteLength;
  let n = 0;
  for (const v of Object.values(o)) if (v && typeof v === 'object' && !Array.isArray(v)) n += typedBytes(v, seen);
  return n;
}

/** full-size frames A → B: UDP to port 7 (1,472 bytes), ICMP echo (1,472 bytes of data), TCP (1,460) */
function frame(proto: number, plen: number): Uint8Array {
  const f = new Uint8Array(14 + 20 + plen);
  f.set(MAC_B, 0); f.set(MAC_A, 6); f[12] = 8;
  for (let i = 34; i < f.length; i++) f[i] = i * 7;
  if (proto === IpProto.UDP) udpEmit(f, 34, 40000, 7, plen - 8, IP_A, IP_B);
  if (proto === IpProto.ICMP) { f[38] = 0x12; icmpEmit(f, 34, plen, 8, 0); }
  ip4Emit(f, 14, 0, 1, 64, proto, IP_A, IP_B, plen);
  return f;
}
const UDP = frame(IpProto.UDP, 1480);
const ECHO = frame(IpProto.ICMP, 1480);
const TCP = frame(IpProto.TCP, 1480);

const nif = new NetIf();
let sent = 0;
nif.setMac(MAC_B); nif.setAddress(IP_B, 0xffffff00, 0, 0); nif.up({ sendFrame() { sent++; } }, 0);
const h = nif.udp.open(7, { udpInput() { /* the application's copy is not the stack's */ } });
nif.attach(IpProto.TCP, { input() { /* TCP's own budget is firmware/net/tcp's */ } });
nif.input(new Uint8Array(ARP_REQUEST), ARP_REQUEST.length, 0); // A is in the cache

const ifaceBytes = typedBytes(nif, new Set());
const endpointBytes = (nif.udp.port.BYTES_PER_ELEMENT + nif.udp.bound.BYTES_PER_ELEMENT);
console.log('firmware/net memory (typed arrays)');
console.log(`  interface: ${ifaceBytes} bytes (transmit frame ${nif.tx.length}, ARP hold: a copy of the one waiting frame, none while nothing waits, ARP cache ${typedBytes(nif.arp, new Set())}, counters ${nif.drops.byteLength + nif.stats.byteLength}, UDP table ${nif.udp.port.byteLength + nif.udp.bound.byteLength})`);
console.log(`  per UDP endpoint: ${endpointBytes} bytes of typed arrays + one array slot for its receiver; no buffers (datagrams are delivered in place)`);

function count(name: string, f: Uint8Array, fn: (b: Uint8Array) => void): void {
  const b = new Uint8Array(f);
  const runs = 100;
  let total = 0;
  for (let i = 0; i < runs; i++) {
    b.set(f);
    allocs = 0;
    fn(b);
    total += allocs;
  }
  console.log(`  ${name.padEnd(44)} ${(total / runs).toFixed(0)}`);
}
console.log('typed-array allocations per frame (constructions + subarray views; no data is copied by them)');
count('UDP 1,472 bytes received and delivered', UDP, (b) => nif.input(b, b.length, 1));
count('ICMP echo 1,472 bytes answered (in place)', ECHO, (b) => nif.input(b, b.length, 1));
count('TCP segment handed to the upper protocol', TCP, (b) => nif.input(b, b.length, 1));
count('ARP request answered', ARP_REQUEST, (b) => nif.input(b, b.length, 1));
count('dropped: IPv4 header checksum wrong', UDP, (b) => { b[24] ^= 1; nif.input(b, b.length, 1); });
const payload = new Uint8Array(1472);
count('UDP 1,472 bytes sent', UDP, () => nif.udp.sendTo(h, IP_A, 40000, payload, 0, 1472, 1));
void sent;

// withFlashedSize is not in check-bundle.d.ts (shared with the gate's owners): typed here
const { withFlashedSize } = (await import('./check-bundle.js')) as unknown as { withFlashedSize(ready: (flashed: (c: string) => number) => void): void };
const code = await buildNet(netEntry());
const pico = fs.existsSync('dist/espruino-pico.js') ? fs.readFileSync('dist/espruino-pico.js', 'utf8') : '';
await new Promise<void>((done) => withFlashedSize((flashed: (c: string) => number) => {
  const net = Buffer.byteLength(code);
  const netTok = flashed(code);
  console.log('bundle (rollup + terser as the boards, firmware/net/iface.ts and all it imports)');
  console.log(`  firmware/net: ${net} bytes minified, ${netTok} pretokenised`);
  if (pico) {
    const p = Buffer.byteLength(pico);
    const pTok = flashed(pico);
    console.log(`  dist/espruino-pico.js (W5500 runtime): ${p} bytes, ${pTok} pretokenised; the stack would be ${(100 * netTok / (pTok + netTok)).toFixed(0)}% of both together`);
  } else console.log('  (run npm run build for the Pico bundle to compare with)');
  done();
}));

const ei = process.argv.indexOf('--espruino');
if (ei > 0) {
  const interp = process.argv[ei + 1];
  const arr = (b: Uint8Array): string => '[' + Array.prototype.join.call(b, ',') + ']';
  const harness = [
    `import { NetIf } from ${JSON.stringify(path.resolve('firmware/net/iface.ts'))};`,
    `import { sum16, fold } from ${JSON.stringify(path.resolve('firmware/net/checksum.ts'))};`,
    `var UDP = new Uint8Array(${arr(UDP)});`,
    `var ECHO = new Uint8Array(${arr(ECHO)});`,
    'var e = new Uint8Array(ECHO.length);',
    'function perByte(b) { var s = 0; for (var i = 0; i < 1460; i++) s += b[i]; return s; }',
    // the best of 7 rounds: wall time on a shared machine only ever adds
    'function time(fn, n) { var m = 1e9; for (var r = 0; r < 7; r++) { var t = getTime(); for (var k = 0; k < n; k++) fn(); var d = (getTime() - t) * 1000 / n; if (d < m) m = d; } return m; }',
    'var nif = new NetIf();',
    `nif.setMac(new Uint8Array(${arr(MAC_B)})); nif.setAddress(${IP_B}, ${0xffffff00}, 0, 0);`,
    'nif.up({ sendFrame: function (b, o, l) {} }, 0);',
    'var got = 0; nif.udp.open(7, { udpInput: function (s, p, d, b, o, l) { got += l; } });',
    // the E.sum path must give what Node's word loop gives, at odd offsets and lengths too
    'var sums = [fold(sum16(UDP, 0, 1514, 0)), fold(sum16(UDP, 35, 1001, 0)), fold(sum16(UDP, 7, 8, 0)), fold(sum16(UDP.subarray(3), 4, 99, 0))];',
    'var loop = time(function () { perByte(UDP); }, 5);',
    'var sum = time(function () { fold(sum16(UDP, 54, 1460, 0)); }, 200);',
    'var udp = time(function () { nif.input(UDP, UDP.length, 1); }, 20);',
    'var reset = time(function () { e.set(ECHO); }, 20);',
    'var echo = time(function () { e.set(ECHO); nif.input(e, e.length, 1); }, 20) - reset;',
    'var k = 0, m1 = 0, m0 = process.memory(false).usage;',
    'for (k = 0; k < 10; k++) nif.input(UDP, UDP.length, 1);',
    'm1 = process.memory(false).usage;',
    'console.log(JSON.stringify({ "loop": loop, "sum": sum, "udp": udp, "echo": echo, "got": got, "retained": m1 - m0, "ifaceVars": E.getSizeOf(nif), "blocksize": process.memory().blocksize, "version": process.version, "sums": sums }));',
  ].join('\n');
  const js = await buildNet(harness);
  const file = path.join(os.tmpdir(), 'net-budget-espruino.js');
  fs.writeFileSync(file, js);
  const out = execFileSync(interp, [file], { encoding: 'utf8' });
  const line = out.split('\n').find((l) => l.startsWith('{"loop"'));
  if (!line) throw new Error('no result from ' + interp + ':\n' + out);
  const r = JSON.parse(line);
  const x = (ms: number): string => `${ms.toFixed(3)} ms = ${(ms / r.loop).toFixed(2)}× the loop`;
  console.log(`Espruino ${r.version} (${interp}): one per-byte JS loop over 1,460 bytes ${r.loop.toFixed(3)} ms`);
  console.log(`  checksum of 1,460 bytes (sum16 + fold): ${x(r.sum)}`);
  console.log(`  full-size UDP frame received (Ethernet, IPv4 + header checksum, UDP checksum over 1,480, delivery): ${x(r.udp)}`);
  console.log(`  full-size ICMP echo answered in place (checks, new IPv4 header, incremental ICMP checksum): ${x(r.echo)}`);
  console.log(`  JsVars still in use after 10 UDP frames: ${r.retained} (Espruino frees a transient view at once: reference counts)`);
  console.log(`  E.getSizeOf(the interface object): ${r.ifaceVars} JsVars of ${r.blocksize} bytes`);
  const want = [fold(sum16(UDP, 0, 1514, 0)), fold(sum16(UDP, 35, 1001, 0)), fold(sum16(UDP, 7, 8, 0)), fold(sum16(UDP.subarray(3), 4, 99, 0))];
  if (JSON.stringify(r.sums) !== JSON.stringify(want)) throw new Error(`checksums differ: Espruino ${r.sums}, Node ${want}`);
  console.log(`  checksums on Espruino (E.sum) equal Node's at even and odd offsets and lengths: ${want.map((w) => w.toString(16)).join(' ')}`);
  if (r.got !== 1472 * 150) throw new Error('the harness delivered ' + r.got + ' bytes');
}
