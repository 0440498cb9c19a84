/**
 * examples/six-step.ts built for an ENC28J60 board and run as a board runs it: the bundle on the virtual board,
 * the ENC28J60 model in its thread on a TAP wire into a namespace this test creates (the kernel there plays the
 * PC's network), and tools/six-step-peer.ts as the PC peer, run inside that namespace in its own process. The
 * device runs our own TCP/IP stack (software transport); both sides' event order must be exactly the seed's, as
 * on the W5500 (six-step.test.ts).
 *
 * The board: the Espruino Pico wiring of boards/espruino-pico.ts with an ENC28J60 on it, described here (a test-local
 * board) until boards/ carries ENC28J60 wirings; the bundle is built the way rollup.config.js builds every board's.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rollup } from 'rollup';
import { RealClock } from '../../hal/node/real-clock';
import { Edge } from '../../hal/pins';
import { VirtualBoard, repoRoot } from '../../sim/board/index';
import type { PinSource } from '../../sim/board/index';
import { Enc28j60Thread } from '../../sim/enc28j60/worker-client';
import { tapUnavailable } from '../../sim/net/tap-wire';
import { checkSource, formatFinding } from '../../tools/check-bundle.js';
// @ts-expect-error rollup.config.js is plain JavaScript without declarations
import { espruinoBundle, stacks } from '../../rollup.config.js';

/** the PC's network in the namespace: BENCH_NETWORK's peer (192.168.1.10) on the TAP, the device at .20 */
const PEER_IP = '192.168.1.10';

/** the Pico's W5500 wiring (boards/espruino-pico.ts) carrying an ENC28J60 */
const BOARD = {
  name: 'espruino-pico-enc28j60', espruinoBoard: 'PICO_R1_3', nic: 'enc28j60',
  spi: 'SPI2', sck: 'B13', miso: 'B14', mosi: 'B15', baud: 8000000, cs: 'B10', int: 'A8', rst: 'B3',
};

/** builds dist-like six-step bundle for BOARD into `out`, as rollup.config.js's bundle() does for a board file */
async function buildBundle(out: string): Promise<void> {
  const b = BOARD;
  const id = '\0entry';
  const entry = {
    name: 'board-entry',
    resolveId(source: string) { return source === id ? id : null; },
    load(source: string) {
      if (source !== id) return null;
      return [
        `import { main as app } from ${JSON.stringify(path.join(repoRoot, 'examples/six-step.ts'))};`,
        `import { boot } from ${JSON.stringify(path.join(repoRoot, 'firmware/espruino/boot.ts'))};`,
        `boot({ name: ${JSON.stringify(b.name)}, espruinoBoard: ${JSON.stringify(b.espruinoBoard)}, nic: 'enc28j60', spi: ${b.spi},`,
        `  sck: ${b.sck}, miso: ${b.miso}, mosi: ${b.mosi}, baud: ${b.baud}, cs: ${b.cs}, int: ${b.int}, rst: ${b.rst} }, app);`,
      ].join('\n');
    },
  };
  const cwd = process.cwd();
  process.chdir(repoRoot);
  try {
    const cfg = espruinoBundle(id, [entry, stacks('enc28j60')], './tsconfig.json', out);
    const bundle = await rollup(cfg);
    await bundle.write(cfg.output);
    await bundle.close();
  } finally {
    process.chdir(cwd);
  }
}

/** starts the peer inside the namespace; resolves with its port once it listens */
function startPeer(ns: string, lines: string[]): Promise<{ proc: ChildProcess; port: number; exited: Promise<number> }> {
  const argv = ['ip', 'netns', 'exec', ns, process.execPath, '--import', 'tsx', 'tools/six-step-peer.ts', '--host', PEER_IP, '--port', '0'];
  const proc = spawn(argv[0], argv.slice(1), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number>((r) => proc.on('exit', (code) => r(code ?? -1)));
  let buf = '';
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        const m = /^peer: listening on [\d.]+:(\d+)$/.exec(line);
        if (m) resolve({ proc, port: Number(m[1]), exited });
      }
    });
    proc.stderr!.on('data', (d: Buffer) => lines.push('stderr: ' + d.toString().trim()));
    proc.on('exit', (code) => reject(new Error('the peer exited with ' + code + ': ' + lines.join(' | '))));
  });
}

describe('examples/six-step.ts on an ENC28J60 board (virtual board, ENC28J60 model, software transport) against tools/six-step-peer.ts through TAP', function () {
  this.timeout(180000);
  let dir = '';
  let bundlePath = '';

  before(async function () {
    const why = tapUnavailable();
    if (why) {
      if (process.env.CI === 'true') throw new Error('CI: the kernel peer is required but ' + why);
      console.warn(`      SKIPPED: six-step on the ENC28J60 needs a network namespace: ${why}`);
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'six-step-enc-'));
    bundlePath = path.join(dir, 'six-step-espruino-pico-enc28j60.js');
    await buildBundle(bundlePath);
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the bundle carries the ENC28J60 stack, not the W5500 offload stack, and the bundle gate finds nothing Espruino lacks', () => {
    const src = fs.readFileSync(bundlePath, 'utf8');
    assert.deepEqual(checkSource(src, bundlePath).map(formatFinding), []);
    assert.ok(src.includes("'ENC28J60'") || src.includes('"ENC28J60"'), 'the ENC28J60 stack is in');
    assert.ok(!src.includes('W5500 bring-up failed'), 'the offload stack is not');
  });

  it('the device (client) and the PC peer (server) each see the six steps in the exact order', async () => {
    const clock = new RealClock();
    const chip = await Enc28j60Thread.start({ clock, prefix: 'sixe', hostAddress: PEER_IP + '/24', ifname: 'sixe0' });
    const peerLines: string[] = [];
    let peer: { proc: ChildProcess; port: number; exited: Promise<number> } | undefined;
    // the Pico's 5,100 variables do not hold our stack's runtime with a connection (npm run size: out of memory); the
    // WiFi has the same STM32 pins and ports and 8,190 variables
    const board = new VirtualBoard({ clock, espruinoBoard: 'ESPRUINOWIFI' });
    try {
      peer = await startPeer(chip.host().ns, peerLines);
      board.attachSpi(BOARD.spi, BOARD.cs, { exchange: (mosi) => chip.exchange(mosi) });
      const intn: PinSource = { read: () => chip.intn, onChange: (fn) => { chip.intPin.watch(Edge.Both, fn); } };
      board.attachPin(BOARD.int, intn);
      board.load(`var SIX_STEP_PEER = "${PEER_IP}:${peer.port}";`, 'settings.js');
      board.load(fs.readFileSync(bundlePath, 'utf8'), 'six-step-espruino-pico-enc28j60.js');
      const end = Date.now() + 20000;
      while (!board.log.console.includes('six-step: done') && Date.now() < end) await board.wait(10);
      const code = await Promise.race([peer.exited, new Promise<number>((r) => setTimeout(() => r(-99), 5000))]);
      assert.deepEqual(board.errors, []);
      assert.deepEqual(board.log.console, [
        `six-step: connecting to ${PEER_IP}:${peer.port}`,
        'six-step: FD_CONNECT 0',
        'six-step: FD_WRITE 0',
        'six-step: send 64',
        'six-step: 1 shutdown(SD_SEND) 0',
        "six-step: 5' FD_READ 0",
        'six-step: 5 FD_CLOSE 0',
        'six-step: response 200 bytes, then recv 0',
        'six-step: 6 closesocket 0',
        'six-step: NIC resources held 0',
        'six-step: done',
      ]);
      assert.equal(code, 0, 'the peer saw every request byte and exited cleanly');
      assert.deepEqual(peerLines.slice(1).map((l) => l.replace(/accepted [\d.]+:\d+/, 'accepted')), [
        'peer: accepted',
        'peer: 2 FD_CLOSE (FIN) after 64 request bytes',
        'peer: 3 send 200',
        'peer: 4 shutdown(SD_SEND)',
        "peer: 4' closesocket",
        'peer: done',
      ]);
      assert.ok(peerLines[1].includes('192.168.1.20'), 'the device reached the peer from its own address, through the kernel of the namespace');
    } finally {
      if (peer) peer.proc.kill();
      board.reset();
      clock.clearAll();
      await chip.close();
    }
  });
});
