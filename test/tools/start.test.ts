import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Spawned } from './spawned';
import { knownBoards, repoRoot } from '../../sim/board/wiring';
import { ensureBundle } from '../../tools/bundle-cache';
import { parseOptions, UsageError } from '../../tools/cli';
import { START, boardFile } from '../../tools/start';
import { tapUnavailable } from '../../sim/net/tap-wire';

function start(...args: string[]): Spawned {
  return new Spawned(spawn(process.execPath, ['--import', 'tsx', 'tools/start.ts', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** what a PC peer (nc) lived through on one connection */
interface PeerLife { received: string; events: string[] }

function peer(host: string, port: number, send: string): { sock: net.Socket; life: PeerLife; connected: Promise<void> } {
  const life: PeerLife = { received: '', events: [] };
  const sock = net.connect({ host, port, localAddress: '127.0.0.10', allowHalfOpen: true });
  sock.on('data', (d: Buffer) => { life.received += d.toString('utf8'); });
  sock.on('end', () => { life.events.push('FIN'); sock.end(); });
  sock.on('error', (e: NodeJS.ErrnoException) => { life.events.push('error ' + (e.code ?? e.message)); });
  sock.on('close', () => { life.events.push('closed'); });
  const connected = new Promise<void>((resolve, reject) => {
    sock.once('connect', () => { sock.write(send); resolve(); });
    sock.once('error', reject);
  });
  return { sock, life, connected };
}

async function until(what: string, cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('npm start (tools/start.ts): a virtual device that stays up', () => {
  before(async function () {
    this.timeout(120000);
    await ensureBundle('dist/espruino-pico.js');
  });

  it('serves the echo service to two PC peers at once and the status page through Espruino\'s http, and Ctrl-C leaves each peer with a FIN and exits 0 with a summary and a pcap tcpdump reads', async function () {
    this.timeout(120000);
    const pcapFile = path.join(os.tmpdir(), `start-test-${process.pid}.pcap`);
    const s = start('--pcap', pcapFile);
    try {
      // starting is two module graphs (the board and the chip's thread) on a shared machine: allow for that
      const m = await s.line(/^echo service \(device 192\.168\.1\.20:7\): nc (127\.0\.0\.20) (\d+)$/m, 60000);
      assert.match(s.out, /^dist\/espruino-pico\.js is up to date \(sources unchanged, checked in \d+\.\d s\)$/m);
      await s.line(/^ready in \d+\.\d s; Ctrl-C stops the device$/m, 10000);
      const a = peer(m[1], Number(m[2]), 'first peer\n');
      const b = peer(m[1], Number(m[2]), 'second peer, a longer line\n');
      await Promise.all([a.connected, b.connected]);
      await until('both echoes', () => a.life.received === 'first peer\n' && b.life.received === 'second peer, a longer line\n', 10000);
      // the timeline shows the device's events as they happen
      await s.line(/ device {2}s\d: echoed 27 of 27 bytes$/m, 5000);
      // the status page, with a real HTTP client: both echo connections, their state and bytes
      const h = await s.line(/^status page \(device 192\.168\.1\.20:80\): curl (http:\/\/(127\.0\.0\.20):(\d+)\/)$/m, 1000);
      const get = () => new Promise<{ status: number; head: string; body: string }>((resolve, reject) => {
        http.get(h[1], { localAddress: '127.0.0.10' }, (res) => {
          let body = '';
          res.setEncoding('latin1');
          res.on('data', (d: string) => { body += d; });
          res.on('end', () => resolve({ status: res.statusCode!, head: `HTTP/${res.httpVersion} ${res.rawHeaders.join(' ')}`, body }));
        }).on('error', reject);
      });
      const page = await get();
      // Espruino's http answers (over the NetworkJS adapter): its status line and its headers
      assert.equal(page.status, 200);
      assert.equal(page.head, `HTTP/1.1 Server Espruino 2v29 Connection close Content-Type text/plain Content-Length ${page.body.length}`);
      const p = page.body.split('\n');
      assert.match(p[0], /^W5500 on espruino-pico: 192\.168\.1\.20, up \d+ s$/);
      assert.equal(p[2], 'sockets: 5 handles open, 0 closing in the background; 3 connections served');
      assert.equal(p[4], 'connections:');
      assert.deepEqual(p.slice(5, 7).map((l) => l.replace(/:\d+ /, ':PORT ').replace(/^ {2}s[34] /, '  sN ')).sort(), [
        '  sN echo 192.168.1.10:PORT ESTABLISHED, 11 bytes in, 11 out',
        '  sN echo 192.168.1.10:PORT ESTABLISHED, 27 bytes in, 27 out',
      ]);
      assert.match(p[7], /^ {2}s\d http 192\.168\.1\.10:\d+ ESTABLISHED, \d+ bytes in, 0 out$/);
      assert.deepEqual(p.slice(9), ['last teardowns:', '  none', '']);
      // anything but GET / is a 404 (Espruino's status line says OK whatever the code); the exact bytes both ways
      const raw = net.connect({ host: h[2], port: Number(h[3]), localAddress: '127.0.0.10', allowHalfOpen: true });
      let answer = '';
      raw.setEncoding('latin1');
      raw.on('data', (d: string) => { answer += d; });
      raw.on('connect', () => raw.write('GET /nope HTTP/1.0\r\n\r\n'));
      await new Promise<void>((resolve, reject) => { raw.on('end', () => { raw.end(); resolve(); }); raw.on('error', reject); });
      assert.equal(answer, 'HTTP/1.1 404 OK\r\nServer: Espruino 2v29\r\nConnection: close\r\nContent-Type: text/plain\r\n' +
        'Content-Length: 26\r\n\r\nonly GET / is served here\n');
      // once both have ended, the page lists their teardowns: graceful, and the bytes each way
      const rawPeer = '192.168.1.10:' + raw.localPort;
      let fetches = 1;
      let later = await get();
      while (!later.body.includes(`  http ${rawPeer}: `) || later.body.split('\n').filter((l) => l.startsWith('  http ')).length < 2) {
        assert.ok(fetches < 40, later.body);
        await new Promise((r) => setTimeout(r, 50));
        later = await get();
        fetches++;
      }
      const served = 2 + 1 + 1 + fetches; // the echo peers, the first page, the 404, the page's later fetches
      const q = later.body.split('\n');
      assert.equal(q[2], `sockets: 5 handles open, 0 closing in the background; ${served} connections served`);
      assert.match(q[7], /^ {2}s\d+ http 192\.168\.1\.10:\d+ ESTABLISHED, \d+ bytes in, 0 out$/);
      assert.equal(q[9], 'last teardowns:');
      const ended = q.slice(10, -1);
      assert.ok(ended.includes(`  http ${rawPeer}: graceful, 0 bytes unsent; 22 bytes in, ${answer.length} out`), later.body);
      assert.ok(ended.every((l) => /^ {2}http 192\.168\.1\.10:\d+: graceful, 0 bytes unsent; \d+ bytes in, \d+ out$/.test(l)), later.body);
      // every HTTP connection ends gracefully before the stop: the device's FIN after each answer
      await until('the device\'s FIN on every HTTP connection', () => s.out.split('\n').filter((l) => / wire {4}FIN {3}device → PC \(S\d\)$/.test(l)).length === served - 2, 5000);
      s.proc.kill('SIGINT');
      assert.equal(await s.exited, 0, s.out + s.err);
      await until('both peers closed', () => a.life.events.includes('closed') && b.life.events.includes('closed'), 5000);
      assert.deepEqual(a.life.events, ['FIN', 'closed']);
      assert.deepEqual(b.life.events, ['FIN', 'closed']);
      const tl = s.out.split('\n');
      const at = (re: RegExp) => tl.findIndex((l) => re.test(l));
      assert.ok(at(/^ +\d+\.\d{3} s {2}wire {4}SYN {3}PC 192\.168\.1\.10:\d+ → device 192\.168\.1\.20:7; handshake done, the device accepts on S\d$/) > 0, s.out);
      assert.ok(at(/ device {2}FD_ACCEPT s1$/) > 0, s.out);
      const ctrlC = at(/ tool {4}Ctrl-C: the device closes every connection$/);
      const stopping = at(/ device {2}stopping: closing 2 connection\(s\)$/);
      const fins = tl.filter((l) => / wire {4}FIN {3}device → PC \(S\d\)$/.test(l));
      assert.ok(ctrlC > 0 && stopping > ctrlC, s.out);
      assert.equal(fins.length, served, s.out);
      assert.equal(tl.filter((l, i) => i > stopping && / wire {4}FIN {3}device → PC \(S\d\)$/.test(l)).length, 2, s.out);
      assert.match(s.out, new RegExp(`^summary:\\n {2}up \\d+\\.\\d s; ${served} connection\\(s\\); \\d+ bytes in, \\d+ bytes out; ${2 * served} FIN\\(s\\), 0 RST\\(s\\) on the wire$`, 'm'));
      assert.equal(tl.filter((l) => /^ {2}S\d PC 192\.168\.1\.10:\d+ → device 192\.168\.1\.20:7: (11 in, 11 out|27 in, 27 out); FIN both ways, device first$/.test(l)).length, 2, s.out);
      assert.equal(s.err, '');
      // the wire as tcpdump reads it back: per connection the PC's SYN, the echo both ways, the device's FIN first
      assert.match(s.out, new RegExp(`^wrote \\d+ frames to ${pcapFile} \\(tcpdump -r ${pcapFile}, or open it in Wireshark\\)$`, 'm'));
      const td = spawnSync('tcpdump', ['-r', pcapFile, '-nn'], { encoding: 'utf8' });
      assert.equal(td.status, 0, td.stderr);
      const flags = td.stdout.trim().split('\n')
        .map((l) => /IP (\S+) > (\S+): Flags \[([^\]]+)\].* length (\d+)/.exec(l)!).map((x) => `${x[1].startsWith('192.168.1.10') ? 'PC' : 'device'} ${x[3]} ${x[4]}`);
      for (const len of ['11', '27']) {
        assert.ok(flags.includes(`PC P. ${len}`) && flags.includes(`device P. ${len}`), `the ${len}-byte echo both ways:\n${flags.join('\n')}`);
      }
      assert.equal(flags.filter((f) => f === 'PC S 0').length, served, flags.join('\n'));
      assert.equal(flags.filter((f) => f === 'device S. 0').length, served, flags.join('\n'));
      assert.equal(flags.filter((f) => f === 'device F. 0').length, served, flags.join('\n'));
      assert.equal(flags.filter((f) => f === 'PC F. 0').length, served, flags.join('\n'));
    } finally {
      if (s.proc.exitCode === null) s.proc.kill('SIGKILL');
      fs.rmSync(pcapFile, { force: true });
    }
  });

  it('--six-step: the built-in six-step client against the PC peer it serves, the seed\'s table row by row, Ctrl-C exits 0', async function () {
    this.timeout(120000);
    await ensureBundle('dist/six-step-espruino-pico.js');
    const s = start('--six-step', '--quiet');
    try {
      await s.line(/^six-step: every step in the seed's order \(docs\/socket-semantics\.md §7\), every error code 0$/m, 60000);
      await s.line(/^six-step done; Ctrl-C stops the device$/m, 5000);
      const rows = s.out.split('\n').filter((l) => l.startsWith('six-step | ')).map((l) => l.replace(/ \(\d+\.\d{3} s\)/, ''));
      assert.equal(rows[0], 'six-step | step | client | server');
      const steps = rows.slice(1).map((r) => r.split(' | ')[1].trim());
      const client = steps.filter((x) => ['1', "5'", '5', '6'].includes(x));
      const server = steps.filter((x) => ['2', '3', '4', "4'"].includes(x));
      assert.deepEqual(client, ['1', "5'", '5', '6']);
      assert.deepEqual(server, ['2', '3', '4', "4'"]);
      assert.ok(steps.indexOf('1') < steps.indexOf('2') && steps.indexOf('3') < steps.indexOf("5'") && steps.indexOf('4') < steps.indexOf('5'), steps.join(' '));
      assert.ok(rows.includes("six-step | 5    | gets FD_CLOSE (error 0) after the last byte was read | "), rows.join('\n'));
      assert.ok(rows.includes("six-step | 2    |  | gets FD_CLOSE: all client data has been received"), rows.join('\n'));
      s.proc.kill('SIGINT');
      assert.equal(await s.exited, 0, s.out + s.err);
      assert.match(s.out, /^ {2}up \d+\.\d s; 1 connection\(s\); 200 bytes in, 64 bytes out; 2 FIN\(s\), 0 RST\(s\) on the wire$/m);
      assert.match(s.out, /^ {2}S0 device 192\.168\.1\.20:\d+ → PC 192\.168\.1\.10:\d+: 200 in, 64 out; FIN both ways, device first$/m);
      assert.equal(s.err, '');
    } finally {
      if (s.proc.exitCode === null) s.proc.kill('SIGKILL');
    }
  });

  it('--nic enc28j60: the ENC28J60 model on a TAP wire into a namespace; curl and a TCP peer there, Ctrl-C leaves the peer with a FIN, the pcap holds the real frames', async function () {
    this.timeout(180000);
    const why = tapUnavailable();
    if (why) {
      if (process.env.CI === 'true') throw new Error('CI: npm start --nic enc28j60 needs a namespace and TAP but ' + why);
      console.warn(`\n      !!! SKIPPED: npm start --nic enc28j60 needs a network namespace and a TAP device (root): ${why}\n`);
      this.skip();
    }
    await ensureBundle('dist/espruino-pico-enc28j60.js');
    const pcapFile = path.join(os.tmpdir(), `start-enc-test-${process.pid}.pcap`);
    const s = start('--nic', 'enc28j60', '--pcap', pcapFile);
    let peerProc: ReturnType<typeof spawn> | undefined;
    try {
      const m = await s.line(/^echo service \(device 192\.168\.1\.20:7\): ip netns exec (start-\d+-\d+) nc 192\.168\.1\.20 7$/m, 60000);
      const ns = m[1];
      assert.match(s.out, new RegExp(`^virtual Espruino Pico \\(espruino-pico-enc28j60\\): ENC28J60 model on SPI2, CS B10, INT A8, RST B3; its network is a TAP wire into namespace ${ns}, where the kernel is the PC \\(192\\.168\\.1\\.10\\)$`, 'm'));
      await s.line(new RegExp(`^status page \\(device 192\\.168\\.1\\.20:80\\): ip netns exec ${ns} curl http://192\\.168\\.1\\.20/$`, 'm'), 5000);
      // the status page with curl, as printed
      const page = spawnSync('ip', ['netns', 'exec', ns, 'curl', '-s', '-m', '10', 'http://192.168.1.20/'], { encoding: 'utf8' });
      assert.equal(page.status, 0, page.stderr);
      assert.match(page.stdout.split('\n')[0], /^ENC28J60 on espruino-pico-enc28j60: 192\.168\.1\.20, up \d+ s$/);
      // a TCP peer in the namespace: echoes back, then waits for the device's FIN at Ctrl-C
      const script = `const s=require('net').connect({host:'192.168.1.20',port:7,allowHalfOpen:true});let got='';` +
        `s.on('connect',()=>s.write('through the TAP wire\\n'));s.on('data',d=>{got+=d;if(got==='through the TAP wire\\n')console.log('echoed');});` +
        `s.on('end',()=>{console.log('FIN');s.end();});s.on('error',e=>console.log('error '+e.code));s.on('close',()=>console.log('closed'));`;
      peerProc = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      const peerOut = new Spawned(peerProc);
      await peerOut.line(/^echoed$/m, 15000);
      await s.line(/ wire {4}data {2}device → PC, 21 bytes \(C2\)$/m, 5000);
      s.proc.kill('SIGINT');
      assert.equal(await s.exited, 0, s.out + s.err);
      await peerOut.line(/^closed$/m, 5000);
      assert.equal(peerOut.out, 'echoed\nFIN\nclosed\n');
      const tl = s.out.split('\n');
      const at = (re: RegExp) => tl.findIndex((l) => re.test(l));
      const ctrlC = at(/ tool {4}Ctrl-C: the device closes every connection$/);
      assert.ok(at(/ wire {4}SYN {3}PC 192\.168\.1\.10:\d+ → device 192\.168\.1\.20:7 \(C2\)$/) > 0, s.out);
      assert.ok(ctrlC > 0 && at(/ wire {4}FIN {3}device → PC \(C2\)$/) > ctrlC, s.out);
      assert.match(s.out, /^ {2}C2 PC 192\.168\.1\.10:\d+ → device 192\.168\.1\.20:7: 21 in, 21 out; FIN both ways, device first$/m);
      assert.match(s.out, /^ {2}up \d+\.\d s; 2 connection\(s\); \d+ bytes in, \d+ bytes out; 4 FIN\(s\), 0 RST\(s\) on the wire$/m);
      assert.equal(s.err, '');
      // the pcap is the wire's own frames: tcpdump reads the echo and both FINs of C2
      assert.match(s.out, new RegExp(`^wrote \\d+ frames to ${pcapFile} \\(tcpdump -r ${pcapFile}, or open it in Wireshark\\)$`, 'm'));
      const td = spawnSync('tcpdump', ['-r', pcapFile, '-nn', 'tcp port 7'], { encoding: 'utf8' });
      assert.equal(td.status, 0, td.stderr);
      const flags = td.stdout.trim().split('\n').map((l) => /IP (\S+) > (\S+): Flags \[([^\]]+)\].* length (\d+)/.exec(l)!)
        .map((x) => `${x[1].startsWith('192.168.1.10') ? 'PC' : 'device'} ${x[3]} ${x[4]}`);
      // every segment but the bare ACKs, in order
      assert.deepEqual(flags.filter((f) => f !== 'PC . 0' && f !== 'device . 0'), [
        'PC S 0', 'device S. 0', 'PC P. 21', 'device P. 21', 'device F. 0', 'PC F. 0',
      ]);
      assert.deepEqual(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(ns)), [], 'the namespace is gone');
    } finally {
      if (s.proc.exitCode === null) s.proc.kill('SIGKILL');
      if (peerProc && peerProc.exitCode === null) peerProc.kill('SIGKILL');
      fs.rmSync(pcapFile, { force: true });
    }
  });

  it('--nic picks boards/<board>-<nic>.ts, or names the board files when there is none', () => {
    assert.deepEqual(boardFile('espruino-pico', undefined), { ok: true, name: 'espruino-pico' });
    assert.deepEqual(boardFile('espruino-pico', 'w5500'), { ok: true, name: 'espruino-pico' });
    assert.deepEqual(boardFile('espruino-pico', 'enc28j60'), { ok: true, name: 'espruino-pico-enc28j60' });
    const none = boardFile('espruino-pico-enc28j60', 'w5500-macraw');
    assert.deepEqual(none, { ok: false, error: `no board file wires espruino-pico-enc28j60 with a w5500-macraw (boards/espruino-pico-enc28j60-w5500-macraw.ts); the boards: ${knownBoards().join(', ')}` });
  });

  it('--help lists the options and exits 0; a bad option is exit 2 with a one-line reason', function () {
    this.timeout(60000);
    const run = (...a: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/start.ts', ...a], { cwd: repoRoot, encoding: 'utf8' });
    const h = run('--help');
    assert.equal(h.status, 0);
    assert.match(h.stdout, /^usage: npm start -- \[options\]$/m);
    for (const o of ['--board NAME', '--nic NIC', '--echo-port N', '--pcap FILE', '--six-step', '--quiet', '--help']) assert.ok(h.stdout.includes(o), o + ' missing from:\n' + h.stdout);
    const bad = run('--bored', 'x');
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, 'start: unknown option "--bored" (npm start -- --help lists the options)\n');
    const usage = (argv: string[], message: string) => assert.throws(() => parseOptions(START, argv), (e: unknown) => e instanceof UsageError && e.message === message);
    usage(['--board', 'nope'], `--board "nope" is not one of: ${knownBoards().join(', ')}`);
    usage(['--echo-port', '-3'], '--echo-port wants a non-negative integer, not "-3"');
    usage(['--pcap'], '--pcap needs a value (FILE)');
  });
});
