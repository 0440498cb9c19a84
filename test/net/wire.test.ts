import assert from 'node:assert/strict';
import { Drop, PASS } from '../../firmware/net/drop';
import { IpProto } from '../../firmware/net/ip-proto';
import { Arp, ArpOper, arpCheck, arpEmit } from '../../firmware/net/wire/arp';
import { get16, get32 } from '../../firmware/net/wire/bytes';
import { Eth, EtherType, ethCheck, ethEmit, ethType } from '../../firmware/net/wire/ethernet';
import { Icmp, IcmpType, icmpCheck, icmpEchoReply, icmpEmit } from '../../firmware/net/wire/icmp';
import { Ip4, ip4Check, ip4Emit, ip4PayloadLen } from '../../firmware/net/wire/ipv4';
import { Udp, udpCheck, udpEmit } from '../../firmware/net/wire/udp';
import * as V from '../../sim/net/captured-frames';

const E = Eth.HEADER;
const IP = E + Ip4.HEADER;

function copy(b: Uint8Array): Uint8Array { return new Uint8Array(b); }
function hexOf(b: Uint8Array): string { return Buffer.from(b).toString('hex'); }

describe('net/wire: Ethernet II', () => {
  it('reads the captured frames: IPv4, ARP pass; IPv6 is ETH_TYPE', () => {
    assert.equal(ethCheck(V.ARP_REQUEST, V.ARP_REQUEST.length), PASS);
    assert.equal(ethType(V.ARP_REQUEST, 0), EtherType.ARP);
    assert.equal(ethCheck(V.UDP_ECHO, V.UDP_ECHO.length), PASS);
    assert.equal(ethType(V.UDP_ECHO, 0), EtherType.IPV4);
    assert.equal(ethCheck(V.IPV6_RS, V.IPV6_RS.length), Drop.ETH_TYPE);
  });
  it('truncated (< 14 bytes, or len beyond the buffer), oversized (> 1,518), group-source and 802.3-length frames are dropped by reason', () => {
    assert.equal(ethCheck(V.UDP_ECHO, 13), Drop.ETH_SHORT);
    assert.equal(ethCheck(V.UDP_ECHO, 0), Drop.ETH_SHORT);
    assert.equal(ethCheck(V.UDP_ECHO, V.UDP_ECHO.length + 1), Drop.ETH_SHORT);
    const big = new Uint8Array(1519); big.set(V.UDP_ECHO);
    assert.equal(ethCheck(big, 1518), PASS);
    assert.equal(ethCheck(big, 1519), Drop.ETH_LONG);
    const f = copy(V.UDP_ECHO); f[12] = 0x00; f[13] = 0x2e;
    assert.equal(ethCheck(f, f.length), Drop.ETH_TYPE);
    const g = copy(V.UDP_ECHO); g[6] |= 1;
    assert.equal(ethCheck(g, g.length), Drop.ETH_SRC);
  });
  it('emits the captured header byte for byte', () => {
    const b = new Uint8Array(14);
    ethEmit(b, 0, V.MAC_B, 0, V.MAC_A, EtherType.IPV4);
    assert.equal(hexOf(b), hexOf(V.UDP_ECHO.subarray(0, 14)));
  });
});

describe('net/wire: ARP (RFC 826)', () => {
  it('reads the captured request and reply', () => {
    assert.equal(arpCheck(V.ARP_REQUEST, E, 28), PASS);
    assert.equal(get16(V.ARP_REQUEST, E + Arp.OPER), ArpOper.REQUEST);
    assert.equal(get32(V.ARP_REQUEST, E + Arp.SPA), V.IP_A);
    assert.equal(get32(V.ARP_REQUEST, E + Arp.TPA), V.IP_B);
    assert.equal(arpCheck(V.ARP_REPLY, E, 28), PASS);
    assert.equal(get16(V.ARP_REPLY, E + Arp.OPER), ArpOper.REPLY);
  });
  it('emits the captured reply (Linux) byte for byte, Ethernet header included', () => {
    const b = new Uint8Array(42);
    ethEmit(b, 0, V.ARP_REQUEST, Eth.SRC, V.MAC_B, EtherType.ARP);
    arpEmit(b, E, ArpOper.REPLY, V.MAC_B, V.IP_B, V.ARP_REQUEST, E + Arp.SHA, V.IP_A);
    assert.equal(hexOf(b), hexOf(V.ARP_REPLY));
  });
  it('truncated, malformed (htype, ptype, hlen, plen) and unknown operations are dropped by reason', () => {
    assert.equal(arpCheck(V.ARP_REQUEST, E, 27), Drop.ARP_SHORT);
    for (const [at, v] of [[Arp.HTYPE + 1, 6], [Arp.PTYPE, 0x86], [Arp.HLEN, 8], [Arp.PLEN, 16]]) {
      const f = copy(V.ARP_REQUEST); f[E + at] = v;
      assert.equal(arpCheck(f, E, 28), Drop.ARP_FORMAT, `byte ${at}`);
    }
    const f = copy(V.ARP_REQUEST); f[E + Arp.OPER + 1] = 3;
    assert.equal(arpCheck(f, E, 28), Drop.ARP_OPER);
    // padding after the 28 bytes (a 60-byte minimum frame) is fine
    const p = new Uint8Array(60); p.set(V.ARP_REQUEST);
    assert.equal(arpCheck(p, E, 46), PASS);
  });
});

describe('net/wire: IPv4 (RFC 791)', () => {
  it('passes the captured datagrams and reads their fields', () => {
    for (const f of [V.ICMP_ECHO_REQUEST, V.ICMP_ECHO_REPLY, V.UDP_ECHO, V.UDP_CLOSED_PORT, V.ICMP_PORT_UNREACHABLE]) {
      assert.equal(ip4Check(f, E, f.length - E), PASS, hexOf(f.subarray(0, 34)));
    }
    assert.equal(ip4PayloadLen(V.UDP_ECHO, E), 21);
    assert.equal(V.UDP_ECHO[E + Ip4.PROTO], IpProto.UDP);
    assert.equal(get32(V.UDP_ECHO, E + Ip4.SRC), V.IP_A);
  });
  it('drops the captured fragments (first: MF; last: offset) and the captured options header', () => {
    assert.equal(ip4Check(V.IP_FRAGMENT_FIRST, E, V.IP_FRAGMENT_FIRST.length - E), Drop.IP_FRAGMENT);
    assert.equal(ip4Check(V.IP_FRAGMENT_LAST, E, V.IP_FRAGMENT_LAST.length - E), Drop.IP_FRAGMENT);
    assert.equal(ip4Check(V.IP_OPTIONS, E, V.IP_OPTIONS.length - E), Drop.IP_OPTIONS);
  });
  it('truncated, oversized and malformed headers are dropped by reason', () => {
    const f = V.UDP_ECHO;
    assert.equal(ip4Check(f, E, 19), Drop.IP_SHORT);
    assert.equal(ip4Check(f, E, f.length - E - 1), Drop.IP_LENGTH); // total length beyond the frame
    const cases: [number, number, number][] = [
      [Ip4.VER_IHL, 0x65, Drop.IP_VERSION], [Ip4.VER_IHL, 0x44, Drop.IP_HEADER], [Ip4.VER_IHL, 0x4f, Drop.IP_LENGTH],
      [Ip4.TOTAL_LEN + 1, 19, Drop.IP_LENGTH], [Ip4.TOTAL_LEN, 0x05, Drop.IP_LENGTH], [Ip4.TTL, 0x3f, Drop.IP_CHECKSUM],
      [Ip4.SRC, 0x0b, Drop.IP_CHECKSUM],
    ];
    for (const [at, v, why] of cases) {
      const g = copy(f); g[E + at] = v;
      assert.equal(ip4Check(g, E, g.length - E), why, `byte ${at} = ${v}`);
    }
    // TTL 0 with a checksum that matches
    const g = copy(f); g[E + Ip4.TTL] = 0; const c = get16(g, E + Ip4.CHECKSUM) + 0x4000;
    g[E + Ip4.CHECKSUM] = (c + (c >>> 16)) >>> 8; g[E + Ip4.CHECKSUM + 1] = (c + (c >>> 16)) & 0xff;
    assert.equal(ip4Check(g, E, g.length - E), Drop.IP_TTL);
    // Ethernet padding after the total length is fine
    const p = new Uint8Array(100); p.set(f);
    assert.equal(ip4Check(p, E, 100 - E), PASS);
  });
  it('emits a header that passes its own check and matches the captured header given the same ID', () => {
    const b = new Uint8Array(V.UDP_ECHO.length);
    b.set(V.UDP_ECHO.subarray(IP), IP);
    ip4Emit(b, E, 0, get16(V.UDP_ECHO, E + Ip4.ID), 64, IpProto.UDP, V.IP_A, V.IP_B, 21);
    assert.equal(hexOf(b.subarray(E, IP)), hexOf(V.UDP_ECHO.subarray(E, IP))); // Linux also sent DF and TTL 64
    assert.equal(ip4Check(b, E, b.length - E), PASS);
  });
});

describe('net/wire: ICMP (RFC 792)', () => {
  it('passes the captured echo request, echo reply and port unreachable', () => {
    assert.equal(icmpCheck(V.ICMP_ECHO_REQUEST, IP, 40), PASS);
    assert.equal(V.ICMP_ECHO_REQUEST[IP + Icmp.TYPE], IcmpType.ECHO_REQUEST);
    assert.equal(icmpCheck(V.ICMP_ECHO_REPLY, IP, 40), PASS);
    assert.equal(icmpCheck(V.ICMP_PORT_UNREACHABLE, IP, V.ICMP_PORT_UNREACHABLE.length - IP), PASS);
  });
  it('turning the captured request into a reply gives the captured reply\'s ICMP bytes', () => {
    const b = copy(V.ICMP_ECHO_REQUEST);
    icmpEmit(b, IP, 40, IcmpType.ECHO_REPLY, 0);
    assert.equal(hexOf(b.subarray(IP)), hexOf(V.ICMP_ECHO_REPLY.subarray(IP)));
    const c = copy(V.ICMP_ECHO_REQUEST);
    icmpEchoReply(c, IP); // incrementally (RFC 1624): the same bytes
    assert.equal(hexOf(c.subarray(IP)), hexOf(V.ICMP_ECHO_REPLY.subarray(IP)));
  });
  it('the incremental reply checksum is right at the 0x0000/0xFFFF edge (RFC 1624 §3)', () => {
    // a request whose checksum field is 0xFFFF-adjacent: try every identifier, compare with a full sum
    const b = copy(V.ICMP_ECHO_REQUEST);
    for (let id = 0; id < 65536; id += 97) {
      b[IP] = 8; b[IP + 1] = 0; b[IP + 4] = id >>> 8; b[IP + 5] = id & 0xff;
      icmpEmit(b, IP, 40, IcmpType.ECHO_REQUEST, 0);
      const full = copy(b); icmpEmit(full, IP, 40, IcmpType.ECHO_REPLY, 0);
      icmpEchoReply(b, IP);
      assert.equal(icmpCheck(b, IP, 40), PASS, `id ${id}`);
      assert.equal(get16(b, IP + 2) === 0xffff ? 0 : get16(b, IP + 2), get16(full, IP + 2) === 0xffff ? 0 : get16(full, IP + 2));
    }
  });
  it('truncated (< 8), odd-length and corrupted messages are dropped by reason', () => {
    assert.equal(icmpCheck(V.ICMP_ECHO_REQUEST, IP, 7), Drop.ICMP_SHORT);
    assert.equal(icmpCheck(V.ICMP_ECHO_REQUEST, IP, 39), Drop.ICMP_CHECKSUM);
    const b = copy(V.ICMP_ECHO_REQUEST); b[b.length - 1] ^= 1;
    assert.equal(icmpCheck(b, IP, 40), Drop.ICMP_CHECKSUM);
  });
});

describe('net/wire: UDP (RFC 768)', () => {
  it('passes the captured datagrams with their pseudo-header checksums', () => {
    assert.equal(udpCheck(V.UDP_ECHO, IP, 21, V.IP_A, V.IP_B), PASS);
    assert.equal(get16(V.UDP_ECHO, IP + Udp.DST_PORT), 7);
    assert.equal(udpCheck(V.UDP_CLOSED_PORT, IP, 24, V.IP_A, V.IP_B), PASS);
  });
  it('emits the captured header and checksum byte for byte (odd payload length 13)', () => {
    const b = copy(V.UDP_ECHO); b.fill(0, IP, IP + Udp.HEADER);
    udpEmit(b, IP, 40000, 7, 13, V.IP_A, V.IP_B);
    assert.equal(hexOf(b), hexOf(V.UDP_ECHO));
  });
  it('truncated, oversized length fields, wrong pseudo-header and corrupted data are dropped by reason; 0 means no checksum', () => {
    assert.equal(udpCheck(V.UDP_ECHO, IP, 7, V.IP_A, V.IP_B), Drop.UDP_SHORT);
    assert.equal(udpCheck(V.UDP_ECHO, IP, 20, V.IP_A, V.IP_B), Drop.UDP_LENGTH);
    const b = copy(V.UDP_ECHO); b[IP + Udp.LENGTH + 1] = 7;
    assert.equal(udpCheck(b, IP, 21, V.IP_A, V.IP_B), Drop.UDP_LENGTH);
    assert.equal(udpCheck(V.UDP_ECHO, IP, 21, V.IP_A, V.IP_A), Drop.UDP_CHECKSUM);
    const c = copy(V.UDP_ECHO); c[c.length - 1] ^= 0x40;
    assert.equal(udpCheck(c, IP, 21, V.IP_A, V.IP_B), Drop.UDP_CHECKSUM);
    c[IP + Udp.CHECKSUM] = 0; c[IP + Udp.CHECKSUM + 1] = 0;
    assert.equal(udpCheck(c, IP, 21, V.IP_A, V.IP_B), PASS);
  });
  it('sends a computed checksum of 0 as 0xFFFF', () => {
    // payload chosen so the sum is 0xFFFF: find it by solving for the last word
    const b = new Uint8Array(IP + 10);
    udpEmit(b, IP, 1, 2, 2, 0, 0);
    const c = get16(b, IP + Udp.CHECKSUM);
    b[IP + 8] = c >>> 8; b[IP + 9] = c & 0xff; // adding the checksum word makes the sum 0xFFFF
    udpEmit(b, IP, 1, 2, 2, 0, 0);
    assert.equal(get16(b, IP + Udp.CHECKSUM), 0xffff);
    assert.equal(udpCheck(b, IP, 10, 0, 0), PASS);
  });
});
