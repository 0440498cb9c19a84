import assert from 'node:assert/strict';
import { putHeader, controlByte } from '../../hal/w5500/frame';
import { W5500Bus } from '../../hal/w5500/bus';
import { readStable } from '../../hal/w5500/counters';
import { CommandResult, execCommand } from '../../hal/w5500/command';
import { diagnoseCommon, commonConfigured } from '../../hal/w5500/bringup';
import { W5500Err, describeErr } from '../../hal/w5500/errors';
import { Block, CommonReg, SnReg, Sn_CR, rxBlock, socketBlock, txBlock } from '../../hal/w5500/registers';
import { SpiOp } from '../../hal/spi';
import type { SpiDevice, SpiOperation } from '../../hal/spi';
import { VirtualClock } from '../../sim/net/virtual-clock';

function header(address: number, block: number, write: boolean): number[] {
  const b = new Uint8Array(3);
  putHeader(b, 0, address, block, write);
  return [...b];
}

/** An SPI device that records each transaction's operations and answers from a script. */
class FakeSpi implements SpiDevice {
  log: { op: SpiOp; bytes: number[] }[][] = [];
  answer: (mosi: Uint8Array, n: number) => number[] | false = () => [];
  transaction(ops: SpiOperation[]): boolean {
    this.log.push(ops.map((o) => ({ op: o.op, bytes: [...o.buf] })));
    let mosi: number[] = [];
    for (const o of ops) mosi = mosi.concat(o.op === SpiOp.Read ? new Array(o.buf.length).fill(0) : [...o.buf]);
    const miso = this.answer(new Uint8Array(mosi), this.log.length - 1);
    if (miso === false) return false;
    let at = 0;
    for (const o of ops) {
      if (o.op !== SpiOp.Write) for (let i = 0; i < o.buf.length; i++) o.buf[i] = miso[at + i] ?? 0;
      at += o.buf.length;
    }
    return true;
  }
}

describe('W5500 frame header', () => {
  it('matches the byte-exact frames of docs/w5500.md §1', () => {
    assert.deepEqual(header(CommonReg.VERSIONR, Block.Common, false), [0x00, 0x39, 0x00]);
    assert.deepEqual(header(CommonReg.MR, Block.Common, true), [0x00, 0x00, 0x04]);
    assert.deepEqual(header(CommonReg.SHAR, Block.Common, true), [0x00, 0x09, 0x04]);
    assert.deepEqual(header(SnReg.Sn_SR, socketBlock(3), false), [0x00, 0x03, 0x68]);
    assert.deepEqual(header(SnReg.Sn_CR, socketBlock(0), true), [0x00, 0x01, 0x0c]);
    assert.deepEqual(header(SnReg.Sn_RX_RSR, socketBlock(0), false), [0x00, 0x26, 0x08]);
    assert.deepEqual(header(0x1234, rxBlock(0), false), [0x12, 0x34, 0x18]);
    assert.deepEqual(header(0xfffe, txBlock(2), true), [0xff, 0xfe, 0x54]);
  });

  it('gives the control bytes of every block kind for all eight sockets', () => {
    for (let n = 0; n < 8; n++) {
      assert.equal(controlByte(socketBlock(n), false), 0x08 | (n << 5));
      assert.equal(controlByte(socketBlock(n), true), 0x0c | (n << 5));
      assert.equal(controlByte(txBlock(n), false), 0x10 | (n << 5));
      assert.equal(controlByte(txBlock(n), true), 0x14 | (n << 5));
      assert.equal(controlByte(rxBlock(n), false), 0x18 | (n << 5));
      assert.equal(controlByte(rxBlock(n), true), 0x1c | (n << 5));
    }
  });

  it('writes in place at an offset without touching the rest of the buffer', () => {
    const b = new Uint8Array(6).fill(0xee);
    putHeader(b, 2, 0xabcd, socketBlock(7), true);
    assert.deepEqual([...b], [0xee, 0xee, 0xab, 0xcd, 0xec, 0xee]);
  });
});

describe('W5500 register layer (W5500Bus)', () => {
  it('reads with one Transfer of header + length bytes and returns only the data', () => {
    const spi = new FakeSpi();
    spi.answer = (m) => [1, 2, 3, ...new Array(m.length - 3).fill(0).map((_, i) => 0x40 + i)];
    const bus = new W5500Bus(spi);
    const v = bus.read(SnReg.Sn_RX_RSR, socketBlock(0), 4);
    assert.ok(v);
    assert.deepEqual([...v], [0x40, 0x41, 0x42, 0x43]);
    assert.equal(spi.log.length, 1);
    assert.equal(spi.log[0].length, 1);
    assert.equal(spi.log[0][0].op, SpiOp.Transfer);
    assert.deepEqual(spi.log[0][0].bytes.slice(0, 3), [0x00, 0x26, 0x08]);
    assert.equal(spi.log[0][0].bytes.length, 7);
  });

  it('writes a register run as one Write of header + data, and a large payload as header + data operations', () => {
    const spi = new FakeSpi();
    const bus = new W5500Bus(spi);
    assert.equal(bus.write(CommonReg.SHAR, Block.Common, new Uint8Array([0x02, 0x00, 0x00, 0x12, 0x34, 0x56])), true);
    assert.deepEqual(spi.log[0], [{ op: SpiOp.Write, bytes: [0x00, 0x09, 0x04, 0x02, 0x00, 0x00, 0x12, 0x34, 0x56] }]);
    assert.equal(bus.write8(SnReg.Sn_CR, socketBlock(0), Sn_CR.OPEN), true);
    assert.deepEqual(spi.log[1], [{ op: SpiOp.Write, bytes: [0x00, 0x01, 0x0c, 0x01] }]);
    assert.equal(bus.write16(SnReg.Sn_TX_WR, socketBlock(1), 0xbeef), true);
    assert.deepEqual(spi.log[2], [{ op: SpiOp.Write, bytes: [0x00, 0x24, 0x2c, 0xbe, 0xef] }]);
    const big = new Uint8Array(300).fill(0xaa);
    assert.equal(bus.write(0xfffe, txBlock(2), big), true);
    assert.equal(spi.log[3].length, 2);
    assert.deepEqual(spi.log[3][0], { op: SpiOp.Write, bytes: [0xff, 0xfe, 0x54] });
    assert.equal(spi.log[3][1].bytes.length, 300);
  });

  it('reports a failed transaction as undefined / false, not as data', () => {
    const spi = new FakeSpi();
    spi.answer = () => false;
    const bus = new W5500Bus(spi);
    assert.equal(bus.read(CommonReg.VERSIONR, Block.Common, 1), undefined);
    assert.equal(bus.write8(CommonReg.MR, Block.Common, 0x80), false);
    assert.equal(bus.write(0, txBlock(0), new Uint8Array(100)), false);
  });

  it('reuses its buffers: the same view object memory for equal-size reads', () => {
    const spi = new FakeSpi();
    spi.answer = (m) => new Array(m.length).fill(7);
    const bus = new W5500Bus(spi);
    const a = bus.read(0, Block.Common, 4)!;
    const b = bus.read(0, Block.Common, 4)!;
    assert.equal(a.buffer, b.buffer);
  });
});

describe('W5500 stable counter read', () => {
  it('repeats until two successive reads agree and returns the rest of the run from the last read', () => {
    const spi = new FakeSpi();
    const seq = [[0x01, 0xff, 0, 9], [0x02, 0x00, 0, 9], [0x02, 0x00, 0x12, 0x34]];
    spi.answer = (_m, n) => [1, 2, 3, ...seq[Math.min(n, seq.length - 1)]];
    const rest = new Uint8Array(2);
    assert.equal(readStable(new W5500Bus(spi), SnReg.Sn_RX_RSR, socketBlock(0), 4, rest), 0x0200);
    assert.equal(spi.log.length, 3);
    assert.deepEqual([...rest], [0x12, 0x34]);
  });

  it('gives TORN after a bounded number of reads that never agree, and BUS on a bus failure', () => {
    const spi = new FakeSpi();
    spi.answer = (_m, n) => [1, 2, 3, 0, n];
    assert.equal(readStable(new W5500Bus(spi), SnReg.Sn_TX_FSR, socketBlock(0), 2, undefined), W5500Err.TORN);
    assert.equal(spi.log.length, 6);
    const dead = new FakeSpi();
    dead.answer = () => false;
    assert.equal(readStable(new W5500Bus(dead), SnReg.Sn_TX_FSR, socketBlock(0), 2, undefined), W5500Err.BUS);
  });
});

describe('W5500 command execution', () => {
  it('writes Sn_CR, polls Sn_CR..Sn_SR in one frame and returns Sn_IR and Sn_SR', () => {
    const spi = new FakeSpi();
    spi.answer = (m, n) => (n === 0 ? [] : n < 3 ? [1, 2, 3, Sn_CR.CONNECT, 0, 0x13] : [1, 2, 3, 0, 0x01, 0x17]);
    const clock = new VirtualClock();
    const res = new CommandResult();
    assert.equal(execCommand(new W5500Bus(spi), clock, 2, Sn_CR.CONNECT, 20, res), W5500Err.OK);
    assert.deepEqual(spi.log[0][0].bytes, [0x00, 0x01, 0x4c, 0x04]);
    assert.deepEqual(spi.log[1][0].bytes.slice(0, 3), [0x00, 0x01, 0x48]);
    assert.equal(spi.log.length, 4);
    assert.equal(res.ir, 0x01);
    assert.equal(res.sr, 0x17);
    assert.ok(clock.now() > 0 && clock.now() < 1);
  });

  it('gives CMD_STUCK when Sn_CR never clears within the bound', () => {
    const spi = new FakeSpi();
    spi.answer = () => [1, 2, 3, Sn_CR.SEND, 0, 0x17];
    const clock = new VirtualClock();
    assert.equal(execCommand(new W5500Bus(spi), clock, 0, Sn_CR.SEND, 20, new CommandResult()), W5500Err.CMD_STUCK);
    assert.ok(clock.now() >= 20 && clock.now() < 22, 'bounded by time: ' + clock.now());
  });
});

describe('W5500 presence diagnosis', () => {
  it('names the cause from what MISO returned', () => {
    const block = new Uint8Array(0x3a);
    assert.equal(diagnoseCommon(block), W5500Err.WIRING);
    assert.match(describeErr(W5500Err.WIRING), /0x00/);
    block.fill(0xff);
    assert.equal(diagnoseCommon(block), W5500Err.NO_CHIP);
    assert.match(describeErr(W5500Err.NO_CHIP), /no chip.*wrong CS/);
    block[5] = 0;
    assert.equal(diagnoseCommon(block), W5500Err.BAD_VERSION);
    block[CommonReg.VERSIONR] = 0x04;
    assert.equal(diagnoseCommon(block), W5500Err.OK);
  });

  it('tells a chip someone configured from one fresh out of reset', () => {
    const block = new Uint8Array(0x3a);
    block[CommonReg.VERSIONR] = 4;
    assert.equal(commonConfigured(block), false);
    block[CommonReg.SIPR + 3] = 20;
    assert.equal(commonConfigured(block), true);
    block[CommonReg.SIPR + 3] = 0;
    block[CommonReg.SIMR] = 0xff;
    assert.equal(commonConfigured(block), true);
  });
});
