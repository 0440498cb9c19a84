/**
 * The ENC28J60 driver against the chip model with every rev. B7 erratum on (the model's default): ring wrap
 * under load, RX overflow, late collisions with TXRST, the TX stall, PKTIF, odd ERXRDPT, the reset wait,
 * half-duplex loopback; and the faults a board meets: link flap, chip gone, chip reset, torn SPI windows,
 * bad frames.
 */
import { strict as assert } from 'node:assert';
import { FrameCount, FrameErr } from '../../hal/frame-driver';
import { ECON1, MACON3, Mem, Reg } from '../../hal/enc28j60/registers';
import { EncRig, PEER_MAC, CHIP_MAC, frame } from '../../sim/enc28j60/driver-rig';

const BROADCAST = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

function up(r: EncRig): EncRig {
  assert.equal(r.driver.begin(), FrameErr.OK);
  r.take();
  return r;
}

describe('ENC28J60 driver on the chip model: errata', () => {
  it('errata #5/#14: RX ring wraps many times under load at line rate; every frame arrives in order, byte for byte; ERXRDPT always odd', () => {
    for (const perTurn of [1, 4]) {
      const r = up(new EncRig({ pipe: { bitRate: 10e6 }, driver: { framesPerTurn: perTurn } }));
      assert.equal(r.reg(Reg.ERXWRPTL) | (r.reg(Reg.ERXWRPTH) << 8), 0, 'errata #5: write pointer at 0x0000 = ERXST');
      const sent: Uint8Array[] = [];
      let bytes = 0;
      for (let i = 0; i < 80; i++) {
        const len = i % 3 === 0 ? 1514 : i % 3 === 1 ? 60 : 61 + ((i * 37) % 1400);
        const f = frame(len, i);
        sent.push(f);
        bytes += len + 10 + (len & 1);
        r.peer.send(f);
      }
      assert.ok(bytes > 6 * Mem.RX_SIZE, 'wraps at least six times');
      assert.ok(r.runUntil(() => r.frames.length === 80, 2000));
      for (let i = 0; i < 80; i++) assert.deepEqual(r.frames[i], sent[i], 'frame ' + i);
      assert.equal(r.driver.counters[FrameCount.RX_OVERFLOW], 0);
      assert.equal(r.model.trace.drops.overflow, 0);
      assert.equal(r.model.trace.driverFaults.evenRxRdpt, 0);
      assert.equal(r.model.trace.faultCount(), 0);
    }
  });

  it('RX overflow: a burst larger than the ring loses frames in the chip (RXERIF); the driver delivers what was stored, counts it, clears RXERIF and receives on', () => {
    const r = up(new EncRig());
    const burst: Uint8Array[] = [];
    for (let i = 0; i < 10; i++) burst.push(frame(1514, 100 + i));
    for (const f of burst) r.model.receive(f, false);
    const stored = 10 - r.model.trace.drops.overflow;
    assert.equal(stored, 4, 'the 6,656-byte ring holds four 1,514-byte frames');
    assert.ok(r.runUntil(() => r.frames.length === 4, 100));
    r.run(5);
    for (let i = 0; i < 4; i++) assert.deepEqual(r.frames[i], burst[i]);
    assert.equal(r.driver.counters[FrameCount.RX_OVERFLOW], 1);
    assert.equal(r.reg(Reg.EIR) & 0x01, 0, 'RXERIF cleared');
    const after = frame(200, 7);
    r.peer.send(after);
    assert.ok(r.runUntil(() => r.frames.length === 5, 100));
    assert.deepEqual(r.frames[4], after);
    assert.equal(r.model.trace.faultCount(), 0);
  });

  it('errata #13/#15/#12: late collisions abort the frame; the driver reads the TSV, pulses TXRST, clears TXERIF and retransmits; the peer gets it once', () => {
    const r = up(new EncRig());
    r.model.faults.lateCollisions(3);
    const f = frame(600, 9, PEER_MAC, CHIP_MAC);
    assert.equal(r.driver.send(f, 600), FrameErr.OK);
    assert.ok(r.runUntil(() => r.events.length > 0, 200));
    assert.deepEqual(r.take(), ['sent:0']);
    r.run(5);
    const got = r.peer.take();
    assert.equal(got.length, 1);
    assert.deepEqual(got[0].frame, f);
    assert.equal(r.model.trace.counters.txAborted, 3);
    assert.equal(r.driver.counters[FrameCount.TX_RETRIES], 3);
    assert.equal(r.driver.counters[FrameCount.TX_RESETS], 3);
    assert.equal(r.driver.counters[FrameCount.TX_FRAMES], 1);
    assert.equal(r.model.txLocked, false);
    assert.equal(r.model.trace.faultCount(), 0);
  });

  it('errata #13: retries are bounded: more late collisions than txRetries end the frame as TX_ABORTED; the next frame goes out', () => {
    const r = up(new EncRig({ driver: { txRetries: 2 } }));
    r.model.faults.lateCollisions(3);
    const f = frame(100, 1, PEER_MAC, CHIP_MAC);
    assert.equal(r.driver.send(f, 100), FrameErr.OK);
    assert.ok(r.runUntil(() => r.events.length > 0, 200));
    assert.deepEqual(r.take(), ['sent:' + FrameErr.TX_ABORTED]);
    assert.equal(r.driver.counters[FrameCount.TX_FAILED], 1);
    assert.equal(r.driver.counters[FrameCount.TX_RETRIES], 2);
    assert.equal(r.peer.take().length, 0);
    const g = frame(100, 2, PEER_MAC, CHIP_MAC);
    assert.equal(r.driver.send(g, 100), FrameErr.OK);
    assert.ok(r.runUntil(() => r.events.length > 0, 200));
    assert.deepEqual(r.take(), ['sent:0']);
    r.run(5);
    assert.deepEqual(r.peer.take().map((x) => x.frame), [g]);
  });

  it('errata #12: a locked transmitter (TXRTS never clears) is found by the watchdog, reset with TXRST and the frame retransmitted', () => {
    const r = up(new EncRig({ driver: { txTimeoutMs: 20 } }));
    r.model.faults.txStall();
    const t0 = r.clock.now();
    const f = frame(300, 5, PEER_MAC, CHIP_MAC);
    assert.equal(r.driver.send(f, 300), FrameErr.OK);
    assert.ok(r.runUntil(() => r.events.length > 0, 200));
    assert.deepEqual(r.take(), ['sent:0']);
    assert.ok(r.clock.now() - t0 >= 20 && r.clock.now() - t0 < 25, 'after the watchdog');
    r.run(5);
    assert.deepEqual(r.peer.take().map((x) => x.frame), [f]);
    assert.equal(r.driver.counters[FrameCount.TX_RESETS], 1);
    assert.equal(r.driver.counters[FrameCount.TX_RETRIES], 1);
    assert.equal(r.model.trace.faultCount(), 0);
  });

  it('errata #6: with PKTIF unreliable, polling by EPKTCNT still finds every frame', () => {
    for (const pktifUnreliable of [true, false]) {
      const r = up(new EncRig({ int: false, model: { errata: { pktifUnreliable } } }));
      const sent: Uint8Array[] = [];
      for (let i = 0; i < 12; i++) {
        const f = frame(60 + i * 50, i);
        sent.push(f);
        r.model.receive(f, false);
        r.run(i % 4 === 0 ? 0.5 : 40);
      }
      assert.ok(r.runUntil(() => r.frames.length === 12, 500));
      assert.deepEqual(r.frames, sent);
    }
  });

  it('errata #14: an even ERXRDPT written behind the driver corrupts the next record; the driver sees the bad pointer, resets the receiver and receives on', () => {
    const r = up(new EncRig());
    r.peer.send(frame(100, 1));
    assert.ok(r.runUntil(() => r.frames.length === 1, 100));
    // the test, not the driver, writes an even ERXRDPT
    r.poke(Reg.ERXRDPTL, 0x00);
    r.poke(Reg.ERXRDPTH, 0x10);
    r.peer.send(frame(100, 2));
    r.run(10);
    assert.equal(r.frames.length, 1, 'the corrupt record is not delivered');
    assert.equal(r.driver.counters[FrameCount.RX_BAD_POINTER], 1);
    assert.equal(r.reg(Reg.EPKTCNT), 0);
    const g = frame(100, 3);
    r.peer.send(g);
    assert.ok(r.runUntil(() => r.frames.length === 2, 100));
    assert.deepEqual(r.frames[1], g);
    assert.deepEqual(r.take().filter((e) => e.startsWith('failure')), []);
  });

  it('errata #2: the driver waits out the reset instead of trusting CLKRDY; a chip still starting would ignore its writes', () => {
    const ok = new EncRig({ model: { resetBusyMs: 1.9 } });
    assert.equal(ok.driver.begin(), FrameErr.OK);
    assert.equal(ok.model.trace.driverFaults.writeWhileResetting, 0);
    const slow = new EncRig({ model: { resetBusyMs: 5 } });
    // its bank switch to EREVID is ignored too, so the read lands on a bank-0 register that reads 0
    assert.equal(slow.driver.begin(), FrameErr.WIRING);
    assert.ok(slow.model.trace.driverFaults.writeWhileResetting > 0);
  });

  it('errata #9: in half duplex HDLDIS keeps the chip from receiving its own broadcasts', () => {
    const r = up(new EncRig());
    const f = frame(60, 1, BROADCAST, CHIP_MAC);
    assert.equal(r.driver.send(f, 60), FrameErr.OK);
    assert.ok(r.runUntil(() => r.events.length > 0, 100));
    r.run(10);
    assert.deepEqual(r.take(), ['sent:0']);
    assert.equal(r.frames.length, 0);
    assert.equal(r.peer.take().length, 1);
  });

  it('errata #17: the driver never starts the DMA, so no frame is lost to the checksum engine', () => {
    const r = up(new EncRig());
    for (let i = 0; i < 5; i++) r.peer.send(frame(500, i));
    assert.ok(r.runUntil(() => r.frames.length === 5, 100));
    assert.equal(r.reg(Reg.ECON1) & (ECON1.DMAST | ECON1.CSUMEN), 0);
    assert.equal(r.model.trace.drops.dmaChecksum, 0);
  });
});

describe('ENC28J60 driver on the chip model: faults', () => {
  it('link flap: LINKIF → PHIR → PHSTAT2: link down, then up, as events', () => {
    const r = up(new EncRig());
    r.model.faults.flap(50);
    assert.ok(r.runUntil(() => r.events.length === 2, 200));
    assert.deepEqual(r.take(), ['link:down', 'link:up']);
    assert.equal(r.driver.isLinkUp(), true);
    assert.equal(r.driver.counters[FrameCount.LINK_CHANGES], 2);
  });

  it('chip gone mid-traffic (MISO floats high): NO_CHIP once, then DOWN', () => {
    for (const int of [true, false]) {
      const r = up(new EncRig({ int }));
      r.model.faults.chipAbsent = 0xff;
      if (int) assert.equal(r.driver.send(frame(60, 1, PEER_MAC, CHIP_MAC), 60), FrameErr.OK);
      assert.ok(r.runUntil(() => r.events.length > 0, 1000));
      assert.deepEqual(r.take(), ['failure:' + FrameErr.NO_CHIP]);
      assert.equal(r.driver.isUp(), false);
      assert.equal(r.driver.send(frame(60, 1), 60), FrameErr.DOWN);
      r.run(1000);
      assert.deepEqual(r.take(), []);
    }
  });

  it('chip reset mid-traffic: CHIP_RESET (by the idle poll, the TX watchdog, or healthPollMs with INT); begin() brings it back', () => {
    const cases = [
      { int: false, driver: {} },
      { int: true, driver: {}, send: true },
      { int: true, driver: { healthPollMs: 500 } },
    ];
    for (const c of cases) {
      const r = up(new EncRig({ int: c.int, driver: c.driver }));
      r.model.faults.reset();
      if (c.send) assert.equal(r.driver.send(frame(60, 1, PEER_MAC, CHIP_MAC), 60), FrameErr.OK);
      assert.ok(r.runUntil(() => r.events.length > 0, 2000), JSON.stringify(c));
      assert.deepEqual(r.take(), ['failure:' + FrameErr.CHIP_RESET]);
      assert.equal(r.driver.begin(), FrameErr.OK);
      const f = frame(80, 2);
      r.peer.send(f);
      assert.ok(r.runUntil(() => r.frames.length === 1, 300));
      assert.deepEqual(r.frames[0], f);
    }
  });

  it('INT wired: an idle chip costs no SPI transaction at all', () => {
    const r = up(new EncRig());
    const before = r.model.trace.counters.transactions;
    r.run(10000);
    assert.equal(r.model.trace.counters.transactions, before);
  });

  it('INT wired: a service with INT high and nothing due (a pump from the stack) reads nothing; with INT low it finds the record', () => {
    const r = up(new EncRig());
    r.run(10);
    // each window as its first bytes (opcode | address, argument)
    const windows: string[] = [];
    const spi = r.driver.bus.spi;
    const transaction = spi.transaction.bind(spi);
    spi.transaction = (ops) => {
      const b = ops[0].buf;
      windows.push(Array.from(b.subarray(0, b.length > 1 ? 2 : 1)).map((x) => x.toString(16).padStart(2, '0')).join(' '));
      return transaction(ops);
    };
    assert.equal(r.intPin!.read(), true);
    r.driver.service(r.clock.now());
    assert.deepEqual(windows.splice(0), [], 'nothing due, INT high: not even EIR');
    const f = frame(60, 1);
    r.model.receive(f, false);
    assert.equal(r.intPin!.read(), false, 'PKTIE: INT is low while a record waits');
    r.driver.service(r.clock.now());
    // PKTIF may read clear (errata #6): INT low with no other cause decides; bring-up left bank 2
    assert.deepEqual(windows.splice(0), ['1c 00', 'bf 02', '9f 01', '19 00', '3a 00', '9e 40'],
      'RCR EIR, BFC/BFS ECON1 to bank 1, RCR EPKTCNT, RBM, BFS ECON2.PKTDEC');
    assert.deepEqual(r.frames, [f]);
    assert.equal(r.intPin!.read(), true);
  });

  it('no INT: polling backs off to pollMaxMs while idle; an idle second is 8 polls of EIR + EPKTCNT and one presence check', () => {
    const r = up(new EncRig({ int: false }));
    r.run(2000);
    const before = r.model.trace.counters.transactions;
    r.run(1000);
    assert.equal(r.model.trace.counters.transactions - before, 17);
  });

  it('a torn RBM window garbles a record header: dropped as a bad pointer, receiver reset, reception goes on', () => {
    const r = up(new EncRig());
    r.model.receive(frame(200, 1), false);
    r.model.faults.tearAt = -1;
    // EIR, bank 1, EPKTCNT, bank 0, then the RBM: torn after its second byte
    const orig = r.model.exchange.bind(r.model);
    let n = 0;
    r.model.exchange = (mosi: Uint8Array) => {
      if (mosi[0] === 0x3a && n++ === 0) r.model.faults.tearNext(2);
      return orig(mosi);
    };
    r.run(5);
    assert.equal(r.frames.length, 0);
    assert.equal(r.driver.counters[FrameCount.RX_BAD_POINTER], 1);
    const g = frame(300, 2);
    r.peer.send(g);
    assert.ok(r.runUntil(() => r.frames.length === 1, 100));
    assert.deepEqual(r.frames[0], g);
  });

  it('bad frames the chip stores when told to: CRC errors (CRCEN off) and frames over 1518 (HFRMLEN) are dropped and counted, never delivered', () => {
    const r = up(new EncRig());
    r.poke(Reg.ECON1, 0); // RX off while the filters change (DS §7.2.1)
    r.poke(Reg.ERXFCON, 0x81);
    r.poke(Reg.MACON3, 0x32 | MACON3.HFRMLEN);
    r.poke(Reg.ECON1, ECON1.RXEN);
    r.pipe.b.send(frame(100, 1), true);
    r.peer.send(frame(1600, 2));
    const good = frame(100, 3);
    r.peer.send(good);
    assert.ok(r.runUntil(() => r.frames.length === 1, 100));
    r.run(5);
    assert.deepEqual(r.frames, [good]);
    assert.equal(r.driver.counters[FrameCount.RX_BAD], 1);
    assert.equal(r.driver.counters[FrameCount.RX_TOO_LONG], 1);
    assert.equal(r.driver.counters[FrameCount.RX_FRAMES], 1);
  });
});
