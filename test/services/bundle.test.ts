import assert from 'node:assert/strict';
import path from 'node:path';
import { checkSource, formatFinding } from '../../tools/check-bundle.js';
import { buildNet } from '../../tools/net-bundle';

// The services are wired into a board by the runtime that starts them; until a board bundle holds
// them, bundle them alone through the boards' pipeline and hold them to the same Espruino rules.
describe('services bundle gate (firmware/services through rollup.config.js)', () => {
  it('bundles the DHCP client and the DNS resolver with everything they import and passes the Espruino gate', async function () {
    this.timeout(600000); // one rollup + terser run: seconds alone, minutes on a loaded machine
    const code = await buildNet([
      `import { DhcpClient } from ${JSON.stringify(path.resolve('firmware/services/dhcp.ts'))};`,
      `import { DnsResolver } from ${JSON.stringify(path.resolve('firmware/services/dns.ts'))};`,
      'global.services = [DhcpClient, DnsResolver];',
    ].join('\n'));
    assert.ok(code.includes('new Uint16Array('), 'the drop counters are in the bundle');
    assert.deepEqual(checkSource(code, 'firmware-services.js').map(formatFinding), []);
  });
});
