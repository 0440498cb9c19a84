import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { VirtualBoard } from '../../sim/board/index';
import { VirtualClock } from '../../sim/net/virtual-clock';
import { repoRoot } from '../../sim/board/wiring';

// dist/selftest.js (npm run build:selftest) on the virtual board: every scenario passes. Its console stays
// in board.log: its closing "N passed, N failed" line must not reach this runner's own output.
describe('on-Espruino self-test (dist/selftest.js) on the virtual board', () => {
  const file = path.join(repoRoot, 'dist', 'selftest.js');
  before(function () {
    this.timeout(300000);
    if (!fs.existsSync(file)) execSync('npm run build:selftest', { cwd: repoRoot, stdio: 'pipe' });
  });

  it('runs the scenarios and the 20 lifecycles: 6 passed, 0 failed, process.memory().usage last', function () {
    this.timeout(300000);
    const board = new VirtualBoard({ clock: new VirtualClock(), boardName: 'esp32-devkit', callbackTimeoutMs: 0 });
    board.load(fs.readFileSync(file, 'utf8'), 'dist/selftest.js');
    const lines = board.log.console;
    assert.deepEqual(board.errors, []);
    assert.deepEqual(lines.filter((l) => /^selftest: (ok|FAIL) /.test(l)).map((l) => l.replace(/, variables in use after each: .*$/, '')), [
      'selftest: ok blocking connect, send, recv, shutdown(SD_SEND), recv 0, graceful closesocket',
      'selftest: ok SO_LINGER 0: abortive close, no FIN, RST on the peer’s next segment',
      'selftest: ok six-step teardown with WSAAsyncSelect, exact event order',
      'selftest: ok echo under back-pressure (zero window, then draining)',
      'selftest: ok reclaim of a closing hardware socket',
      'selftest: ok 20 lifecycles of 64 KiB',
    ]);
    assert.equal(lines[lines.length - 2], 'selftest: 6 passed, 0 failed');
    assert.match(lines[lines.length - 1], /^selftest: process\.memory\(\)\.usage \d+$/);
  });
});
