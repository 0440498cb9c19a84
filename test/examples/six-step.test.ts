/**
 * examples/six-step.ts as a board runs it: the bundle on the virtual board, the W5500 model in its
 * thread on the host network, and tools/six-step-peer.ts as the PC peer in its own process (so it
 * answers while the board's loop is busy). Both sides' event order must be exactly the seed's.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RealClock } from '../../hal/node/real-clock';
import { Edge } from '../../hal/pins';
import { VirtualBoard, knownBoards, readWiring, repoRoot } from '../../sim/board/index';
import type { PinSource } from '../../sim/board/index';
import { W5500Thread } from '../../sim/w5500/worker-client';
import { checkSource, formatFinding } from '../../tools/check-bundle.js';
import { startSixStepPeerProcess } from '../../tools/six-step-peer-process';
import { ensureBuilt } from '../board/built';

const BOARD = 'espruino-pico';
const PEER_HOST = '127.0.0.10';

function bundlePath(board: string): string {
  return path.join(repoRoot, 'dist', `six-step-${board}.js`);
}

describe('examples/six-step.ts on the virtual board against tools/six-step-peer.ts (W5500 model, host network)', function () {
  this.timeout(180000);

  it('a bundle is built for every board, and the bundle gate finds nothing Espruino lacks in any', () => {
    ensureBuilt(knownBoards().map((b) => `six-step-${b}`));
    for (const b of knownBoards()) {
      const file = bundlePath(b);
      assert.ok(fs.existsSync(file), file);
      assert.deepEqual(checkSource(fs.readFileSync(file, 'utf8'), file).map(formatFinding), [], file);
    }
  });

  it('the device (client) and the PC peer (server) each see the six steps in the exact order', async function () {
    ensureBuilt(knownBoards().map((b) => `six-step-${b}`));
    const peerLines: string[] = [];
    const peer = await startSixStepPeerProcess({ host: PEER_HOST, onLine: (l) => peerLines.push(l) });
    const clock = new RealClock();
    let chip: W5500Thread;
    try {
      chip = await W5500Thread.start({ clock, hostPorts: 'ephemeral' });
    } catch (e) {
      peer.proc.kill();
      if (process.env.CI === 'true') throw e;
      console.warn(`\n  !!! SKIPPED: the W5500 model thread with the host network side did not start: ${(e as Error).message}\n`);
      this.skip();
    }
    const wiring = readWiring(BOARD);
    const board = new VirtualBoard({ clock, boardName: BOARD });
    try {
      board.attachSpi(wiring.spi, wiring.cs, { exchange: (mosi) => chip.exchange(mosi) });
      if (wiring.int) {
        const intn: PinSource = { read: () => chip.intn, onChange: (fn) => { chip.intPin.watch(Edge.Both, fn); } };
        board.attachPin(wiring.int, intn);
      }
      board.load(`var SIX_STEP_PEER = "192.168.1.10:${peer.port}";`, 'settings.js');
      board.load(fs.readFileSync(bundlePath(BOARD), 'utf8'), `dist/six-step-${BOARD}.js`);
      const end = Date.now() + 15000;
      while (!board.log.console.includes('six-step: done') && Date.now() < end) await board.wait(10);
      const code = await Promise.race([peer.exited, new Promise<number>((r) => setTimeout(() => r(-99), 5000))]);
      assert.deepEqual(board.errors, []);
      assert.deepEqual(board.log.console, [
        `six-step: connecting to 192.168.1.10:${peer.port}`,
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
      assert.ok(peerLines[1].includes('127.0.0.20'), 'the device reached the peer from its own address (192.168.1.20 → 127.0.0.20)');
    } finally {
      peer.proc.kill();
      board.reset();
      clock.clearAll();
      await chip.close();
    }
  });
});
