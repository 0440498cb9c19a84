import assert from 'node:assert/strict';
import { Rig } from './rig';
import { ECON1, ECON2, Reg } from '../../sim/enc28j60/registers';

describe('ENC28J60 model: SPI instruction set', () => {
  it('RCR of an ETH register: the value in byte 1', () => {
    const r = new Rig();
    // EREVID is in bank 3: BSEL = 3 first
    r.x([0x80 | Reg.ECON1, 0x03]);
    assert.deepEqual(r.x([0x12, 0x00]), [0x00, 0x06]);
    assert.deepEqual(r.x([0x1f, 0x00]), [0x00, 0x03]); // ECON1 shows BSEL = 3
    assert.equal(r.chip.trace.faultCount(), 0);
  });

  it('RCR of a MAC/MII register: a dummy byte first, the value in byte 2', () => {
    const r = new Rig();
    r.x([0x80 | Reg.ECON1, 0x02]); // bank 2
    assert.deepEqual(r.x([0x09, 0x00, 0x00]), [0x00, 0xc8, 0x37]); // MACLCON2 reset 0x37; dummy is never the value
    assert.deepEqual(r.x([0x0b, 0x00, 0x00]), [0x00, 0xf9, 0x06]); // MAMXFLH reset 0x06
    assert.equal(r.chip.trace.faultCount(), 0);
  });

  it('a MAC/MII read that stops after byte 1 gets the dummy and is counted', () => {
    const r = new Rig();
    r.x([0x80 | Reg.ECON1, 0x02]);
    assert.deepEqual(r.x([0x09, 0x00]), [0x00, 0xc8]);
    assert.equal(r.chip.trace.driverFaults.macMiiReadWithoutDummy, 1);
  });

  it('bytes past the first data byte are counted; reads repeat the value, writes ignore them', () => {
    const r = new Rig();
    assert.deepEqual(r.x([0x1e, 0, 0, 0]), [0, 0x80, 0x80, 0x80]); // ECON2 reset AUTOINC
    r.x([0x40 | Reg.EIE, 0x40, 0x80]);
    assert.equal(r.chip.peekRegister(Reg.EIE), 0x40);
    assert.equal(r.chip.trace.driverFaults.extraBytes, 2);
  });

  it('WCR writes one register; BFS ORs and BFC clears bits of an ETH register', () => {
    const r = new Rig();
    r.x([0x40 | Reg.EIE, 0x41]);
    r.x([0x80 | Reg.EIE, 0x88]);
    assert.equal(r.chip.peekRegister(Reg.EIE), 0xc9);
    r.x([0xa0 | Reg.EIE, 0x48]);
    assert.equal(r.chip.peekRegister(Reg.EIE), 0x81);
    assert.equal(r.chip.trace.faultCount(), 0);
  });

  it('BFS/BFC on a MAC/MII register is a driver fault: applied by default, ignored with bitOpsOnMacMii ignore', () => {
    for (const mode of ['apply', 'ignore'] as const) {
      const r = new Rig({ bitOpsOnMacMii: mode });
      r.x([0x80 | Reg.ECON1, 0x02]);
      r.x([0x80 | (Reg.MACON3 & 0x1f), 0x32]);
      assert.equal(r.chip.peekRegister(Reg.MACON3), mode === 'apply' ? 0x32 : 0x00, mode);
      r.x([0xa0 | (Reg.MACON3 & 0x1f), 0x02]);
      assert.equal(r.chip.peekRegister(Reg.MACON3), mode === 'apply' ? 0x30 : 0x00, mode);
      assert.equal(r.chip.trace.driverFaults.bitOpOnMacMii, 2, mode);
    }
  });

  it('banks: the same argument reaches a different register per ECON1.BSEL; 0x1B–0x1F are in every bank', () => {
    const r = new Rig();
    const seen: number[] = [];
    for (let b = 0; b < 4; b++) {
      r.x([0xa0 | Reg.ECON1, 0x03]);
      if (b) r.x([0x80 | Reg.ECON1, b]);
      // argument 0x19: ERXWRPTH? no: bank0 0x19 reserved (0), bank1 EPKTCNT (0), bank2 MIRDH (M), bank3 EPAUSH 0x10
      seen.push(r.x([0x1e, 0])[1]); // ECON2 in every bank
    }
    assert.deepEqual(seen, [0x80, 0x80, 0x80, 0x80]);
    r.x([0xa0 | Reg.ECON1, 0x03]);
    assert.deepEqual(r.x([0x08, 0]), [0, 0xfa]); // bank 0: ERXSTL
    r.x([0x80 | Reg.ECON1, 0x01]);
    assert.deepEqual(r.x([0x18, 0]), [0, 0xa1]); // bank 1: ERXFCON
    r.x([0x80 | Reg.ECON1, 0x03]);
    assert.deepEqual(r.x([0x19, 0]), [0, 0x10]); // bank 3: EPAUSH
  });

  it('SRC resets every register, including the bank select', () => {
    const r = new Rig({ resetBusyMs: 0 });
    r.wcr(Reg.ERXFCON, 0x00);
    r.wcr(Reg.EIE, 0x80);
    r.src();
    assert.equal(r.chip.peekRegister(Reg.ECON1), 0);
    assert.equal(r.rcr(Reg.ERXFCON), 0xa1);
    assert.equal(r.rcr(Reg.EIE), 0);
    assert.equal(r.chip.trace.records().filter((x) => x.ev === 'reset').length, 1);
  });

  it('undefined opcodes and arguments are counted and change nothing', () => {
    const r = new Rig();
    r.x([0x3b, 0, 0]);
    r.x([0x7b, 1, 2]);
    r.x([0xc5, 1]);
    r.x([0xe0]);
    assert.equal(r.chip.trace.driverFaults.badInstruction, 4);
    assert.equal(r.chip.peekRegister(Reg.ECON2), ECON2.AUTOINC);
  });

  it('RBM streams from ERDPT with AUTOINC; ERDPT = ERXND wraps to ERXST', () => {
    const r = new Rig();
    r.w16(Reg.ERXSTL, 0x0000);
    r.w16(Reg.ERXNDL, 0x0005);
    r.w16(Reg.EWRPTL, 0x0000);
    r.wbm([10, 11, 12, 13, 14, 15, 16]);
    r.w16(Reg.ERDPTL, 0x0004);
    assert.deepEqual(r.rbm(4), [14, 15, 10, 11]);
    assert.equal(r.r16(Reg.ERDPTL), 0x0002);
  });

  it('RBM at 0x1FFF wraps to 0x0000 when ERXND is elsewhere; WBM wraps at 0x1FFF and ignores ERXND', () => {
    const r = new Rig();
    r.w16(Reg.ERXSTL, 0x0000);
    r.w16(Reg.ERXNDL, 0x0001);
    r.w16(Reg.EWRPTL, 0x1ffe);
    r.wbm([1, 2, 3, 4]); // 1FFE, 1FFF, 0000, 0001
    assert.equal(r.r16(Reg.EWRPTL), 0x0002);
    r.w16(Reg.EWRPTL, 0x0000);
    r.wbm([7, 8, 9]); // crosses ERXND = 1 without wrapping
    assert.deepEqual(Array.from(r.chip.mem.subarray(0, 3)), [7, 8, 9]);
    r.w16(Reg.ERDPTL, 0x1ffe);
    assert.deepEqual(r.rbm(3), [1, 2, 7]);
  });

  it('without AUTOINC the pointers stay put', () => {
    const r = new Rig();
    r.bfc(Reg.ECON2, ECON2.AUTOINC);
    r.w16(Reg.EWRPTL, 0x0100);
    r.wbm([5, 6, 7]);
    assert.equal(r.r16(Reg.EWRPTL), 0x0100);
    assert.equal(r.chip.mem[0x100], 7);
    r.w16(Reg.ERDPTL, 0x0100);
    assert.deepEqual(r.rbm(2), [7, 7]);
  });

  it('counts transactions, bytes and buffer payload bytes', () => {
    const r = new Rig();
    r.x([0x1e, 0]);
    r.x([0x7a, 1, 2, 3]);
    r.x([0x3a, 0, 0]);
    const c = r.chip.trace.counters;
    assert.deepEqual([c.transactions, c.bytes, c.payloadBytes], [3, 9, 5]);
  });

  it('writes ECON1.BSEL like any bit: the bank survives other ECON1 changes', () => {
    const r = new Rig();
    r.x([0x80 | Reg.ECON1, 0x02]);
    r.x([0x80 | Reg.ECON1, ECON1.RXEN]);
    assert.equal(r.chip.peekRegister(Reg.ECON1), 0x06);
  });
});
