/**
 * examples/http-client.ts on the virtual Pico (W5500 model, host network): Espruino's `http.request`
 * over the NetworkJS adapter POSTs its report to an HTTP server of the Linux kernel's (node's http on
 * 127.0.0.10 = 192.168.1.10 to the device), and the device learns that it was delivered.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { RealClock } from '../../hal/node/real-clock';
import { Edge } from '../../hal/pins';
import { VirtualBoard, readWiring, repoRoot } from '../../sim/board/index';
import { W5500Thread } from '../../sim/w5500/worker-client';
import { ensureBundle } from '../../tools/bundle-cache';

/**
 * A DNS server for one name (RFC 1035 §4.1): A `name` → `addr` with TTL 60, NXDOMAIN for any other
 * name; what it was asked is kept as "id name".
 */
function dnsServer(name: string, addr: number[], asked: string[]): Promise<dgram.Socket> {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (q, from) => {
    let i = 12;
    const labels: string[] = [];
    while (q[i] !== 0) { labels.push(q.subarray(i + 1, i + 1 + q[i]).toString('latin1')); i += q[i] + 1; }
    const question = q.subarray(12, i + 5);
    const asks = labels.join('.');
    asked.push(q.readUInt16BE(0) + ' ' + asks);
    const hit = asks === name;
    const head = Buffer.from([q[0], q[1], 0x81, hit ? 0x80 : 0x83, 0, 1, 0, hit ? 1 : 0, 0, 0, 0, 0]);
    const answer = hit ? Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...addr]) : Buffer.alloc(0);
    sock.send(Buffer.concat([head, question, answer]), from.port, from.address);
  });
  return new Promise((res, rej) => {
    sock.once('error', rej);
    sock.bind(53, '127.0.0.1', () => res(sock));
  });
}

const BOARD = 'espruino-pico';
const BUNDLE = `dist/http-client-${BOARD}.js`;

describe('examples/http-client.ts on the virtual board against a kernel HTTP server', function () {
  this.timeout(120000);

  before(async function () {
    this.timeout(600000);
    await ensureBundle(BUNDLE);
  });

  async function post(ctx: Mocha.Context, host: (port: number) => string): Promise<void> {
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
      ctx.skip();
      return;
    }
    const wiring = readWiring(BOARD);
    const board = new VirtualBoard({ clock, boardName: BOARD });
    try {
      board.attachSpi(wiring.spi, wiring.cs, { exchange: (mosi) => chip.exchange(mosi) });
      board.attachPin(wiring.int!, { read: () => chip.intn, onChange: (fn) => { chip.intPin.watch(Edge.Both, fn); } });
      board.temperature = 31.25;
      board.load(`var HTTP_CLIENT_SERVER = "${host(port)}";`, 'settings.js');
      board.load(fs.readFileSync(path.join(repoRoot, BUNDLE), 'utf8'), BUNDLE);
      const end = Date.now() + 20000;
      while (!board.log.console.some((l) => l.startsWith('http-client: delivered') || l.startsWith('http-client: not')) && Date.now() < end) await board.wait(10);
      assert.deepEqual(board.log.console.filter((l) => l.startsWith('http-client: ')), [
        `http-client: posting {"temperature":31.3} to ${host(port)}`,
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
  }

  it('POSTs the report to an address and logs that it was delivered, with the server\'s answer', async function () {
    await post(this, (port) => '192.168.1.10:' + port);
  });

  it('POSTs to a host name: create() gets the name and the adapter resolves it through the DNS server given to setIP', async function () {
    const asked: string[] = [];
    let dns: dgram.Socket;
    try {
      dns = await dnsServer('collector.test', [192, 168, 1, 10], asked);
    } catch (e) {
      if (process.env.CI === 'true') throw e;
      console.warn('\n  !!! SKIPPED: no DNS server on 127.0.0.1:53 (192.168.1.1 to the device): ' + (e as Error).message + '\n');
      this.skip();
      return;
    }
    try {
      await post(this, (port) => 'collector.test:' + port);
      assert.equal(asked.length, 1);
      assert.match(asked[0], /^\d+ collector\.test$/);
    } finally {
      dns.close();
    }
  });
});
