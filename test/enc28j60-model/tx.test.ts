import assert from 'node:assert/strict';
import { PEER_MAC, CHIP_MAC, Rig, TXST, eth } from './rig';
import { ECON1, EIR, ESTAT, Reg } from '../../sim/enc28j60/registers';
import { fcsBytes } from '../../sim/net/fcs';

const BCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
/** a 42-byte ARP request (too short: the MAC pads it) */
const ARP = eth(BCAST, CHIP_MAC, 0x0806, [0, 1, 8, 0, 6, 4, 0, 1, ...CHIP_MAC, 10, 0, 0, 2, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1]);

function tsv(r: Rig, len: number): number[] {
  return Array.from(r.chip.mem.subarray(TXST + len + 1, TXST + len + 8));
}

describe('ENC28J60 model: transmit', () => {
  it('sends ETXST+1..ETXND padded to 60 with CRC (MACON3), writes the 7-byte TSV after it, clears TXRTS, sets TXIF and INT', () => {
    const r = new Rig();
    r.init();
    const t0 = r.t;
    r.send(ARP);
    assert.equal(r.rcr(Reg.ECON1) & ECON1.TXRTS, ECON1.TXRTS);
    r.run(0.0575);
    assert.equal(r.rcr(Reg.ECON1) & ECON1.TXRTS, ECON1.TXRTS); // (8 + 64) bytes at 10 Mbit/s = 57.6 µs
    assert.equal(r.peer.received.length, 0);
    r.run(0.0002);
    assert.equal(r.rcr(Reg.ECON1) & ECON1.TXRTS, 0);
    assert.equal(r.rcr(Reg.EIR) & (EIR.TXIF | EIR.TXERIF), EIR.TXIF);
    assert.equal(r.chip.intn, false);
    assert.equal(r.peer.received.length, 1);
    const got = r.peer.received[0];
    assert.ok(Math.abs(got.t - (t0 + 0.0576)) < 1e-9);
    const want = new Uint8Array(60);
    want.set(ARP);
    assert.deepEqual(got.frame, want);
    assert.equal(got.fcsBad, false);
    // count 64, DONE | BROADCAST | LENGTH_RANGE (type 0x0806 > 1500), 64 on the wire
    assert.deepEqual(tsv(r, ARP.length), [64, 0, 0xc0, 0x02, 64, 0, 0]);
    r.bfc(Reg.EIR, EIR.TXIF);
    assert.equal(r.chip.intn, true);
    assert.equal(r.chip.trace.faultCount(), 0);
  });

  it('the control byte overrides MACON3: POVERRIDE without PCRCEN sends the driver’s own FCS', () => {
    const r = new Rig();
    r.init({ fullDuplex: true });
    const f = new Uint8Array(60);
    f.set(eth(PEER_MAC, CHIP_MAC, 0x0800, [0x45]));
    r.send([...f, ...fcsBytes(f)], 0x01);
    r.run(1);
    assert.deepEqual(r.peer.received[0].frame, f);
    assert.equal(r.peer.received[0].fcsBad, false);
    // a wrong FCS goes out as it is: the peer sees a CRC error, the TSV says so
    r.send([...f, 0, 0, 0, 0], 0x01);
    r.run(1);
    assert.equal(r.peer.received[1].fcsBad, true);
    assert.equal(tsv(r, 64)[2] & 0x10, 0x10);
  });

  it('PPADEN|PCRCEN|POVERRIDE pads and appends a CRC with MACON3 = 0', () => {
    const r = new Rig();
    r.init({ fullDuplex: true });
    r.wcr(Reg.MACON3, 0x01);
    r.send(ARP, 0x07);
    r.run(1);
    assert.equal(r.peer.received[0].frame.length, 60);
    assert.equal(r.peer.received[0].fcsBad, false);
  });

  it('a frame over MAMXFL aborts (giant): TXERIF, ESTAT.TXABRT, TSV bit 30, nothing on the wire', () => {
    const r = new Rig();
    r.init({ fullDuplex: true });
    const big = new Uint8Array(1520); // 1524 with the CRC > MAMXFL 1518
    big.set(eth(PEER_MAC, CHIP_MAC, 0x0800, []));
    r.send(big);
    r.run(2);
    assert.equal(r.peer.received.length, 0);
    assert.equal(r.rcr(Reg.EIR) & (EIR.TXIF | EIR.TXERIF), EIR.TXIF | EIR.TXERIF);
    assert.equal(r.rcr(Reg.ESTAT) & ESTAT.TXABRT, ESTAT.TXABRT);
    assert.equal(tsv(r, 1520)[3] & 0x40, 0x40);
    assert.equal(r.chip.trace.counters.txAborted, 1);
  });

  it('clearing TXRTS cancels the transmission; writing the TX buffer while TXRTS is set is a driver fault', () => {
    const r = new Rig();
    r.init({ fullDuplex: true });
    r.send(ARP);
    r.w16(Reg.EWRPTL, TXST + 1);
    r.wbm([1]);
    assert.equal(r.chip.trace.driverFaults.txWhileTxrts, 1);
    r.bfc(Reg.ECON1, ECON1.TXRTS);
    r.run(1);
    assert.equal(r.peer.received.length, 0);
    assert.equal(r.rcr(Reg.ESTAT) & ESTAT.TXABRT, ESTAT.TXABRT);
  });

  it('with the link down the frame completes (TXIF) but reaches nobody; PHCON1.PLOOPBK hears its own frame', () => {
    const r = new Rig();
    r.init({ fullDuplex: true, erxfcon: 0 });
    r.chip.faults.link(false);
    r.send(ARP);
    r.run(1);
    assert.equal(r.rcr(Reg.EIR) & EIR.TXIF, EIR.TXIF);
    assert.equal(r.peer.received.length, 0);
    r.chip.faults.link(true);
    r.phyWrite(0x00, 0x4100); // PLOOPBK | PDPXMD
    r.send(ARP);
    r.run(1);
    assert.equal(r.peer.received.length, 0);
    assert.equal(r.rcr(Reg.EPKTCNT), 1);
  });
});
