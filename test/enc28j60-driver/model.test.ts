/**
 * The ENC28J60 driver against the chip model (sim/enc28j60) on a frame pipe: bring-up, receive, transmit,
 * exact bytes both ways, and no instruction the datasheet forbids (the model counts them as driver faults).
 */
import { strict as assert } from 'node:assert';
import { FrameCount, FrameErr } from '../../hal/frame-driver';
import { Mem, Phy, Reg } from '../../hal/enc28j60/registers';
import { EncRig, CHIP_MAC, PEER_MAC, frame } from '../../sim/enc28j60/driver-rig';

function peerFrames(r: EncRig): Uint8Array[] {
  return r.peer.take().map((x) => x.frame);
}

describe('ENC28J60 driver on the chip model: bring-up, receive, transmit', () => {
  for (const int of [true, false]) {
    describe(int ? 'INT wired' : 'no INT: polling', () => {
      it('brings the chip up: ring, MAC, PHY and address as configured, RX on, no driver fault', () => {
        const r = new EncRig({ int });
        assert.equal(r.driver.begin(), FrameErr.OK);
        assert.equal(r.driver.revision, 6);
        assert.equal(r.driver.isLinkUp(), true);
        assert.equal(r.reg(Reg.ERXSTL) | (r.reg(Reg.ERXSTH) << 8), Mem.RX_START);
        assert.equal(r.reg(Reg.ERXNDL) | (r.reg(Reg.ERXNDH) << 8), Mem.RX_END);
        assert.equal(r.reg(Reg.ERXRDPTL) | (r.reg(Reg.ERXRDPTH) << 8), Mem.RX_END);
        assert.equal(r.reg(Reg.ETXSTL) | (r.reg(Reg.ETXSTH) << 8), Mem.TX_START);
        assert.equal(r.reg(Reg.MACON3), 0x32);
        assert.equal(r.model.peekPhy(Phy.PHCON1) & 0x0100, 0);
        assert.equal(r.model.peekPhy(Phy.PHCON2), 0x0100);
        assert.equal(r.model.peekPhy(Phy.PHLCON), 0x3476);
        assert.equal(r.reg(Reg.MAMXFLL) | (r.reg(Reg.MAMXFLH) << 8), 1518);
        assert.deepEqual([Reg.MAADR1, Reg.MAADR2, Reg.MAADR3, Reg.MAADR4, Reg.MAADR5, Reg.MAADR6].map((x) => r.reg(x)), Array.from(CHIP_MAC));
        assert.equal(r.reg(Reg.ECON1) & 0x04, 0x04);
        assert.equal(r.reg(Reg.EIE), int ? 0xdb : 0);
        assert.equal(r.model.trace.faultCount(), 0);
      });

      it('receives a 60-byte and a 1,514-byte frame byte for byte, CRC removed; frees the ring with an odd ERXRDPT once a quarter of it is consumed', () => {
        const r = new EncRig({ int });
        assert.equal(r.driver.begin(), FrameErr.OK);
        const a = frame(60, 1);
        const b = frame(1514, 2);
        r.peer.send(a);
        r.peer.send(b);
        assert.ok(r.runUntil(() => r.frames.length === 2, 1000));
        assert.deepEqual(r.take(), ['frame:60', 'frame:1514']);
        assert.deepEqual(r.frames[0], a);
        assert.deepEqual(r.frames[1], b);
        assert.equal(r.reg(Reg.EPKTCNT), 0);
        const rdpt = () => r.reg(Reg.ERXRDPTL) | (r.reg(Reg.ERXRDPTH) << 8);
        const wrpt = () => r.reg(Reg.ERXWRPTL) | (r.reg(Reg.ERXWRPTH) << 8);
        assert.equal(rdpt(), Mem.RX_END, '1,594 bytes consumed: not yet a quarter of the ring');
        const c = frame(101, 3);
        r.peer.send(c);
        assert.ok(r.runUntil(() => r.frames.length === 3, 1000));
        assert.deepEqual(r.frames[2], c);
        assert.equal(wrpt(), 70 + 1524 + 112);
        assert.equal(rdpt(), wrpt() - 1);
        assert.equal(rdpt() & 1, 1);
        assert.equal(r.driver.counters[FrameCount.RX_FRAMES], 3);
        assert.equal(r.driver.counters[FrameCount.RX_BYTES], 1675);
        assert.equal(r.model.trace.faultCount(), 0);
      });

      it('a receive buffer sized for the board (maxFrame 618): a longer frame stays in the chip until dropped and counted; the frames around it arrive whole', () => {
        const r = new EncRig({ int, driver: { maxFrame: 618 } });
        assert.equal(r.driver.begin(), FrameErr.OK);
        const a = frame(618, 1);
        const b = frame(619, 2);
        const c = frame(1514, 3);
        const d = frame(100, 4);
        for (const f of [a, b, c, d]) r.peer.send(f);
        assert.ok(r.runUntil(() => r.frames.length === 2, 1000));
        r.run(10);
        assert.deepEqual(r.take(), ['frame:618', 'frame:100']);
        assert.deepEqual(r.frames, [a, d]);
        assert.equal(r.driver.counters[FrameCount.RX_TOO_LONG], 2);
        assert.equal(r.driver.counters[FrameCount.RX_FRAMES], 2);
        assert.equal(r.reg(Reg.EPKTCNT), 0);
        assert.equal(r.model.trace.faultCount(), 0);
      });

      it('sends a 60-byte and a 1,514-byte frame: the peer gets them byte for byte, sent(OK) after each', () => {
        const r = new EncRig({ int });
        assert.equal(r.driver.begin(), FrameErr.OK);
        const a = frame(60, 3, PEER_MAC, CHIP_MAC);
        const b = frame(1514, 4, PEER_MAC, CHIP_MAC);
        assert.equal(r.driver.send(a, 60), FrameErr.OK);
        assert.equal(r.driver.send(b, 1514), FrameErr.BUSY);
        assert.ok(r.runUntil(() => r.events.length === 1, 100));
        assert.deepEqual(r.take(), ['sent:0']);
        assert.equal(r.driver.send(b, 1514), FrameErr.OK);
        assert.ok(r.runUntil(() => r.events.length === 1, 100));
        assert.deepEqual(r.take(), ['sent:0']);
        r.run(5);
        const got = peerFrames(r);
        assert.equal(got.length, 2);
        assert.deepEqual(got[0], a);
        assert.deepEqual(got[1], b);
        assert.equal(r.driver.counters[FrameCount.TX_FRAMES], 2);
        assert.equal(r.driver.counters[FrameCount.TX_BYTES], 1574);
        assert.equal(r.model.trace.faultCount(), 0);
      });
    });
  }
});
