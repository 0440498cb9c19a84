/**
 * TCP's memory and speed budgets (issue 11 item 7, the TCP part):
 *   npm run budget:tcp                                    bytes of typed arrays per connection and per stack
 *   npm run budget:tcp -- --espruino /path/to/espruino    also the interpreter time per full-size segment
 * The interpreter figure runs tools/tcp/interp-bench.ts, bundled for Espruino (ES2019, minified), on the
 * given Espruino build; without one it says so and prints the Node figures only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Tcp } from '../../firmware/net/tcp/tcp';
import { defaultTcpConfig } from '../../firmware/net/tcp/config';
import type { TcpConfig, TcpSink } from '../../firmware/net/tcp/config';
import type { IpOutput } from '../../firmware/net/ip-proto';

const quiet: TcpSink = {
  connected() {}, acceptable() {}, readable() {}, peerFin() {}, writable() {}, allAcked() {}, ended() {},
};
const ip: IpOutput = { sendIp(_d, _p, _b, _o, len) { return len; }, localAddr() { return 0x0a000001; } };

function typedBytes(o: object): number {
  let n = 0;
  for (const k of Object.keys(o)) {
    const v = (o as Record<string, unknown>)[k];
    if (ArrayBuffer.isView(v)) n += v.byteLength;
    else if (v && typeof v === 'object' && !Array.isArray(v) && k !== 'tcp' && k !== 'listener') n += typedBytes(v);
  }
  return n;
}

function perConnection(cfg: TcpConfig): { conn: number; stack: number; shared: number } {
  const tcp = new Tcp(ip, cfg, function () { return 1; }, quiet);
  const c = tcp.conn();
  c.connect(0x0a000002, 80, 0, 0);
  return { conn: typedBytes(c), stack: typedBytes({ frame: tcp.frame, counts: tcp.counts }), shared: typedBytes({ counts: tcp.counts }) };
}

const cfg = defaultTcpConfig();
const m = perConnection(cfg);
console.log('typed arrays per connection (default sndBuf ' + cfg.sndBuf + ', rcvBuf ' + cfg.rcvBuf + '): ' + m.conn + ' bytes');
console.log('typed arrays per stack (frame buffer, counters): ' + m.stack + ' bytes; ' + m.shared +
  ' when the frame buffer is the IPv4 layer\'s (the software transport: new Tcp(…, nif.tx))');

const at = process.argv.indexOf('--espruino');
const interp = at >= 0 ? process.argv[at + 1] : '';
if (!interp) {
  console.log('interpreter time per segment: not measured (give --espruino PATH to an Espruino Linux build)');
} else {
  // esbuild comes with tsx; it bundles the bench the way the firmware rules allow (ES2019)
  const esbuild = await import('esbuild');
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tcp-budget-')), 'bench.js');
  await esbuild.build({ entryPoints: [path.join(import.meta.dirname, 'interp-bench.ts')], bundle: true, minify: true, format: 'iife', target: 'es2019', outfile: out, logLevel: 'warning' });
  const r = spawnSync(interp, [out], { encoding: 'utf8', timeout: 600000 });
  const line = (r.stdout || '').split('\n').find((l) => l.indexOf('{') === 0);
  if (!line) {
    console.error('tcp budget: the interpreter printed no result:\n' + r.stdout + r.stderr);
    process.exit(1);
  }
  const f = JSON.parse(line);
  if (!f.inOrder || f.readable !== f.segments) {
    console.error('tcp budget: the bench did not receive every segment in order: ' + line);
    process.exit(1);
  }
  console.log('interpreter ' + interp + ': per-byte JS loop over 1460 bytes ' + f.loopMs.toFixed(2) + ' ms; one 1460-byte segment through TCP input + recv ' +
    f.segmentMs.toFixed(2) + ' ms = ' + (f.segmentMs / f.loopMs).toFixed(2) + '× the loop (' + f.segments + ' segments, ' + f.acks + ' ACKs sent)');
}
