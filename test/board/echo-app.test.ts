import assert from 'node:assert/strict';
import net from 'node:net';
import { RealClock } from '../../hal/node/real-clock';
import { Edge } from '../../hal/pins';
import { VirtualBoard, readWiring } from '../../sim/board/index';
import { W5500Thread } from '../../sim/w5500/worker-client';
import { bundle, ensureBuilt } from './built';

// The default application (firmware/app/main.ts, dist/<board>.js) echoes everything a kernel peer sends,
// also when the socket layer takes less than offered: the rest waits for FD_WRITE, nothing is dropped.
describe('default application: echo service on the virtual board, kernel peer', () => {
  before(function () {
    this.timeout(120000);
    ensureBuilt();
  });

  it('echoes 64 KiB sent at once, byte for byte, then closes gracefully after the peer FIN', async function () {
    this.timeout(30000);
    const clock = new RealClock();
    let chip: W5500Thread;
    try {
      chip = await W5500Thread.start({ clock, hostPorts: 'ephemeral' });
    } catch (e) {
      if (process.env.CI === 'true') throw e;
      console.warn('SKIPPED: the W5500 model thread could not start: ' + (e as Error).message);
      this.skip();
      return;
    }
    const wiring = readWiring('espruino-pico');
    const board = new VirtualBoard({ clock, boardName: 'espruino-pico' });
    let client: net.Socket | undefined;
    const until = async (what: string, cond: () => boolean) => {
      const end = Date.now() + 20000;
      while (!cond()) {
        if (Date.now() > end) throw new Error('timed out waiting for ' + what + ': ' + board.log.console.slice(-8).join(' | '));
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    try {
      board.attachSpi(wiring.spi, wiring.cs, { exchange: (mosi) => chip.exchange(mosi) });
      board.attachPin(wiring.int!, { read: () => chip.intn, onChange: (fn) => { chip.intPin.watch(Edge.Both, fn); } });
      board.load(bundle('espruino-pico'), 'dist/espruino-pico.js');
      await until('the echo service', () => board.log.console.some((l) => l.includes('echo service')));
      const at = chip.bound().find((b) => b.proto === 'tcp' && b.chipPort === 7)!;
      const data = Buffer.alloc(65536);
      for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 8)) & 0xff;
      const got: Buffer[] = [];
      let ended = false;
      const c = net.connect({ host: at.address, port: at.port, localAddress: '127.0.0.10', allowHalfOpen: true });
      client = c;
      c.on('data', (d: Buffer) => got.push(d));
      c.on('end', () => { ended = true; });
      await new Promise<void>((resolve, reject) => { c.once('connect', () => resolve()); c.once('error', reject); });
      c.end(data);
      await until('the echo and the device close', () => ended && board.log.console.some((l) => /closed, /.test(l)));
      const echoed = Buffer.concat(got);
      assert.equal(echoed.length, data.length);
      assert.ok(echoed.equals(data), 'every byte echoed in order');
      assert.deepEqual(board.log.console.filter((l) => /closed, /.test(l)), ['s3: closed, graceful, 0 bytes unsent']);
      assert.deepEqual(board.errors, []);
    } finally {
      if (client) client.destroy();
      board.reset();
      clock.clearAll();
      await chip.close();
    }
  });
});
