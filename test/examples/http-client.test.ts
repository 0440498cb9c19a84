/**
 * examples/http-client.ts on the virtual Pico (W5500 model, host network): Espruino's `http.request`
 * over the NetworkJS adapter POSTs its report to an HTTP server of the Linux kernel's (node's http on
 * 127.0.0.10 = 192.168.1.10 to the device), and the device learns that it was delivered.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { RealClock } from '../../hal/node/real-clock';
import { Edge } from '../../hal/pins';
import { VirtualBoard, readWiring, repoRoot } from '../../sim/board/index';
import { W5500Thread } from '../../sim/w5500/worker-client';
import { ensureBundle } from '../../tools/bundle-cache';

const BOARD = 'espruino-pico';
const BUNDLE = `dist/http-client-${BOARD}.js`;

describe('examples/http-client.ts on the virtual board against a kernel HTTP server', function () {
  this.timeout(120000);

  before(async function () {
    this.timeout(600000);
    await ensureBundle(BUNDLE);
  });

  it('POSTs the report and logs that it was delivered, with the server\'s answer', async function () {
    const got: Array<{ method?: string; url?: string; type?: string; length?: string; body: string }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('latin1');
      req.on('data', (d: string) => { body += d; });
      req.on('end', () => {
        got.push({ method: req.method, url: req.url, type: req.headers['content-type'], length: req.headers['content-length'], body });
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '8' });
        res.end('received');
      });
    });
    const port = await new Promise<number>((r) => server.listen(0, '127.0.0.10', () => r((server.address() as { port: number }).port)));
    const clock = new RealClock();
    let chip: W5500Thread;
    try {
      chip = await W5500Thread.start({ clock, hostPorts: 'ephemeral' });
    } catch (e) {
      server.close();
      if (process.env.CI === 'true') throw e;
      console.warn('\n  !!! SKIPPED: the W5500 model thread could not start: ' + (e as Error).message + '\n');
      this.skip();
      return;
    }
    const wiring = readWiring(BOARD);
    const board = new VirtualBoard({ clock, boardName: BOARD });
    try {
      board.attachSpi(wiring.spi, wiring.cs, { exchange: (mosi) => chip.exchange(mosi) });
      board.attachPin(wiring.int!, { read: () => chip.intn, onChange: (fn) => { chip.intPin.watch(Edge.Both, fn); } });
      board.temperature = 31.25;
      board.load(`var HTTP_CLIENT_SERVER = "192.168.1.10:${port}";`, 'settings.js');
      board.load(fs.readFileSync(path.join(repoRoot, BUNDLE), 'utf8'), BUNDLE);
      const end = Date.now() + 20000;
      while (!board.log.console.some((l) => l.startsWith('http-client: delivered') || l.startsWith('http-client: not')) && Date.now() < end) await board.wait(10);
      assert.deepEqual(board.log.console.filter((l) => l.startsWith('http-client: ')), [
        `http-client: posting {"temperature":31.3} to 192.168.1.10:${port}`,
        'http-client: delivered: received',
      ]);
      assert.deepEqual(got, [{ method: 'POST', url: '/report', type: 'application/json', length: '20', body: '{"temperature":31.3}' }]);
      assert.deepEqual(board.errors, []);
    } finally {
      server.closeAllConnections();
      server.close();
      await new Promise((r) => setImmediate(r));
      board.reset();
      clock.clearAll();
      await chip.close();
    }
  });
});
