/**
 * The DHCP client and the DNS resolver against dnsmasq, the real server, on the ENC28J60 path: the
 * firmware's own composition (startNetwork, nic 'enc28j60': driver → software transport → socket
 * layer) over the ENC28J60 model, whose wire is a TAP device in a namespace this test makes (prefix
 * "dhcpd", private 10.80.0.0/24, removed afterwards). dnsmasq runs inside that namespace with its own
 * configuration, serving DHCP and DNS on the TAP's subnet. Real time.
 */
import { strict as assert } from 'node:assert';
import { createTapChip, type TapChip } from '../../sim/enc28j60/tap-chip';
import { tapUnavailable } from '../../sim/net/tap-wire';
import { until } from '../real-time';
import { RealClock } from '../../hal/node/real-clock';
import { NodeSpiDevice } from '../../hal/node/spi';
import { startNetwork, type NetStack } from '../../firmware/runtime';
import { DhcpClient, DhcpEvent, DhcpState } from '../../firmware/services/dhcp';
import { DhcpDrop } from '../../firmware/services/dhcp-wire';
import { DnsResolver } from '../../firmware/services/dns';
import { formatIPv4 } from '../../firmware/socket/address';
import { WSAError } from '../../firmware/socket/errors';
import { AddressFamily, IoctlCmd, SockType } from '../../firmware/socket/constants';
import type { SockAddr } from '../../firmware/socket/types';
import { Dnsmasq, dnsmasqUnavailable, needOrSkip } from './dnsmasq';

const MAC = new Uint8Array([0x02, 0x00, 0x00, 0x80, 0x00, 0x02]);
const MAC_TEXT = '02:00:00:80:00:02';

interface Device {
  rig: TapChip;
  clock: RealClock;
  net: NetStack;
  dhcp: DhcpClient;
  events: { ev: number; ip: string; at: number }[];
  close(): Promise<void>;
}

async function device(prefix: string, subnet: string, conf: string[], hostname: string): Promise<{ d: Device; server: Dnsmasq }> {
  const rig = await createTapChip({ prefix, hostAddress: subnet + '.1/24', ifname: prefix + '0' });
  let server: Dnsmasq | undefined;
  try {
    server = await Dnsmasq.start([`interface=${prefix}0`, 'bind-interfaces', `listen-address=${subnet}.1`, 'log-dhcp', 'log-queries', ...conf], (a) => rig.ns.argv(a));
  } catch (e) {
    await rig.close();
    throw e;
  }
  const clock = new RealClock();
  const log: string[] = [];
  const net = startNetwork({ board: 'tap', nic: { name: 'enc28j60' }, spi: new NodeSpiDevice((m) => rig.exchange(m)), int: undefined, rst: undefined, clock, log: (l) => log.push(l) },
    { mac: MAC, ip: '0.0.0.0', subnet: '0.0.0.0', gateway: '0.0.0.0' });
  if (!net.api || !net.transport) {
    await server.stop();
    await rig.close();
    throw new Error('startNetwork: ' + net.reason);
  }
  const events: { ev: number; ip: string; at: number }[] = [];
  const dhcp = new DhcpClient(net.api, net.transport, clock, {
    mac: MAC, hostname,
    onEvent: (ev, lease) => { events.push({ ev, ip: formatIPv4(lease.ip), at: clock.now() }); },
  });
  const d: Device = {
    rig, clock, net, dhcp, events,
    async close() {
      dhcp.stop();
      net.stop();
      clock.clearAll();
      await rig.close();
    },
  };
  return { d, server };
}

describe('DHCP and DNS against dnsmasq (ENC28J60 model, software stack, TAP in a namespace)', function () {
  this.timeout(60000);
  let d: Device | undefined;
  let server: Dnsmasq | undefined;

  before(async function () {
    needOrSkip(this, tapUnavailable() ?? dnsmasqUnavailable());
    const made = await device('dhcpd', '10.80.0', [
      'dhcp-range=10.80.0.100,10.80.0.120,255.255.255.0,2m', 'dhcp-option=option:T1,5', 'dhcp-option=option:T2,8',
      'dhcp-option=option:router,10.80.0.1', 'dhcp-option=option:dns-server,10.80.0.1', 'no-ping', 'dhcp-authoritative',
      'local=/test/', 'local-ttl=60', 'host-record=sensor.test,10.80.0.5', 'cname=www.test,sensor.test',
    ], 'sensor-7');
    d = made.d;
    server = made.server;
  });
  after(async () => {
    if (d) await d.close();
    if (server) await server.stop();
  });

  it('DISCOVER → OFFER → REQUEST → ACK: the address, mask, router and DNS server are on the interface, and the kernel reaches it', async () => {
    assert.equal(d!.dhcp.start(), 0);
    assert.ok(await until(() => d!.events.length > 0, 20000), 'bound: ' + server!.log.join('\n'));
    const l = d!.dhcp.lease;
    const ip = formatIPv4(l.ip);
    assert.equal(d!.events[0].ev, DhcpEvent.BOUND);
    assert.match(ip, /^10\.80\.0\.(1[01][0-9]|120)$/);
    assert.deepEqual([formatIPv4(l.mask), formatIPv4(l.gateway), formatIPv4(l.dns[0]), formatIPv4(l.server), l.leaseSec, l.t1Sec, l.t2Sec],
      ['255.255.255.0', '10.80.0.1', '10.80.0.1', '10.80.0.1', 120, 5, 8]);
    assert.equal(formatIPv4(d!.net.transport!.localIp()), ip);
    await server!.settle();
    for (const m of ['DHCPDISCOVER', 'DHCPOFFER', 'DHCPREQUEST', 'DHCPACK']) {
      assert.equal(server!.lines(new RegExp(`${m}\\(dhcpd0\\) .*${MAC_TEXT}`)).length, 1, m);
    }
    assert.equal(server!.lines(new RegExp(`DHCPACK\\(dhcpd0\\) ${ip.replace(/\./g, '\\.')} ${MAC_TEXT} sensor-7`)).length, 1);
    // the kernel reaches the device at its new address: a datagram from the namespace to a socket the device opened
    const api = d!.net.api!;
    const s = api.socket(AddressFamily.AF_INET, SockType.SOCK_DGRAM, 0);
    assert.equal(api.bind(s, ip, 7000), 0);
    assert.equal(api.ioctlsocket(s, IoctlCmd.FIONBIO, 1), 0);
    d!.rig.ns.exec(['/usr/bin/python3', '-c', `import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'hello device', ('${ip}', 7000))`]);
    const buf = new Uint8Array(64);
    const from: SockAddr = { addr: '', port: 0 };
    let n = -1;
    assert.ok(await until(() => (n = api.recvfrom(s, buf, 64, 0, from)) >= 0, 5000));
    assert.deepEqual([Buffer.from(buf.subarray(0, n)).toString(), from.addr], ['hello device', '10.80.0.1']);
    api.closesocket(s);
    assert.deepEqual(Array.from(d!.dhcp.drops), new Array(DhcpDrop.COUNT).fill(0));
  });

  it('resolves through the DNS server DHCP gave: an A record, a CNAME, NXDOMAIN', async () => {
    const dns = new DnsResolver(d!.net.api!, d!.clock, {});
    assert.equal(dns.setServers(d!.dhcp.lease.dns), 1);
    const lookup = (n: string): Promise<[number, string]> => new Promise((res) => { assert.equal(dns.getaddrinfo(n, (e, a) => res([e, a])), 0); });
    assert.deepEqual(await lookup('sensor.test'), [0, '10.80.0.5']);
    assert.deepEqual(await lookup('www.test'), [0, '10.80.0.5']);
    assert.deepEqual(await lookup('nobody.test'), [WSAError.WSAHOST_NOT_FOUND, '']);
    await server!.settle();
    assert.equal(server!.lines(/query\[A\] (sensor|www|nobody)\.test from 10\.80\.0\.1[0-2][0-9]/).length, 3);
  });

  it('renews at T1 by unicast to the server (dnsmasq ACKs it), then RELEASE returns the lease', async () => {
    const ip = formatIPv4(d!.dhcp.lease.ip);
    const t1 = d!.dhcp.lease.t1At();
    const t2 = d!.dhcp.lease.t2At();
    assert.ok(await until(() => d!.events.length > 1, 15000), 'renewed');
    assert.equal(d!.events[1].ev, DhcpEvent.RENEWED);
    // at T1 (5 s after the REQUEST), before T2 (8 s): RENEWING, not REBINDING
    assert.ok(d!.events[1].at >= t1 && d!.events[1].at < t2, `renewed at ${d!.events[1].at}, T1 ${t1}, T2 ${t2}`);
    assert.equal(d!.dhcp.state, DhcpState.BOUND);
    await server!.settle();
    assert.ok(server!.lines(new RegExp(`DHCPREQUEST\\(dhcpd0\\) ${ip.replace(/\./g, '\\.')} ${MAC_TEXT}`)).length >= 2);
    assert.equal(d!.dhcp.release(), 0);
    assert.ok(await until(() => server!.lines(/DHCPRELEASE/).length > 0, 5000), 'release seen');
    assert.equal(server!.lines(new RegExp(`DHCPRELEASE\\(dhcpd0\\) ${ip.replace(/\./g, '\\.')} ${MAC_TEXT}`)).length, 1);
    assert.ok(await until(() => d!.net.transport!.localIp() === 0, 2000));
  });
});

describe('DHCP DECLINE after an ARP conflict, against dnsmasq (ENC28J60 model, software stack, TAP in a namespace)', function () {
  this.timeout(60000);
  let d: Device | undefined;
  let server: Dnsmasq | undefined;

  before(async function () {
    needOrSkip(this, tapUnavailable() ?? dnsmasqUnavailable());
    // dnsmasq gives this MAC 10.81.0.7, which the kernel itself holds: the client's ARP probe finds it taken
    const made = await device('dhcpc', '10.81.0', [
      'dhcp-range=10.81.0.100,10.81.0.120,255.255.255.0,2m', `dhcp-host=${MAC_TEXT},10.81.0.7`, 'no-ping', 'dhcp-authoritative', 'port=0',
    ], 'sensor-8');
    d = made.d;
    server = made.server;
    d.rig.ns.exec(['ip', 'addr', 'add', '10.81.0.7/24', 'dev', 'dhcpc0']);
  });
  after(async () => {
    if (d) await d.close();
    if (server) await server.stop();
  });

  it('declines the address another host answers for, waits 10 s, and takes the next offer', async () => {
    assert.equal(d!.dhcp.start(), 0);
    assert.ok(await until(() => d!.dhcp.conflicts > 0, 15000), 'conflict: ' + server!.log.join('\n'));
    const declinedAt = Date.now();
    assert.ok(await until(() => server!.lines(/DHCPDECLINE/).length > 0, 5000));
    assert.equal(server!.lines(new RegExp(`DHCPDECLINE\\(dhcpc0\\) 10\\.81\\.0\\.7 ${MAC_TEXT}`)).length, 1);
    assert.equal(d!.net.transport!.localIp(), 0, 'the declined address never went on the interface');
    assert.ok(await until(() => d!.events.length > 0, 30000), 'bound after the decline: ' + server!.log.join('\n'));
    assert.ok(Date.now() - declinedAt >= 9000, 'waited at least 10 s before DISCOVER again');
    assert.equal(d!.events[0].ev, DhcpEvent.BOUND);
    assert.match(d!.events[0].ip, /^10\.81\.0\.(1[01][0-9]|120)$/);
    assert.equal(d!.dhcp.sent[4], 1);
  });
});
