/**
 * The namespace peers (sim/conformance/ns-peers.ts): the kernel's TCP inside a namespace this test creates, driven
 * through the agent. Both ends are the agent's here (the namespace's own address on lo), so every event the
 * conformance suite reads — data, FIN, RST — is checked against the kernel.
 */
import assert from 'node:assert/strict';
import { NetNamespace, netnsUnavailable } from '../../sim/net/netns';
import { NamespacePeers } from '../../sim/conformance/ns-peers';
import type { PeerConn } from '../../sim/conformance/rig';
import { until } from '../real-time';

describe('namespace peers: the kernel TCP inside a namespace, through the agent', function () {
  this.timeout(20000);
  let ns: NetNamespace | undefined;
  let peers: NamespacePeers | undefined;

  before(async function () {
    const why = netnsUnavailable();
    if (why) {
      if (process.env.CI === 'true') throw new Error('CI: namespaces are required but ' + why);
      console.warn(`      SKIPPED: namespace peers need a network namespace: ${why}`);
      this.skip();
    }
    ns = NetNamespace.create('nspt');
    ns.exec(['ip', 'addr', 'add', '10.83.0.1/24', 'dev', 'lo']);
    peers = await NamespacePeers.start({ ns: ns.name, ip: '10.83.0.1', deviceIp: '10.83.0.1' });
  });

  after(async () => {
    if (peers) await peers.stop();
    if (ns) ns.close();
  });

  it('listen, connect, bytes both ways, FIN (end) seen, then RST seen as reset; closeAll ends everything', async () => {
    const p = peers as NamespacePeers;
    const l = await p.listen();
    assert.ok(l.port > 0);
    let acceptedBy: PeerConn | undefined;
    l.onAccept = (c) => { acceptedBy = c; };
    const client = await p.connect(l.port);
    assert.ok(await until(() => l.conns.length === 1, 5000), 'accepted');
    const server = l.conns[0];
    assert.equal(acceptedBy, server);
    client.send(new Uint8Array([1, 2, 3]));
    server.send(new Uint8Array([9, 8]));
    assert.ok(await until(() => server.received().length === 3 && client.received().length === 2, 5000), 'bytes both ways');
    assert.deepEqual(Array.from(server.received()), [1, 2, 3]);
    assert.deepEqual(Array.from(client.received()), [9, 8]);
    client.end();
    assert.ok(await until(() => server.ended, 5000), 'FIN arrived');
    server.send(new Uint8Array([7]));
    assert.ok(await until(() => client.received().length === 3, 5000), 'half-close: the other direction still flows');
    server.reset();
    assert.ok(await until(() => client.wasReset, 5000), 'RST arrived; the client saw ' + client.log.join(', '));
    assert.deepEqual(server.log, ['data', 'end']);
    assert.deepEqual(client.log, ['data', 'reset']);
    p.closeAll();
    assert.deepEqual(p.errors, []);
  });

  it('data and RST waiting together (libuv reads the data and reports EOF on POLLHUP): seen as reset, never as FIN', async () => {
    const p = peers as NamespacePeers;
    const l = await p.listen();
    const client = await p.connect(l.port);
    assert.ok(await until(() => l.conns.length === 1, 5000), 'accepted');
    const server = l.conns[0];
    // both commands reach the agent in one read: the bytes and the RST are in the client's socket before its
    // event loop looks at it, as when a device's last segment and its abortive close cross the TAP together
    for (let round = 0; round < 3; round++) server.send(new Uint8Array([round, 1, 2, 3]));
    server.reset();
    assert.ok(await until(() => client.wasReset, 5000), 'RST arrived; the client saw ' + client.log.join(', '));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(client.ended, false, 'a RST is not a FIN');
    assert.deepEqual(client.log.filter((e) => e !== 'data'), ['reset']);
    p.closeAll();
    assert.deepEqual(p.errors, []);
  });
});
