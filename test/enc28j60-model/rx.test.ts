import assert from 'node:assert/strict';
import { RXND, Rig, toChip } from './rig';
import { ECON1, ECON2, EIR, Reg } from '../../sim/enc28j60/registers';
import { fcsBytes } from '../../sim/net/fcs';

/** reads one received frame the way the datasheet says (RBM from the header), frees it (odd ERXRDPT) and PKTDECs */
function take(r: Rig, at: number): { next: number; count: number; status: number; data: number[] } {
  r.w16(Reg.ERDPTL, at);
  const h = r.rbm(6);
  const next = h[0] | (h[1] << 8);
  const count = h[2] | (h[3] << 8);
  const data = r.rbm(count);
  r.w16(Reg.ERXRDPTL, next === 0 ? RXND : next - 1);
  r.bfs(Reg.ECON2, ECON2.PKTDEC);
  return { next, count, status: h[4] | (h[5] << 8), data };
}

describe('ENC28J60 model: receive', () => {
  it('stores a frame behind its 6-byte header with the CRC bytes counted; EPKTCNT, PKTIF, INT', () => {
    const r = new Rig();
    r.init();
    const f = toChip(1);
    r.peer.send(f);
    assert.equal(r.chip.intn, true);
    r.run(0);
    assert.equal(r.chip.intn, false);
    assert.equal(r.rcr(Reg.EPKTCNT), 1);
    assert.equal(r.rcr(Reg.EIR) & EIR.PKTIF, EIR.PKTIF);
    assert.deepEqual(Array.from(r.chip.mem.subarray(0, 6)), [70, 0, 64, 0, 0xc0, 0x00]); // next 70, 64 bytes, RX OK + type
    assert.deepEqual(r.chip.mem.subarray(6, 66), f);
    assert.deepEqual(r.chip.mem.subarray(66, 70), fcsBytes(f));
    assert.equal(r.r16(Reg.ERXWRPTL), 70);
    const got = take(r, 0);
    assert.deepEqual(got.data.slice(0, 60), Array.from(f));
    assert.equal(r.rcr(Reg.EPKTCNT), 0);
    assert.equal(r.rcr(Reg.EIR) & EIR.PKTIF, 0);
    assert.equal(r.chip.intn, true);
    assert.equal(r.chip.trace.faultCount(), 0);
  });

  it('every frame starts at an even address: an odd length leaves a pad byte', () => {
    const r = new Rig();
    r.init();
    r.peer.send(toChip(1, 61));
    r.peer.send(toChip(2, 60));
    r.run(0);
    assert.equal(r.chip.mem[0] | (r.chip.mem[1] << 8), 72); // 6 + 61 + 4 = 71 → 72
    assert.equal(r.chip.mem[72 + 6 + 14], 2);
    assert.equal(r.rcr(Reg.EPKTCNT), 2);
  });

  it('the ring wraps from ERXND to ERXST, and RBM follows the wrap', () => {
    const r = new Rig();
    r.init();
    // move the ring's write position near the end: 6 full-size frames read and freed, then a 7th wraps
    const big = (tag: number) => toChip(tag, 1000);
    let at = 0;
    for (let i = 0; i < 6; i++) {
      r.peer.send(big(i));
      r.run(0);
      const got = take(r, at);
      assert.equal(got.data[14], i);
      at = got.next;
    }
    assert.equal(at, 6 * 1010);
    r.peer.send(big(6));
    r.run(0);
    const got = take(r, at);
    assert.equal(got.next, (at + 1010) - (RXND + 1));
    assert.deepEqual(got.data.slice(0, 1000), Array.from(big(6)));
    assert.equal(r.chip.trace.drops.overflow, 0);
  });

  it('filters: unicast to us and broadcast pass (UCEN|CRCEN|BCEN); other unicast and multicast do not', () => {
    const r = new Rig();
    r.init();
    r.peer.send(toChip(1));
    r.peer.send(toChip(2, 60, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    r.peer.send(toChip(3, 60, [0x02, 0, 0, 0, 0, 9]));
    r.peer.send(toChip(4, 60, [0x01, 0x00, 0x5e, 0, 0, 1]));
    r.run(0);
    assert.equal(r.rcr(Reg.EPKTCNT), 2);
    assert.equal(r.chip.trace.drops.filter, 2);
    // the broadcast frame's status has the broadcast bit (bit 25 = header byte 5 bit 1)
    assert.equal(r.chip.mem[70 + 5], 0x02);
  });

  it('filters: MCEN takes multicast (and broadcast); ERXFCON = 0 is promiscuous; ANDOR needs every filter', () => {
    const mc = [0x01, 0x00, 0x5e, 0, 0, 1];
    let r = new Rig();
    r.init({ erxfcon: 0x22 });
    r.peer.send(toChip(1, 60, mc));
    r.peer.send(toChip(2));
    r.run(0);
    assert.equal(r.rcr(Reg.EPKTCNT), 1);
    assert.equal(r.chip.mem[5], 0x01); // multicast bit 24
    r = new Rig();
    r.init({ erxfcon: 0x00 });
    r.peer.send(toChip(1, 60, [0x02, 0, 0, 0, 0, 9]));
    r.run(0);
    assert.equal(r.rcr(Reg.EPKTCNT), 1);
    r = new Rig();
    r.init({ erxfcon: 0xc1 }); // AND of unicast and broadcast: nothing can be both
    r.peer.send(toChip(1));
    r.peer.send(toChip(2, 60, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    r.run(0);
    assert.equal(r.rcr(Reg.EPKTCNT), 0);
  });

  it('CRC: with CRCEN a bad FCS is dropped; without it the frame is stored with the CRC error bit and without RX OK', () => {
    let r = new Rig();
    r.init();
    r.pipe.b.send(toChip(1), true);
    r.run(0);
    assert.equal(r.rcr(Reg.EPKTCNT), 0);
    assert.equal(r.chip.trace.drops.crc, 1);
    r = new Rig();
    r.init({ erxfcon: 0x80 });
    r.pipe.b.send(toChip(1), true);
    r.run(0);
    assert.equal(r.rcr(Reg.EPKTCNT), 1);
    assert.deepEqual(Array.from(r.chip.mem.subarray(4, 6)), [0x50, 0x00]); // CRC error + length out of range, no RX OK
    assert.notDeepEqual(r.chip.mem.subarray(66, 70), fcsBytes(toChip(1)));
  });

  it('runts, frames over MAMXFL, a disabled receiver and a down link store nothing', () => {
    const r = new Rig();
    r.init();
    r.peer.send(toChip(1, 59));
    r.peer.send(toChip(2, 1515)); // 1519 with FCS > 1518
    r.run(0);
    r.bfc(Reg.ECON1, ECON1.RXEN);
    r.peer.send(toChip(3));
    r.run(0);
    r.bfs(Reg.ECON1, ECON1.RXEN);
    r.chip.faults.link(false);
    r.peer.send(toChip(4));
    r.run(0);
    const d = r.chip.trace.drops;
    assert.deepEqual([d.runt, d.tooLong, d.disabled, d.noLink], [1, 1, 1, 1]);
    assert.equal(r.rcr(Reg.EPKTCNT), 0);
  });

  it('overflow: a frame that would reach ERXRDPT is dropped with RXERIF (and INT with RXERIE); freeing space lets the next in', () => {
    const r = new Rig();
    r.init();
    for (let i = 0; i < 7; i++) r.peer.send(toChip(i, 1000)); // 7 × 1010 > 6656
    r.run(0);
    assert.equal(r.rcr(Reg.EPKTCNT), 6);
    assert.equal(r.chip.trace.drops.overflow, 1);
    assert.equal(r.rcr(Reg.EIR) & EIR.RXERIF, EIR.RXERIF);
    take(r, 0);
    r.bfc(Reg.EIR, EIR.RXERIF);
    r.peer.send(toChip(9, 1000));
    r.run(0);
    assert.equal(r.rcr(Reg.EPKTCNT), 6);
    assert.equal(r.rcr(Reg.EIR) & EIR.RXERIF, 0);
  });

  it('EPKTCNT stops at 255: a frame after that is dropped with RXERIF even with room in the ring', () => {
    const r = new Rig();
    r.init();
    // a driver that frees the space (ERXRDPT) but never decrements the count
    for (let i = 0; i < 255; i++) {
      r.chip.faults.flood(toChip(i), 1);
      const next = r.r16(Reg.ERXWRPTL);
      r.w16(Reg.ERXRDPTL, next === 0 ? RXND : next - 1);
    }
    assert.equal(r.rcr(Reg.EPKTCNT), 255);
    assert.equal(r.rcr(Reg.EIR) & EIR.RXERIF, 0);
    r.chip.faults.flood(toChip(255), 1);
    assert.equal(r.rcr(Reg.EPKTCNT), 255);
    assert.equal(r.rcr(Reg.EIR) & EIR.RXERIF, EIR.RXERIF);
    assert.equal(r.chip.trace.drops.countFull, 1);
    assert.equal(r.chip.trace.drops.overflow, 0);
  });

  it('RXRST clears EPKTCNT and reloads the write pointer', () => {
    const r = new Rig({ errata: { rxWritePointerZero: false } });
    r.init();
    r.peer.send(toChip(1));
    r.run(0);
    assert.equal(r.r16(Reg.ERXWRPTL), 70);
    r.bfc(Reg.ECON1, ECON1.RXEN);
    r.bfs(Reg.ECON1, ECON1.RXRST);
    r.bfc(Reg.ECON1, ECON1.RXRST);
    assert.equal(r.rcr(Reg.EPKTCNT), 0);
    assert.equal(r.r16(Reg.ERXWRPTL), 0);
  });
});
