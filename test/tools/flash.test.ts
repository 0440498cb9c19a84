import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../../sim/board/wiring';
import { parseFlashArgs, espruinoArgs, shellQuote, boardJson, ESPRUINO_CLI, UsageError } from '../../tools/flash';

function flash(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'tools/flash.ts', ...args], { cwd: repoRoot, encoding: 'utf8' });
}

const known = 'esp32-devkit, espruino-original, espruino-pico, espruino-wifi';

describe('npm run flash', () => {
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

  it('argument errors are usage errors with exit code 2', () => {
    assert.throws(() => parseFlashArgs(['--port', '/dev/ttyACM0']), (e: unknown) => e instanceof UsageError && e.exitCode === 2 && e.message === `missing --board; known boards: ${known}`);
    assert.throws(() => parseFlashArgs(['--board', 'espruino-pico', '--port', 'x', '--baud', '9600']), /unknown argument "--baud"/);
    assert.deepEqual(parseFlashArgs(['--board', 'espruino-wifi', '-p', 'COM3', '--dry-run']), { board: 'espruino-wifi', port: 'COM3', dryRun: true });
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

  it('--dry-run prints the command instead of running it', () => {
    const r = flash('--board', 'espruino-pico', '--port', '/dev/ttyACM0', '--dry-run');
    assert.equal(r.status, 0);
    const out = r.stdout.trim().split('\n');
    assert.equal(out[out.length - 1], "node_modules/.bin/espruino --no-ble --board dist/espruino-pico.board.json -b 115200 -p /dev/ttyACM0 --config SAVE_ON_SEND=1 --config PRETOKENISE=1 dist/espruino-pico.js");
    assert.ok(out.length === 1 || (out.length === 2 && out[0] === 'npm run build'), r.stdout);
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
