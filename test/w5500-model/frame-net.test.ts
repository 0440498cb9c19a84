/**
 * The W5500 model's frame-level network side (sim/w5500/frame-net.ts): socket 0 in MACRAW on a frame pipe, with
 * raw SPI frames on one side and a plain frame port on the other, on the virtual clock.
 */
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/net/virtual-clock';
import { runUntil } from '../../sim/net/virtual-time';
import { FramePipe } from '../../sim/net/frame-pipe';
import { FrameNet } from '../../sim/w5500/frame-net';
import { W5500Model } from '../../sim/w5500/model';
import { CommonReg, SnReg, Sn_CR, Sn_IR, Sn_MR, Sn_SR, socketBlock } from '../../hal/w5500/registers';

const MAC = [2, 0, 0, 0x12, 0x34, 0x56];

function frame(dst: number[], n: number, seed: number): Uint8Array {
  const f = new Uint8Array(n);
  for (let i = 14; i < n; i++) f[i] = (i * seed) & 0xff;
  f.set(dst, 0);
  f.set([2, 0, 0, 0, 0, 9], 6);
  f[12] = 0x08;
  return f;
}

class Setup {
  clock = new VirtualClock();
  pipe = new FramePipe({ now: () => this.clock.now(), delayMs: 0.1 });
  net = new FrameNet(this.pipe.a, { now: () => this.clock.now(), queueLimit: 4 });
  chip = new W5500Model({ net: this.net, now: () => this.clock.now() });
  /** what reached the far end of the wire */
  far: Uint8Array[] = [];
  constructor() {
    this.pipe.b.setReceiver((f) => { this.far.push(f); });
  }
  run(ms: number): void {
    runUntil(this.clock, [this.chip, this.pipe], () => false, ms);
  }
  read(sn: number, addr: number, n: number, bsb = socketBlock(sn)): number[] {
    const m = new Uint8Array(3 + n);
    m[0] = addr >> 8;
    m[1] = addr & 0xff;
    m[2] = bsb << 3;
    return Array.from(this.chip.exchange(m).subarray(3));
  }
  write(bsb: number, addr: number, bytes: ArrayLike<number>): void {
    const m = new Uint8Array(3 + bytes.length);
    m[0] = addr >> 8;
    m[1] = addr & 0xff;
    m[2] = (bsb << 3) | 4;
    m.set(bytes, 3);
    this.chip.exchange(m);
  }
  cmd(sn: number, cr: number): void {
    this.write(socketBlock(sn), SnReg.Sn_CR, [cr]);
  }
  openRaw(mode: number): void {
    this.write(0, CommonReg.SHAR, MAC);
    this.write(socketBlock(0), SnReg.Sn_MR, [mode]);
    this.cmd(0, Sn_CR.OPEN);
  }
}

describe('W5500 model: frame-level network side (MACRAW on a FramePort)', () => {
  it('SEND puts [TX_RD, TX_WR) on the wire as one frame; SEND_OK when it has left', () => {
    const s = new Setup();
    s.openRaw(Sn_MR.MACRAW);
    assert.deepEqual(s.read(0, SnReg.Sn_SR, 1), [Sn_SR.SOCK_MACRAW]);
    const f = frame([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 60, 3);
    s.write(socketBlock(0) + 1, 0, f);
    s.write(socketBlock(0), SnReg.Sn_TX_WR, [0, 60]);
    s.cmd(0, Sn_CR.SEND);
    s.run(1);
    assert.deepEqual(s.far.map((x) => Array.from(x)), [Array.from(f)]);
    assert.deepEqual(s.read(0, SnReg.Sn_IR, 1), [Sn_IR.SEND_OK]);
    assert.equal(s.net.counters.fromChip, 1);
  });

  it('frames from the wire land behind their 2-byte length; the MAC filter applies; a bad FCS is dropped', () => {
    const s = new Setup();
    s.openRaw(Sn_MR.MACRAW | Sn_MR.MFEN);
    const ours = frame(MAC, 60, 5);
    s.pipe.b.send(ours);
    s.pipe.b.send(frame([2, 0, 0, 0x12, 0x34, 0x57], 60, 6));
    s.pipe.b.send(frame(MAC, 64, 7), true);
    s.run(1);
    assert.deepEqual(s.read(0, SnReg.Sn_IR, 1), [Sn_IR.RECV]);
    assert.deepEqual(s.read(0, SnReg.Sn_RX_RSR, 2), [0, 62]);
    assert.deepEqual(s.read(0, 0, 62, socketBlock(0) + 2), [0, 62].concat(Array.from(ours)));
    assert.equal(s.net.counters.toChip, 2, 'both good frames reached the chip; its filter kept one');
    assert.equal(s.net.counters.droppedBadFcs, 1);
  });

  it('nothing reaches a closed socket; frames wait while the link is down (up to queueLimit), then land', () => {
    const s = new Setup();
    s.pipe.b.send(frame(MAC, 60, 1));
    s.run(1);
    assert.equal(s.net.counters.droppedClosed, 1);
    s.openRaw(Sn_MR.MACRAW);
    s.chip.faults.link(false);
    for (let i = 0; i < 6; i++) s.pipe.b.send(frame(MAC, 60, i + 1));
    s.run(5);
    assert.deepEqual(s.read(0, SnReg.Sn_RX_RSR, 2), [0, 0]);
    assert.equal(s.net.counters.droppedQueueFull, 2);
    s.chip.faults.link(true);
    s.run(1);
    assert.deepEqual(s.read(0, SnReg.Sn_RX_RSR, 2), [0, 4 * 62]);
  });

  it("the chip's own TCP engine finds nobody on this side: CONNECT ends in ARP TIMEOUT", () => {
    const s = new Setup();
    s.write(0, CommonReg.SIPR, [10, 0, 0, 2]);
    s.write(socketBlock(1), SnReg.Sn_MR, [Sn_MR.TCP]);
    s.write(socketBlock(1), SnReg.Sn_PORT, [0x10, 0x00]);
    s.cmd(1, Sn_CR.OPEN);
    s.write(socketBlock(1), SnReg.Sn_DIPR, [10, 0, 0, 1, 0, 80]);
    s.cmd(1, Sn_CR.CONNECT);
    s.run(2000);
    assert.deepEqual(s.read(1, SnReg.Sn_IR, 1), [Sn_IR.TIMEOUT]);
    assert.deepEqual(s.read(1, SnReg.Sn_SR, 1), [Sn_SR.SOCK_CLOSED]);
    assert.deepEqual(s.far, [], 'nothing of it on the wire');
  });
});
