import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { W5500SpiEndpoint } from '../../sim/w5500/endpoint';
import { Deframer, Msg, encode } from '../../sim/w5500/endpoint-framing';
import { parseW5500Args } from '../../sim/w5500/endpoint-args';
import { requireLoopback, until } from './loopback';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const NODE_CLIENT = path.join(here, 'clients/read-versionr.cjs');
const PY_CLIENT = path.join(here, 'clients/read-versionr.py');
/** what the clients print: INTn high on connect, then MISO 01 02 03 (header phase) 04 (VERSIONR) */
const VERSIONR_EXCHANGE = ['82000101', '81000401020304'];

function sockPath(tag: string): string {
  return path.join(os.tmpdir(), `w5500-${tag}-${process.pid}-${Date.now()}.sock`);
}

function run(cmd: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 10000 }, (e, out, err) => resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err }));
  });
}

/** a test-side client: every message received, in order, as hex */
class Client {
  got: string[] = [];
  private sock: net.Socket;
  private frames = new Deframer();
  constructor(p: string) {
    this.sock = net.connect(p);
    this.sock.on('data', (c: Buffer) => { for (const m of this.frames.push(c)) this.got.push(Buffer.from(encode(m.type, m.payload)).toString('hex')); });
    this.sock.on('error', () => {});
  }
  send(type: number, payload: number[] = []): void {
    this.sock.write(encode(type, new Uint8Array(payload)));
  }
  raw(bytes: number[]): void {
    this.sock.write(Buffer.from(bytes));
  }
  get closed(): boolean {
    return this.sock.destroyed || this.sock.readableEnded;
  }
  close(): void {
    this.sock.destroy();
  }
}

describe('W5500 SPI endpoint (Unix socket)', function () {
  const cleanup: (() => void | Promise<void>)[] = [];
  before(async function () {
    await requireLoopback(this);
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function endpoint(tag: string): Promise<W5500SpiEndpoint> {
    const ep = await W5500SpiEndpoint.start({ path: sockPath(tag), hostPorts: 'ephemeral' });
    cleanup.push(() => ep.close());
    return ep;
  }

  it('parses the command line', () => {
    assert.deepEqual(parseW5500Args(['--spi', '/tmp/a.sock', '--route', '10.0.0.0/8=127.0.0.0', '--host-ports', '80=8080,23=2323', '--trace']), {
      spi: '/tmp/a.sock',
      config: { routes: [{ virtual: '10.0.0.0', prefix: 8, host: '127.0.0.0' }], hostPorts: { 80: 8080, 23: 2323 }, model: { trace: true } },
    });
    assert.deepEqual(parseW5500Args(['--spi', 'x', '--host-ports', 'ephemeral', '--listen-host', '127.0.0.5']), {
      spi: 'x', config: { hostPorts: 'ephemeral', listenHost: '127.0.0.5' },
    });
    assert.deepEqual(parseW5500Args(['--spi', 'x', '--fin-wait2', 'forever', '--trace']), { spi: 'x', config: { model: { finWait2: 'forever', trace: true } } });
    assert.deepEqual(parseW5500Args(['--spi', 'x', '--fin-wait2', '5000']), { spi: 'x', config: { model: { finWait2: 5000 } } });
    assert.deepEqual(parseW5500Args(['--spi', 'x', '--fin-wait2', 'tcpto']), { spi: 'x', config: { model: { finWait2: 'tcpto' } } });
    assert.throws(() => parseW5500Args(['--spi', 'x', '--fin-wait2', 'never']), /--fin-wait2 wants tcpto, forever or a number of ms, got never/);
    assert.throws(() => parseW5500Args([]), /--spi <path> is required/);
    assert.throws(() => parseW5500Args(['--spi']), /--spi needs a value/);
    assert.throws(() => parseW5500Args(['--spi', 'x', '--route', '10/8']), /--route wants V\/P=H/);
    assert.throws(() => parseW5500Args(['--spi', 'x', '--bogus']), /unknown option --bogus/);
  });

  it('a child node process reads VERSIONR 0x04 through it', async () => {
    const ep = await endpoint('node');
    const r = await run(process.execPath, [NODE_CLIENT, ep.path]);
    assert.equal(r.err, '');
    assert.deepEqual(r.out.trim().split('\n'), VERSIONR_EXCHANGE);
  });

  it('a child python3 process reads VERSIONR 0x04 through it', async function () {
    if (spawnSync('python3', ['--version']).status !== 0) {
      console.warn('\n  !!! SKIPPING the python3 client: no python3 on this machine\n');
      this.skip();
    }
    const ep = await endpoint('py');
    const r = await run('python3', [PY_CLIENT, ep.path]);
    assert.equal(r.err, '');
    assert.deepEqual(r.out.trim().split('\n'), VERSIONR_EXCHANGE);
  });

  it('sends INTn changes as they happen and before the reply of the window that caused them; errors, RESET, one client', async () => {
    const ep = await endpoint('int');
    const c = new Client(ep.path);
    cleanup.push(() => c.close());
    await until(() => c.got.length === 1, 'the INTn level on connect');
    assert.deepEqual(c.got, ['82000101']);
    // SIPR 192.168.1.10, SIMR = socket 0, socket 0: Sn_MR UDP, Sn_PORT 7, OPEN
    c.send(Msg.XFER, [0x00, 0x0f, 0x04, 192, 168, 1, 10]);
    c.send(Msg.XFER, [0x00, 0x18, 0x04, 0x01]);
    c.send(Msg.XFER, [0x00, 0x00, 0x0c, 0x02]);
    c.send(Msg.XFER, [0x00, 0x04, 0x0c, 0x00, 0x07]);
    c.send(Msg.XFER, [0x00, 0x01, 0x0c, 0x01]);
    await until(() => c.got.length === 6, 'five replies');
    assert.deepEqual(c.got.slice(1), ['81000701020300000000', '81000401020300', '81000401020300', '8100050102030000', '81000401020300']);
    await until(() => ep.chip.net.hostAddress('udp', 7) !== undefined, 'the UDP port');
    const at = ep.chip.net.hostAddress('udp', 7)!;
    const peer = dgram.createSocket('udp4');
    cleanup.push(() => { peer.close(); });
    peer.send(Buffer.from('hi'), at.port, at.address);
    await until(() => c.got.length === 7, 'INTn low, unasked');
    assert.equal(c.got[6], '82000100');
    c.send(Msg.XFER, [0x00, 0x02, 0x0c, 0xff]); // Sn_IR = 0xFF clears RECV
    await until(() => c.got.length === 9, 'INTn high, then the reply');
    assert.deepEqual(c.got.slice(7), ['82000101', '81000401020300']);

    c.raw([0x07, 0x00, 0x00]);
    c.send(Msg.RESET);
    c.send(Msg.XFER, [0x00, 0x0f, 0x00, 0, 0, 0, 0]); // SIPR after the reset
    await until(() => c.got.length === 12, 'error, reset, reply');
    assert.equal(c.got[9].slice(0, 6), 'ff0019');
    assert.equal(Buffer.from(c.got[9].slice(6), 'hex').toString(), 'unknown message type 0x07');
    assert.deepEqual(c.got.slice(10), ['830000', '81000701020300000000']);

    const second = new Client(ep.path);
    cleanup.push(() => second.close());
    await until(() => second.closed, 'the second client to be turned away');
    assert.equal(second.got.length, 1);
    assert.equal(Buffer.from(second.got[0].slice(6), 'hex').toString(), 'busy: another client is connected');
    assert.equal(second.got[0].slice(0, 2), 'ff');
  });

  /**
   * `npm run sim -- w5500 --spi P --trace` with `n` VERSIONR reads done through it by this process; returns
   * npm's process, the pid of the process npm started, and what npm printed so far
   */
  async function npmSim(tag: string, n: number): Promise<{ npm: ReturnType<typeof spawn>; started: number; out: () => string; exited: Promise<[number | null, string | null]> }> {
    const p = sockPath(tag);
    const npm = spawn('npm', ['run', '--silent', 'sim', '--', 'w5500', '--spi', p, '--trace', '--host-ports', 'ephemeral'], { cwd: repo, detached: true });
    let out = '';
    npm.stdout!.on('data', (d) => { out += d; });
    npm.stderr!.on('data', (d) => { out += d; });
    const exited = new Promise<[number | null, string | null]>((r) => npm.once('exit', (code, sig) => r([code, sig])));
    cleanup.push(() => { if (npm.exitCode === null && npm.signalCode === null) process.kill(-npm.pid!, 'SIGKILL'); });
    await until(() => out.includes(`w5500: serving SPI on ${p}`), 'the endpoint to start', () => {}, 30000);
    const c = new Client(p);
    await until(() => c.got.length === 1, 'INTN on connect');
    for (let i = 0; i < n; i++) {
      c.send(Msg.XFER, [0x00, 0x39, 0x00, 0x00]);
      await until(() => c.got.length === i + 2, 'reply ' + i);
    }
    c.close();
    await until(() => out.includes('w5500: client disconnected'), 'the endpoint to see the client go');
    const kids = spawnSync('ps', ['-o', 'pid=', '--ppid', String(npm.pid)], { encoding: 'utf8' }).stdout.trim().split(/\s+/).map(Number);
    assert.equal(kids.length, 1, 'npm started one process');
    return { npm, started: kids[0], out: () => out, exited };
  }

  /** the whole output: the start lines, one JSON trace record per SPI window, then the stop line */
  function assertWholeTrace(out: string, n: number): void {
    const lines = out.trim().split('\n');
    const trace = lines.filter((l) => l.startsWith('{'));
    assert.equal(trace.length, n, 'one trace record per transaction');
    for (const l of trace) assert.equal(JSON.parse(l).regs[0], 'VERSIONR');
    assert.equal(lines[lines.length - 1], 'w5500: stopped');
    assert.equal(lines.length, n + 4, lines.filter((l) => !l.startsWith('{')).join(' | '));
  }

  it('npm run sim -- w5500 --spi --trace: one SIGTERM to the process npm started ends it cleanly, the whole trace printed', async function () {
    this.timeout(90000);
    const n = 1000;
    const sim = await npmSim('term', n);
    process.kill(sim.started, 'SIGTERM');
    assert.deepEqual(await sim.exited, [0, null]);
    assertWholeTrace(sim.out(), n);
  });

  it('npm run sim -- w5500 --spi --trace: a SIGINT to the whole process group (npm forwards a second one) ends it cleanly too', async function () {
    this.timeout(90000);
    const n = 1000;
    const sim = await npmSim('group', n);
    process.kill(-sim.npm.pid!, 'SIGINT');
    assert.deepEqual(await sim.exited, [0, null]);
    assertWholeTrace(sim.out(), n);
  });

  it('npm run sim -- w5500 --spi serves another process and stops cleanly on SIGTERM', async () => {
    const p = sockPath('cli');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'sim/cli.ts'), 'w5500', '--spi', p, '--host-ports', 'ephemeral'], { cwd: repo });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    cleanup.push(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
    await until(() => out.includes(`w5500: serving SPI on ${p}`), 'the endpoint to start', () => {}, 15000);
    const r = await run(process.execPath, [NODE_CLIENT, p]);
    assert.deepEqual(r.out.trim().split('\n'), VERSIONR_EXCHANGE);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.deepEqual(out.trim().split('\n'), [`w5500: serving SPI on ${p}`, 'w5500: client connected', 'w5500: client disconnected', 'w5500: stopped']);
    assert.equal(fs.existsSync(p), false, 'the socket file is gone');
  });
});
