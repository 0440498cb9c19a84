/**
 * The driver's exact instruction sequences on the recorded-SPI basis: bring-up per datasheet and
 * errata, bank caching, the transmit start, and argument checks.
 */
import { strict as assert } from 'node:assert';
import { Enc28j60 } from '../../hal/enc28j60/driver';
import { FrameCount, FrameErr, frameErrText } from '../../hal/frame-driver';
import { W5500Err } from '../../hal/w5500/errors';
import type { Clock } from '../../hal/clock';
import { RecordedSpi } from './recorded-spi';

const MAC = new Uint8Array([0x02, 0x00, 0x00, 0x12, 0x34, 0x56]);

/** A clock whose time moves only by pause; timers are kept, never run. */
class PauseClock implements Clock {
  t = 0;
  pauses: number[] = [];
  timers: { id: number; at: number }[] = [];
  private id = 1;
  now(): number { return this.t; }
  setTimeout(_fn: () => void, ms: number): number { const id = this.id++; this.timers.push({ id, at: this.t + ms }); return id; }
  clearTimeout(h: number): void { this.timers = this.timers.filter((x) => x.id !== h); }
  pause(ms: number): void { this.pauses.push(ms); this.t += ms; }
}

/** A PHY write through the MII, starting in bank 2, then MISTAT polled in bank 3. */
function phyWrite(reg: string, lo: string, hi: string, from3: boolean): string[] {
  return [...(from3 ? ['bf 01'] : []), '54 ' + reg, '56 ' + lo, '57 ' + hi, '9f 01', '0a 00 00'];
}
function phyRead(reg: string, from3: boolean): string[] {
  return [...(from3 ? ['bf 01'] : []), '54 ' + reg, '52 01', '9f 01', '0a 00 00', 'bf 01', '52 00', '18 00 00', '19 00 00'];
}

const HALF_DUPLEX_BRINGUP = [
  'be 20', // BFC ECON2.PWRSV: errata #19, SRC is ignored in power-save
  'ff', // SRC (then 1 + 2 ms waits: errata #19, #2)
  '9f 03', '12 00', // bank 3, RCR EREVID
  '5f 00', // ECON1 = 0: bank 0, TX/RX off
  '5e 88', // ECON2 = AUTOINC | VRPS
  '48 00', '49 00', // ERXST = 0x0000 (errata #5)
  '4a ff', '4b 19', // ERXND = 0x19FF (odd)
  '4c ff', '4d 19', // ERXRDPT = ERXND (odd: errata #14)
  '40 00', '41 00', // ERDPT = ERXST
  '44 00', '45 1a', // ETXST = 0x1A00
  '42 00', '43 1a', // EWRPT = ETXST
  '9f 01', '58 a1', // bank 1, ERXFCON = UCEN | CRCEN | BCEN
  'bf 01', '9f 02', '40 01', // bank 2, MACON1 = MARXEN (no pause frames in half duplex)
  '42 32', // MACON3 = PADCFG0 | TXCRCEN | FRMLNEN, FULDPX clear
  '43 40', // MACON4 = DEFER
  '4a ee', '4b 05', // MAMXFL = 1518
  '44 12', '46 12', '47 0c', // MABBIPG, MAIPGL, MAIPGH (half duplex)
  ...phyWrite('00', '00', '00', false), // PHCON1 = 0: half duplex, as MACON3
  ...phyWrite('10', '00', '01', true), // PHCON2 = HDLDIS (errata #9)
  ...phyWrite('14', '76', '34', true), // PHLCON: LED A link, LED B activity
  ...phyWrite('12', '12', '00', true), // PHIE = PGEIE | PLNKIE
  '44 02', '45 00', '42 00', '43 12', '40 34', '41 56', // MAADR1..6 in bank 3 (first octet at 0x04)
  'bf 03', '0b 00', // read back ERXNDH (ETH RCR: 2 bytes)
  '9f 02', '02 00 00', // read back MACON3 (MAC RCR: dummy byte)
  '9f 01', '04 00 00', // read back MAADR1
  ...phyRead('00', true), // read back PHCON1
  'bc 7b', // BFC EIR: every flag
  '5b 00', // EIE = 0: no INT wired
  '9f 04', // BFS ECON1.RXEN
  ...phyRead('13', false), // PHIR (acknowledges a pending link change)
  ...phyRead('11', false), // PHSTAT2.LSTAT
];

describe('ENC28J60 driver on recorded SPI', () => {
  it('brings the chip up with the datasheet and errata sequence, one instruction per window, bank switches only when needed', () => {
    const spi = new RecordedSpi();
    const clock = new PauseClock();
    const d = new Enc28j60({ spi, clock, mac: MAC });
    const wakes: number[] = [];
    d.setWake((at) => wakes.push(at));
    assert.equal(d.begin(), FrameErr.OK);
    assert.deepEqual(spi.take(), HALF_DUPLEX_BRINGUP);
    assert.deepEqual(clock.pauses, [1, 2]);
    assert.equal(d.revision, 6);
    assert.equal(d.isUp(), true);
    assert.equal(d.isLinkUp(), false);
    // Polling (no INT): the first poll is asked for at pollMinMs; the driver arms no timer itself.
    assert.deepEqual(wakes, [3 + 1]);
    assert.deepEqual(clock.timers, []);
  });

  it('full duplex: FULDPX in MACON3 and PDPXMD in PHCON1 together, pause frames on, no DEFER, no HDLDIS; EIE with INT', () => {
    const spi = new RecordedSpi();
    const clock = new PauseClock();
    const int = { read: () => true, watch: () => 7, unwatch: () => undefined };
    const d = new Enc28j60({ spi, clock, mac: MAC, fullDuplex: true, int });
    const wakes: number[] = [];
    d.setWake((at) => wakes.push(at));
    assert.equal(d.begin(), FrameErr.OK);
    const log = spi.take();
    const i = log.indexOf('40 0d');
    assert.ok(i > 0, 'MACON1 = MARXEN | TXPAUS | RXPAUS');
    assert.deepEqual(log.slice(i, i + 7), ['40 0d', '42 33', '43 00', '4a ee', '4b 05', '44 15', '46 12']);
    assert.deepEqual(log.slice(i + 7, i + 8), ['47 00']);
    assert.deepEqual(log.slice(i + 8, i + 13), phyWrite('00', '00', '01', false));
    assert.deepEqual(log.slice(i + 13, i + 19), phyWrite('10', '00', '00', true));
    assert.ok(log.includes('5b db'), 'EIE = INTIE | PKTIE | LINKIE | TXIE | TXERIE | RXERIE');
    assert.equal(spi.phy[0], 0x0100);
    assert.equal(spi.regs[2 * 32 + 2], 0x33);
    // INT wired and high: no service asked for and no timer, so an idle chip costs no SPI.
    assert.deepEqual(wakes, []);
    assert.deepEqual(clock.timers, []);
    assert.equal(d.service(clock.now()), -1);
    assert.deepEqual(spi.take(), []);
  });

  it('reports NO_CHIP when MISO floats high and WIRING when it is held low, after the reset and before any configuration', () => {
    for (const [stuck, err] of [[0xff, FrameErr.NO_CHIP], [0x00, FrameErr.WIRING]]) {
      const spi = new RecordedSpi();
      spi.stuck = stuck;
      const d = new Enc28j60({ spi, clock: new PauseClock(), mac: MAC });
      assert.equal(d.begin(), err);
      assert.deepEqual(spi.take(), ['be 20', 'ff', '9f 03', '12 00']);
      assert.equal(d.isUp(), false);
      assert.equal(d.send(new Uint8Array(60), 60), FrameErr.DOWN);
    }
  });

  it('a failing bus is BUS, not a chip verdict', () => {
    const spi = new RecordedSpi();
    spi.fail = true;
    const d = new Enc28j60({ spi, clock: new PauseClock(), mac: MAC });
    assert.equal(d.begin(), FrameErr.BUS);
  });

  it('starts a transmission: WBM of control byte and frame in one window, ETXND, TXRTS (EIR known clear since bring-up)', () => {
    const spi = new RecordedSpi();
    const clock = new PauseClock();
    const d = new Enc28j60({ spi, clock, mac: MAC });
    assert.equal(d.begin(), FrameErr.OK);
    spi.take();
    const f = new Uint8Array(60);
    f.fill(0xff, 0, 6);
    f.set(MAC, 6);
    assert.equal(d.send(f, 60), FrameErr.OK);
    // WBM needs no bank; bank 2 (after the MII) → 0 is one BFC of BSEL1; EWRPT already at ETXST: not written
    assert.deepEqual(spi.take(), ['7a 00 ff ff ff ff ff ff 02 00 00 12 34 56 00 00 …(62)', 'bf 02', '46 3c', '47 1a', '9f 08']);
    assert.equal(d.canSend(), false);
    assert.equal(d.send(f, 60), FrameErr.BUSY);
    assert.deepEqual(spi.take(), []);
  });

  it('checks every argument and changes nothing on bad input', () => {
    const spi = new RecordedSpi();
    const d = new Enc28j60({ spi, clock: new PauseClock(), mac: MAC });
    assert.equal(d.send(new Uint8Array(60), 60), FrameErr.DOWN);
    assert.equal(d.begin(), FrameErr.OK);
    spi.take();
    assert.equal(d.send(undefined as unknown as Uint8Array, 60), FrameErr.ARG);
    assert.equal(d.send([1, 2, 3] as unknown as Uint8Array, 3), FrameErr.ARG);
    assert.equal(d.send(new Uint8Array(60), 61), FrameErr.ARG);
    assert.equal(d.send(new Uint8Array(60), 1.5), FrameErr.ARG);
    assert.equal(d.send(new Uint8Array(60), 13), FrameErr.MSGSIZE);
    assert.equal(d.send(new Uint8Array(1600), 1515), FrameErr.MSGSIZE);
    assert.deepEqual(spi.take(), []);
    assert.equal(new Enc28j60({ spi, clock: new PauseClock(), mac: new Uint8Array(5) }).begin(), FrameErr.ARG);
    assert.equal(new Enc28j60({ spi, clock: new PauseClock(), mac: new Uint8Array([1, 0, 0, 0, 0, 1]) }).begin(), FrameErr.ARG);
    assert.equal(new Enc28j60({ spi, clock: new PauseClock(), mac: MAC, framesPerTurn: 0 }).begin(), FrameErr.ARG);
    assert.equal(new Enc28j60({ spi, clock: new PauseClock(), mac: MAC, txTimeoutMs: 0 }).begin(), FrameErr.ARG);
    for (const maxFrame of [59, 1515, 600.5]) assert.equal(new Enc28j60({ spi, clock: new PauseClock(), mac: MAC, maxFrame }).begin(), FrameErr.ARG);
    assert.deepEqual(spi.take(), []);
  });
});

/** A 6-byte receive header and the data after it, as RBM returns them. */
function record(next: number, count: number, status: number, dataLen: number): Uint8Array {
  const b = new Uint8Array(6 + dataLen);
  b.set([next & 0xff, next >> 8, count & 0xff, count >> 8, status, 0]);
  for (let i = 6; i < b.length; i++) b[i] = i & 0xff;
  return b;
}

describe('ENC28J60 driver on recorded SPI: bad records', () => {
  function upPolling() {
    const spi = new RecordedSpi();
    const clock = new PauseClock();
    const d = new Enc28j60({ spi, clock, mac: MAC });
    const got: number[] = [];
    d.setHandler({ frame(_f, len) { got.push(len); }, sent() { /* none */ }, link() { /* none */ }, failure(e) { got.push(e); } });
    assert.equal(d.begin(), FrameErr.OK);
    spi.take();
    return { spi, clock, d, got };
  }

  it('runt, too long and CRC-error records are dropped and counted; ERDPT is rewritten only where the record ended short of a read', () => {
    const { spi, d, got } = upPolling();
    spi.regs[32 + 0x19] = 3; // EPKTCNT
    spi.rbm.push(record(0x002e, 40, 0x80, 64)); // runt: 40 bytes with CRC
    spi.rbm.push(record(0x0674, 1600, 0x80, 64)); // too long
    spi.rbm.push(record(0x06be, 68, 0x90, 64)); // CRC error (bit 20), not received OK
    d.service(10);
    assert.deepEqual(got, []);
    assert.equal(d.counters[FrameCount.RX_RUNT], 1);
    assert.equal(d.counters[FrameCount.RX_TOO_LONG], 1);
    assert.equal(d.counters[FrameCount.RX_BAD], 1);
    assert.equal(d.counters[FrameCount.RX_FRAMES], 0);
    assert.deepEqual(spi.take(), [
      '1c 00', // RCR EIR
      'bf 02', '9f 01', '19 00', // bank 2 → 1, RCR EPKTCNT
      '3a 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 …(71)', '9e 40', // RBM header + 64 (no bank needed), PKTDEC
      'bf 01', '40 2e', // bank 0, ERDPTL = next (ERDPTH unchanged: the runt was overread within it)
      '3a 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 …(71)', '9e 40',
      '41 06', // too long: not read; ERDPT 0x0074 → 0x0674 is one byte
      '3a 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 …(71)', '9e 40', // the CRC error: its 64 bytes were all there was '3a 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 …(71)', '9e 40',
      '4c bd', '4d 06', // ERXRDPT = next − 1 = 0x06BD, odd, low byte first, once for the turn
    ]);
  });

  it('a next-packet pointer that does not follow from the byte count resets the receiver (RXEN off, RXRST pulse, ring again, EPKTCNT to 0, RXEN on)', () => {
    const { spi, d, got } = upPolling();
    spi.regs[32 + 0x19] = 2;
    spi.rbm.push(record(0x0047, 64, 0x80, 64)); // odd: the chip pads every record to an even address
    d.service(10);
    assert.deepEqual(got, []);
    assert.equal(d.counters[FrameCount.RX_BAD_POINTER], 1);
    assert.equal(d.isUp(), true);
    assert.deepEqual(spi.take(), [
      '1c 00', 'bf 02', '9f 01', '19 00', '3a 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 …(71)',
      '1f 00', // RCR ECON1: still configured (RXEN, our bank)? yes — so the ring, not the chip
      'bf 04', '9f 40', 'bf 40', // BFC RXEN, BFS RXRST, BFC RXRST
      'bf 01', '48 00', '49 00', '4a ff', '4b 19', '4c ff', '4d 19', '40 00', '41 00', // ERXST, ERXND, ERXRDPT, ERDPT
      '9f 01', '19 00', '9e 40', '9e 40', // EPKTCNT (2): two PKTDECs
      'bc 41', '9f 04', // BFC EIR RXERIF | PKTIF, BFS RXEN
    ]);
  });
});

describe('frame driver result codes', () => {
  it('share their numbers with W5500Err, so a MACRAW driver passes the W5500 results through', () => {
    assert.deepEqual(
      [FrameErr.BUS, FrameErr.NO_CHIP, FrameErr.WIRING, FrameErr.RESET_STUCK, FrameErr.CHIP_RESET, FrameErr.BUSY, FrameErr.ARG, FrameErr.DOWN, FrameErr.CONFIG, FrameErr.MSGSIZE],
      [W5500Err.BUS, W5500Err.NO_CHIP, W5500Err.WIRING, W5500Err.RESET_STUCK, W5500Err.CHIP_RESET, W5500Err.BUSY, W5500Err.ARG, W5500Err.DOWN, W5500Err.CONFIG, W5500Err.MSGSIZE]);
    assert.equal(frameErrText(FrameErr.NO_CHIP), 'no chip answers: MISO reads 0xFF (no chip, no power, or wrong CS pin)');
  });
});
