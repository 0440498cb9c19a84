import assert from 'node:assert/strict';
import { Rig, connected, PEER_IP, CHIP_IP } from './rig';
import { CommonReg, SnReg, Sn_MR, Sn_SR, Sn_IR, Sn_CR, socketBlock } from '../../hal/w5500/registers';

const SOCK_CLOSED = Sn_SR.SOCK_CLOSED;
const SOCK_INIT = Sn_SR.SOCK_INIT;
const SOCK_ESTABLISHED = Sn_SR.SOCK_ESTABLISHED;
const SEND_OK = Sn_IR.SEND_OK;
const TIMEOUT = Sn_IR.TIMEOUT;
const RECV = Sn_IR.RECV;

/** the stable-read rule: read the 2-byte counter until two successive reads agree */
function stable(read: () => number): { value: number; reads: number[] } {
  const reads = [read()];
  for (;;) {
    const v = read();
    reads.push(v);
    if (v === reads[reads.length - 2]) return { value: v, reads };
  }
}

describe('W5500 model: fault hooks', () => {
  it('torn reads "frame": Sn_RX_RSR changes between the two bytes of one 2-byte frame', () => {
    const r = new Rig();
    const peer = connected(r);
    r.chip.faults.tornReads = 'frame';
    peer.send(new Uint8Array(300)); // RSR 0x0000 → 0x012C
    r.wait(0.5);
    const one = () => r.sreg16(0, SnReg.Sn_RX_RSR);
    assert.equal(one(), 0x002c); // high byte 0x00 before, low byte 0x2C after the change
    assert.equal(one(), 0x012c);
    // the stable-read rule recovers
    peer.send(new Uint8Array(300)); // 0x012C → 0x0258
    r.wait(0.5);
    assert.deepEqual(stable(one), { value: 0x0258, reads: [0x0158, 0x0258, 0x0258] });
  });

  it('torn reads "split": two 1-byte frames (high, then low) tear; a single 2-byte frame does not', () => {
    const r = new Rig();
    const peer = connected(r);
    r.chip.faults.tornReads = 'split';
    peer.send(new Uint8Array(300));
    r.wait(0.5);
    const hi = r.r8(socketBlock(0), SnReg.Sn_RX_RSR);
    const lo = r.r8(socketBlock(0), SnReg.Sn_RX_RSR + 1);
    assert.deepEqual([hi, lo], [0x00, 0x2c]);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 0x012c);
    peer.send(new Uint8Array(300));
    r.wait(0.5);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 0x01ff); // one frame sees the value before the rest lands
    r.wait(0.9);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 0x01ff); // and stays so for up to 1 ms unless a split read comes
    r.wait(0.1);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 0x0258);
  });

  it('torn reads: Sn_TX_FSR tears as the ACK lands', () => {
    const r = new Rig();
    connected(r);
    r.chip.faults.tornReads = 'both';
    r.send(0, Array.from(new Uint8Array(300))); // FSR 0x06D4 until acked
    r.wait(1);
    assert.equal(r.sreg16(0, SnReg.Sn_TX_FSR), 0x0600); // 0x06 from before, 0x00 from 0x0800
    assert.equal(r.sreg16(0, SnReg.Sn_TX_FSR), 0x0800);
  });

  it('with tornReads off the counter moves in one piece', () => {
    const r = new Rig();
    const peer = connected(r);
    peer.send(new Uint8Array(300));
    r.wait(0.5);
    assert.equal(r.r8(socketBlock(0), SnReg.Sn_RX_RSR), 0x01);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 0x012c);
  });

  it('slowCommandMs: Sn_CR reads the command until the chip accepts it; the state changes only then', () => {
    const r = new Rig();
    r.chip.faults.slowCommandMs = 5;
    r.w8(socketBlock(0), SnReg.Sn_MR, Sn_MR.TCP);
    r.cmd(0, Sn_CR.OPEN);
    assert.equal(r.cr(0), Sn_CR.OPEN);
    assert.equal(r.sr(0), SOCK_CLOSED);
    r.cmd(0, Sn_CR.CLOSE); // a second write while busy is lost
    r.wait(4.9);
    assert.equal(r.cr(0), Sn_CR.OPEN);
    assert.equal(r.chip.nextDeadline(), 5);
    r.wait(0.1);
    assert.equal(r.cr(0), 0);
    assert.equal(r.sr(0), SOCK_INIT);
  });

  it('withholdSendOk: data flows and TX space returns, but SEND_OK never comes', () => {
    const r = new Rig();
    const peer = connected(r);
    r.chip.faults.withholdSendOk = true;
    r.send(0, 'abc');
    r.wait(10);
    assert.equal(peer.text(), 'abc');
    assert.equal(r.sreg16(0, SnReg.Sn_TX_FSR), 2048);
    assert.equal(r.ir(0), 0);
  });

  it('link down: PHYCFGR.LNK = 0 and nothing moves; back up within the timeout, everything resumes', () => {
    const r = new Rig();
    const peer = connected(r);
    r.chip.faults.link(false);
    assert.equal(r.r8(0, CommonReg.PHYCFGR) & 0x01, 0);
    assert.equal(r.chip.faults.linkUp, false);
    r.send(0, 'queued');
    peer.send('held');
    r.wait(1000);
    assert.equal(peer.text(), '');
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 0);
    r.chip.faults.link(true);
    assert.equal(r.r8(0, CommonReg.PHYCFGR), 0xbf);
    r.wait(1);
    assert.equal(peer.text(), 'queued');
    assert.equal(r.recvText(0), 'held');
    assert.equal(r.ir(0), SEND_OK | RECV);
  });

  it('link down for longer than the retransmission timeout: TIMEOUT + CLOSED', () => {
    const r = new Rig();
    connected(r);
    r.chip.faults.link(false);
    r.send(0, 'x');
    assert.deepEqual(r.timeline(0, 40000), [{ t: 0, sr: SOCK_ESTABLISHED, ir: 0 }, { t: 31800, sr: SOCK_CLOSED, ir: TIMEOUT }]);
  });

  it('chip reset (RSTn): registers back to reset values, connections gone; the peer meets a RST', () => {
    const r = new Rig();
    const peer = connected(r);
    r.w8(0, CommonReg.SIMR, 0xff);
    peer.send('x');
    r.wait(1);
    assert.equal(r.chip.intn, false);
    r.chip.hardReset();
    assert.equal(r.chip.intn, true);
    assert.deepEqual(r.read(0, CommonReg.SIPR, 4), [0, 0, 0, 0]);
    assert.equal(r.sr(0), SOCK_CLOSED);
    assert.equal(r.ir(0), 0);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 0);
    assert.equal(r.r8(socketBlock(0), SnReg.Sn_MR), 0);
    peer.send('still there?');
    r.wait(2);
    assert.equal(peer.gotRst, true);
    assert.equal(peer.state, 'RESET');
  });

  it('chip reset (MR.RST) drops connections the same way', () => {
    const r = new Rig();
    const peer = connected(r);
    r.w8(0, CommonReg.MR, 0x80);
    assert.equal(r.sr(0), SOCK_CLOSED);
    peer.send('?');
    r.wait(2);
    assert.equal(peer.gotRst, true);
  });

  it('chip absent: MISO is all 0xFF and writes are lost', () => {
    const r = new Rig();
    r.chip.faults.chipAbsent = true;
    assert.deepEqual(r.x([0x00, 0x39, 0x00, 0x00]), [0xff, 0xff, 0xff, 0xff]);
    r.write(0, CommonReg.SIPR, [1, 2, 3, 4]);
    r.chip.faults.chipAbsent = false;
    assert.deepEqual(r.read(0, CommonReg.SIPR, 4), [0, 0, 0, 0]);
    assert.deepEqual(r.x([0x00, 0x39, 0x00, 0x00]), [1, 2, 3, 4]);
  });

  it('rxOverflow: peer data beyond the RX buffer is dropped instead of waiting for RECV', () => {
    const r = new Rig();
    const peer = connected(r);
    r.chip.faults.rxOverflow(0);
    peer.send(new Uint8Array(3000).fill(0x42));
    r.wait(1);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 2048);
    assert.equal(r.chip.faults.rxDropped, 952);
    assert.equal(r.recv(0).length, 2048);
    r.wait(1);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 0);
    r.chip.faults.rxOverflow(0, false);
    peer.send(new Uint8Array(3000));
    r.wait(1);
    assert.equal(r.recv(0).length, 2048);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 952);
  });

  it('a peer connecting while the link is down gets through once it is back', () => {
    const r = new Rig();
    r.setupCommon();
    r.open(0, Sn_MR.TCP, 80);
    r.cmd(0, Sn_CR.LISTEN);
    r.chip.faults.link(false);
    const peer = r.net.connect({ ip: PEER_IP, port: 40000 }, { ip: CHIP_IP, port: 80 });
    r.wait(100);
    assert.equal(r.sr(0), Sn_SR.SOCK_LISTEN);
    r.chip.faults.link(true);
    r.wait(1);
    assert.equal(r.sr(0), SOCK_ESTABLISHED);
    assert.equal(peer.state, 'ESTABLISHED');
  });
});
