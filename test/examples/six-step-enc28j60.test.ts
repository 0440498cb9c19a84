/**
 * examples/six-step.ts built for an ENC28J60 board and run as a board runs it: the bundle on the virtual board,
 * the ENC28J60 model in its thread on a TAP wire into a namespace this test creates (the kernel there plays the
 * PC's network), and tools/six-step-peer.ts as the PC peer, run inside that namespace in its own process. The
 * device runs our own TCP/IP stack (software transport); both sides' event order must be exactly the seed's, as
 * on the W5500 (six-step.test.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RealClock } from '../../hal/node/real-clock';
import { Edge } from '../../hal/pins';
import { VirtualBoard, readWiring, repoRoot } from '../../sim/board/index';
import type { PinSource } from '../../sim/board/index';
import { Enc28j60Thread } from '../../sim/enc28j60/worker-client';
import { tapUnavailable } from '../../sim/net/tap-wire';
import { ensureBundle } from '../../tools/bundle-cache';
import { checkSource, formatFinding } from '../../tools/check-bundle.js';
import { startSixStepPeerProcess } from '../../tools/six-step-peer-process';
import type { SixStepPeerProcess } from '../../tools/six-step-peer-process';

/** the PC's network in the namespace: BENCH_NETWORK's peer (192.168.1.10) on the TAP, the device at .20 */
const PEER_IP = '192.168.1.10';

/**
 * The board: the Espruino WiFi with an ENC28J60 (boards/espruino-wifi-enc28j60.ts). The Pico's 5,100 variables do not
 * hold our stack's runtime with a connection (npm run size); the WiFi is the same STM32 family with 8,190.
 */
const BOARD = 'espruino-wifi-enc28j60';
const BUNDLE = `dist/six-step-${BOARD}.js`;

describe('examples/six-step.ts on an ENC28J60 board (virtual board, ENC28J60 model, software transport) against tools/six-step-peer.ts through TAP', function () {
  this.timeout(180000);
  let bundlePath = '';

  before(async function () {
    const why = tapUnavailable();
    if (why) {
      if (process.env.CI === 'true') throw new Error('CI: the kernel peer is required but ' + why);
      console.warn(`      SKIPPED: six-step on the ENC28J60 needs a network namespace: ${why}`);
      this.skip();
    }
    await ensureBundle(BUNDLE);
    bundlePath = path.join(repoRoot, BUNDLE);
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
    let peer: SixStepPeerProcess | undefined;
    const wiring = readWiring(BOARD);
    const board = new VirtualBoard({ clock, boardName: BOARD });
    try {
      peer = await startSixStepPeerProcess({ host: PEER_IP, ns: chip.host().ns, onLine: (l) => peerLines.push(l) });
      board.attachSpi(wiring.spi, wiring.cs, { exchange: (mosi) => chip.exchange(mosi) });
      const intn: PinSource = { read: () => chip.intn, onChange: (fn) => { chip.intPin.watch(Edge.Both, fn); } };
      board.attachPin(wiring.int!, intn);
      board.load(`var SIX_STEP_PEER = "${PEER_IP}:${peer.port}";`, 'settings.js');
      board.load(fs.readFileSync(bundlePath, 'utf8'), BUNDLE);
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
