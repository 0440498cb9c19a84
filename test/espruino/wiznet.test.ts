/**
 * firmware/espruino/wiznet.ts (require("WIZnet").connect's shape) on the W5500 model's virtual
 * network, on a virtual clock, with the in-process RFC 2131 server of test/services: DHCP in the
 * background with setIP(callback), getIP, getStatus, setHostname/getHostname, link loss and return
 * (INIT-REBOOT), and the stop (RELEASE, nothing left open).
 */
import assert from 'node:assert/strict';
import type { BoardHal } from '../../firmware/app/app';
import { connect } from '../../firmware/espruino/wiznet';
import { DhcpClient } from '../../firmware/services/dhcp';
import { DnsResolver } from '../../firmware/services/dns';
import { NodeSpiDevice } from '../../hal/node/spi';
import { VirtualClock } from '../../sim/net/virtual-clock';
import { runUntil } from '../../sim/net/virtual-time';
import { W5500Model } from '../../sim/w5500/model';
import { ModelIntPin } from '../../sim/w5500/model-int-pin';
import { VirtualNet } from '../../sim/w5500/virtual-net';
import { readClient, reply } from '../services/dhcp-server';
import type { ServerConfig } from '../services/dhcp-server';

const CFG: ServerConfig = { server: '192.168.1.1', offer: '192.168.1.50', mask: '255.255.255.0', router: '192.168.1.1', dns: ['192.168.1.53'], lease: 3600 };
const BCAST = { ip: '255.255.255.255', port: 68 };

describe('connect() shaped like require("WIZnet").connect (W5500 model, virtual network, in-process DHCP server)', () => {
  it('DHCP in the background, getIP/getStatus/hostname as Espruino gives them, link return confirms the lease, stop releases it', () => {
    const clock = new VirtualClock();
    const net = new VirtualNet({ now: () => clock.now() });
    const model = new W5500Model({ net, now: () => clock.now() });
    const lines: string[] = [];
    const hal: BoardHal = {
      board: 'test', nic: { name: 'w5500', hardResetStaleSockets: false }, spi: new NodeSpiDevice((m) => model.exchange(m)),
      int: new ModelIntPin(clock, model), rst: undefined, clock, log: (l) => { lines.push(l); }, killBoundMs: 1500,
    };
    const server = net.udpPeer({ ip: CFG.server, port: 67 });
    const installed: object[] = [];
    const run = (done: () => boolean, ms: number) => runUntil(clock, [model], done, ms);
    const ready: string[] = [];
    const links: boolean[] = [];
    const calls: unknown[] = [];
    const eth = connect(hal, { dhcp: DhcpClient, dns: DnsResolver, hostname: 'sensor-7', onReady: (ip) => ready.push(ip), onLink: (up) => links.push(up), install: (o) => { installed.push(o); } });
    try {
      assert.equal(installed.length, 1, 'the NetworkJS object was handed over');
      assert.deepEqual(Object.keys(installed[0]).slice(0, 5), ['create', 'close', 'accept', 'recv', 'send']);
      assert.deepEqual(eth.getStatus(), { state: 'connecting', phylink: 'up', nic: 'W5500' });
      assert.equal(eth.getHostname(), 'sensor-7');
      assert.equal(eth.setHostname('sensor-8', (err) => calls.push(['setHostname', err])), true);

      assert.equal(eth.setIP((err) => calls.push(['setIP', err])), true);
      assert.ok(run(() => server.received.length === 1, 2000));
      const discover = readClient(server.received.shift()!.bytes);
      assert.equal(discover.type, 1);
      assert.equal(Buffer.from(discover.options.find((o) => o[0] === 12)![1]).toString('latin1'), 'sensor-8');
      server.sendTo(BCAST, reply(CFG, discover, 2));
      assert.ok(run(() => server.received.length === 1, 2000));
      const request = readClient(server.received.shift()!.bytes);
      assert.equal(request.type, 3);
      server.sendTo(BCAST, reply(CFG, request, 5));
      assert.ok(run(() => ready.length === 1, 2000));
      assert.ok(run(() => calls.length === 2, 100));
      assert.deepEqual(ready, ['192.168.1.50']);
      assert.deepEqual(calls, [['setHostname', null], ['setIP', null]]);
      assert.deepEqual(eth.getIP(), { ip: '192.168.1.50', subnet: '255.255.255.0', gateway: '192.168.1.1', dns: '192.168.1.53', mac: '02:00:00:12:34:56' });
      assert.deepEqual(eth.getStatus(), { state: 'online', phylink: 'up', nic: 'W5500' });
      assert.deepEqual(eth.dns!.getServers(), ['192.168.1.53']);

      // the link goes and comes back: reported both ways, and the lease is confirmed (INIT-REBOOT: REQUEST with option 50)
      model.faults.link(false);
      assert.ok(run(() => links.length === 1, 3000));
      model.faults.link(true);
      assert.ok(run(() => links.length === 2 && server.received.length === 1, 3000));
      assert.deepEqual(links, [false, true]);
      const reboot = readClient(server.received.shift()!.bytes);
      assert.equal(reboot.type, 3);
      assert.deepEqual([...reboot.options.find((o) => o[0] === 50)![1]], [192, 168, 1, 50]);
      assert.ok(lines.includes('link down') && lines.includes('link up'));

      // the stop: RELEASE to the server, nothing held on the chip
      eth.stop();
      assert.ok(run(() => server.received.length === 1, 1000));
      const release = readClient(server.received.shift()!.bytes);
      assert.equal(release.type, 7);
      assert.equal(release.ciaddr, '192.168.1.50');
      assert.ok(lines.includes('stopped: 0 socket(s) closed, 0 forced'), lines.join(' | '));
      assert.equal(eth.getStatus().state, 'offline');
    } finally {
      eth.stop();
      model.close();
    }
  });
});
