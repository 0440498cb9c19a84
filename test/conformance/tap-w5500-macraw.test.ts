/**
 * The conformance suite, unchanged, on the software transport over the W5500 model with socket 0 in MACRAW and the
 * MACRAW driver, through a TAP device with kernel peers in a namespace the rig creates (and removes). Real time. The
 * namespace, the TAP, the chip thread and the peers are built once for the file; each rig is a fresh firmware on them.
 * With CI=true a TAP side that cannot be built fails the tests; elsewhere they skip loudly.
 */
import assert from 'node:assert/strict';
import { conformanceSuite } from './suite';
import { tapRigs } from '../../sim/conformance/tap-rig';
import { RigUnavailable } from '../../sim/conformance/rig';
import type { ConformanceRig } from '../../sim/conformance/rig';
import { FdEvent } from '../../firmware/socket/constants';
import { WSAError } from '../../firmware/socket/errors';
import { expectError, setNonBlocking, tcpSocket, waitFor } from './helpers';

describe('conformance through TAP: W5500 MACRAW', function () {
  const rigs = tapRigs('w5500-macraw');
  before(async function () {
    this.timeout(120000);
    await rigs.open();
  });
  after(() => rigs.close());

  // a test may take as long as its own longest wait: the retransmission timeout's FD_CLOSE is waited for up to 60 s, and
  // our stack's RTO follows the measured round trip (RFC 6298), which a loaded machine stretches past the nominal 6.3 s
  conformanceSuite('conformance: W5500 MACRAW + software transport, TAP (kernel peers in a namespace)', rigs.factory, { timeout: 70000 });

  describe('our stack through TAP: a refused connect and a reset differ', function () {
    this.timeout(20000);
    let rig: ConformanceRig | undefined;
    after(async () => { if (rig) await rig.close(); });

    it('the kernel answers our SYN to a port nobody listens on with RST: FD_CONNECT WSAECONNREFUSED (not WSAECONNRESET)', async function () {
      try {
        rig = await rigs.factory();
      } catch (e) {
        if (e instanceof RigUnavailable && process.env.CI !== 'true') {
          console.warn(`      SKIPPED: ${e.message}`);
          this.skip();
        }
        throw e;
      }
      const r = rig;
      const s = tcpSocket(r);
      setNonBlocking(r, s, true);
      const log: string[] = [];
      assert.equal(r.api.WSAAsyncSelect(s, (_h, ev, err) => { log.push(ev + ' ' + err); }, FdEvent.FD_CONNECT), 0);
      expectError(r, r.api.connect(s, r.peers.ip, 9), WSAError.WSAEWOULDBLOCK, 'non-blocking connect');
      await waitFor(r, () => log.length > 0, 'FD_CONNECT');
      assert.deepEqual(log, [FdEvent.FD_CONNECT + ' ' + WSAError.WSAECONNREFUSED]);
      assert.equal(r.api.closesocket(s, undefined), 0);
      assert.equal(r.freeEndpoints(), r.totalEndpoints);
    });
  });
});
