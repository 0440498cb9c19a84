import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../../sim/board/wiring';
import { ensureBuilt } from '../board/built';

describe('npm start (tools/start.ts)', () => {
  before(function () {
    this.timeout(120000);
    ensureBuilt();
  });

  it('runs the Pico bundle on the virtual board with the W5500 model and a PC peer talks to its echo service', function () {
    this.timeout(20000);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'tools/start.ts'], { cwd: repoRoot, encoding: 'utf8', timeout: 15000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.ok(Date.now() - t0 < 12000, 'bounded in time');
    // the PC peer's source port is the kernel's choice
    const lines = r.stdout.trim().split('\n').map((l) => l.replace(/192\.168\.1\.10:\d+$/, '192.168.1.10:PORT'));
    assert.deepEqual(lines, [
      'virtual Espruino Pico (espruino-pico): W5500 model on SPI2, CS B10, INT A8, RST B3; host network, real time',
      '> W5500 up on espruino-pico: 192.168.1.20',
      '> echo service on port 7',
      '> FD_ACCEPT s1',
      '> s2: accepted 192.168.1.10:PORT',
      '> FD_WRITE s2',
      '> FD_READ s2',
      '> s2: echoed 23 of 23 bytes',
      '> FD_CLOSE s2',
      '> s2: closed, graceful, 0 bytes unsent',
      'PC peer: connected to 192.168.1.20:7 (loopback 127.0.0.20, from 192.168.1.10)',
      'PC peer: sent "hello from the PC peer\\n"',
      'PC peer: received "hello from the PC peer\\n"',
      'PC peer: shut down sending (FIN)',
      'PC peer: end of stream (the device closed)',
      'PC peer: closed',
      'event order: device FD_ACCEPT → FD_WRITE → FD_READ → FD_CLOSE → closed; PC peer connected → sent → received → shut → end → closed',
      'echo OK',
    ]);
  });

  it('an unknown --board exits 2', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'tools/start.ts', '--board', 'nope'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown board "nope"; known boards: esp32-devkit, espruino-original, espruino-pico, espruino-wifi/);
  });
});
