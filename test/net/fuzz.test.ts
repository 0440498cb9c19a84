import assert from 'node:assert/strict';
import { fuzz } from '../../sim/net/stack-fuzz';
import { fuzzTcp } from '../../sim/net/stack-fuzz-tcp';

describe('net fuzz (short run; npm run fuzz runs 1,000,000 frames)', () => {
  it('20,000 mutated frames between live UDP and TCP traffic: nothing escapes, every invariant holds, every path is reached', function () {
    this.timeout(120000); // ~1 s alone; the machine may be shared
    const r = fuzz(20000, 20250, fuzzTcp());
    assert.equal(r.failure, null);
    assert.equal(r.frames, 20000);
    // the mutations reach every layer: frames are delivered at each, and dropped for each kind of fault
    assert.match(r.tcp, /B opened [1-9][0-9]* connections, saw [1-9][0-9]* end, echoed [1-9]/);
    assert.ok(r.delivered.arp > 0 && r.delivered.icmpEcho > 0 && r.delivered.udp > 0 && r.delivered.upper > 0, JSON.stringify(r.delivered));
    for (const k of ['eth-short', 'eth-long', 'eth-not-us', 'eth-type', 'arp-format', 'ip-length', 'ip-checksum', 'ip-options',
      'ip-fragment', 'icmp-checksum', 'udp-checksum', 'udp-no-port']) assert.ok(r.drops[k] > 0, k);
  });
});
