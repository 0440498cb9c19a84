import assert from 'node:assert/strict';
import { Rig, PEER_IP, CHIP_IP } from './rig';
import { CommonReg, SnReg, Sn_MR, Sn_SR, Sn_IR, Sn_CR, socketBlock } from '../../hal/w5500/registers';

const RECV = Sn_IR.RECV;
const SEND_OK = Sn_IR.SEND_OK;

describe('W5500 model: UDP', () => {
  it('SEND to Sn_DIPR:Sn_DPORT; SEND_OK when the datagram leaves; TX space back at once', () => {
    const r = new Rig();
    r.setupCommon();
    const u = r.net.udpPeer({ ip: PEER_IP, port: 53 });
    r.open(0, Sn_MR.UDP, 1053);
    assert.equal(r.sr(0), Sn_SR.SOCK_UDP);
    r.setDest(0, PEER_IP, 53);
    r.send(0, 'ping');
    assert.equal(r.ir(0), SEND_OK);
    assert.equal(r.sreg16(0, SnReg.Sn_TX_FSR), 2048);
    r.wait(0.5);
    assert.deepEqual(u.received.map((d) => [d.from, new TextDecoder().decode(d.bytes)]), [[{ ip: CHIP_IP, port: 1053 }, 'ping']]);
  });

  it('each received datagram gets the 8-byte header: source IP, source port, length (big-endian)', () => {
    const r = new Rig();
    r.setupCommon();
    const a = r.net.udpPeer({ ip: PEER_IP, port: 53 });
    const b = r.net.udpPeer({ ip: '10.1.2.3', port: 0x1234 });
    r.open(2, Sn_MR.UDP, 1053);
    a.sendTo({ ip: CHIP_IP, port: 1053 }, 'one');
    b.sendTo({ ip: CHIP_IP, port: 1053 }, new Uint8Array(300).fill(7));
    r.wait(1);
    assert.equal(r.ir(2), RECV);
    assert.equal(r.sreg16(2, SnReg.Sn_RX_RSR), 8 + 3 + 8 + 300);
    const all = r.recv(2);
    assert.deepEqual(all.slice(0, 11), [192, 168, 1, 20, 0, 53, 0, 3, 0x6f, 0x6e, 0x65]);
    assert.deepEqual(all.slice(11, 19), [10, 1, 2, 3, 0x12, 0x34, 0x01, 0x2c]);
    assert.equal(all.length, 319);
  });

  it('a datagram that does not fit into the free RX space is dropped whole', () => {
    const r = new Rig();
    r.setupCommon();
    const a = r.net.udpPeer({ ip: PEER_IP, port: 53 });
    r.open(0, Sn_MR.UDP, 1053);
    a.sendTo({ ip: CHIP_IP, port: 1053 }, new Uint8Array(1500));
    a.sendTo({ ip: CHIP_IP, port: 1053 }, new Uint8Array(600)); // 1508 + 608 > 2048
    a.sendTo({ ip: CHIP_IP, port: 1053 }, new Uint8Array(500));
    r.wait(1);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 1508 + 508);
    assert.equal(r.chip.faults.rxDropped, 600);
  });

  it('SEND_MAC goes to Sn_DHAR without ARP, even where ARP would fail', () => {
    const r = new Rig();
    r.setupCommon();
    r.net.setUnreachable('192.168.1.30');
    const u = r.net.udpPeer({ ip: '192.168.1.30', port: 7 });
    r.open(0, Sn_MR.UDP, 7000);
    r.setDest(0, '192.168.1.30', 7);
    r.write(socketBlock(0), SnReg.Sn_DHAR, [2, 0, 0, 0, 0, 0x30]);
    const wr = r.sreg16(0, SnReg.Sn_TX_WR);
    r.write(0x02, wr, [1, 2, 3]);
    r.w16(socketBlock(0), SnReg.Sn_TX_WR, wr + 3);
    r.cmd(0, Sn_CR.SEND_MAC);
    assert.equal(r.ir(0), SEND_OK);
    r.wait(1);
    assert.deepEqual(Array.from(u.received[0].bytes), [1, 2, 3]);
  });

  it('a datagram to a port nobody uses brings ICMP unreachable: IR.UNREACH, UIPR, UPORTR', () => {
    const r = new Rig();
    r.setupCommon();
    r.open(0, Sn_MR.UDP, 1000);
    r.setDest(0, PEER_IP, 9999);
    r.send(0, '?');
    r.wait(0.9);
    assert.equal(r.r8(0, CommonReg.IR), 0);
    r.wait(0.2);
    assert.equal(r.r8(0, CommonReg.IR), 0x40);
    assert.deepEqual(r.read(0, CommonReg.UIPR, 6), [192, 168, 1, 20, 0x27, 0x0f]);
  });

  it('broadcast reaches every peer on the port; CLOSE ends reception', () => {
    const r = new Rig();
    r.setupCommon();
    const a = r.net.udpPeer({ ip: PEER_IP, port: 67 });
    const b = r.net.udpPeer({ ip: '192.168.1.21', port: 67 });
    r.open(0, Sn_MR.UDP, 68);
    r.setDest(0, '255.255.255.255', 67);
    r.send(0, 'DISCOVER');
    r.wait(1);
    assert.equal(a.received.length, 1);
    assert.equal(b.received.length, 1);
    r.cmd(0, Sn_CR.CLOSE);
    a.sendTo({ ip: CHIP_IP, port: 68 }, 'OFFER');
    r.wait(1);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 0);
  });
});

describe('W5500 model: MACRAW', () => {
  const frame = (dst: number[], type: number, n: number) => {
    const f = new Uint8Array(n);
    f.set(dst, 0);
    f.set([2, 0, 0, 0, 0, 9], 6);
    f[12] = type >> 8;
    f[13] = type & 0xff;
    return f;
  };

  it('received frames carry a 2-byte length that counts itself', () => {
    const r = new Rig();
    r.open(0, Sn_MR.MACRAW, 0);
    assert.equal(r.sr(0), Sn_SR.SOCK_MACRAW);
    r.net.injectFrame(frame([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 0x0806, 60));
    r.wait(1);
    assert.equal(r.ir(0), RECV);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 62);
    const got = r.recv(0);
    assert.deepEqual(got.slice(0, 2), [0x00, 62]);
    assert.deepEqual(got.slice(2, 8), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  });

  it('SEND transmits [TX_RD, TX_WR) as one frame', () => {
    const r = new Rig();
    r.open(0, Sn_MR.MACRAW, 0);
    const f = frame([2, 0, 0, 0, 0, 9], 0x0800, 64);
    r.send(0, Array.from(f));
    assert.equal(r.ir(0), SEND_OK);
    assert.deepEqual(r.net.framesOut.map((x) => Array.from(x)), [Array.from(f)]);
  });

  it('MFEN filters unicast to SHAR; BCASTB blocks broadcast; MIP6B blocks IPv6', () => {
    const r = new Rig();
    r.write(0, CommonReg.SHAR, [2, 0, 0, 0x12, 0x34, 0x56]);
    r.open(0, Sn_MR.MACRAW | Sn_MR.MFEN | Sn_MR.BCASTB | Sn_MR.MIP6B, 0);
    r.net.injectFrame(frame([2, 0, 0, 0x12, 0x34, 0x56], 0x0800, 60)); // ours: kept
    r.net.injectFrame(frame([2, 0, 0, 0x12, 0x34, 0x57], 0x0800, 60)); // not ours
    r.net.injectFrame(frame([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 0x0806, 60)); // broadcast blocked
    r.net.injectFrame(frame([2, 0, 0, 0x12, 0x34, 0x56], 0x86dd, 60)); // IPv6 blocked
    r.wait(1);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 62);
  });
});
