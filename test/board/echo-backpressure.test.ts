/**
 * The default application (dist/espruino-pico.js, firmware/app/main.ts) under back-pressure on the
 * virtual board: the W5500 model in this thread on a virtual clock, its virtual network side with
 * a scripted peer that sends 6,000 bytes and its FIN while holding a zero window, so the chip's TX
 * buffer fills and the socket layer takes less than offered; then the peer drains. Every byte must
 * come back, in order, before the device's FIN. On Espruino (and on the virtual board, whose typed
 * arrays behave as Espruino's) an app that kept the rest with Uint8Array.prototype.slice lost it:
 * slice gives a plain Array, which send refuses with WSAEFAULT.
 */
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/net/virtual-clock';
import { VirtualBoard, readWiring } from '../../sim/board/index';
import { W5500Model } from '../../sim/w5500/model';
import { VirtualNet } from '../../sim/w5500/virtual-net';
import { runUntil } from '../../sim/net/virtual-time';
import { bundle, ensureBuilt } from './built';

const DEVICE = { ip: '192.168.1.20', port: 7 };
const PEER = { ip: '192.168.1.10', port: 40007 };

describe('default application: echo under back-pressure on the virtual board (zero-window peer, virtual time)', () => {
  before(function () {
    this.timeout(300000);
    ensureBuilt();
  });

  it('echoes all 6,000 bytes in order after the peer held a zero window, then closes gracefully', function () {
    this.timeout(120000);
    const clock = new VirtualClock();
    const net = new VirtualNet({ now: () => clock.now(), latencyMs: 0.5 });
    const model = new W5500Model({ net, now: () => clock.now() });
    const wiring = readWiring('espruino-pico');
    const board = new VirtualBoard({ clock, boardName: 'espruino-pico' });
    board.attachSpi(wiring.spi, wiring.cs, { exchange: (mosi) => model.exchange(mosi) });
    board.attachPin(wiring.int!, { read: () => { model.advance(); return model.intn; }, onChange: (fn) => model.onIntn(fn) });
    let rst = true;
    board.onPinWrite(wiring.rst!, (high) => { if (rst && !high) model.hardReset(); rst = high; });
    const until = (done: () => boolean, ms: number) => runUntil(clock, [model], done, ms);
    const has = (s: string) => board.log.console.some((l) => l.includes(s));
    try {
      assert.equal(board.load(bundle('espruino-pico'), 'dist/espruino-pico.js'), undefined);
      assert.ok(until(() => has('echo service on port 7'), 5000), board.log.console.join(' | '));

      const data = new Uint8Array(6000);
      for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 8)) & 0xff;
      const peer = net.connect(PEER, DEVICE);
      assert.ok(until(() => peer.state === 'ESTABLISHED' && has('accepted'), 1000), board.log.console.join(' | '));
      peer.setZeroWindow(true);
      peer.send(data);
      peer.fin();
      // the device echoes until the chip's TX buffer is full and holds the rest: the socket layer took less than offered
      const short = () => board.log.console.some((l) => { const m = /echoed (\d+) of (\d+) bytes/.exec(l); return !!m && +m[1] < +m[2]; });
      assert.ok(until(short, 2000), board.log.console.join(' | '));
      until(() => false, 1000);
      assert.equal(peer.receivedBytes, 0, 'nothing reaches a peer with a zero window');
      peer.setZeroWindow(false);
      assert.ok(until(() => peer.gotFin && has('closed, '), 10000), board.log.console.slice(-6).join(' | '));

      const echoed = peer.take();
      assert.equal(echoed.length, data.length, 'bytes echoed');
      assert.deepEqual(echoed, data, 'every byte, in order');
      assert.deepEqual(board.log.console.filter((l) => /closed, /.test(l)), ['s3: closed, graceful, 0 bytes unsent']);
      assert.ok(has('held bytes'), 'the socket layer took less than offered at least once');
      assert.deepEqual(board.errors, []);
    } finally {
      board.reset();
      model.close();
    }
  });
});
