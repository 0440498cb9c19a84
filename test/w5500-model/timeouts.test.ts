import assert from 'node:assert/strict';
import { Rig, connected, PEER_IP } from './rig';
import { CommonReg, SnReg, Sn_MR, Sn_SR, Sn_IR, Sn_CR, socketBlock } from '../../hal/w5500/registers';
import { arpTimeoutMs, retryWaitUnits, tcpTimeoutMs } from '../../sim/w5500/timing';

const SOCK_CLOSED = Sn_SR.SOCK_CLOSED;
const SOCK_SYNSENT = Sn_SR.SOCK_SYNSENT;
const SOCK_ESTABLISHED = Sn_SR.SOCK_ESTABLISHED;
const SOCK_FIN_WAIT = Sn_SR.SOCK_FIN_WAIT;
const SOCK_UDP = Sn_SR.SOCK_UDP;
const CON = Sn_IR.CON;
const TIMEOUT = Sn_IR.TIMEOUT;
const SEND_OK = Sn_IR.SEND_OK;

describe('W5500 model: retransmission and ARP timeouts', () => {
  it('the datasheet formula: 31.8 s TCP and 1.8 s ARP at the defaults; the doubling stops below 65536', () => {
    assert.equal(tcpTimeoutMs(2000, 8), 31800);
    assert.equal(arpTimeoutMs(2000, 8), 1800);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((k) => retryWaitUnits(2000, k)),
      [2000, 4000, 8000, 16000, 32000, 64000, 64000, 64000, 64000]);
    assert.equal(tcpTimeoutMs(1000, 3), 1500);
    assert.equal(tcpTimeoutMs(40000, 2), 12000); // 40000·2 > 65535: no doubling at all
  });

  it('CONNECT to a host that drops SYNs: TIMEOUT + CLOSED after exactly 31.8 s, with RCR retransmissions', () => {
    const r = new Rig();
    r.setupCommon();
    r.net.listen({ ip: PEER_IP, port: 80 }).silent = true;
    r.open(0, Sn_MR.TCP, 5000);
    r.setDest(0, PEER_IP, 80);
    r.cmd(0, Sn_CR.CONNECT);
    assert.deepEqual(r.timeline(0, 40000), [{ t: 0, sr: SOCK_SYNSENT, ir: 0 }, { t: 31800, sr: SOCK_CLOSED, ir: TIMEOUT }]);
    const tries = r.chip.trace.records().filter((x) => x.what === 'retransmit').map((x) => x.t);
    assert.deepEqual(tries, [200, 600, 1400, 3000, 6200, 12600, 19000, 25400]);
  });

  it('RTR and RCR are read from the registers: RTR 100 ms, RCR 3 → 1.5 s', () => {
    const r = new Rig();
    r.setupCommon();
    r.w16(0, CommonReg.RTR, 1000);
    r.w8(0, CommonReg.RCR, 3);
    r.net.listen({ ip: PEER_IP, port: 80 }).silent = true;
    r.open(0, Sn_MR.TCP, 5000);
    r.setDest(0, PEER_IP, 80);
    r.cmd(0, Sn_CR.CONNECT);
    assert.deepEqual(r.timeline(0, 5000), [{ t: 0, sr: SOCK_SYNSENT, ir: 0 }, { t: 1500, sr: SOCK_CLOSED, ir: TIMEOUT }]);
  });

  it('data to a peer that went silent: TIMEOUT + CLOSED 31.8 s after the SEND, no SEND_OK; the peer later meets a RST', () => {
    const r = new Rig();
    const peer = connected(r);
    peer.setSilent(true);
    r.send(0, 'lost');
    assert.deepEqual(r.timeline(0, 40000), [{ t: 0, sr: SOCK_ESTABLISHED, ir: 0 }, { t: 31800, sr: SOCK_CLOSED, ir: TIMEOUT }]);
    peer.setSilent(false);
    peer.send('anyone?');
    r.wait(2);
    assert.equal(peer.gotRst, true);
  });

  it('a FIN nobody acknowledges: FIN_WAIT for 31.8 s, then TIMEOUT + CLOSED', () => {
    const r = new Rig();
    const peer = connected(r);
    peer.setSilent(true);
    r.cmd(0, Sn_CR.DISCON);
    assert.deepEqual(r.timeline(0, 40000), [{ t: 0, sr: SOCK_FIN_WAIT, ir: 0 }, { t: 31800, sr: SOCK_CLOSED, ir: TIMEOUT }]);
  });

  it('FIN_WAIT_2 with no peer FIN: the DISCON still times out — TIMEOUT + CLOSED at 31.8 s (datasheet), the peer’s next segment meets a RST', () => {
    const r = new Rig();
    const peer = connected(r);
    const t0 = r.now;
    r.cmd(0, Sn_CR.DISCON);
    r.wait(5);
    assert.equal(peer.gotFin, true, 'the peer took our FIN and acknowledged it');
    assert.equal(peer.state, 'CLOSE_WAIT');
    assert.deepEqual(r.timeline(0, 40000), [{ t: 0, sr: SOCK_FIN_WAIT, ir: 0 }, { t: 31795, sr: SOCK_CLOSED, ir: TIMEOUT }]);
    const tries = r.chip.trace.records().filter((x) => x.what === 'retransmit').map((x) => (x.t as number) - t0);
    assert.deepEqual(tries, [200, 600, 1400, 3000, 6200, 12600, 19000, 25400], 'the FIN is retried on the RTR/RCR schedule');
    assert.equal(peer.retransmits, 8, 'each retry reached the live peer, whose bare ACKs do not finish the disconnect');
    peer.fin();
    r.wait(2);
    assert.equal(peer.gotRst, true);
  });

  it('FIN_WAIT_2 options: finWait2 \'forever\' stays in FIN_WAIT; a number ends it that long after the ACK of our FIN', () => {
    const r = new Rig({ finWait2: 'forever' });
    connected(r);
    r.cmd(0, Sn_CR.DISCON);
    assert.deepEqual(r.timeline(0, 120000), [{ t: 0, sr: SOCK_FIN_WAIT, ir: 0 }]);
    const r2 = new Rig({ finWait2: 60000 });
    connected(r2);
    r2.cmd(0, Sn_CR.DISCON);
    assert.deepEqual(r2.timeline(0, 120000), [{ t: 0, sr: SOCK_FIN_WAIT, ir: 0 }, { t: 60001, sr: SOCK_CLOSED, ir: TIMEOUT }]);
  });

  it('FIN_WAIT_2 then the peer’s FIN before TCP_TO: DISCON, TIME_WAIT, CLOSED with no TIMEOUT', () => {
    const r = new Rig();
    const peer = connected(r);
    r.cmd(0, Sn_CR.DISCON);
    r.wait(10000);
    assert.equal(r.sr(0), SOCK_FIN_WAIT);
    peer.fin();
    assert.deepEqual(r.timeline(0, 40000), [{ t: 0, sr: SOCK_FIN_WAIT, ir: 0 }, { t: 0.5, sr: Sn_SR.SOCK_TIME_WAIT, ir: Sn_IR.DISCON }, { t: 1.5, sr: SOCK_CLOSED, ir: Sn_IR.DISCON }]);
  });

  it('ARP unanswered on CONNECT: SYNSENT for RTR×(RCR+1) = 1.8 s, then TIMEOUT + CLOSED; nothing reaches the wire', () => {
    const r = new Rig();
    r.setupCommon();
    r.net.setUnreachable('192.168.1.77');
    r.open(0, Sn_MR.TCP, 5000);
    r.setDest(0, '192.168.1.77', 80);
    r.cmd(0, Sn_CR.CONNECT);
    assert.deepEqual(r.timeline(0, 5000), [{ t: 0, sr: SOCK_SYNSENT, ir: 0 }, { t: 1800, sr: SOCK_CLOSED, ir: TIMEOUT }]);
    assert.deepEqual(r.net.wire, []);
    assert.deepEqual(r.read(socketBlock(0), SnReg.Sn_DHAR, 6), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  });

  it('ARP unanswered on a UDP SEND: TIMEOUT at 1.8 s, the socket stays SOCK_UDP, the datagram is dropped and TX space freed', () => {
    const r = new Rig();
    r.setupCommon();
    r.net.setUnreachable('192.168.1.77');
    r.open(0, Sn_MR.UDP, 5000);
    r.setDest(0, '192.168.1.77', 53);
    r.send(0, 'query');
    assert.equal(r.sreg16(0, SnReg.Sn_TX_FSR), 2043);
    assert.deepEqual(r.timeline(0, 5000), [{ t: 0, sr: SOCK_UDP, ir: 0 }, { t: 1800, sr: SOCK_UDP, ir: TIMEOUT }]);
    assert.equal(r.sreg16(0, SnReg.Sn_TX_FSR), 2048);
    assert.deepEqual(r.net.wire, []);
  });

  it('Sn_DIPR 0.0.0.0 never resolves: ARP timeout', () => {
    const r = new Rig();
    r.setupCommon();
    r.open(0, Sn_MR.TCP, 5000);
    r.cmd(0, Sn_CR.CONNECT);
    assert.deepEqual(r.timeline(0, 5000), [{ t: 0, sr: SOCK_SYNSENT, ir: 0 }, { t: 1800, sr: SOCK_CLOSED, ir: TIMEOUT }]);
  });

  it('an ARP answer that comes during the retries lets the CONNECT go on', () => {
    const r = new Rig();
    r.setupCommon();
    r.net.listen({ ip: PEER_IP, port: 80 });
    r.net.setUnreachable(PEER_IP);
    r.open(0, Sn_MR.TCP, 5000);
    r.setDest(0, PEER_IP, 80);
    r.cmd(0, Sn_CR.CONNECT);
    r.wait(500);
    r.net.setUnreachable(PEER_IP, false);
    // the next ARP retry is at 600 ms, then one round trip
    assert.deepEqual(r.timeline(0, 1000), [{ t: 0, sr: SOCK_SYNSENT, ir: 0 }, { t: 101, sr: SOCK_ESTABLISHED, ir: CON }]);
  });

  it('a zero window never times out: the chip probes, the peer answers, SEND_OK only once the window opens', () => {
    const r = new Rig();
    const peer = connected(r);
    peer.setZeroWindow(true);
    r.send(0, 'stuck');
    assert.deepEqual(r.timeline(0, 120000), [{ t: 0, sr: SOCK_ESTABLISHED, ir: 0 }]);
    assert.equal(r.sreg16(0, SnReg.Sn_TX_FSR), 2043);
    assert.ok(peer.retransmits > 100);
    assert.equal(peer.text(), '');
    peer.setZeroWindow(false);
    r.wait(1);
    assert.equal(peer.text(), 'stuck');
    assert.equal(r.ir(0), SEND_OK);
    assert.equal(r.sreg16(0, SnReg.Sn_TX_FSR), 2048);
  });
});

describe('W5500 model: keep-alive', () => {
  it('Sn_KPALVTR: no probe before a data exchange; then one every KPALVTR×5 s of idle time', () => {
    const r = new Rig();
    const peer = connected(r);
    r.w8(socketBlock(0), SnReg.Sn_KPALVTR, 2);
    r.wait(30000);
    assert.equal(peer.keepAlives, 0);
    r.send(0, 'x');
    const sentAt = r.now;
    r.wait(35000);
    assert.equal(peer.keepAlives, 3);
    const probes = r.net.wire.filter((w) => w.what === 'keep-alive').map((w) => w.t - sentAt);
    // idle counts from the last segment: the ACK of 'x' at +1 ms, each probe answer 1 ms after its probe
    assert.deepEqual(probes.map((t) => Math.round(t * 10) / 10), [10001.5, 20002.5, 30003.5]);
    assert.equal(r.sr(0), SOCK_ESTABLISHED);
  });

  it('an unanswered automatic probe ends in TIMEOUT + CLOSED 31.8 s after it was sent', () => {
    const r = new Rig();
    const peer = connected(r);
    r.w8(socketBlock(0), SnReg.Sn_KPALVTR, 1);
    peer.send('y');
    r.wait(1);
    r.clearIr(0);
    peer.setSilent(true);
    const tl = r.timeline(0, 40000);
    assert.deepEqual(tl.map((x) => [x.sr, x.ir]), [[SOCK_ESTABLISHED, 0], [SOCK_CLOSED, TIMEOUT]]);
    assert.equal(tl[1].t, 5000 - 0.5 + 31800); // data landed 0.5 ms into the 1 ms wait: probe at +5000 from then
  });

  it('SEND_KEEP (Sn_KPALVTR = 0): one probe, answered; unanswered → TIMEOUT + CLOSED after 31.8 s', () => {
    const r = new Rig();
    const peer = connected(r);
    r.cmd(0, Sn_CR.SEND_KEEP); // no data exchanged yet: ignored
    r.wait(5);
    assert.equal(peer.keepAlives, 0);
    r.send(0, 'z');
    r.wait(1);
    r.clearIr(0);
    r.cmd(0, Sn_CR.SEND_KEEP);
    assert.equal(r.cr(0), 0);
    r.wait(5);
    assert.equal(peer.keepAlives, 1);
    assert.equal(r.sr(0), SOCK_ESTABLISHED);
    peer.setSilent(true);
    r.cmd(0, Sn_CR.SEND_KEEP);
    assert.deepEqual(r.timeline(0, 40000), [{ t: 0, sr: SOCK_ESTABLISHED, ir: 0 }, { t: 31800, sr: SOCK_CLOSED, ir: TIMEOUT }]);
  });

  it('SEND_KEEP is ignored while Sn_KPALVTR > 0', () => {
    const r = new Rig();
    const peer = connected(r);
    r.send(0, 'z');
    r.wait(1);
    r.w8(socketBlock(0), SnReg.Sn_KPALVTR, 10);
    r.cmd(0, Sn_CR.SEND_KEEP);
    r.wait(5);
    assert.equal(peer.keepAlives, 0);
  });
});

describe('W5500 model: ARP on UDP', () => {
  it('a UDP SEND waits for ARP; an answer during the retries sends the datagram with SEND_OK', () => {
    const r = new Rig();
    r.setupCommon();
    r.net.setUnreachable(PEER_IP);
    const u = r.net.udpPeer({ ip: PEER_IP, port: 53 });
    r.open(0, Sn_MR.UDP, 1053);
    r.setDest(0, PEER_IP, 53);
    r.send(0, 'q1');
    r.send(0, 'q2'); // while ARP is pending the chip is busy: this SEND is lost
    r.wait(300);
    assert.equal(r.ir(0), 0);
    r.net.setUnreachable(PEER_IP, false);
    assert.deepEqual(r.timeline(0, 1000).map((x) => [x.t, x.ir]), [[0, 0], [100, Sn_IR.SEND_OK]]);
    r.wait(1);
    assert.deepEqual(u.received.map((d) => new TextDecoder().decode(d.bytes)), ['q1']);
    assert.deepEqual(r.read(socketBlock(0), SnReg.Sn_DHAR, 6), [0x02, 0x00, 192, 168, 1, 20]);
  });
});
