/**
 * The DHCP client against the in-process RFC 2131 server on the W5500 model's virtual network and
 * virtual clock: exact bytes on the wire, exact retransmission times, the lease's timeline, and
 * hostile replies dropped and counted with the lease left alone.
 */
import { strict as assert } from 'node:assert';
import { dhcpRig, CLIENT_BCAST, type DhcpRig } from './dhcp-rig';
import { readClient, reply, option, type ServerConfig } from './dhcp-server';
import { DhcpDrop } from '../../firmware/services/dhcp-wire';
import { DhcpEvent, DhcpState } from '../../firmware/services/dhcp';
import { WSAError } from '../../firmware/socket/errors';
import { formatIPv4 } from '../../firmware/socket/address';

function hex(s: string): number[] {
  return s.split(/\s+/).filter((x) => x).map((x) => parseInt(x, 16));
}
function zeros(n: number): number[] {
  return new Array(n).fill(0);
}
function bytes(...parts: number[][]): Uint8Array {
  return Uint8Array.from(parts.flat());
}
const CHADDR = [...hex('02 00 00 12 34 56'), ...zeros(10)];
const COOKIE = hex('63 82 53 63');
const PARAMS = hex('37 07 01 03 06 33 36 3a 3b');

const CFG: ServerConfig = { server: '192.168.1.1', offer: '192.168.1.50', mask: '255.255.255.0', router: '192.168.1.1', dns: ['192.168.1.53', '192.168.1.54'], lease: 100, t1: 50, t2: 80 };
const XID = 0x12345678;

/** DISCOVER → OFFER → REQUEST → ACK at once; returns when BOUND was reported */
async function bind(r: DhcpRig, cfg: ServerConfig = CFG): Promise<void> {
  assert.equal(r.dhcp.start(), 0);
  assert.ok(await r.waitFor(1, 1000));
  r.server.sendTo(CLIENT_BCAST, reply(cfg, readClient(r.inbox[0].bytes), 2));
  assert.ok(await r.waitFor(2, 1000));
  r.server.sendTo(CLIENT_BCAST, reply(cfg, readClient(r.inbox[1].bytes), 5));
  assert.ok(await r.h.runUntil(() => r.events.length === 1, 1000));
  assert.equal(r.events[0].ev, DhcpEvent.BOUND);
}

describe('DHCP client (in-process RFC 2131 server, W5500 model, virtual time)', function () {
  let r: DhcpRig | undefined;
  afterEach(async () => { if (r) await r.close(); r = undefined; });

  it('DISCOVER and REQUEST are the bytes of RFC 2131 §4.4.1 (broadcast flag, options 53, 12, 55; 50 and 54 in the REQUEST)', async () => {
    r = await dhcpRig([XID, 1000, 1000], { hostname: 'sensor-7' });
    assert.equal(r.dhcp.start(), 0);
    assert.ok(await r.waitFor(1, 1000));
    const name = hex('0c 08 73 65 6e 73 6f 72 2d 37');
    assert.deepEqual(r.inbox[0].bytes, bytes(hex('01 01 06 00 12 34 56 78 00 00 80 00'), zeros(16), CHADDR, zeros(192), COOKIE,
      hex('35 01 01'), name, PARAMS, [0xff]));
    assert.equal(r.inbox[0].at, 0.5);
    r.server.sendTo(CLIENT_BCAST, reply(CFG, readClient(r.inbox[0].bytes), 2));
    assert.ok(await r.waitFor(2, 1000));
    assert.deepEqual(r.inbox[1].bytes, bytes(hex('01 01 06 00 12 34 56 78 00 00 80 00'), zeros(16), CHADDR, zeros(192), COOKIE,
      hex('35 01 03 32 04 c0 a8 01 32 36 04 c0 a8 01 01'), name, PARAMS, [0xff]));
    const requestAt = r.h.clock.now();
    r.server.sendTo(CLIENT_BCAST, reply(CFG, readClient(r.inbox[1].bytes), 5));
    assert.ok(await r.h.runUntil(() => r!.events.length === 1, 1000));
    assert.deepEqual(r.events, [{ ev: DhcpEvent.BOUND, at: r.events[0].at, ip: 0xc0a80132 }]);
    assert.equal(r.dhcp.state, DhcpState.BOUND);
    assert.equal(formatIPv4(r.h.transport.localIp()), '192.168.1.50');
    const l = r.dhcp.lease;
    assert.deepEqual([l.ip, l.mask, l.gateway, Array.from(l.dns), l.server, l.leaseSec, l.t1Sec, l.t2Sec].map((x) => Array.isArray(x) ? x.map(formatIPv4) : x),
      [0xc0a80132, 0xffffff00, 0xc0a80101, ['192.168.1.53', '192.168.1.54', '0.0.0.0'], 0xc0a80101, 100, 50, 80]);
    // the lease counts from the REQUEST (§4.4.1), which left 0.5 ms before the server saw it
    assert.equal(l.start, requestAt - 0.5);
    assert.deepEqual(Array.from(r.dhcp.drops), zeros(DhcpDrop.COUNT));
    assert.deepEqual([r.dhcp.sent[1], r.dhcp.sent[3], r.dhcp.received[2], r.dhcp.received[5]], [1, 1, 1, 1]);
  });

  it('retransmits DISCOVER after 4, 8, 16, 32, 64, 64 s, each ±1 s at random, with the same xid; TIMEOUT after the 4th', async () => {
    // jitter = random % 2001 − 1000 ms
    r = await dhcpRig([XID, 2000, 0, 1000, 1500, 500, 1999, 1000]);
    assert.equal(r.dhcp.start(), 0);
    assert.ok(await r.waitFor(7, 400000));
    const at = r.inbox.map((d) => d.at);
    assert.deepEqual(at, [0.5, 5000.5, 12000.5, 28000.5, 60500.5, 124000.5, 188999.5]);
    assert.deepEqual(r.inbox.map((d) => readClient(d.bytes).xid), new Array(7).fill(XID));
    assert.deepEqual(r.inbox.map((d) => readClient(d.bytes).secs), [0, 5, 12, 28, 60, 124, 188]);
    assert.deepEqual(r.events.map((e) => [e.ev, e.at]), [[DhcpEvent.TIMEOUT, 60500]]);
    assert.equal(r.dhcp.state, DhcpState.SELECTING);
  });

  it('retransmits REQUEST on the same schedule and counts the lease from the first one; 4 unanswered REQUESTs → INIT', async () => {
    r = await dhcpRig([XID, 1000, 1000, 1000, 1000, 1000, 0x0e0e0e0e, 1000, 1000, 1000, 1000]);
    assert.equal(r.dhcp.start(), 0);
    assert.ok(await r.waitFor(1, 1000));
    r.server.sendTo(CLIENT_BCAST, reply(CFG, readClient(r.inbox[0].bytes), 2));
    assert.ok(await r.waitFor(6, 70000));
    assert.deepEqual(r.inbox.map((d) => [readClient(d.bytes).type, d.at]),
      [[1, 0.5], [3, 1.5], [3, 4001.5], [3, 12001.5], [3, 28001.5], [1, 60001.5]]);
    assert.deepEqual(r.inbox.map((d) => readClient(d.bytes).xid), [XID, XID, XID, XID, XID, 0x0e0e0e0e]);
    assert.equal(r.dhcp.state, DhcpState.SELECTING);
    // this time the second REQUEST is answered: the lease still counts from the first
    r.server.sendTo(CLIENT_BCAST, reply(CFG, readClient(r.inbox[5].bytes), 2));
    assert.ok(await r.waitFor(8, 10000));
    r.server.sendTo(CLIENT_BCAST, reply(CFG, readClient(r.inbox[7].bytes), 5));
    assert.ok(await r.h.runUntil(() => r!.events.length === 1, 1000));
    assert.deepEqual([r.inbox[6].at, r.inbox[7].at, r.dhcp.lease.start], [60002.5, 64002.5, 60002]);
  });

  it('renews at T1 by unicast, rebinds at T2 by broadcast, removes the address when the lease ends and starts over', async () => {
    r = await dhcpRig([XID, 1000, 1000, 0x0badcafe, 0x0badbeef, 0x0feedbee, 1000]);
    const other = r.h.vnet!.udpPeer({ ip: '192.168.1.2', port: 67 });
    await bind(r);
    const start = r.dhcp.lease.start;
    const broadcasts = other.received.length;
    // nothing answers from here on
    assert.ok(await r.waitFor(3, 60000));
    const renew = readClient(r.inbox[2].bytes);
    assert.equal(r.inbox[2].at, start + 50000 + 0.5);
    assert.deepEqual([renew.type, renew.xid, renew.ciaddr, renew.flags, renew.secs], [3, 0x0badcafe, '192.168.1.50', 0, 0]);
    assert.equal(option(renew, 50), undefined);
    assert.equal(option(renew, 54), undefined);
    assert.equal(other.received.length, broadcasts, 'RENEWING is unicast to the server');
    assert.equal(r.dhcp.state, DhcpState.RENEWING);
    // half of the 30 s left to T2 is less than the 60 s minimum: the next try is the REBINDING broadcast at T2
    assert.ok(await r.waitFor(4, 60000));
    const rebind = readClient(r.inbox[3].bytes);
    assert.equal(r.inbox[3].at, start + 80000 + 0.5);
    assert.deepEqual([rebind.type, rebind.xid, rebind.ciaddr, rebind.flags], [3, 0x0badbeef, '192.168.1.50', 0]);
    assert.equal(other.received.length, broadcasts + 1, 'REBINDING is broadcast');
    assert.equal(r.dhcp.state, DhcpState.REBINDING);
    // the end of the lease: the address comes off the interface, LOST, and a new DISCOVER
    assert.ok(await r.waitFor(5, 60000));
    assert.deepEqual(r.events.slice(1).map((e) => [e.ev, e.at, e.ip]), [[DhcpEvent.LOST, start + 100000, 0]]);
    assert.equal(r.h.transport.localIp(), 0);
    const again = readClient(r.inbox[4].bytes);
    assert.deepEqual([again.type, again.xid, r.inbox[4].at], [1, 0x0feedbee, start + 100000 + 0.5]);
  });

  it('an infinite lease (0xffffffff) is never renewed; a lease of 3 days outlasts any one timer (1 h at most)', async () => {
    r = await dhcpRig([XID, 1000, 1000, 0x0c0c0c0c], {}, true);
    await bind(r, { ...CFG, lease: 0xffffffff, t1: undefined, t2: undefined });
    await r.h.run(5 * 86400000);
    assert.deepEqual([r.inbox.length, r.dhcp.state, r.events.length], [2, DhcpState.BOUND, 1]);
    await r.close();
    r = await dhcpRig([XID, 1000, 1000, 0x0c0c0c0c], {}, true);
    await bind(r, { ...CFG, lease: 3 * 86400, t1: undefined, t2: undefined });
    const start = r.dhcp.lease.start;
    assert.ok(await r.waitFor(3, 2 * 86400000));
    assert.deepEqual([readClient(r.inbox[2].bytes).xid, r.inbox[2].at], [0x0c0c0c0c, start + 36 * 3600000 + 0.5]);
  });

  it('an ACK while RENEWING extends the lease (RENEWED) and counts again from that REQUEST', async () => {
    r = await dhcpRig([XID, 1000, 1000, 0x0badcafe, 1000]);
    await bind(r);
    assert.ok(await r.waitFor(3, 60000));
    const sentAt = r.inbox[2].at - 0.5;
    r.server.sendTo({ ip: '192.168.1.50', port: 68 }, reply({ ...CFG, lease: 200, t1: undefined, t2: undefined }, readClient(r.inbox[2].bytes), 5));
    assert.ok(await r.h.runUntil(() => r!.events.length === 2, 1000));
    assert.equal(r.events[1].ev, DhcpEvent.RENEWED);
    assert.deepEqual([r.dhcp.state, r.dhcp.lease.start, r.dhcp.lease.leaseSec, r.dhcp.lease.t1Sec, r.dhcp.lease.t2Sec], [DhcpState.BOUND, sentAt, 200, 100, 175]);
    assert.equal(formatIPv4(r.h.transport.localIp()), '192.168.1.50');
  });

  it('a NAK while REQUESTING restarts with a new xid; a NAK while RENEWING removes the address (LOST)', async () => {
    r = await dhcpRig([XID, 1000, 1000, 0x22222222, 1000, 1000, 0x33333333, 0x44444444, 1000]);
    assert.equal(r.dhcp.start(), 0);
    assert.ok(await r.waitFor(1, 1000));
    r.server.sendTo(CLIENT_BCAST, reply(CFG, readClient(r.inbox[0].bytes), 2));
    assert.ok(await r.waitFor(2, 1000));
    r.server.sendTo(CLIENT_BCAST, reply(CFG, readClient(r.inbox[1].bytes), 6));
    assert.ok(await r.waitFor(3, 1000));
    const d = readClient(r.inbox[2].bytes);
    assert.deepEqual([d.type, d.xid, r.dhcp.received[6], r.events.length], [1, 0x22222222, 1, 0]);
    r.server.sendTo(CLIENT_BCAST, reply(CFG, d, 2));
    assert.ok(await r.waitFor(4, 1000));
    r.server.sendTo(CLIENT_BCAST, reply(CFG, readClient(r.inbox[3].bytes), 5));
    assert.ok(await r.waitFor(5, 60000));
    const renew = readClient(r.inbox[4].bytes);
    assert.equal(renew.xid, 0x33333333);
    r.server.sendTo({ ip: '192.168.1.50', port: 68 }, reply(CFG, renew, 6));
    assert.ok(await r.waitFor(6, 1000));
    assert.deepEqual(r.events.map((e) => [e.ev, e.ip]), [[DhcpEvent.BOUND, 0xc0a80132], [DhcpEvent.LOST, 0]]);
    assert.equal(r.h.transport.localIp(), 0);
    assert.deepEqual([readClient(r.inbox[5].bytes).type, readClient(r.inbox[5].bytes).xid], [1, 0x44444444]);
  });

  it('drops and counts hostile replies; the state, the lease and the address stay as they were', async () => {
    r = await dhcpRig([XID, 1000, 1000, 1000]);
    assert.equal(r.dhcp.start(), 0);
    assert.ok(await r.waitFor(1, 1000));
    const m = readClient(r.inbox[0].bytes);
    const offer = reply(CFG, m, 2);
    const evil: [string, Uint8Array][] = [];
    const wrongXid = offer.slice(); wrongXid[7] ^= 1; evil.push(['wrong xid', wrongXid]);
    evil.push(['truncated', offer.slice(0, 200)]);
    evil.push(['no END option', offer.slice(0, offer.length - 1)]);
    evil.push(['option past the end', bytes(Array.from(offer.subarray(0, offer.length - 1)), hex('03 10 c0 a8'))]);
    const badLen = reply(CFG, m, 2, hex('35 02 02 02')); evil.push(['message type of length 2', badLen]);
    const chaddr = offer.slice(); chaddr[33] ^= 0xff; evil.push(['wrong chaddr', chaddr]);
    const op = offer.slice(); op[0] = 1; evil.push(['BOOTREQUEST', op]);
    const cookie = offer.slice(); cookie[239] = 0; evil.push(['no magic cookie', cookie]);
    const noServer = reply(CFG, m, 2); noServer.set([0, 0, 0, 0, 0, 0], 243); evil.push(['OFFER without server identifier', noServer]);
    evil.push(['OFFER of the broadcast address', reply({ ...CFG, offer: '255.255.255.255' }, m, 2)]);
    evil.push(['ACK while SELECTING', reply(CFG, m, 5)]);
    const huge = new Uint8Array(700); huge.set(offer.subarray(0, offer.length - 1)); huge[699] = 0xff; evil.push(['oversized (700 bytes)', huge]);
    // one at a time: the chip's 2 KB receive buffer would drop a burst whole
    for (const [, b] of evil) { r.server.sendTo(CLIENT_BCAST, b); await r.h.run(10); }
    const evilPort = r.h.vnet!.udpPeer({ ip: '192.168.1.1', port: 6767 });
    evilPort.sendTo(CLIENT_BCAST, offer);
    await r.h.run(10);
    const d = r.dhcp.drops;
    assert.deepEqual(
      { short: d[DhcpDrop.SHORT], format: d[DhcpDrop.FORMAT], xid: d[DhcpDrop.XID], chaddr: d[DhcpDrop.CHADDR], options: d[DhcpDrop.OPTIONS], type: d[DhcpDrop.TYPE], server: d[DhcpDrop.SERVER], address: d[DhcpDrop.ADDRESS], oversize: d[DhcpDrop.OVERSIZE] },
      { short: 1, format: 2, xid: 1, chaddr: 1, options: 3, type: 1, server: 2, address: 1, oversize: 1 });
    assert.deepEqual([r.inbox.length, r.dhcp.state, r.dhcp.lease.ip, r.h.transport.localIp(), r.events.length], [1, DhcpState.SELECTING, 0, 0, 0]);
    // now the real offer; then hostile answers to the REQUEST
    r.server.sendTo(CLIENT_BCAST, offer);
    assert.ok(await r.waitFor(2, 1000));
    const req = readClient(r.inbox[1].bytes);
    for (const b of [reply({ ...CFG, server: '192.168.1.2' }, req, 5), reply({ ...CFG, server: '192.168.1.2' }, req, 6),
      reply({ ...CFG, offer: '192.168.1.51' }, req, 5), reply({ ...CFG, lease: 0 }, req, 5), reply(CFG, req, 2)]) {
      r.server.sendTo(CLIENT_BCAST, b);
      await r.h.run(10);
    }
    assert.deepEqual([d[DhcpDrop.SERVER], d[DhcpDrop.ADDRESS], d[DhcpDrop.TYPE]], [4, 3, 2]);
    assert.deepEqual([r.dhcp.state, r.dhcp.lease.ip, r.h.transport.localIp(), r.events.length], [DhcpState.REQUESTING, 0, 0, 0]);
    const ack = reply(CFG, req, 5);
    r.server.sendTo(CLIENT_BCAST, ack);
    assert.ok(await r.h.runUntil(() => r!.events.length === 1, 1000));
    // bound: a replayed ACK and a NAK of the finished transaction change nothing
    r.server.sendTo(CLIENT_BCAST, ack);
    await r.h.run(10);
    r.server.sendTo(CLIENT_BCAST, reply(CFG, req, 6));
    await r.h.run(10);
    assert.deepEqual([d[DhcpDrop.TYPE], r.dhcp.state, formatIPv4(r.dhcp.lease.ip), formatIPv4(r.h.transport.localIp()), r.events.length],
      [4, DhcpState.BOUND, '192.168.1.50', '192.168.1.50', 1]);
  });

  it('RELEASE goes unicast to the server with ciaddr and option 54; the address comes off the interface after it', async () => {
    r = await dhcpRig([XID, 1000, 1000, 0x0a0b0c0d]);
    await bind(r);
    assert.equal(r.dhcp.release(), 0);
    assert.ok(await r.waitFor(3, 1000));
    assert.deepEqual(r.inbox[2].bytes, bytes(hex('01 01 06 00 0a 0b 0c 0d 00 00 00 00 c0 a8 01 32'), zeros(12), CHADDR, zeros(192), COOKIE,
      hex('35 01 07 36 04 c0 a8 01 01 ff')));
    assert.equal(formatIPv4(r.h.transport.localIp()), '192.168.1.50', 'the address stays while the RELEASE leaves');
    await r.h.run(300);
    assert.deepEqual([r.h.transport.localIp(), r.dhcp.state, r.dhcp.lease.ip], [0, DhcpState.STOPPED, 0]);
    assert.equal(r.dhcp.release(), WSAError.WSAEINVAL);
  });

  it('restart (the link came back) confirms the lease by INIT-REBOOT: REQUEST broadcast with option 50, no server identifier', async () => {
    r = await dhcpRig([XID, 1000, 1000, 0x5555aaaa, 1000]);
    await bind(r);
    await r.h.run(10000);
    assert.equal(r.dhcp.restart(), 0);
    assert.ok(await r.waitFor(3, 1000));
    const m = readClient(r.inbox[2].bytes);
    assert.deepEqual([m.type, m.xid, m.ciaddr, m.flags, Array.from(option(m, 50)!), option(m, 54)], [3, 0x5555aaaa, '0.0.0.0', 0x8000, [192, 168, 1, 50], undefined]);
    r.server.sendTo(CLIENT_BCAST, reply(CFG, m, 5));
    assert.ok(await r.h.runUntil(() => r!.events.length === 2, 1000));
    assert.deepEqual([r.events[1].ev, r.dhcp.state, r.dhcp.lease.start], [DhcpEvent.RENEWED, DhcpState.BOUND, r.inbox[2].at - 0.5]);
  });

  it('checks its arguments', async () => {
    r = await dhcpRig([XID, 1000]);
    assert.equal(r.dhcp.setHostname('bad name'), false);
    assert.equal(r.dhcp.setHostname('x'.repeat(33)), false);
    assert.equal(r.dhcp.setHostname('node-1'), true);
    assert.equal(r.dhcp.getHostname(), 'node-1');
    assert.equal(r.dhcp.restart(), WSAError.WSAEINVAL);
    assert.equal(r.dhcp.start(), 0);
    assert.equal(r.dhcp.start(), WSAError.WSAEINVAL);
  });
});
