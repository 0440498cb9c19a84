import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../../sim/board/wiring';
import { ensureBuilt } from '../board/built';

describe('npm start (tools/start.ts)', () => {
  before(function () {
    this.timeout(120000);
    ensureBuilt();
  });

  it('runs the Pico bundle on the virtual board with the stub and prints what it did', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'tools/start.ts', '--ms', '200'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      'virtual Espruino Pico (espruino-pico): W5500 register stub on SPI2, CS B10, INT A8; running 200 ms of virtual time',
      '> W5500 found on espruino-pico (VERSIONR 0x04)',
      'SPI transactions: 1',
      '  0.000 ms SPI2/B10  MOSI 00 39 00 00  MISO 01 02 03 04',
      'timers 0, watches 0, errors 0',
    ]);
  });

  it('an unknown --board exits 2', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'tools/start.ts', '--board', 'nope'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown board "nope"; known boards: esp32-devkit, espruino-original, espruino-pico, espruino-wifi/);
  });
});
