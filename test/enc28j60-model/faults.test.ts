import assert from 'node:assert/strict';
import { Rig, toChip } from './rig';
import { ECON1, EIR, Phy, Reg } from '../../sim/enc28j60/registers';

describe('ENC28J60 model: fault hooks', () => {
  it('chip absent: every MISO byte reads 0xFF (or 0x00) and writes are lost', () => {
    for (const level of [0xff, 0x00] as const) {
      const r = new Rig();
      r.chip.faults.chipAbsent = level;
      assert.deepEqual(r.x([0x72, 0]), [level, level]);
      r.x([0x40 | Reg.EIE, 0x80]);
      r.chip.faults.chipAbsent = false;
      assert.equal(r.rcr(Reg.EIE), 0);
    }
  });

  it('reset mid-traffic: registers return to reset values (ERXND 0x1FFF, ERXFCON 0xA1), frames in flight are lost', () => {
    const r = new Rig({ resetBusyMs: 0 });
    r.init();
    r.peer.send(toChip(1));
    r.run(0);
    assert.equal(r.rcr(Reg.EPKTCNT), 1);
    r.chip.faults.reset();
    assert.equal(r.rcr(Reg.EPKTCNT), 0);
    assert.equal(r.r16(Reg.ERXNDL), 0x1fff);
    assert.equal(r.rcr(Reg.ECON1) & ECON1.RXEN, 0);
    assert.equal(r.chip.intn, true);
    r.peer.send(toChip(2));
    r.run(0);
    assert.equal(r.chip.trace.drops.disabled, 1);
  });

  it('link flap: down now, up after downMs; two LINKIF events and PHSTAT2 follows', () => {
    const r = new Rig();
    r.init();
    r.chip.faults.flap(50);
    assert.equal(r.phyRead(Phy.PHSTAT2) & 0x0400, 0);
    assert.equal(r.rcr(Reg.EIR) & EIR.LINKIF, EIR.LINKIF);
    assert.equal(r.phyRead(Phy.PHIR), 0x0014);
    r.run(49);
    assert.equal(r.rcr(Reg.EIR) & EIR.LINKIF, 0);
    r.run(1);
    assert.equal(r.rcr(Reg.EIR) & EIR.LINKIF, EIR.LINKIF);
    assert.equal(r.phyRead(Phy.PHSTAT2) & 0x0400, 0x0400);
    const links = r.chip.trace.records().filter((x) => x.ev === 'link').map((x) => [x.t, x.up]);
    assert.deepEqual(links.map((l) => l[1]), [false, true]);
  });

  it('a torn window: only the bytes before the cut reach the chip, MISO floats high after it', () => {
    const r = new Rig();
    r.w16(Reg.EWRPTL, 0x0100);
    r.chip.faults.tearNext(3);
    assert.deepEqual(r.x([0x7a, 1, 2, 3, 4]), [0, 0, 0, 0xff, 0xff]);
    assert.equal(r.r16(Reg.EWRPTL), 0x0102);
    r.chip.faults.tearNext(1);
    assert.deepEqual(r.x([0x40 | Reg.EIE, 0x80]), [0, 0xff]);
    assert.equal(r.rcr(Reg.EIE), 0);
  });

  it('RX overflow under load: a flood fills the ring, the rest is dropped and counted with RXERIF', () => {
    const r = new Rig();
    r.init();
    r.chip.faults.flood(toChip(1, 1514), 10);
    assert.equal(r.rcr(Reg.EPKTCNT), 4); // 4 × 1524 fit 6656, the 5th does not
    assert.equal(r.chip.trace.drops.overflow, 6);
    assert.equal(r.rcr(Reg.EIR) & EIR.RXERIF, EIR.RXERIF);
  });
});
