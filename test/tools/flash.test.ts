import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { knownBoards, repoRoot } from '../../sim/board/wiring';
import { ensureBundle } from '../../tools/bundle-cache';
import { parseFlashArgs, espruinoArgs, shellQuote, boardJson, storageBytes, ESPRUINO_CLI, UsageError } from '../../tools/flash';

function flash(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'tools/flash.ts', ...args], { cwd: repoRoot, encoding: 'utf8' });
}

const known = knownBoards().join(', ');

describe('npm run flash', () => {
  before(async function () {
    this.timeout(240000);
    await ensureBundle('dist/espruino-pico.js');
    await ensureBundle('dist/espruino-original.js');
  });

  it('an unknown board exits 2 and lists the known ones', () => {
    const r = flash('--board', 'pico', '--port', '/dev/ttyACM0');
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim(), `flash: unknown board "pico"; known boards: ${known}`);
    assert.equal(r.stdout, '');
  });

  it('a missing --port exits 2', () => {
    const r = flash('--board', 'espruino-pico');
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim(), 'flash: missing --port (the board\'s serial device, e.g. --port /dev/ttyACM0)');
  });

  it('argument errors are usage errors with exit code 2, each naming what to do', () => {
    const usage = (argv: string[], message: string) => assert.throws(() => parseFlashArgs(argv), (e: unknown) => e instanceof UsageError && e.exitCode === 2 && e.message === message);
    usage(['--port', '/dev/ttyACM0'], `missing --board; known boards: ${known}`);
    usage(['--board', 'espruino-pico', '--port', 'x', '--baud', '9600'], 'unknown option "--baud" (npm run flash -- --help lists the options)');
    usage(['--board', 'espruino-pico', '--port'], '--port needs a value (DEVICE)');
    usage(['--board', 'espruino-pico', '--port', 'x', '--app', 'tools/start.ts'], '--app tools/start.ts: not an application the build makes; use firmware/app/main.ts or examples/http-client.ts or examples/http-server.ts or examples/six-step.ts');
    usage(['--board', 'espruino-pico', '--port', 'x', '--nic', 'cs8900'], 'no board file wires a cs8900 to espruino-pico (boards/espruino-pico.ts carries w5500; no board file carries a cs8900 yet)');
    assert.deepEqual(parseFlashArgs(['--board', 'espruino-wifi', '-p', 'COM3', '--dry-run']), { board: 'espruino-wifi', port: 'COM3', dryRun: true, bundle: 'dist/espruino-wifi.js' });
    assert.deepEqual(parseFlashArgs(['--board', 'espruino-pico', '--port', '/dev/ttyACM0', '--nic', 'w5500', '--app', 'examples/six-step.ts']),
      { board: 'espruino-pico', port: '/dev/ttyACM0', dryRun: false, bundle: 'dist/six-step-espruino-pico.js' });
    // --nic picks the board file that wires that NIC to the board
    for (const b of ['espruino-pico', 'espruino-wifi', 'espruino-original', 'esp32-devkit']) {
      assert.deepEqual(parseFlashArgs(['--board', b, '--port', 'x', '--nic', 'enc28j60']),
        { board: b + '-enc28j60', port: 'x', dryRun: false, bundle: `dist/${b}-enc28j60.js` });
    }
    assert.equal(parseFlashArgs(['--board', 'espruino-pico', '--port', 'x', '--nic', 'enc28j60', '--app', 'examples/six-step.ts']).bundle,
      'dist/six-step-espruino-pico-enc28j60.js');
  });

  it('--help lists every option and exits 0', () => {
    const r = flash('--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^usage: npm run flash -- \[options\]$/m);
    for (const o of ['--board NAME', '-p, --port DEVICE', '--nic NIC', '--app FILE', '--dry-run', '-h, --help']) assert.ok(r.stdout.includes(o), o);
  });

  it('a bundle too large for the board\'s flash Storage is refused before anything is uploaded (exit 1)', function () {
    this.timeout(60000);
    assert.equal(storageBytes('espruino-original'), 20480);
    const r = flash('--board', 'espruino-original', '--port', '/dev/ttyACM0', '--dry-run');
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /^flash: dist\/espruino-original\.js takes (\d{5}) bytes in Storage \(pretokenised\) and espruino-original's flash Storage holds 20480: it does not fit, nothing was uploaded\. Flash a board with more Storage \(npm run check:bundle lists what fits where\) or a smaller --app\.\n$/);
    assert.ok(!r.stdout.includes(ESPRUINO_CLI), 'no upload command after the refusal');
  });

  it('a port that does not exist is exit 1 naming what to do', function () {
    this.timeout(60000);
    const r = flash('--board', 'espruino-pico', '--port', '/dev/ttyNOPE0');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^flash: serial port \/dev\/ttyNOPE0 not found: plug the board in \(its port shows in ls \/dev\/ttyACM\* \/dev\/ttyUSB\*\), then run the command again\n$/);
  });

  it('the espruino-tools command line for each board: local board JSON, upload into flash (.bootcde)', () => {
    const lines = ['esp32-devkit', 'espruino-original', 'espruino-pico', 'espruino-wifi'].map((b) => shellQuote([ESPRUINO_CLI, ...espruinoArgs(b, '/dev/ttyACM0')]));
    assert.deepEqual(lines, [
      "node_modules/.bin/espruino --no-ble --board dist/esp32-devkit.board.json -b 115200 -p /dev/ttyACM0 --config SAVE_ON_SEND=1 --config PRETOKENISE=1 dist/esp32-devkit.js",
      "node_modules/.bin/espruino --no-ble --board dist/espruino-original.board.json -b 115200 -p /dev/ttyACM0 --config SAVE_ON_SEND=1 --config PRETOKENISE=1 dist/espruino-original.js",
      "node_modules/.bin/espruino --no-ble --board dist/espruino-pico.board.json -b 115200 -p /dev/ttyACM0 --config SAVE_ON_SEND=1 --config PRETOKENISE=1 dist/espruino-pico.js",
      "node_modules/.bin/espruino --no-ble --board dist/espruino-wifi.board.json -b 115200 -p /dev/ttyACM0 --config SAVE_ON_SEND=1 --config PRETOKENISE=1 dist/espruino-wifi.js",
    ]);
  });

  it('--dry-run checks the size and prints the command instead of running it', function () {
    this.timeout(60000);
    const r = flash('--board', 'espruino-pico', '--port', '/dev/ttyACM0', '--dry-run');
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout.trim().split('\n');
    assert.equal(out.length, 3, r.stdout);
    assert.match(out[0], /^dist\/espruino-pico\.js is up to date \(sources unchanged, checked in \d+\.\d s\)$/);
    assert.match(out[1], /^dist\/espruino-pico\.js: \d{5} bytes pretokenised, 49152 bytes of Storage on espruino-pico$/);
    assert.equal(out[2], "node_modules/.bin/espruino --no-ble --board dist/espruino-pico.board.json -b 115200 -p /dev/ttyACM0 --config SAVE_ON_SEND=1 --config PRETOKENISE=1 dist/espruino-pico.js");
  });

  it('the board JSON carries what espruino-tools reads offline: BOARD, version, built-in modules, chip', () => {
    assert.deepEqual(boardJson('espruino-pico'), {
      BOARD: 'PICO_R1_3',
      info: { name: 'Espruino Pico', binary_version: '2v29', builtin_modules: ['Flash', 'Storage', 'heatshrink', 'net', 'dgram', 'http', 'NetworkJS', 'crypto', 'neopixel'] },
      chip: { family: 'STM32F4', part: 'STM32F401CDU6' },
    });
    assert.equal((boardJson('esp32-devkit') as { BOARD: string }).BOARD, 'ESP32');
  });
});
