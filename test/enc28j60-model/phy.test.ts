import assert from 'node:assert/strict';
import { Rig } from './rig';
import { EIR, MISTAT, Phy, Reg } from '../../sim/enc28j60/registers';
import { MII_MS } from '../../sim/enc28j60/phy';

describe('ENC28J60 model: PHY through MII', () => {
  it('a read: MISTAT.BUSY for 10.24 µs, then MIRD holds the register (PHID1/PHID2)', () => {
    const r = new Rig();
    r.wcr(Reg.MIREGADR, Phy.PHID1);
    r.wcr(Reg.MICMD, 1);
    assert.equal(r.rcr(Reg.MISTAT), MISTAT.BUSY);
    r.run(MII_MS * 0.9);
    assert.equal(r.rcr(Reg.MISTAT), MISTAT.BUSY);
    assert.equal(r.rcr(Reg.MIRDL), 0);
    r.run(MII_MS * 0.1);
    assert.equal(r.rcr(Reg.MISTAT), 0);
    r.wcr(Reg.MICMD, 0);
    assert.equal(r.rcr(Reg.MIRDL) | (r.rcr(Reg.MIRDH) << 8), 0x0083);
    assert.equal(r.phyRead(Phy.PHID2), 0x1400);
    assert.equal(r.phyRead(Phy.PHLCON), 0x3422);
    assert.equal(r.phyRead(Phy.PHSTAT1), 0x1804); // PFDPX PHDPX LLSTAT (link up)
    assert.equal(r.phyRead(0x05), 0); // not one of the nine: reads 0
  });

  it('a write starts with MIWRH and keeps BUSY for 10.24 µs; read-only PHY registers keep their value', () => {
    const r = new Rig();
    r.wcr(Reg.MIREGADR, Phy.PHCON1);
    r.wcr(Reg.MIWRL, 0x00);
    assert.equal(r.rcr(Reg.MISTAT), 0);
    r.wcr(Reg.MIWRH, 0x01);
    assert.equal(r.rcr(Reg.MISTAT), MISTAT.BUSY);
    r.run(MII_MS);
    assert.equal(r.rcr(Reg.MISTAT), 0);
    assert.equal(r.phyRead(Phy.PHCON1), 0x0100);
    assert.equal(r.phyRead(Phy.PHSTAT2), 0x0600); // LSTAT, DPXSTAT (full duplex)
    r.phyWrite(Phy.PHID1, 0x1234);
    assert.equal(r.phyRead(Phy.PHID1), 0x0083);
  });

  it('MIREGADR written while BUSY is a driver fault', () => {
    const r = new Rig();
    r.wcr(Reg.MIREGADR, Phy.PHCON1);
    r.wcr(Reg.MIWRL, 0);
    r.wcr(Reg.MIWRH, 0);
    r.wcr(Reg.MIREGADR, Phy.PHCON2);
    assert.equal(r.chip.trace.driverFaults.miiWhileBusy, 1);
  });

  it('scan: MIISCAN keeps MIRD current; NVALID after the first read', () => {
    const r = new Rig();
    r.wcr(Reg.MIREGADR, Phy.PHSTAT2);
    r.wcr(Reg.MICMD, 2);
    assert.equal(r.rcr(Reg.MISTAT), MISTAT.SCAN | MISTAT.BUSY);
    r.run(MII_MS);
    assert.equal(r.rcr(Reg.MISTAT), MISTAT.SCAN | MISTAT.BUSY | MISTAT.NVALID);
    assert.equal(r.rcr(Reg.MIRDH), 0x04);
    r.chip.faults.link(false);
    r.run(MII_MS);
    assert.equal(r.rcr(Reg.MIRDH), 0x00);
    r.wcr(Reg.MICMD, 0);
    assert.equal(r.rcr(Reg.MISTAT) & (MISTAT.SCAN | MISTAT.BUSY), 0);
  });

  it('link: PHSTAT2.LSTAT follows the cable, PHSTAT1.LLSTAT latches low until read', () => {
    const r = new Rig();
    assert.equal(r.phyRead(Phy.PHSTAT2) & 0x0400, 0x0400);
    r.chip.faults.link(false);
    assert.equal(r.phyRead(Phy.PHSTAT2) & 0x0400, 0);
    r.chip.faults.link(true);
    assert.equal(r.phyRead(Phy.PHSTAT2) & 0x0400, 0x0400);
    assert.equal(r.phyRead(Phy.PHSTAT1) & 0x0004, 0); // the drop is remembered
    assert.equal(r.phyRead(Phy.PHSTAT1) & 0x0004, 0x0004);
  });

  it('link change: PHIR.PLNKIF; with PLNKIE and PGEIE also PGIF, EIR.LINKIF and INT; reading PHIR clears them', () => {
    const r = new Rig();
    r.phyWrite(Phy.PHIE, 0x12);
    r.wcr(Reg.EIE, 0x90); // INTIE LINKIE
    assert.equal(r.chip.intn, true);
    r.chip.faults.link(false);
    assert.equal(r.chip.intn, false);
    assert.equal(r.rcr(Reg.EIR), EIR.LINKIF);
    r.bfc(Reg.EIR, EIR.LINKIF); // read-only: a BFC does not clear it
    assert.equal(r.rcr(Reg.EIR), EIR.LINKIF);
    assert.equal(r.phyRead(Phy.PHIR), 0x0014);
    assert.equal(r.rcr(Reg.EIR), 0);
    assert.equal(r.chip.intn, true);
    assert.equal(r.phyRead(Phy.PHIR), 0);
  });

  it('without PGEIE a link change sets only PHIR.PLNKIF, no LINKIF', () => {
    const r = new Rig();
    r.phyWrite(Phy.PHIE, 0x10);
    r.chip.faults.link(false);
    assert.equal(r.rcr(Reg.EIR), 0);
    assert.equal(r.phyRead(Phy.PHIR), 0x0014);
  });

  it('PHCON1.PRST resets the PHY registers and drops the link while it runs', () => {
    const r = new Rig();
    r.phyWrite(Phy.PHCON2, 0x0100);
    r.phyWrite(Phy.PHCON1, 0x8000);
    assert.equal(r.phyRead(Phy.PHSTAT2) & 0x0400, 0);
    r.run(1);
    assert.equal(r.phyRead(Phy.PHCON1), 0);
    assert.equal(r.phyRead(Phy.PHCON2), 0);
    assert.equal(r.phyRead(Phy.PHSTAT2) & 0x0400, 0x0400);
  });
});
