import assert from 'node:assert/strict';
import { Rig, PEER_IP, round } from './rig';
import { CommonReg, SnReg, Sn_MR, Sn_SR, Sn_IR, Sn_CR, socketBlock } from '../../hal/w5500/registers';
import { intLevelGapMs } from '../../sim/w5500/timing';

function connect(r: Rig, sn: number): void {
  r.open(sn, Sn_MR.TCP, 5000 + sn);
  r.setDest(sn, PEER_IP, 80);
  r.cmd(sn, Sn_CR.CONNECT);
}

describe('W5500 model: interrupts', () => {
  it('SIR bit n follows Sn_IR(n) ≠ 0 whatever SIMR says; INTn only when SIMR enables the socket', () => {
    const r = new Rig();
    r.setupCommon();
    r.net.listen({ ip: PEER_IP, port: 80 });
    connect(r, 3);
    r.wait(2);
    assert.equal(r.ir(3), Sn_IR.CON);
    assert.equal(r.r8(0, CommonReg.SIR), 0x08);
    assert.equal(r.chip.intn, true);
    assert.equal(r.intnLog.length, 0);
    r.w8(0, CommonReg.SIMR, 0x08);
    assert.equal(r.chip.intn, false);
    r.w8(0, CommonReg.SIR, 0x08); // SIR cannot be written clear
    assert.equal(r.r8(0, CommonReg.SIR), 0x08);
    r.clearIr(3, Sn_IR.CON);
    assert.equal(r.r8(0, CommonReg.SIR), 0);
    assert.equal(r.chip.intn, true);
    assert.deepEqual(r.intnLog.map((x) => x.high), [false, true]);
  });

  it('INTn falls when the event lands, at its virtual time, and rises when the host clears the bit', () => {
    const r = new Rig();
    r.setupCommon();
    r.w8(0, CommonReg.SIMR, 0xff);
    r.net.listen({ ip: PEER_IP, port: 80 });
    connect(r, 0);
    const t0 = r.now;
    r.wait(5);
    assert.deepEqual(r.intnLog.map((x) => [round(x.t - t0), x.high]), [[1, false]]);
    r.clearIr(0);
    assert.deepEqual(r.intnLog.map((x) => [round(x.t - t0), x.high]), [[1, false], [5, true]]);
  });

  it('Sn_IMR: a masked event does not set its Sn_IR bit (datasheet); option imrGatesSnIr=false only keeps it off INTn', () => {
    const r = new Rig();
    r.setupCommon();
    r.w8(0, CommonReg.SIMR, 0x01);
    r.net.listen({ ip: PEER_IP, port: 80 });
    r.w8(socketBlock(0), SnReg.Sn_IMR, 0xfe);
    connect(r, 0);
    r.wait(2);
    assert.equal(r.sr(0), Sn_SR.SOCK_ESTABLISHED);
    assert.equal(r.ir(0), 0);
    assert.equal(r.chip.intn, true);

    const r2 = new Rig({ imrGatesSnIr: false });
    r2.setupCommon();
    r2.w8(0, CommonReg.SIMR, 0x01);
    r2.net.listen({ ip: PEER_IP, port: 80 });
    r2.w8(socketBlock(0), SnReg.Sn_IMR, 0xfe);
    connect(r2, 0);
    r2.wait(2);
    assert.equal(r2.ir(0), Sn_IR.CON);
    assert.equal(r2.r8(0, CommonReg.SIR), 0);
    assert.equal(r2.chip.intn, true);
  });

  it('IR & IMR drive INTn too (UNREACH)', () => {
    const r = new Rig();
    r.setupCommon();
    r.w8(0, CommonReg.IMR, 0x40);
    r.open(0, Sn_MR.UDP, 1000);
    r.setDest(0, PEER_IP, 9);
    r.send(0, 'x');
    r.clearIr(0);
    r.wait(2);
    assert.equal(r.chip.intn, false);
    r.w8(0, CommonReg.IR, 0x40);
    assert.equal(r.chip.intn, true);
  });

  it('INTLEVEL: after INTn rises it cannot fall again before (INTLEVEL+1)·4 PLL clocks', () => {
    const gap = intLevelGapMs(0xffff);
    assert.equal(round(gap), round(65536 * 4 / 150000)); // 1.747627 ms
    for (const level of [0, 0xffff]) {
      const r = new Rig();
      r.setupCommon();
      r.w8(0, CommonReg.SIMR, 0x01);
      r.w16(0, CommonReg.INTLEVEL, level);
      const l = r.net.listen({ ip: PEER_IP, port: 80 });
      connect(r, 0);
      r.wait(2);
      const t0 = r.now;
      r.clearIr(0); // INTn rises at t0
      l.accepted[0].send('x'); // arrives at t0 + 0.5
      r.wait(5);
      assert.deepEqual(r.intnLog.slice(1).map((x) => [round(x.t - t0), x.high]), [[0, true], [level ? round(gap) : 0.5, false]]);
    }
  });

  it('onIntn callbacks fire on every change and only on changes', () => {
    const r = new Rig();
    r.setupCommon();
    r.w8(0, CommonReg.SIMR, 0x03);
    const l = r.net.listen({ ip: PEER_IP, port: 80 });
    connect(r, 0);
    r.wait(2);
    connect(r, 1);
    r.wait(2); // socket 1 also raises CON while INTn is already low
    r.clearIr(0);
    assert.equal(r.chip.intn, false);
    r.clearIr(1);
    assert.equal(l.accepted.length, 2);
    assert.deepEqual(r.intnLog.map((x) => x.high), [false, true]);
  });
});
