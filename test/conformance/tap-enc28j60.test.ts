/**
 * The conformance suite, unchanged, on the software transport over the ENC28J60 model and its driver, through a TAP
 * device with kernel peers in a namespace the rig creates (and removes). Real time. The namespace, the TAP, the chip
 * thread and the peers are built once for the file; each rig is a fresh firmware on them. With CI=true a TAP side that
 * cannot be built fails the tests; elsewhere they skip loudly.
 */
import { conformanceSuite } from './suite';
import { tapRigs } from '../../sim/conformance/tap-rig';

describe('conformance through TAP: ENC28J60', function () {
  const rigs = tapRigs('enc28j60');
  before(async function () {
    this.timeout(120000);
    await rigs.open();
  });
  after(() => rigs.close());
  // a test may take as long as its own longest wait: the retransmission timeout's FD_CLOSE is waited for up to 60 s, and
  // our stack's RTO follows the measured round trip (RFC 6298), which a loaded machine stretches past the nominal 6.3 s
  conformanceSuite('conformance: ENC28J60 + software transport, TAP (kernel peers in a namespace)', rigs.factory, { timeout: 70000 });
});
