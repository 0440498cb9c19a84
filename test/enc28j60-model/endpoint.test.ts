import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Deframer, Msg, encode } from '../../sim/w5500/endpoint-framing';
import { parseEncArgs } from '../../sim/enc28j60/endpoint';
import { NetNamespace, netnsUnavailable } from '../../sim/net/netns';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('ENC28J60 SPI endpoint (npm run sim -- enc28j60)', function () {
  this.timeout(120000);

  it('parses its options and refuses bad ones', () => {
    assert.deepEqual(parseEncArgs(['--spi', '/tmp/x', '--host', '10.9.0.1/24', '--pcap', '/tmp/p', '--trace']), {
      path: '/tmp/x', hostAddress: '10.9.0.1/24', pcapPath: '/tmp/p', model: { trace: true },
    });
    assert.throws(() => parseEncArgs([]), /--spi <path> is required/);
    assert.throws(() => parseEncArgs(['--spi']), /--spi needs a value/);
    assert.throws(() => parseEncArgs(['--spi', 'x', '--bogus']), /unknown option --bogus/);
  });

  it('serves the model to another process: INT level first, RCR of EREVID through bank 3, RESET; SIGTERM removes the namespace', async function () {
    const why = netnsUnavailable();
    if (why) {
      if (process.env.CI === 'true') throw new Error(`network namespaces unavailable in CI: ${why}`);
      console.warn(`    SKIPPED: ${why}`);
      this.skip();
    }
    const sock = path.join(os.tmpdir(), `enc-ep-${process.pid}.sock`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'sim/cli.ts', 'enc28j60', '--spi', sock, '--ns-prefix', 'encmep'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    try {
      const t0 = Date.now();
      while (!out.includes('serving SPI')) {
        if (Date.now() - t0 > 90000 || child.exitCode !== null) throw new Error(`endpoint did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const ns = /namespace (\S+),/.exec(out)![1];
      assert.match(ns, /^encmep-\d+-0$/);
      assert.match(execFileSync('ip', ['netns', 'exec', ns, 'ip', '-o', 'addr', 'show', 'dev', 'enc0'], { encoding: 'utf8' }), /inet 10\.77\.0\.1\/24/);
      const c = net.connect(sock);
      const got: string[] = [];
      const frames = new Deframer();
      c.on('data', (d: Buffer) => { for (const m of frames.push(d)) got.push(Buffer.from(encode(m.type, m.payload)).toString('hex')); });
      await new Promise<void>((r) => c.once('connect', () => r()));
      c.write(encode(Msg.XFER, new Uint8Array([0x9f, 0x03])));   // BFS ECON1, BSEL = 3
      c.write(encode(Msg.XFER, new Uint8Array([0x12, 0x00])));   // RCR EREVID
      c.write(encode(Msg.RESET));
      const t1 = Date.now();
      while (got.length < 4 && Date.now() - t1 < 5000) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(got, ['82000101', '8100020000', '8100020006', '830000']);
      c.destroy();
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.match(out, /enc28j60: stopped/);
      assert.ok(!execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(ns), 'namespace removed');
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await exited;
        NetNamespace.sweep('encmep'); // what the killed endpoint could not remove
      }
      fs.rmSync(sock, { force: true });
    }
  });
});
