/**
 * The W5500 in MACRAW mode as a frame driver (hal/w5500/macraw.ts), against the chip model on one
 * virtual clock: bring-up and its registers, frames in with their 2-byte length header, frames out
 * through the TX buffer and SEND, the 16 KB ring, the chip's filters, bad records, link, failures.
 */
import assert from 'node:assert/strict';
import { FrameCount, FrameErr } from '../../hal/frame-driver';
import { CommonReg, SnReg, Sn_SR, socketBlock } from '../../hal/w5500/registers';
import { MACRAW_MAC, MacrawRig, ethFrame } from '../../sim/w5500/macraw-rig';

const BCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
const OTHER = [0x02, 0x00, 0x00, 0x12, 0x34, 0x57];

/** reads `n` bytes at `addr` of block `bsb` straight from the model (VDM read frame) */
function peek(r: MacrawRig, bsb: number, addr: number, n: number): number[] {
  const mosi = new Uint8Array(3 + n);
  mosi[0] = addr >> 8;
  mosi[1] = addr & 0xff;
  mosi[2] = bsb << 3;
  return Array.from(r.model.exchange(mosi).subarray(3));
}

function poke(r: MacrawRig, bsb: number, addr: number, bytes: number[]): void {
  r.model.exchange(new Uint8Array([addr >> 8, addr & 0xff, (bsb << 3) | 4].concat(bytes)));
}

function up(o: ConstructorParameters<typeof MacrawRig>[0] = {}): MacrawRig {
  const r = new MacrawRig(o);
  assert.equal(r.driver.begin(), FrameErr.OK);
  return r;
}

describe('W5500 MACRAW frame driver', () => {
  it('bring-up: socket 0 owns all 16 KB each way, Sn_MR = MACRAW|MFEN|MMB|MIP6B, SOCK_MACRAW; SHAR set, SIPR/GAR/SUBR 0.0.0.0', () => {
    const r = up();
    assert.equal(r.driver.isUp(), true);
    assert.equal(r.driver.isLinkUp(), true);
    assert.equal(r.driver.canSend(), true);
    const s0 = socketBlock(0);
    assert.deepEqual(peek(r, s0, SnReg.Sn_MR, 1), [0xb4]);
    assert.deepEqual(peek(r, s0, SnReg.Sn_SR, 1), [Sn_SR.SOCK_MACRAW]);
    assert.deepEqual(peek(r, s0, SnReg.Sn_RXBUF_SIZE, 2), [16, 16]);
    for (let sn = 1; sn < 8; sn++) assert.deepEqual(peek(r, socketBlock(sn), SnReg.Sn_RXBUF_SIZE, 2), [0, 0], 'socket ' + sn);
    assert.deepEqual(peek(r, s0, SnReg.Sn_TX_FSR, 2), [0x40, 0x00]);
    assert.deepEqual(peek(r, 0, CommonReg.GAR, 18), [0, 0, 0, 0, 0, 0, 0, 0].concat(MACRAW_MAC, [0, 0, 0, 0]));
    r.close();
  });

  it('a received frame is read behind its 2-byte length (counting itself) and delivered byte for byte', () => {
    const r = up({ model: { trace: true } });
    const f = ethFrame(BCAST, 0x0806, 60);
    r.model.trace.reset();
    r.net.injectFrame(f);
    r.run(5);
    assert.deepEqual(r.events, ['frame:60']);
    assert.deepEqual(Array.from(r.frames[0]), Array.from(f));
    assert.equal(r.driver.counters[FrameCount.RX_FRAMES], 1);
    assert.equal(r.driver.counters[FrameCount.RX_BYTES], 60);
    // the one read of the RX buffer: header and frame in one frame at Sn_RX_RD = 0
    const reads = r.model.trace.records().filter((x) => x.ev === 'spi' && x.block === 'S0_RX');
    assert.equal(reads.length, 1);
    const miso = String(reads[0].miso).split(' ').slice(3).map((h) => parseInt(h, 16));
    assert.deepEqual(miso, [0x00, 62].concat(Array.from(f)));
    assert.deepEqual(String(reads[0].mosi).split(' ').slice(0, 3), ['00', '00', '18']);
    // Sn_RX_RD moved past the record
    assert.deepEqual(peek(r, socketBlock(0), SnReg.Sn_RX_RD, 2), [0, 62]);
    r.close();
  });

  it('the chip filters: unicast to another MAC, multicast and IPv6 never reach the driver; broadcast and our unicast do', () => {
    const r = up();
    r.net.injectFrame(ethFrame(OTHER, 0x0800, 60));
    r.net.injectFrame(ethFrame([0x01, 0x00, 0x5e, 0, 0, 1], 0x0800, 60));
    r.net.injectFrame(ethFrame(MACRAW_MAC, 0x86dd, 80));
    r.net.injectFrame(ethFrame(MACRAW_MAC, 0x0800, 70));
    r.net.injectFrame(ethFrame(BCAST, 0x0806, 60));
    r.run(5);
    assert.deepEqual(r.events, ['frame:70', 'frame:60']);
    assert.deepEqual(r.frames.map((x) => x[12]), [0x08, 0x08]);
    assert.deepEqual(r.frames.map((x) => x[13]), [0x00, 0x06]);
    r.close();
  });

  it('multicast: true lets multicast frames in (Sn_MR without MMB)', () => {
    const r = up({ driver: { multicast: true } });
    assert.deepEqual(peek(r, socketBlock(0), SnReg.Sn_MR, 1), [0x94]);
    r.net.injectFrame(ethFrame([0x01, 0x00, 0x5e, 0, 0, 1], 0x0800, 60));
    r.run(5);
    assert.deepEqual(r.events, ['frame:60']);
    r.close();
  });

  it('send: the frame goes out through the TX buffer and SEND; a short one is zero-padded to 60; BUSY until sent(OK)', () => {
    const r = up();
    const f = ethFrame(BCAST, 0x0806, 42);
    assert.equal(r.driver.send(f, 42), FrameErr.OK);
    assert.equal(r.driver.canSend(), false);
    assert.equal(r.driver.send(f, 42), FrameErr.BUSY);
    assert.deepEqual(r.events, [], 'nothing is delivered from inside send');
    r.run(5);
    assert.deepEqual(r.events, ['sent:0']);
    const want = new Uint8Array(60);
    want.set(f);
    assert.deepEqual(r.net.framesOut.map((x) => Array.from(x)), [Array.from(want)]);
    const big = ethFrame(OTHER, 0x0800, 1514);
    assert.equal(r.driver.send(big, 1514), FrameErr.OK);
    r.run(5);
    assert.deepEqual(Array.from(r.net.framesOut[1]), Array.from(big));
    assert.equal(r.driver.counters[FrameCount.TX_FRAMES], 2);
    assert.equal(r.driver.counters[FrameCount.TX_BYTES], 42 + 1514);
    // a frame given as the head of a longer buffer: only `len` bytes go
    assert.equal(r.driver.send(ethFrame(OTHER, 0x0800, 200), 100), FrameErr.OK);
    r.run(5);
    assert.equal(r.net.framesOut[2].length, 100);
    r.close();
  });

  it('send checks its arguments: ARG, MSGSIZE; DOWN before begin and after stop', () => {
    const r = new MacrawRig();
    const f = ethFrame(BCAST, 0x0806, 60);
    assert.equal(r.driver.send(f, 60), FrameErr.DOWN);
    assert.equal(r.driver.begin(), FrameErr.OK);
    assert.equal(r.driver.send(f, 61), FrameErr.ARG);
    assert.equal(r.driver.send(f, 1.5), FrameErr.ARG);
    assert.equal(r.driver.send([1, 2] as unknown as Uint8Array, 2), FrameErr.ARG);
    assert.equal(r.driver.send(f, 13), FrameErr.MSGSIZE);
    assert.equal(r.driver.send(new Uint8Array(1515), 1515), FrameErr.MSGSIZE);
    r.driver.stop();
    assert.equal(r.driver.send(f, 60), FrameErr.DOWN);
    assert.equal(r.driver.service(r.clock.now()), -1);
    r.close();
    assert.equal(new MacrawRig({ driver: { mac: new Uint8Array([1, 0, 0, 0, 0, 1]) } }).driver.begin(), FrameErr.ARG);
    assert.equal(new MacrawRig({ driver: { framesPerTurn: 0 } }).driver.begin(), FrameErr.ARG);
  });

  it('the 16 KB ring holds ten full-size frames; they come out in order, framesPerTurn at a time', () => {
    const r = up({ driver: { framesPerTurn: 4 } });
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 10; i++) {
      const f = ethFrame(MACRAW_MAC, 0x0800, 1514);
      f[14] = i;
      sent.push(f);
      r.net.injectFrame(f);
    }
    // all ten land before the driver reads any: 10 × 1,516 bytes in the ring
    r.model.advance();
    assert.deepEqual(peek(r, socketBlock(0), SnReg.Sn_RX_RSR, 2), [(15160 >> 8) & 0xff, 15160 & 0xff]);
    r.run(5);
    assert.equal(r.frames.length, 10);
    assert.deepEqual(r.frames.map((x) => x[14]), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(Array.from(r.frames[9]), Array.from(sent[9]));
    assert.equal(r.model.faults.rxDropped, 0);
    r.close();
  });

  it('a frame that does not fit the ring is dropped by the chip; the rest is delivered', () => {
    const r = up();
    for (let i = 0; i < 11; i++) r.net.injectFrame(ethFrame(MACRAW_MAC, 0x0800, 1514));
    r.model.advance();
    r.run(5);
    assert.equal(r.frames.length, 10);
    assert.equal(r.model.faults.rxDropped, 1514);
    r.close();
  });

  it('runt and over-long records are dropped and counted, never delivered', () => {
    const r = up();
    r.net.injectFrame(ethFrame(MACRAW_MAC, 0x0800, 20));
    r.net.injectFrame(ethFrame(MACRAW_MAC, 0x0800, 1600));
    r.net.injectFrame(ethFrame(MACRAW_MAC, 0x0800, 64));
    r.run(5);
    assert.deepEqual(r.events, ['frame:64']);
    assert.equal(r.driver.counters[FrameCount.RX_RUNT], 1);
    assert.equal(r.driver.counters[FrameCount.RX_TOO_LONG], 1);
    r.close();
  });

  it('a record whose length cannot be right: counted, socket 0 opened afresh (ring emptied), later frames delivered', () => {
    const r = up();
    r.net.injectFrame(ethFrame(MACRAW_MAC, 0x0800, 60));
    r.net.injectFrame(ethFrame(MACRAW_MAC, 0x0800, 60));
    r.model.advance();
    // both records are in the ring and INTn is low; before the driver reads, the first one's length is garbled
    poke(r, 3, 0, [0x3f, 0xff]);
    r.run(5);
    assert.deepEqual(r.events, []);
    assert.equal(r.driver.counters[FrameCount.RX_BAD_POINTER], 1);
    assert.deepEqual(peek(r, socketBlock(0), SnReg.Sn_SR, 1), [Sn_SR.SOCK_MACRAW]);
    assert.deepEqual(peek(r, socketBlock(0), SnReg.Sn_RX_RSR, 2), [0, 0]);
    assert.equal(r.driver.isUp(), true);
    const f = ethFrame(BCAST, 0x0806, 60);
    r.net.injectFrame(f);
    r.run(5);
    assert.deepEqual(r.events, ['frame:60']);
    assert.deepEqual(Array.from(r.frames[0]), Array.from(f));
    r.close();
  });

  it('link: PHYCFGR.LNK read every healthPollMs; a change is one link event and counted', () => {
    const r = up({ driver: { healthPollMs: 100 } });
    r.model.faults.link(false);
    r.run(150);
    assert.deepEqual(r.events, ['link:down']);
    assert.equal(r.driver.isLinkUp(), false);
    r.model.faults.link(true);
    r.run(150);
    assert.deepEqual(r.events, ['link:down', 'link:up']);
    assert.equal(r.driver.counters[FrameCount.LINK_CHANGES], 2);
    r.close();
  });

  it('a chip reset under the driver (RSTn): failure(CHIP_RESET) once, then every call DOWN', () => {
    const r = up({ driver: { healthPollMs: 100 } });
    r.model.hardReset();
    r.run(150);
    assert.deepEqual(r.events, ['failure:' + FrameErr.CHIP_RESET]);
    assert.equal(r.driver.isUp(), false);
    assert.equal(r.driver.send(ethFrame(BCAST, 0x0806, 60), 60), FrameErr.DOWN);
    r.run(1000);
    assert.equal(r.events.length, 1);
    assert.equal(r.driver.begin(), FrameErr.OK, 'begin brings it back');
    r.close();
  });

  it('the chip gone: begin says NO_CHIP; gone while up: failure(NO_CHIP) from the health read', () => {
    const r = new MacrawRig();
    r.model.faults.chipAbsent = true;
    assert.equal(r.driver.begin(), FrameErr.NO_CHIP);
    r.model.faults.chipAbsent = false;
    assert.equal(r.driver.begin(), FrameErr.OK);
    r.model.faults.chipAbsent = true;
    r.run(1100);
    assert.deepEqual(r.events, ['failure:' + FrameErr.NO_CHIP]);
    r.close();
  });

  it('checkChip: OK while the chip is itself; after a chip reset the failure reaches the handler during the call', () => {
    const r = up();
    assert.equal(r.driver.checkChip(), FrameErr.OK);
    assert.deepEqual(r.events, []);
    r.model.hardReset();
    assert.equal(r.driver.checkChip(), FrameErr.CHIP_RESET);
    assert.deepEqual(r.events, ['failure:' + FrameErr.CHIP_RESET]);
    assert.equal(r.driver.checkChip(), FrameErr.DOWN);
    r.run(2000);
    assert.deepEqual(r.events, ['failure:' + FrameErr.CHIP_RESET], 'reported once');
    r.close();
  });

  it('SEND_OK overdue: socket 0 opened again, sent(TX_TIMEOUT), counted; the next frame goes', () => {
    const r = up({ driver: { txTimeoutMs: 200 } });
    r.model.faults.withholdSendOk = true;
    assert.equal(r.driver.send(ethFrame(BCAST, 0x0806, 60), 60), FrameErr.OK);
    r.run(150);
    assert.deepEqual(r.events, []);
    r.run(100);
    assert.deepEqual(r.events, ['sent:' + FrameErr.TX_TIMEOUT]);
    assert.equal(r.driver.counters[FrameCount.TX_FAILED], 1);
    assert.equal(r.driver.counters[FrameCount.TX_RESETS], 1);
    r.model.faults.withholdSendOk = false;
    assert.equal(r.driver.send(ethFrame(BCAST, 0x0806, 60), 60), FrameErr.OK);
    r.run(5);
    assert.deepEqual(r.events, ['sent:' + FrameErr.TX_TIMEOUT, 'sent:0']);
    r.close();
  });

  it('without INT: polled, frames and completions still arrive; service() returns the next poll time', () => {
    const r = up({ int: false });
    r.net.injectFrame(ethFrame(BCAST, 0x0806, 60));
    assert.equal(r.driver.send(ethFrame(BCAST, 0x0806, 60), 60), FrameErr.OK);
    r.run(10);
    assert.deepEqual(r.events.slice().sort(), ['frame:60', 'sent:0']);
    const now = r.clock.now();
    // idle since: the poll has backed off (1, 2, 4, 8 ms), and the loop that runs the driver is set for it
    const due = r.driver.service(now);
    assert.equal(due, 15);
    assert.equal(r.loop.due, due);
    // a call may start activity: the next poll is pollMinMs away again
    assert.equal(r.driver.send(ethFrame(BCAST, 0x0806, 60), 60), FrameErr.OK);
    assert.equal(r.driver.service(now), now + 1);
    assert.deepEqual(r.events.slice(2), ['sent:0']);
    r.close();
  });
});
