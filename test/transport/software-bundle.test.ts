import assert from 'node:assert/strict';
import path from 'node:path';
import { checkSource, formatFinding } from '../../tools/check-bundle.js';
import { buildNet } from '../../tools/net-bundle';

// No board bundle carries the software transport yet (ENC28J60 board files are still to come), so the
// bundle gate would not see it: bundle it with the ENC28J60 driver and the stack builder through the
// boards' pipeline, kept alive as a board would, and hold it to the same rules.
describe('software transport bundle gate (firmware/transport/software + hal/enc28j60 through rollup.config.js)', () => {
  it('bundles the stack builder, the software transport and the ENC28J60 driver, and passes the Espruino gate', async function () {
    this.timeout(600000); // one rollup + terser run: ~10 s alone, minutes on a loaded machine
    const entry = [
      `import { startEnc28j60 } from ${JSON.stringify(path.resolve('firmware/stacks/enc28j60-software.ts'))};`,
      'global.startEnc28j60 = startEnc28j60;',
    ].join('\n');
    const code = await buildNet(entry);
    assert.ok(code.includes('new Uint16Array('), 'the checksum is in the bundle');
    assert.ok(code.includes('ENC28J60 bring-up failed: '), 'the stack builder is in the bundle');
    assert.deepEqual(checkSource(code, 'software-transport.js').map(formatFinding), []);
  });
});
