import assert from 'node:assert/strict';
import { FrameLog } from '../../tools/start-frames';

const DEVICE = [192, 168, 1, 20];
const PC = [192, 168, 1, 10];
const MAC_DEV = [2, 0, 0, 0x12, 0x34, 0x56];
const MAC_PC = [2, 0, 0, 0, 0, 1];

/** an Ethernet II frame with an IPv4 header (no options) and `l4` after it */
function ipv4(src: number[], dst: number[], proto: number, l4: number[]): Uint8Array {
  const total = 20 + l4.length;
  return new Uint8Array([...MAC_DEV, ...MAC_PC, 0x08, 0x00,
    0x45, 0, total >> 8, total & 255, 0, 0, 0x40, 0, 64, proto, 0, 0, ...src, ...dst, ...l4]);
}

function tcp(from: 'PC' | 'device', sport: number, dport: number, seq: number, flags: number, payload = 0): Uint8Array {
  const h = [sport >> 8, sport & 255, dport >> 8, dport & 255, seq >>> 24, (seq >> 16) & 255, (seq >> 8) & 255, seq & 255,
    0, 0, 0, 0, 0x50, flags, 0x10, 0, 0, 0, 0, 0];
  return ipv4(from === 'PC' ? PC : DEVICE, from === 'PC' ? DEVICE : PC, 6, [...h, ...new Array(payload).fill(0x61)]);
}

const SYN = 0x02, ACK = 0x10, FIN = 0x01, RST = 0x04, PSH = 0x08;

describe('the frame-level wire log of npm start on the TAP paths (tools/start-frames.ts)', () => {
  it('follows a connection the PC opens from SYN to both FINs, counting new bytes once and naming retransmissions', () => {
    const w = new FrameLog('192.168.1.20');
    const lines = [
      tcp('PC', 40000, 7, 1000, SYN),
      tcp('device', 7, 40000, 5000, SYN | ACK),
      tcp('PC', 40000, 7, 1001, ACK),
      tcp('PC', 40000, 7, 1001, PSH | ACK, 6),
      tcp('PC', 40000, 7, 1001, PSH | ACK, 6), // the same 6 bytes again
      tcp('device', 7, 40000, 5001, PSH | ACK, 6),
      tcp('device', 7, 40000, 5007, FIN | ACK),
      tcp('device', 7, 40000, 5007, FIN | ACK), // the FIN again
      tcp('PC', 40000, 7, 1007, FIN | ACK),
      tcp('device', 7, 40000, 5008, ACK),
    ].map((f) => w.record(f));
    assert.deepEqual(lines, [
      ['wire    SYN   PC 192.168.1.10:40000 → device 192.168.1.20:7 (C1)'],
      ['wire    SYN-ACK device → PC (C1)'],
      [],
      ['wire    data  PC → device, 6 bytes (C1)'],
      ['wire    retransmission: 6 bytes PC → device (C1)'],
      ['wire    data  device → PC, 6 bytes (C1)'],
      ['wire    FIN   device → PC (C1)'],
      ['wire    retransmission: FIN device → PC (C1)'],
      ['wire    FIN   PC → device (C1)'],
      [],
    ]);
    assert.deepEqual(w.connections, [{
      sn: 1, tag: 'C1', peer: '192.168.1.10:40000', device: '192.168.1.20:7', openedBy: 'PC',
      bytesIn: 6, bytesOut: 6, fins: ['device', 'PC'], end: 'FIN both ways, device first',
    }]);
    assert.deepEqual(w.open(), []);
    assert.deepEqual(w.totals(), { connections: 1, fins: 2, rsts: 0, bytesIn: 6, bytesOut: 6 });
    assert.equal(w.frames, 10);
  });

  it('a connection the device opens, ended by the PC\'s RST; a stray RST; ARP, ICMP, UDP and what is not IPv4', () => {
    const w = new FrameLog('192.168.1.20');
    const arpAnnounce = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...MAC_DEV, 0x08, 0x06,
      0, 1, 0x08, 0, 6, 4, 0, 1, ...MAC_DEV, ...DEVICE, 0, 0, 0, 0, 0, 0, ...DEVICE]);
    const arpReply = new Uint8Array([...MAC_DEV, ...MAC_PC, 0x08, 0x06,
      0, 1, 0x08, 0, 6, 4, 0, 2, ...MAC_PC, ...PC, ...MAC_DEV, ...DEVICE]);
    assert.deepEqual(w.record(arpAnnounce), ['wire    ARP   device announces 192.168.1.20 (gratuitous)']);
    assert.deepEqual(w.record(arpReply), ['wire    ARP   PC: 192.168.1.10 is at 02:00:00:00:00:01']);
    assert.deepEqual(w.record(ipv4(PC, DEVICE, 1, [8, 0, 0, 0, 0, 1, 0, 1])), ['wire    ICMP  echo request PC 192.168.1.10 → device 192.168.1.20']);
    assert.deepEqual(w.record(ipv4(DEVICE, PC, 17, [0, 68, 0, 67, 0, 12, 0, 0, 1, 2, 3, 4])), ['wire    UDP   device 192.168.1.20:68 → PC 192.168.1.10:67, 4 bytes']);
    assert.deepEqual(w.record(new Uint8Array([...MAC_DEV, ...MAC_PC, 0x86, 0xdd, 0x60, 0, 0, 0])), []);
    assert.deepEqual(w.record(new Uint8Array(10)), []);
    assert.deepEqual(w.record(tcp('device', 49152, 5555, 0xfffffff0, SYN)), ['wire    SYN   device 192.168.1.20:49152 → PC 192.168.1.10:5555 (C1)']);
    assert.deepEqual(w.record(tcp('PC', 5555, 49152, 7, SYN | ACK)), ['wire    SYN-ACK PC → device (C1)']);
    // the sequence numbers wrap past 2^32 inside this segment
    assert.deepEqual(w.record(tcp('device', 49152, 5555, 0xfffffff1, PSH | ACK, 64)), ['wire    data  device → PC, 64 bytes (C1)']);
    assert.deepEqual(w.record(tcp('device', 49152, 5555, 0x31, PSH | ACK, 10)), ['wire    data  device → PC, 10 bytes (C1)']);
    assert.deepEqual(w.record(tcp('PC', 5555, 49152, 8, RST | ACK)), ['wire    RST   PC → device (C1)']);
    assert.deepEqual(w.record(tcp('PC', 5555, 49152, 8, RST)), ['wire    RST   PC → device for 192.168.1.10:5555 ↔ 192.168.1.20:49152, no open connection']);
    assert.deepEqual(w.connections.map((c) => [c.tag, c.openedBy, c.bytesOut, c.bytesIn, c.end]), [['C1', 'device', 74, 0, 'RST from the PC']]);
    assert.deepEqual(w.totals(), { connections: 1, fins: 0, rsts: 2, bytesIn: 0, bytesOut: 74 });
  });
});
