import assert from 'node:assert/strict';
import { Rig, PEER_IP } from './rig';
import { CommonReg, SnReg, Sn_MR, Sn_SR, Sn_CR, PHYCFGR, socketBlock, txBlock, rxBlock } from '../../hal/w5500/registers';

/** expected reset image of the common block 0x0000–0x0039 (docs/w5500.md §2), written out independently of the model */
function commonReset(): number[] {
  const b = new Array(0x3a).fill(0);
  b[0x19] = 0x07; b[0x1a] = 0xd0; // RTR 0x07D0
  b[0x1b] = 0x08; // RCR
  b[0x1c] = 0x28; // PTIMER
  b[0x26] = 0xff; b[0x27] = 0xff; // PMRU
  b[0x2e] = 0xbf; // PHYCFGR: RST, all-auto from PMODE pins, 100 Mbit full duplex, link up
  b[0x39] = 0x04; // VERSIONR
  return b;
}

/** expected reset image of a socket register block 0x00–0x2F (§3) */
function socketReset(): number[] {
  const b = new Array(0x30).fill(0);
  for (let i = 0x06; i <= 0x0b; i++) b[i] = 0xff; // Sn_DHAR
  b[0x16] = 0x80; // Sn_TTL
  b[0x1e] = 0x02; b[0x1f] = 0x02; // buffer sizes
  b[0x20] = 0x08; b[0x21] = 0x00; // Sn_TX_FSR
  b[0x2c] = 0xff; // Sn_IMR
  b[0x2d] = 0x40; b[0x2e] = 0x00; // Sn_FRAG
  return b;
}

describe('W5500 model: registers', () => {
  it('every common register reads its reset value, and bytes past VERSIONR read 0', () => {
    const r = new Rig();
    assert.deepEqual(r.read(0, 0x0000, 0x3a), commonReset());
    assert.deepEqual(r.read(0, 0x003a, 8), [0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('every socket register of all 8 sockets reads its reset value; bytes past Sn_KPALVTR read 0', () => {
    const r = new Rig();
    for (let sn = 0; sn < 8; sn++) {
      assert.deepEqual(r.read(socketBlock(sn), 0x00, 0x30), socketReset(), 'socket ' + sn);
      assert.deepEqual(r.read(socketBlock(sn), 0x30, 4), [0, 0, 0, 0]);
    }
  });

  it('read-write registers keep what is written; read-only ones ignore writes', () => {
    const r = new Rig();
    r.write(0, CommonReg.GAR, [192, 168, 1, 1, 255, 255, 255, 0, 2, 0, 0, 0x12, 0x34, 0x56, 192, 168, 1, 10]);
    assert.deepEqual(r.read(0, CommonReg.GAR, 18), [192, 168, 1, 1, 255, 255, 255, 0, 2, 0, 0, 0x12, 0x34, 0x56, 192, 168, 1, 10]);
    r.w16(0, CommonReg.RTR, 0x0fa0);
    r.w8(0, CommonReg.RCR, 3);
    assert.equal(r.r16(0, CommonReg.RTR), 0x0fa0);
    assert.equal(r.r8(0, CommonReg.RCR), 3);
    // VERSIONR, SIR, UIPR, UPORTR are read-only
    r.w8(0, CommonReg.VERSIONR, 0x55);
    r.w8(0, CommonReg.SIR, 0xff);
    r.write(0, CommonReg.UIPR, [1, 2, 3, 4, 5, 6]);
    assert.equal(r.r8(0, CommonReg.VERSIONR), 0x04);
    assert.equal(r.r8(0, CommonReg.SIR), 0);
    assert.deepEqual(r.read(0, CommonReg.UIPR, 6), [0, 0, 0, 0, 0, 0]);
    // reserved common addresses ignore writes
    r.write(0, 0x0030, [1, 2, 3]);
    assert.deepEqual(r.read(0, 0x0030, 3), [0, 0, 0]);
    // socket: Sn_SR, Sn_TX_FSR, Sn_TX_RD, Sn_RX_RSR, Sn_RX_WR are read-only; reserved 0x14, 0x17–0x1D ignore writes
    const b = socketBlock(4);
    r.w8(b, SnReg.Sn_SR, 0x17);
    r.write(b, SnReg.Sn_TX_FSR, [0, 0, 0x12, 0x34]);
    r.write(b, SnReg.Sn_RX_RSR, [0x12, 0x34]);
    r.write(b, SnReg.Sn_RX_WR, [0x12, 0x34]);
    r.w8(b, 0x14, 0x99);
    r.write(b, 0x17, [1, 2, 3, 4, 5, 6, 7]);
    assert.equal(r.sr(4), 0);
    assert.equal(r.sreg16(4, SnReg.Sn_TX_FSR), 0x0800);
    assert.equal(r.sreg16(4, SnReg.Sn_TX_RD), 0);
    assert.equal(r.sreg16(4, SnReg.Sn_RX_RSR), 0);
    assert.equal(r.sreg16(4, SnReg.Sn_RX_WR), 0);
    assert.equal(r.r8(b, 0x14), 0);
    assert.deepEqual(r.read(b, 0x17, 7), [0, 0, 0, 0, 0, 0, 0]);
    // host-owned pointers and plain registers are R/W
    r.w16(b, SnReg.Sn_TX_WR, 0x1234);
    r.w16(b, SnReg.Sn_RX_RD, 0xabcd);
    r.w8(b, SnReg.Sn_KPALVTR, 2);
    r.w8(b, SnReg.Sn_TTL, 0x40);
    assert.equal(r.sreg16(4, SnReg.Sn_TX_WR), 0x1234);
    assert.equal(r.sreg16(4, SnReg.Sn_RX_RD), 0xabcd);
    assert.equal(r.r8(b, SnReg.Sn_KPALVTR), 2);
    assert.equal(r.r8(b, SnReg.Sn_TTL), 0x40);
  });

  it('MR stores only its defined bits and MR.RST puts every register back, closing sockets', () => {
    const r = new Rig();
    r.w8(0, CommonReg.MR, 0xff & ~0x80);
    assert.equal(r.r8(0, CommonReg.MR), 0x3a); // WOL, PB, PPPoE, FARP
    r.setupCommon();
    r.write(0, CommonReg.SHAR, [2, 0, 0, 0x12, 0x34, 0x56]);
    r.open(2, Sn_MR.UDP, 1000);
    assert.equal(r.sr(2), Sn_SR.SOCK_UDP);
    r.x([0x00, 0x00, 0x04, 0x80]);
    assert.equal(r.r8(0, CommonReg.MR), 0); // self-clearing
    assert.deepEqual(r.read(0, 0, 0x3a), commonReset());
    assert.deepEqual(r.read(socketBlock(2), 0, 0x30), socketReset());
  });

  it('IR is write-one-to-clear; IMR keeps only bits 7–4', () => {
    const r = new Rig();
    r.setupCommon();
    r.open(0, Sn_MR.UDP, 1000);
    r.setDest(0, PEER_IP, 9); // nobody there: the peer host answers ICMP port unreachable
    r.send(0, 'x');
    r.wait(2);
    assert.equal(r.r8(0, CommonReg.IR), 0x40);
    assert.deepEqual(r.read(0, CommonReg.UIPR, 6), [192, 168, 1, 20, 0, 9]);
    r.w8(0, CommonReg.IR, 0x80); // other bit: no effect
    assert.equal(r.r8(0, CommonReg.IR), 0x40);
    r.w8(0, CommonReg.IR, 0x40);
    assert.equal(r.r8(0, CommonReg.IR), 0);
    r.w8(0, CommonReg.IMR, 0xff);
    assert.equal(r.r8(0, CommonReg.IMR), 0xf0);
  });

  it('PHYCFGR: bits 2–0 are read-only status; RST=0 or power-down drops the link; fixed modes set SPD/DPX', () => {
    const r = new Rig();
    r.w8(0, CommonReg.PHYCFGR, 0xb8); // status bits come from the PHY, not from the write
    assert.equal(r.r8(0, CommonReg.PHYCFGR), 0xbf);
    r.w8(0, CommonReg.PHYCFGR, 0x38); // RST=0: PHY held in reset
    assert.equal(r.r8(0, CommonReg.PHYCFGR) & PHYCFGR.LNK, 0);
    r.w8(0, CommonReg.PHYCFGR, PHYCFGR.RST | PHYCFGR.OPMD | 0x00); // 10BT half duplex
    assert.equal(r.r8(0, CommonReg.PHYCFGR), 0xc1);
    r.w8(0, CommonReg.PHYCFGR, PHYCFGR.RST | PHYCFGR.OPMD | 0x08); // 10BT full duplex
    assert.equal(r.r8(0, CommonReg.PHYCFGR), 0xcd);
    r.w8(0, CommonReg.PHYCFGR, PHYCFGR.RST | PHYCFGR.OPMD | 0x10); // 100BT half duplex
    assert.equal(r.r8(0, CommonReg.PHYCFGR), 0xd3);
    r.w8(0, CommonReg.PHYCFGR, PHYCFGR.RST | PHYCFGR.OPMD | PHYCFGR.OPMDC_PDOWN);
    assert.equal(r.r8(0, CommonReg.PHYCFGR), 0xf0);
    assert.equal(r.chip.faults.linkUp, false);
  });

  it('Sn_CR reads back 0 once accepted; Sn_IR is write-one-to-clear per bit', () => {
    const r = new Rig();
    r.setupCommon();
    const l = r.net.listen({ ip: PEER_IP, port: 80 });
    r.open(0, Sn_MR.TCP, 4000);
    assert.equal(r.cr(0), 0);
    r.setDest(0, PEER_IP, 80);
    r.cmd(0, Sn_CR.CONNECT);
    r.wait(2);
    r.send(0, 'a');
    r.wait(2);
    assert.equal(l.accepted.length, 1);
    assert.equal(r.ir(0), 0x11); // CON | SEND_OK
    r.clearIr(0, 0x01);
    assert.equal(r.ir(0), 0x10);
    r.clearIr(0, 0xe0); // reserved bits: nothing
    assert.equal(r.ir(0), 0x10);
    r.clearIr(0, 0xff);
    assert.equal(r.ir(0), 0);
  });
});

describe('W5500 model: buffer memory', () => {
  it('Sn_RXBUF_SIZE/Sn_TXBUF_SIZE take 0,1,2,4,8,16 KB; the free space follows the size', () => {
    const r = new Rig();
    const sizes = [16, 0, 0, 0, 0, 0, 0, 0];
    for (let sn = 0; sn < 8; sn++) r.w8(socketBlock(sn), SnReg.Sn_TXBUF_SIZE, sizes[sn]);
    assert.equal(r.sreg16(0, SnReg.Sn_TX_FSR), 0x4000);
    assert.equal(r.sreg16(1, SnReg.Sn_TX_FSR), 0);
    for (const kb of [0, 1, 2, 4, 8]) {
      r.w8(socketBlock(0), SnReg.Sn_TXBUF_SIZE, kb);
      assert.equal(r.sreg16(0, SnReg.Sn_TX_FSR), kb * 1024);
    }
  });

  it('an invalid size gives the socket no memory; a socket that would pass 16 KB gets none and the rest keep theirs', () => {
    const r = new Rig();
    r.w8(socketBlock(0), SnReg.Sn_TXBUF_SIZE, 3);
    assert.equal(r.r8(socketBlock(0), SnReg.Sn_TXBUF_SIZE), 3); // the register keeps the value
    assert.equal(r.sreg16(0, SnReg.Sn_TX_FSR), 0);
    r.write(txBlock(0), 0, [0xaa, 0xbb]);
    assert.deepEqual(r.read(txBlock(0), 0, 2), [0, 0]); // nothing behind it
    // RX: socket 0 takes 16 KB; sockets 1–7 (2 KB each) no longer fit
    r.w8(socketBlock(0), SnReg.Sn_RXBUF_SIZE, 16);
    r.write(rxBlock(1), 0, [1, 2, 3]);
    assert.deepEqual(r.read(rxBlock(1), 0, 3), [0, 0, 0]);
    r.write(rxBlock(0), 0x3fff, [7, 8]);
    assert.deepEqual(r.read(rxBlock(0), 0x3fff, 2), [7, 8]);
    assert.deepEqual(r.read(rxBlock(0), 0x0000, 1), [8]); // wrapped inside 16 KB
    // 8 + 8 fits exactly; socket 2 then has none
    r.w8(socketBlock(0), SnReg.Sn_RXBUF_SIZE, 8);
    r.w8(socketBlock(1), SnReg.Sn_RXBUF_SIZE, 8);
    r.write(rxBlock(1), 0, [9]);
    r.write(rxBlock(2), 0, [9]);
    assert.deepEqual(r.read(rxBlock(1), 0, 1), [9]);
    assert.deepEqual(r.read(rxBlock(2), 0, 1), [0]);
  });

  it('sockets are laid out 0→7 in one shared memory: resizing moves the window over the same bytes', () => {
    const r = new Rig();
    r.write(txBlock(1), 0, [0x11, 0x22]); // socket 1 starts at 2 KB
    r.w8(socketBlock(0), SnReg.Sn_TXBUF_SIZE, 1); // now socket 1 starts at 1 KB: offset 0x400 is the old byte
    assert.deepEqual(r.read(txBlock(1), 0x400, 2), [0x11, 0x22]);
  });
});
