import assert from 'node:assert/strict';
import { Rig } from './rig';
import { CommonReg, SnReg, Sn_MR, Sn_SR, socketBlock, txBlock } from '../../hal/w5500/registers';

describe('W5500 model: SPI frames', () => {
  it('VDM read of VERSIONR: 00 39 00 + 1 dummy returns 01 02 03 04 (header bytes echo the phase number)', () => {
    const r = new Rig();
    assert.deepEqual(r.x([0x00, 0x39, 0x00, 0x00]), [0x01, 0x02, 0x03, 0x04]);
  });

  it('FDM 1-byte read of VERSIONR: 00 39 01 + 1 dummy', () => {
    const r = new Rig();
    assert.deepEqual(r.x([0x00, 0x39, 0x01, 0x00]), [0x01, 0x02, 0x03, 0x04]);
  });

  it('FDM frames are fixed length: the next header follows in the same chip-select window', () => {
    const r = new Rig();
    // FDM2 read of RTR, then FDM1 read of RCR, then FDM4 read of SIPR (after writing it with FDM4)
    r.x([0x00, 0x0f, 0x07, 10, 0, 0, 1]);
    const out = r.x([0x00, 0x19, 0x02, 0, 0, 0x00, 0x1b, 0x01, 0, 0x00, 0x0f, 0x03, 0, 0, 0, 0]);
    assert.deepEqual(out, [1, 2, 3, 0x07, 0xd0, 1, 2, 3, 0x08, 1, 2, 3, 10, 0, 0, 1]);
    // FDM1 write consumes one data byte: the following bytes are a new frame (here: FDM1 write of RCR)
    r.x([0x00, 0x1b, 0x05, 0x05, 0x00, 0x1c, 0x05, 0x30]);
    assert.equal(r.r8(0, CommonReg.RCR), 5);
    assert.equal(r.r8(0, CommonReg.PTIMER), 0x30);
  });

  it('VDM burst write of SHAR: 00 09 04 02 00 00 12 34 56', () => {
    const r = new Rig();
    const miso = r.x([0x00, 0x09, 0x04, 0x02, 0x00, 0x00, 0x12, 0x34, 0x56]);
    assert.deepEqual(miso, [1, 2, 3, 0, 0, 0, 0, 0, 0]); // data phase of a write answers 00
    assert.deepEqual(r.read(0, CommonReg.SHAR, 6), [0x02, 0x00, 0x00, 0x12, 0x34, 0x56]);
  });

  it('a burst read crosses register boundaries (GAR..SIPR in one frame)', () => {
    const r = new Rig();
    r.write(0, CommonReg.GAR, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
    assert.deepEqual(r.read(0, CommonReg.SUBR + 2, 6), [7, 8, 9, 10, 11, 12]);
  });

  it('socket frames from the reference table: Sn_SR of socket 3, OPEN on socket 0, Sn_RX_RSR of socket 0', () => {
    const r = new Rig();
    r.w8(socketBlock(3), SnReg.Sn_MR, Sn_MR.UDP);
    r.x([0x00, 0x01, 0x6c, 0x01]); // socket 3 OPEN via the 0x6C control byte
    assert.deepEqual(r.x([0x00, 0x03, 0x68, 0x00]), [1, 2, 3, Sn_SR.SOCK_UDP]);
    r.x([0x00, 0x00, 0x0c, Sn_MR.TCP]);
    r.x([0x00, 0x01, 0x0c, 0x01]);
    assert.deepEqual(r.x([0x00, 0x03, 0x08, 0x00]), [1, 2, 3, Sn_SR.SOCK_INIT]);
    assert.deepEqual(r.x([0x00, 0x26, 0x08, 0x00, 0x00]), [1, 2, 3, 0, 0]);
  });

  it('TX buffer write at 0xFFFE wraps inside the socket buffer: FF FE 54 AA BB CC', () => {
    const r = new Rig();
    r.x([0xff, 0xfe, 0x54, 0xaa, 0xbb, 0xcc]);
    // 2 KB buffer: 0xFFFE → 0x7FE, 0xFFFF → 0x7FF, 0x0000 → 0x000
    assert.deepEqual(r.read(txBlock(2), 0x07fe, 3), [0xaa, 0xbb, 0xcc]);
    assert.deepEqual(r.read(txBlock(2), 0x0000, 1), [0xcc]);
    assert.deepEqual(r.read(txBlock(2), 0x1000 + 0x07fe, 2), [0xaa, 0xbb]); // any offset, mod size
    assert.deepEqual(r.read(txBlock(1), 0x07fe, 3), [0, 0, 0]); // neighbours untouched
    assert.deepEqual(r.read(txBlock(3), 0x0000, 1), [0]);
  });

  it('RX buffer read at pointer 0x1234 (12 34 18 + 4 dummies) reads offset 0x234 of socket 0', () => {
    const r = new Rig();
    r.write(0x03, 0x0234, [5, 6, 7, 8]);
    assert.deepEqual(r.x([0x12, 0x34, 0x18, 0, 0, 0, 0]), [1, 2, 3, 5, 6, 7, 8]);
  });

  it('register offsets auto-increment with 16-bit wrap: a read from 0xFFFF continues at 0x0000', () => {
    const r = new Rig();
    assert.deepEqual(r.read(0, 0xffff, 2), [0, 0x00]);
    r.w8(0, CommonReg.MR, 0x02);
    assert.deepEqual(r.read(0, 0xffff, 2), [0, 0x02]);
  });

  it('reserved blocks (BSB 4, 8, … 28) read 0 and ignore writes', () => {
    const r = new Rig();
    for (let bsb = 4; bsb < 32; bsb += 4) {
      r.write(bsb, 0x0000, [0x11, 0x22]);
      assert.deepEqual(r.read(bsb, 0x0000, 2), [0, 0]);
    }
    // nothing leaked into the neighbouring blocks
    assert.deepEqual(r.read(0, 0, 2), [0, 0]);
    assert.deepEqual(r.read(socketBlock(1), 0, 2), [0, 0]);
    assert.deepEqual(r.read(0x03, 0, 2), [0, 0]);
  });

  it('short windows: fewer than 3 bytes is no frame; a header without data does nothing', () => {
    const r = new Rig();
    assert.deepEqual(r.x([0x00, 0x39]), [1, 2]);
    assert.deepEqual(r.x([0x00, 0x00, 0x04]), [1, 2, 3]);
    assert.equal(r.r8(0, CommonReg.MR), 0);
  });

  it('counts every transaction, every byte and buffer payload bytes; the trace decodes frames', () => {
    const r = new Rig();
    r.chip.trace.reset();
    r.x([0x00, 0x39, 0x00, 0x00]);
    r.x([0xff, 0xfe, 0x54, 0xaa, 0xbb, 0xcc]);
    r.x([0x00, 0x20, 0x08, 0x00, 0x00]);
    assert.deepEqual(r.chip.trace.counters, { transactions: 3, bytes: 15, payloadBytes: 3 });
    const spi = r.chip.trace.records().filter((x) => x.ev === 'spi');
    assert.deepEqual(spi.map((x) => [x.block, x.op, x.mode, x.regs, x.mosi, x.miso]), [
      ['common', 'R', 'VDM', ['VERSIONR'], '00 39 00 00', '01 02 03 04'],
      ['S2_TX', 'W', 'VDM', [], 'ff fe 54 aa bb cc', '01 02 03 00 00 00'],
      ['S0', 'R', 'VDM', ['S0_TX_FSR'], '00 20 08 00 00', '01 02 03 08 00'],
    ]);
    r.chip.trace.reset();
    assert.deepEqual(r.chip.trace.counters, { transactions: 0, bytes: 0, payloadBytes: 0 });
    assert.deepEqual(r.chip.trace.lines(), []);
  });

  it('counters run with the trace lines off', () => {
    const r = new Rig({ trace: false });
    r.x([0x00, 0x39, 0x00, 0x00]);
    r.x([0x00, 0x00, 0x18, 0, 0, 0, 0, 0]);
    assert.deepEqual(r.chip.trace.counters, { transactions: 2, bytes: 12, payloadBytes: 5 });
    assert.deepEqual(r.chip.trace.lines(), []);
  });

  it('options: header MISO pattern and write-phase MISO are configurable', () => {
    const r = new Rig({ headerMiso: [0, 0, 0], writeMiso: 0xff });
    assert.deepEqual(r.x([0x00, 0x39, 0x00, 0x00]), [0, 0, 0, 4]);
    assert.deepEqual(r.x([0x00, 0x09, 0x04, 0x02]), [0, 0, 0, 0xff]);
  });
});
