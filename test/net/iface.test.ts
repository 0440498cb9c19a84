import assert from 'node:assert/strict';
import { ArpTiming } from '../../firmware/net/arp-cache';
import { Drop, PASS } from '../../firmware/net/drop';
import { IpHeadroom, IpProto, IpSendError } from '../../firmware/net/ip-proto';
import { NetIf, Stat } from '../../firmware/net/iface';
import { UdpError } from '../../firmware/net/udp';
import { get16, put16, put32 } from '../../firmware/net/wire/bytes';
import { Eth } from '../../firmware/net/wire/ethernet';
import { icmpCheck } from '../../firmware/net/wire/icmp';
import { Ip4, ip4Check, ip4Emit } from '../../firmware/net/wire/ipv4';
import { udpCheck } from '../../firmware/net/wire/udp';
import { GATEWAY, MASK_24, Recorder, UdpLog, UpperLog, hexOf, stackB } from './rig';
import * as V from '../../sim/net/captured-frames';

const T0 = 1000;
const IP = Eth.HEADER + Ip4.HEADER;

function feed(nif: NetIf, f: Uint8Array, now: number): number {
  return nif.input(new Uint8Array(f), f.length, now);
}

/** an IPv4 frame A → B with `payload` of protocol `proto`, header checksum right */
function ipFrame(dst: number, proto: number, payload: Uint8Array, dstMac: Uint8Array): Uint8Array {
  const f = new Uint8Array(IP + payload.length);
  f.set(dstMac, 0); f.set(V.MAC_A, 6); f[12] = 8; f[13] = 0;
  f.set(payload, IP);
  ip4Emit(f, Eth.HEADER, 0, 7, 64, proto, V.IP_A, dst, payload.length);
  return f;
}

describe('net/iface: ARP', () => {
  it('announces its address by gratuitous ARP when it comes up', () => {
    const { wire } = stackB(T0);
    assert.deepEqual(wire.take().map(hexOf), [
      'ffffffffffff' + '020000770002' + '0806' + '0001080006040001' + '020000770002' + '0a4d0002' + '000000000000' + '0a4d0002',
    ]);
  });

  it('answers the captured request with the reply Linux sent, byte for byte, and learns the asker', () => {
    const { nif, wire } = stackB(T0); wire.take();
    assert.equal(feed(nif, V.ARP_REQUEST, T0), PASS);
    assert.deepEqual(wire.take().map(hexOf), [hexOf(V.ARP_REPLY)]);
    assert.equal(nif.arp.lookup(V.IP_A, T0), nif.arp.find(V.IP_A));
    assert.ok(nif.arp.find(V.IP_A) >= 0);
    assert.equal(nif.stats[Stat.TX_ARP_REPLY], 1);
  });

  it('answers a unicast request too, and leaves requests for other addresses alone (no entry made)', () => {
    const { nif, wire } = stackB(T0); wire.take();
    const uni = new Uint8Array(V.ARP_REQUEST); uni.set(V.MAC_B, 0);
    assert.equal(feed(nif, uni, T0), PASS);
    assert.deepEqual(wire.take().map(hexOf), [hexOf(V.ARP_REPLY)]);
    const other = new Uint8Array(V.ARP_REQUEST); other[41] = 9;
    const n = new NetIf(); n.setMac(V.MAC_B); n.setAddress(V.IP_B, MASK_24, 0, T0); const w = new Recorder(); n.up(w, T0); w.take();
    assert.equal(feed(n, other, T0), Drop.ARP_NOT_US);
    assert.deepEqual(w.take(), []);
    assert.equal(n.arp.find(V.IP_A), -1);
    assert.equal(n.drops[Drop.ARP_NOT_US], 1);
  });

  it('drops ARP claiming our address, or from a broadcast/multicast sender, as ARP_BOGUS', () => {
    const { nif, wire } = stackB(T0); wire.take();
    const claim = new Uint8Array(V.ARP_REQUEST); put32(claim, 28, V.IP_B);
    assert.equal(feed(nif, claim, T0), Drop.ARP_BOGUS);
    const mc = new Uint8Array(V.ARP_REQUEST); mc[22] = 1;
    assert.equal(feed(nif, mc, T0), Drop.ARP_BOGUS);
    assert.deepEqual(wire.take(), []);
    assert.equal(nif.drops[Drop.ARP_BOGUS], 2);
  });

  it('resolves before sending: request, held datagram sent with the reply; retries at +1 s, gives up after 3 tries', () => {
    const { nif, wire } = stackB(T0); wire.take();
    const buf = new Uint8Array(IpHeadroom.FRAME);
    buf.set([1, 2, 3], IpHeadroom.BYTES);
    assert.equal(nif.sendIp(V.IP_A, 253, buf, IpHeadroom.BYTES, 3, T0), IpSendError.QUEUED);
    // the held datagram is a copy of exactly its frame, made only while it waits
    assert.equal(nif.hold!.length, IpHeadroom.BYTES + 3);
    const req = 'ffffffffffff' + '020000770002' + '0806' + '0001080006040001' + '020000770002' + '0a4d0002' + '000000000000' + '0a4d0001';
    assert.deepEqual(wire.take().map(hexOf), [req]);
    assert.equal(nif.poll(T0), T0 + ArpTiming.RETRY_MS);
    assert.equal(nif.poll(T0 + 999), T0 + 1000);
    assert.deepEqual(wire.take(), []);
    assert.equal(nif.poll(T0 + 1000), T0 + 2000);
    assert.deepEqual(wire.take().map(hexOf), [req]);
    // the captured reply resolves it: the held datagram goes out with A's MAC
    const reply = new Uint8Array(V.ARP_REQUEST.length);
    reply.set(V.ARP_REPLY); // a reply A → B: swap the captured B → A reply's roles
    reply.set(V.MAC_B, 0); reply.set(V.MAC_A, 6); reply.set(V.MAC_A, 22); put32(reply, 28, V.IP_A); reply.set(V.MAC_B, 32); put32(reply, 38, V.IP_B);
    assert.equal(feed(nif, reply, T0 + 1500), PASS);
    const sent = wire.take();
    assert.equal(sent.length, 1);
    assert.equal(hexOf(sent[0].subarray(0, 14)), '020000770001' + '020000770002' + '0800');
    assert.equal(ip4Check(sent[0], Eth.HEADER, sent[0].length - Eth.HEADER), PASS);
    assert.equal(hexOf(sent[0].subarray(IP)), '010203');
    assert.equal(nif.stats[Stat.TX_HELD_SENT], 1);
    assert.equal(nif.hold, null);
    assert.equal(nif.poll(T0 + 1500), -1);
    // a host that never answers: 3 requests, then the held datagram is dropped and counted
    buf.set([4], IpHeadroom.BYTES);
    assert.equal(nif.sendIp(0x0a4d0009, 253, buf, IpHeadroom.BYTES, 1, T0 + 2000), IpSendError.QUEUED);
    assert.equal(nif.poll(T0 + 3000), T0 + 4000);
    assert.equal(nif.poll(T0 + 4000), T0 + 5000);
    assert.equal(wire.take().length, 3);
    assert.equal(nif.poll(T0 + 5000), -1);
    assert.deepEqual(wire.take(), []);
    assert.equal(nif.drops[Drop.TX_ARP_FAILED], 1);
    assert.equal(nif.holdLen, 0);
    assert.equal(nif.hold, null);
  });

  it('forgets an entry after its lifetime: the next datagram asks again', () => {
    const { nif, wire } = stackB(T0); wire.take();
    feed(nif, V.ARP_REQUEST, T0); wire.take();
    const buf = new Uint8Array(IpHeadroom.FRAME);
    assert.equal(nif.sendIp(V.IP_A, 253, buf, IpHeadroom.BYTES, 0, T0 + ArpTiming.LIFETIME_MS - 1), 0);
    assert.equal(hexOf(wire.take()[0].subarray(0, 6)), '020000770001');
    assert.equal(nif.sendIp(V.IP_A, 253, buf, IpHeadroom.BYTES, 0, T0 + ArpTiming.LIFETIME_MS), IpSendError.QUEUED);
    assert.equal(hexOf(wire.take()[0].subarray(0, 6)), 'ffffffffffff');
  });
});

describe('net/iface: IPv4 routing and filtering', () => {
  it('sends off-subnet datagrams to the gateway\'s MAC, subnet and limited broadcasts to ff:ff:ff:ff:ff:ff', () => {
    const { nif, wire } = stackB(T0); wire.take();
    const buf = new Uint8Array(IpHeadroom.FRAME);
    assert.equal(nif.sendIp(0x08080808, 253, buf, IpHeadroom.BYTES, 0, T0), IpSendError.QUEUED);
    const req = wire.take()[0];
    assert.equal(get16(req, 38), GATEWAY >>> 16); assert.equal(get16(req, 40), GATEWAY & 0xffff);
    assert.equal(nif.holdHop, GATEWAY);
    for (const d of [0x0a4d00ff, 0xffffffff]) {
      assert.equal(nif.sendIp(d, 253, buf, IpHeadroom.BYTES, 0, T0), 0);
      const f = wire.take()[0];
      assert.equal(hexOf(f.subarray(0, 6)), 'ffffffffffff');
      assert.equal(get16(f, 30) * 65536 + get16(f, 32), d);
    }
    const n = new NetIf(); n.setMac(V.MAC_B); n.setAddress(V.IP_B, MASK_24, 0, T0); n.up(new Recorder(), T0);
    assert.equal(n.sendIp(0x08080808, 253, buf, IpHeadroom.BYTES, 0, T0), IpSendError.NOROUTE);
  });

  it('takes datagrams to its address, the subnet broadcast and 255.255.255.255; drops others by reason', () => {
    const { nif, wire } = stackB(T0); wire.take();
    const log = new UdpLog();
    assert.equal(nif.udp.open(7, log), 0);
    const u = new Uint8Array(V.UDP_ECHO.subarray(IP)); u[6] = 0; u[7] = 0; // no UDP checksum: any addresses
    assert.equal(nif.input(ipFrame(V.IP_B, IpProto.UDP, u, V.MAC_B), IP + u.length, T0), PASS);
    const bc = new Uint8Array(6).fill(255);
    assert.equal(nif.input(ipFrame(0x0a4d00ff, IpProto.UDP, u, bc), IP + u.length, T0), PASS);
    assert.equal(nif.input(ipFrame(0xffffffff, IpProto.UDP, u, bc), IP + u.length, T0), PASS);
    assert.deepEqual(log.got.map((d) => d.dst), [V.IP_B, 0x0a4d00ff, 0xffffffff]);
    assert.equal(nif.input(ipFrame(0x0a4d0003, IpProto.UDP, u, V.MAC_B), IP + u.length, T0), Drop.IP_NOT_US);
    const other = new Uint8Array(V.MAC_B); other[5] = 3;
    assert.equal(nif.input(ipFrame(V.IP_B, IpProto.UDP, u, other), IP + u.length, T0), Drop.ETH_NOT_US);
    assert.equal(feed(nif, V.IP_FRAGMENT_FIRST, T0), Drop.IP_FRAGMENT);
    assert.equal(feed(nif, V.IP_FRAGMENT_LAST, T0), Drop.IP_FRAGMENT);
    assert.equal(feed(nif, V.IP_OPTIONS, T0), Drop.IP_OPTIONS);
    assert.equal(feed(nif, V.IPV6_MLD, T0), Drop.ETH_NOT_US);
    const v6 = new Uint8Array(V.IPV6_RS); v6.set(V.MAC_B, 0);
    assert.equal(feed(nif, v6, T0), Drop.ETH_TYPE);
    assert.equal(nif.input(ipFrame(V.IP_B, 99, u, V.MAC_B), IP + u.length, T0), Drop.IP_PROTO);
    assert.equal(log.got.length, 3);
    assert.deepEqual(wire.take(), []);
    assert.equal(nif.stats[Stat.RX_FRAMES], 11);
    let dropped = 0; for (const d of nif.drops) dropped += d;
    assert.equal(dropped, 8);
  });

  it('drops datagrams from broadcast, multicast or our own address as IP_SRC', () => {
    const { nif } = stackB(T0);
    const u = Uint8Array.of(0, 1, 0, 7, 0, 8, 0, 0);
    for (const src of [0xffffffff, 0xe0000001, V.IP_B, 0x0a4d00ff]) {
      const f = ipFrame(V.IP_B, IpProto.UDP, u, V.MAC_B);
      put32(f, 26, src); put16(f, 24, 0); ip4Emit(f, 14, 0, 7, 64, IpProto.UDP, src, V.IP_B, 8);
      assert.equal(nif.input(f, f.length, T0), Drop.IP_SRC, src.toString(16));
    }
  });

  it('hands TCP (a registered upper) its segment in place, unicast only', () => {
    const { nif } = stackB(T0);
    const up = new UpperLog();
    assert.equal(nif.attach(IpProto.TCP, up), 0);
    const seg = Uint8Array.of(0x9c, 0x40, 0, 7, 1, 2, 3, 4, 0, 0, 0, 0, 0x50, 2, 0xff, 0xff, 0, 0, 0, 0);
    assert.equal(nif.input(ipFrame(V.IP_B, IpProto.TCP, seg, V.MAC_B), IP + 20, T0), PASS);
    assert.deepEqual(up.got, [{ src: V.IP_A, dst: V.IP_B, hex: hexOf(seg) }]);
    const bc = new Uint8Array(6).fill(255);
    assert.equal(nif.input(ipFrame(0xffffffff, IpProto.TCP, seg, bc), IP + 20, T0), Drop.IP_PROTO);
    assert.equal(nif.attach(IpProto.UDP, up), IpSendError.INVAL);
  });
});

describe('net/iface: ICMP', () => {
  it('answers the captured echo request with the captured reply\'s ICMP bytes, DF set, TTL 64, to the asker\'s MAC', () => {
    const { nif, wire } = stackB(T0); wire.take();
    assert.equal(feed(nif, V.ICMP_ECHO_REQUEST, T0), PASS);
    const [r] = wire.take();
    assert.equal(r.length, V.ICMP_ECHO_REPLY.length);
    assert.equal(hexOf(r.subarray(0, 14)), hexOf(V.ICMP_ECHO_REPLY.subarray(0, 14)));
    assert.equal(hexOf(r.subarray(IP)), hexOf(V.ICMP_ECHO_REPLY.subarray(IP)));
    assert.equal(ip4Check(r, 14, r.length - 14), PASS);
    assert.equal(get16(r, 14 + Ip4.FLAGS_FRAG), Ip4.DF);
    assert.equal(hexOf(r.subarray(22, 24)), '4001'); // TTL 64, ICMP
    assert.equal(hexOf(r.subarray(26, 34)), '0a4d00020a4d0001');
  });

  it('does not answer an echo request to a broadcast address; counts other ICMP types and bad checksums', () => {
    const { nif, wire } = stackB(T0); wire.take();
    const b = new Uint8Array(V.ICMP_ECHO_REQUEST); b.fill(255, 0, 6); put32(b, 30, 0xffffffff);
    put16(b, 24, 0); ip4Emit(b, 14, 0, get16(b, 18), 64, IpProto.ICMP, V.IP_A, 0xffffffff, 40);
    assert.equal(nif.input(b, b.length, T0), Drop.ICMP_BROADCAST);
    const rep = new Uint8Array(V.ICMP_ECHO_REPLY); rep.set(V.MAC_B, 0); rep.set(V.MAC_A, 6);
    put32(rep, 26, V.IP_A); put32(rep, 30, V.IP_B); put16(rep, 24, 0); ip4Emit(rep, 14, 0, 1, 64, IpProto.ICMP, V.IP_A, V.IP_B, 40);
    assert.equal(nif.input(rep, rep.length, T0), Drop.ICMP_TYPE);
    const bad = new Uint8Array(V.ICMP_ECHO_REQUEST); bad[bad.length - 1] ^= 1;
    assert.equal(nif.input(bad, bad.length, T0), Drop.ICMP_CHECKSUM);
    assert.deepEqual(wire.take(), []);
  });

  it('answers UDP to a closed port with the port unreachable Linux sent (ICMP bytes), unicast only', () => {
    const { nif, wire } = stackB(T0); wire.take();
    feed(nif, V.ARP_REQUEST, T0); wire.take();
    assert.equal(feed(nif, V.UDP_CLOSED_PORT, T0), Drop.UDP_NO_PORT);
    const [r] = wire.take();
    assert.equal(hexOf(r.subarray(IP)), hexOf(V.ICMP_PORT_UNREACHABLE.subarray(IP)));
    assert.equal(hexOf(r.subarray(0, 14)), hexOf(V.ICMP_PORT_UNREACHABLE.subarray(0, 14)));
    assert.equal(get16(r, 16), get16(V.ICMP_PORT_UNREACHABLE, 16));
    assert.equal(icmpCheck(r, IP, r.length - IP), PASS);
    assert.equal(nif.stats[Stat.TX_ICMP_UNREACH], 1);
  });
});

describe('net/iface: UDP endpoints', () => {
  it('delivers the captured datagram to port 7 and sends one back with a checksum Linux would accept', () => {
    const { nif, wire } = stackB(T0); wire.take();
    feed(nif, V.ARP_REQUEST, T0); wire.take();
    const log = new UdpLog();
    const h = nif.udp.open(7, log);
    assert.equal(feed(nif, V.UDP_ECHO, T0), PASS);
    assert.deepEqual(log.got, [{ src: V.IP_A, sport: 40000, dst: V.IP_B, data: 'hello, stack\n' }]);
    const data = new TextEncoder().encode('hello, stack\n');
    assert.equal(nif.udp.sendTo(h, V.IP_A, 40000, data, 0, data.length, T0), data.length);
    const [f] = wire.take();
    assert.equal(hexOf(f.subarray(0, 14)), '020000770001020000770002' + '0800');
    assert.equal(udpCheck(f, IP, f.length - IP, V.IP_B, V.IP_A), PASS);
    assert.equal(hexOf(f.subarray(IP, IP + 6)), '00079c400015');
    assert.equal(hexOf(f.subarray(IP + 8)), hexOf(data));
  });

  it('broadcasts for DHCP while unconfigured: src 0.0.0.0, ff:ff:ff:ff:ff:ff; takes a unicast offer to port 68', () => {
    const n = new NetIf(); n.setMac(V.MAC_B); const w = new Recorder(); n.up(w, T0);
    assert.deepEqual(w.take(), []); // no address, no gratuitous ARP
    const log = new UdpLog();
    const h = n.udp.open(68, log);
    const msg = Uint8Array.of(1, 1, 6, 0);
    assert.equal(n.udp.sendTo(h, 0xffffffff, 67, msg, 0, 4, T0), 4);
    const [f] = w.take();
    assert.equal(hexOf(f.subarray(0, 6)), 'ffffffffffff');
    assert.equal(hexOf(f.subarray(26, 34)), '00000000ffffffff');
    assert.equal(udpCheck(f, IP, 12, 0, 0xffffffff), PASS);
    assert.equal(n.udp.sendTo(h, V.IP_A, 67, msg, 0, 4, T0), IpSendError.NOROUTE);
    const offer = Uint8Array.of(0, 67, 0, 68, 0, 9, 0, 0, 2);
    assert.equal(n.input(ipFrame(0x0a4d0032, IpProto.UDP, offer, V.MAC_B), IP + 9, T0), PASS);
    assert.deepEqual(log.got.map((d) => [d.dst, d.data]), [[0x0a4d0032, '\u0002']]);
  });

  it('checks its arguments: bad ports, taken ports, full table, bad handles, oversized sends', () => {
    const { nif } = stackB(T0);
    const log = new UdpLog();
    assert.equal(nif.udp.open(-1, log), UdpError.INVAL);
    assert.equal(nif.udp.open(65536, log), UdpError.INVAL);
    assert.equal(nif.udp.open(7, {} as never), UdpError.INVAL);
    assert.equal(nif.udp.open(7, log), 0);
    assert.equal(nif.udp.open(7, log), UdpError.ADDRINUSE);
    assert.equal(nif.udp.open(0, log), 1);
    assert.equal(nif.udp.localPort(1), 49152);
    assert.equal(nif.udp.open(8, log), 2);
    assert.equal(nif.udp.open(9, log), 3);
    assert.equal(nif.udp.open(10, log), UdpError.NOBUFS);
    assert.equal(nif.udp.close(3), 0);
    assert.equal(nif.udp.close(3), UdpError.BADHANDLE);
    const d = new Uint8Array(1473);
    assert.equal(nif.udp.sendTo(0, V.IP_A, 7, d, 0, 1473, T0), UdpError.INVAL);
    assert.equal(nif.udp.sendTo(0, V.IP_A, 0, d, 0, 1, T0), UdpError.INVAL);
    assert.equal(nif.udp.sendTo(0, V.IP_A, 7, d, 1470, 4, T0), UdpError.INVAL);
    assert.equal(nif.udp.sendTo(7, V.IP_A, 7, d, 0, 1, T0), UdpError.BADHANDLE);
  });
});

describe('net/iface: arguments', () => {
  it('rejects bad configuration and leaves the old one', () => {
    const { nif } = stackB(T0);
    assert.equal(nif.setAddress(V.IP_A, 0xff00ff00, 0, T0), IpSendError.INVAL);
    assert.equal(nif.setAddress(V.IP_A, MASK_24, 0x0a4e0001, T0), IpSendError.INVAL);
    assert.equal(nif.setAddress(-1, MASK_24, 0, T0), IpSendError.INVAL);
    assert.equal(nif.setMac(Uint8Array.of(1, 0, 0, 0, 0, 1)), IpSendError.INVAL);
    assert.equal(nif.setMac(new Uint8Array(5)), IpSendError.INVAL);
    assert.deepEqual([nif.addr, nif.mask, nif.gateway, hexOf(nif.mac)], [V.IP_B, MASK_24, GATEWAY, hexOf(V.MAC_B)]);
  });
  it('takes a new address at run time: announces it, forgets the ARP cache and a held datagram, answers for the new address only', () => {
    const { nif, wire } = stackB(T0); wire.take();
    feed(nif, V.ARP_REQUEST, T0); wire.take();
    const buf = new Uint8Array(IpHeadroom.FRAME);
    assert.equal(nif.sendIp(0x0a4d0009, 253, buf, IpHeadroom.BYTES, 0, T0), IpSendError.QUEUED);
    wire.take();
    assert.equal(nif.setAddress(0x0a4d0003, MASK_24, GATEWAY, T0 + 1), 0);
    assert.deepEqual(wire.take().map(hexOf), [
      'ffffffffffff' + '020000770002' + '0806' + '0001080006040001' + '020000770002' + '0a4d0003' + '000000000000' + '0a4d0003',
    ]);
    assert.equal(nif.arp.find(V.IP_A), -1);
    assert.equal(nif.holdLen, 0);
    assert.equal(nif.drops[Drop.TX_ARP_FAILED], 1);
    assert.equal(nif.poll(T0 + 1), -1);
    assert.equal(feed(nif, V.ARP_REQUEST, T0 + 2), Drop.ARP_NOT_US);
    assert.equal(feed(nif, V.ICMP_ECHO_REQUEST, T0 + 2), Drop.IP_NOT_US);
  });
  it('input and sendIp refuse what is not a frame, count nothing, throw nothing', () => {
    const { nif } = stackB(T0);
    assert.equal(nif.input(null as never, 10, T0), IpSendError.INVAL);
    assert.equal(nif.input(new Uint8Array(10), 11, T0), IpSendError.INVAL);
    assert.equal(nif.input(new Uint8Array(10), 1.5, T0), IpSendError.INVAL);
    assert.equal(nif.stats[Stat.RX_FRAMES], 0);
    const b = new Uint8Array(100);
    assert.equal(nif.sendIp(V.IP_A, 17, b, 33, 10, T0), IpSendError.INVAL);
    assert.equal(nif.sendIp(V.IP_A, 17, b, 34, 67, T0), IpSendError.INVAL);
    assert.equal(nif.sendIp(V.IP_A, 256, b, 34, 6, T0), IpSendError.INVAL);
    assert.equal(nif.sendIp(V.IP_B, 17, b, 34, 6, T0), IpSendError.NOROUTE);
    nif.down();
    assert.equal(nif.sendIp(V.IP_A, 17, b, 34, 6, T0), IpSendError.NETDOWN);
  });
});
