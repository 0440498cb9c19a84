import assert from 'node:assert/strict';
import * as net from 'node:net';
import { KernelPeerConn } from '../../sim/conformance/kernel-peers';

/**
 * The kernel peer of the conformance suite and the soak reports what came on the wire: a RST that
 * arrives right behind data is a reset, not the end of the stream. (libuv reads the data, sees POLLHUP
 * and reports EOF, which Node turns into 'end'; a peer believing that would take a connection the
 * device lost for a graceful one.)
 */
describe('kernel peer: FIN and RST as they came on the wire', function () {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanup.splice(0)) c();
  });

  /** a connected pair on loopback: `peer` (under test) and `other`, its far end */
  async function pair(): Promise<{ peer: KernelPeerConn; other: net.Socket }> {
    const srv = net.createServer({ allowHalfOpen: true });
    cleanup.push(() => srv.close());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const accepted = new Promise<net.Socket>((r) => srv.once('connection', r));
    const other = net.connect({ port: (srv.address() as net.AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true });
    other.on('error', () => {});
    cleanup.push(() => other.destroy());
    await new Promise((r) => other.once('connect', r));
    const s = await accepted;
    cleanup.push(() => s.destroy());
    return { peer: new KernelPeerConn(s), other };
  }

  async function settled(p: KernelPeerConn): Promise<void> {
    const end = Date.now() + 2000;
    while (!p.ended && !p.wasReset && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  }

  it('data then RST in one go: every byte, then a reset, never "end"', async () => {
    for (let round = 0; round < 5; round++) {
      const { peer, other } = await pair();
      // both reach the kernel before this thread's event loop reads: data and RST wait together
      other.write(Buffer.alloc(2048, 7));
      other.resetAndDestroy();
      await settled(peer);
      assert.deepEqual({ ended: peer.ended, wasReset: peer.wasReset, log: peer.log }, { ended: false, wasReset: true, log: ['data', 'reset'] }, 'round ' + round);
      assert.equal(peer.received().length, 2048);
    }
  });

  it('data then FIN: every byte, then "end"', async () => {
    const { peer, other } = await pair();
    let ends = 0;
    peer.onEnd = () => ends++;
    other.end(Buffer.alloc(2048, 7));
    await settled(peer);
    assert.deepEqual({ ended: peer.ended, wasReset: peer.wasReset, log: peer.log }, { ended: true, wasReset: false, log: ['data', 'end'] });
    assert.equal(peer.received().length, 2048);
    assert.equal(ends, 1);
  });
});
