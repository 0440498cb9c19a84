import assert from 'node:assert/strict';
import { checkSource, formatFinding } from '../../tools/check-bundle.js';
import { buildNet, netEntry } from '../../tools/net-bundle';

// No board bundle wires firmware/net in yet, so the bundle gate would not see it: bundle it alone
// through the boards' pipeline and hold it to the same rules.
describe('net bundle gate (firmware/net through rollup.config.js)', () => {
  it('bundles the interface with everything it imports and passes the Espruino gate', async function () {
    this.timeout(600000); // one rollup + terser run: ~10 s alone, minutes on a loaded machine
    const code = await buildNet(netEntry());
    assert.ok(code.includes('new Uint16Array('), 'the checksum is in the bundle');
    assert.deepEqual(checkSource(code, 'firmware-net.js').map(formatFinding), []);
  });
});
