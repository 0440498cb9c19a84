import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/net/virtual-clock';
import { RealClock } from '../../hal/node/real-clock';
import { VirtualBoard, W5500RegisterStub, ChipPin, knownBoards, readWiring } from '../../sim/board/index';
import type { SpiChip } from '../../sim/board/index';
import { ensureBuilt, bundle } from './built';

function pico(opts: { getTimeCostMs?: number; callbackTimeoutMs?: number } = {}): VirtualBoard {
  return new VirtualBoard({ clock: new VirtualClock(), boardName: 'espruino-pico', ...opts });
}

/** answers each MOSI byte with that byte plus one, and records the CS level it saw */
class PlusOne implements SpiChip {
  frames: number[][] = [];
  exchange(mosi: Uint8Array): Uint8Array {
    this.frames.push([...mosi]);
    return mosi.map((b) => (b + 1) & 0xff);
  }
}

describe('virtual board: running a board bundle', () => {
  before(function () {
    this.timeout(120000);
    ensureBuilt();
  });

  // The default bundle is the echo service (firmware/app/main.ts): it brings the W5500 up, which a
  // register stub allows, and then cannot open a socket, since a stub never completes a command.
  const UP = 'W5500 up on espruino-pico: 192.168.1.20';
  const NO_SOCKETS = 'echo service failed: error 10050';

  it('dist/espruino-pico.js brings up the W5500 stub on SPI2/B10, starting with one read of the common block', () => {
    const board = pico();
    board.attachSpi('SPI2', 'B10', new W5500RegisterStub());
    assert.equal(board.load(bundle('espruino-pico'), 'dist/espruino-pico.js'), undefined);
    board.runFor(100);
    assert.deepEqual(board.log.console, [UP, NO_SOCKETS]);
    assert.equal(board.log.spi[0].port, 'SPI2');
    assert.equal(board.log.spi[0].cs, 'B10');
    assert.deepEqual([...board.log.spi[0].mosi], [0x00, 0x00, 0x00, ...new Array(0x3a).fill(0)], 'MR…VERSIONR in one frame');
    assert.equal(board.log.spi[0].miso[3 + 0x39], 0x04, 'VERSIONR');
    assert.deepEqual(board.log.spiSetups, [{ port: 'SPI2', options: { sck: 'B13', miso: 'B14', mosi: 'B15', baud: 8000000, mode: 0, order: 'msb' } }]);
    assert.deepEqual(board.log.pinWrites.map((w) => [w.pin, w.high]), [['B10', true], ['B3', true], ['B3', false], ['B3', true]], 'an RSTn pulse');
    assert.equal(board.readPin('B10'), true);
    assert.deepEqual(board.errors, []);
  });

  it('every W5500 board bundle finds the stub on the SPI port and CS pin its boards/ file names', () => {
    for (const name of knownBoards().filter((b) => readWiring(b).nic === 'w5500')) {
      const w = readWiring(name);
      const board = new VirtualBoard({ clock: new VirtualClock(), boardName: name });
      board.attachSpi(w.spi, w.cs, new W5500RegisterStub());
      board.load(bundle(name), `dist/${name}.js`);
      assert.deepEqual([board.log.spi[0].port, board.log.spi[0].cs], [w.spi, w.cs], name);
      assert.deepEqual(board.log.console, [`W5500 up on ${name}: 192.168.1.20`, NO_SOCKETS], name);
      assert.deepEqual(board.errors, [], name);
    }
  });

  it('with no chip on the bus MISO floats high and the bundle names the likely cause', () => {
    const board = pico();
    board.load(bundle('espruino-pico'));
    assert.deepEqual(board.log.console, ['W5500 bring-up failed: no W5500 answers: MISO reads all 0xFF (no chip, no power, or wrong CS pin)']);
    assert.equal(board.log.spiCount, 1);
  });

  it('a board file with shortTexts (the Original) gives the code instead, which the README\'s table explains', () => {
    const board = new VirtualBoard({ clock: new VirtualClock(), boardName: 'espruino-original' });
    board.load(bundle('espruino-original'));
    assert.deepEqual(board.log.console, ['W5500 bring-up failed: error -3']);
    assert.doesNotMatch(bundle('espruino-original'), /MISO reads/);
    assert.deepEqual(board.errors, []);
  });

  it('reset() runs the bundle\'s kill handler and boot() its init handler, which brings the chip up again', () => {
    const board = pico();
    const stub = new W5500RegisterStub();
    board.attachSpi('SPI2', 'B10', stub);
    board.load(bundle('espruino-pico'));
    const first = stub.frames;
    assert.ok(first > 1);
    board.reset();
    assert.equal(stub.frames, first);
    assert.equal(board.timerCount(), 0);
    assert.equal(board.watchCount(), 0);
    board.boot();
    assert.ok(stub.frames > first);
    assert.deepEqual(board.log.console, [UP, NO_SOCKETS, UP, NO_SOCKETS]);
    assert.deepEqual(board.errors, []);
  });
});

describe('virtual board: only Espruino globals', () => {
  const missing: Array<[string, string, string]> = [
    ['new Map()', 'ReferenceError', '"Map" is not available on Espruino'],
    ['new Set()', 'ReferenceError', '"Set" is not available on Espruino'],
    ['new WeakMap()', 'ReferenceError', '"WeakMap" is not available on Espruino'],
    ['Symbol("x")', 'ReferenceError', '"Symbol" is not available on Espruino'],
    ['globalThis.x = 1', 'ReferenceError', '"globalThis" is not available on Espruino'],
    ['Reflect.ownKeys({})', 'ReferenceError', '"Reflect" is not available on Espruino'],
    ['new Proxy({}, {})', 'ReferenceError', '"Proxy" is not available on Espruino'],
    ['queueMicrotask(function () {})', 'ReferenceError', '"queueMicrotask" is not available on Espruino'],
    ['setImmediate(function () {})', 'ReferenceError', '"setImmediate" is not available on Espruino'],
    ['Buffer.from("a")', 'ReferenceError', '"Buffer" is not available on Espruino'],
    ['Array.from([1])', 'TypeError', 'Array.from is not available on Espruino'],
    ['Array.of(1)', 'TypeError', 'Array.of is not available on Espruino'],
    ['Number.isInteger(1)', 'TypeError', 'Number.isInteger is not available on Espruino'],
    ['Object.freeze({})', 'TypeError', 'Object.freeze is not available on Espruino'],
    ['Promise.resolve(1).finally(function () {})', 'TypeError', 'Promise.prototype.finally is not available on Espruino'],
    ['process.nextTick(function () {})', 'TypeError', 'process.nextTick is not available on Espruino'],
  ];
  for (const [code, name, message] of missing) {
    it(`${code} → ${name}: ${message}`, () => {
      const board = pico();
      const err = board.load(code);
      assert.deepEqual(err && [err.where, err.name, err.message], ['load', name, message]);
      assert.deepEqual(board.log.console, [`Uncaught ${name}: ${message}`]);
    });
  }

  it('the error is the bundle\'s own ReferenceError/TypeError, catchable by instanceof', () => {
    const board = pico();
    board.load('try { new Map(); } catch (e) { console.log(e instanceof ReferenceError, e.message); }' +
      'try { Array.from([]); } catch (e) { console.log(e instanceof TypeError, e.message); }');
    assert.deepEqual(board.log.console, ['true "Map" is not available on Espruino', 'true Array.from is not available on Espruino']);
  });

  it('keeps the ECMAScript built-ins Espruino has', () => {
    const board = pico();
    board.load([
      'var a = new Uint8Array(4); a.set([1, 2], 1);',
      'var o = Object.assign({ x: 1 }, { y: 2 });',
      'console.log(a.subarray(1, 3).join(","), JSON.stringify(o), Object.keys(o).length, Math.sign(-3), parseInt("ff", 16),',
      '  [3, 1, 2].includes(2), "ab".padStart(3, "-"), typeof Promise.resolve, typeof DataView, String(new Error("e").message));',
    ].join('\n'));
    assert.deepEqual(board.errors, []);
    assert.deepEqual(board.log.console, ['1,2 {"x":1,"y":2} 2 -1 255 true -ab function function e']);
  });

  it('process.memory() and process.env look like the board; require() knows its built-in modules only', () => {
    const board = pico();
    board.load('var m = process.memory(); console.log(m.total, m.blocksize, m.free + m.usage === m.total, process.env.BOARD, process.env.VERSION);' +
      'try { require("fs"); } catch (e) { console.log(e.message); }' +
      'var c = require("crypto"); try { c.SHA1("x"); } catch (e) { console.log(e.message); }' +
      'console.log(typeof require("net").connect, typeof require("http").createServer, typeof require("NetworkJS").create);');
    assert.deepEqual(board.log.console, [
      '5100 13 true PICO_R1_3 2v29',
      'Module "fs" not found',
      'module "crypto" is not modelled on the virtual board (crypto.SHA1)',
      'function function function',
    ]);
    const wifi = new VirtualBoard({ clock: new VirtualClock(), boardName: 'espruino-wifi' });
    wifi.load('console.log(process.memory().total, process.env.BOARD)');
    assert.deepEqual(wifi.log.console, ['8190 ESPRUINOWIFI']);
  });
});

describe('virtual board: timers, watches and the loop', () => {
  it('runs timers in due order at their virtual times; getTime() is seconds', () => {
    const board = pico({ getTimeCostMs: 0 });
    board.load('setTimeout(function () { print("b", getTime()); }, 20);' +
      'setTimeout(function (x, y) { print("a", getTime(), x + y); }, 10, 2, 3);' +
      'var n = 0, id = setInterval(function () { print("i", getTime()); if (++n === 3) clearInterval(id); }, 15);');
    board.runFor(100);
    assert.deepEqual(board.log.console, ['a 0.01 5', 'i 0.015', 'b 0.02', 'i 0.03', 'i 0.045']);
    assert.equal(board.timerCount(), 0);
  });

  it('clearTimeout(undefined) throws Espruino\'s error; an unknown id is ignored', () => {
    const board = pico();
    board.load('try { clearTimeout(undefined); } catch (e) { print(e instanceof Error, e.message); }' +
      'try { clearInterval(undefined); } catch (e) { print(e.message); }' +
      'try { clearWatch(undefined); } catch (e) { print(e.message); }' +
      'clearTimeout(12345); print("ok");');
    assert.deepEqual(board.log.console, [
      'true clearTimeout(undefined) not allowed. Use clearTimeout() instead',
      'clearInterval(undefined) not allowed. Use clearInterval() instead',
      'clearWatch(undefined) not allowed. Use clearWatch() instead',
      'ok',
    ]);
  });

  it('clearTimeout() with no argument clears every timer and interval', () => {
    const board = pico();
    board.load('setTimeout(function () { print("t"); }, 10); setInterval(function () { print("i"); }, 5); print(typeof setTimeout(function () {}, 1)); clearTimeout();');
    assert.equal(board.timerCount(), 0);
    board.runFor(1000);
    assert.deepEqual(board.log.console, ['number']);
  });

  it('a busy wait on getTime() ends on a virtual clock, and runs no timer meanwhile', () => {
    const board = pico();
    board.load('setTimeout(function () { print("timer", getTime() >= 0.005); }, 1);' +
      'var until = getTime() + 0.005; while (getTime() < until) {} print("waited");');
    assert.ok(board.now() >= 5 && board.now() < 5.1, String(board.now()));
    assert.deepEqual(board.log.console, ['waited']);
    board.runFor(0);
    assert.deepEqual(board.log.console, ['waited', 'timer true']);
  });

  it('setWatch callbacks arrive from the loop, after the edge, with state, time and lastTime', () => {
    const board = pico({ getTimeCostMs: 0 });
    const int = new ChipPin(true);
    board.attachPin('A8', int);
    board.load('setWatch(function (e) { print("fall", e.state, e.time, e.lastTime); }, A8, { repeat: true, edge: "falling" });' +
      'setWatch(function (e) { print("both", e.state, e.time, digitalRead(A8)); }, A8, { repeat: true, edge: "both" });' +
      'setWatch(function (e) { print("once", e.state); }, A8, { edge: "rising" });' +
      'print("read", digitalRead(A8));');
    board.runFor(5);
    int.set(false);
    assert.deepEqual(board.log.console, ['read 1'], 'no callback inside the edge');
    board.runFor(0);
    board.runFor(5);
    int.set(true);
    board.runFor(5);
    int.set(false);
    int.set(true);
    board.runFor(1);
    assert.deepEqual(board.log.console, [
      'read 1',
      'fall false 0.005 0', 'both false 0.005 0',
      'both true 0.01 1', 'once true',
      'fall false 0.015 0.01', 'both false 0.015 1', 'both true 0.015 1',
    ]);
    assert.equal(board.watchCount(), 2);
  });

  it('a debounced watch ignores a pulse shorter than the debounce time', () => {
    const board = pico({ getTimeCostMs: 0 });
    const pin = new ChipPin(true);
    board.attachPin('A8', pin);
    board.load('setWatch(function (e) { print(e.state, e.time); }, A8, { repeat: true, edge: "both", debounce: 10 });');
    board.runFor(1);
    pin.set(false);
    board.runFor(3);
    pin.set(true);
    board.runFor(20);
    pin.set(false);
    board.runFor(20);
    assert.deepEqual(board.log.console, ['false 0.024']);
  });

  it('an exception in a timer is caught, logged and counted as CALLBACK; the loop goes on', () => {
    const board = pico();
    board.load('setTimeout(function () { throw new Error("boom"); }, 10); setTimeout(function () { print("after", E.getErrorFlags().join()); print(E.getErrorFlags().length); }, 20);');
    board.runFor(30);
    assert.deepEqual(board.errors, [{ where: 'timeout', name: 'Error', message: 'boom', time: 10 }]);
    assert.deepEqual(board.log.console, ['Uncaught Error: boom', 'after CALLBACK', '0']);
  });

  it('a callback that never returns becomes an error after callbackTimeoutMs', () => {
    const board = pico({ callbackTimeoutMs: 50 });
    board.load('setTimeout(function () { for (;;) {} }, 1); setTimeout(function () { print("still running"); }, 2);');
    board.runFor(5);
    assert.equal(board.errors.length, 1);
    assert.equal(board.errors[0].where, 'timeout');
    assert.match(board.errors[0].message, /timed out/);
    assert.deepEqual(board.log.console.slice(1), ['still running']);
  });

  it('reset() runs kill handlers and drops timers and watches; boot() runs init handlers', () => {
    const board = pico();
    board.attachPin('A8', new ChipPin(true));
    board.load('E.on("kill", function () { print("kill"); }); E.on("init", function () { print("init"); setTimeout(function () { print("t2"); }, 1); });' +
      'setInterval(function () { print("tick"); }, 10); setWatch(function () {}, A8, { repeat: true });');
    board.runFor(10);
    board.reset();
    assert.equal(board.timerCount(), 0);
    assert.equal(board.watchCount(), 0);
    board.runFor(100);
    board.boot();
    board.runFor(5);
    assert.deepEqual(board.log.console, ['tick', 'kill', 'init', 't2']);
  });
});

describe('virtual board: other clocks and promises', () => {
  it('runs on a RealClock: timers fire in wall time while wait() lets it pass', async () => {
    const clock = new RealClock();
    const board = new VirtualBoard({ clock, boardName: 'espruino-pico' });
    board.load('var t0 = getTime(); setTimeout(function () { print("late enough", getTime() - t0 >= 0.019); }, 20);');
    assert.deepEqual(board.log.console, []);
    await board.wait(80);
    assert.deepEqual(board.log.console, ['late enough true']);
    assert.throws(() => board.runFor(1), /need a VirtualClock/);
    clock.clearAll();
  });

  it('promise callbacks run when the script or callback that queued them returns, before the next timer', () => {
    const board = pico();
    board.load('setTimeout(function () { print("timer"); }, 0); Promise.resolve(1).then(function (v) { print("then", v); }); print("sync");');
    assert.deepEqual(board.log.console, ['sync', 'then 1']);
    board.runFor(1);
    assert.deepEqual(board.log.console, ['sync', 'then 1', 'timer']);
  });
});

describe('virtual board: SPI', () => {
  it('SPI.send returns a number for a number, a String for a String and a Uint8Array otherwise', () => {
    const board = pico();
    board.attachSpi('SPI2', 'B10', new PlusOne());
    board.load('var n = SPI2.send(0x41, B10), s = SPI2.send("AB", B10), u = SPI2.send([1, [2, 3], { data: 4, count: 2 }], B10);' +
      'var t = SPI2.send(new Uint8Array([9]), B10);' +
      'print(typeof n, n, typeof s, s, u instanceof Uint8Array, u.join(), t instanceof Uint8Array, t[0]);');
    assert.deepEqual(board.errors, []);
    assert.deepEqual(board.log.console, ['number 66 string BC true 2,3,4,5,5 true 10']);
  });

  it('send drives nss low around the exchange; without nss the chip whose CS is low answers', () => {
    const board = pico();
    const chip = new PlusOne();
    const levels: boolean[] = [];
    board.attachSpi('SPI2', 'B10', chip);
    board.onPinWrite('B10', (high) => levels.push(high));
    board.load('SPI2.write(1, 2, B10); digitalWrite(B10, 0); var r = SPI2.send([7, 8]); digitalWrite(B10, 1); var f = SPI2.send([7]); print(r.join(), f.join());');
    assert.deepEqual(chip.frames, [[1, 2], [7, 8]]);
    assert.deepEqual(levels, [false, true, false, true]);
    assert.deepEqual(board.log.console, ['8,9 255']);
    assert.deepEqual(board.log.spi.map((t) => t.cs), ['B10', 'B10', undefined]);
  });

  it('spi.setup rejects a baud rate below 100 as Espruino does', () => {
    const board = pico();
    const err = board.load('SPI1.setup({ baud: 50 })');
    assert.deepEqual(err && [err.name, err.message], ['Error', 'Invalid SPI baud rate']);
  });
});
