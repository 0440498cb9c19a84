/**
 * ENC28J60 driver benchmark: SPI transactions (chip-select windows) and bytes per frame, counted by the chip
 * model's trace on virtual time with a scripted frame peer, so every run prints the same figures. Called by
 * tools/bench.ts (npm run bench); also runs alone: npx tsx tools/bench-enc28j60.ts
 */
import { EncRig, CHIP_MAC, PEER_MAC, frame } from '../sim/enc28j60/driver-rig';
import { FrameErr } from '../hal/frame-driver';

const FRAMES = 48;

interface Row {
  scenario: string;
  transactions: number;
  bytes: number;
  /** frame bytes moved per frame (0 for idle) */
  payload: number;
  /** the floor the datasheet leaves, and what it is made of */
  floorTx: number;
  floorBytes: number;
  floorWhy: string;
}

function rig(int: boolean): EncRig {
  const r = new EncRig({ int });
  const err = r.driver.begin();
  if (err !== FrameErr.OK) throw new Error('begin failed: ' + err);
  r.run(1);
  return r;
}

function spi(r: EncRig): { transactions: number; bytes: number } {
  const c = r.model.trace.counters;
  return { transactions: c.transactions, bytes: c.bytes };
}

/** receives FRAMES frames of `len` bytes, `perTurn` arriving together; SPI per frame */
function receive(len: number, together: number): { transactions: number; bytes: number } {
  const r = rig(true);
  const s0 = spi(r);
  for (let i = 0; i < FRAMES; i += together) {
    for (let k = 0; k < together; k++) r.model.receive(frame(len, i + k), false);
    const want = i + together;
    if (!r.runUntil(() => r.frames.length === want, 100)) throw new Error('frame not delivered');
    r.run(2);
  }
  const s1 = spi(r);
  return { transactions: (s1.transactions - s0.transactions) / FRAMES, bytes: (s1.bytes - s0.bytes) / FRAMES };
}

/** sends FRAMES frames of `len` bytes one after the other, each to its sent(OK); SPI per frame */
function send(len: number): { transactions: number; bytes: number } {
  const r = rig(true);
  const f = frame(len, 1, PEER_MAC, CHIP_MAC);
  // the first frame writes ETXND; later frames of the same length do not (cached) — count those
  if (r.driver.send(f, len) !== FrameErr.OK || !r.runUntil(() => r.events.length === 1, 100)) throw new Error('send failed');
  r.take();
  r.run(2);
  const s0 = spi(r);
  for (let i = 0; i < FRAMES; i++) {
    if (r.driver.send(f, len) !== FrameErr.OK) throw new Error('send refused');
    if (!r.runUntil(() => r.events.length === 1, 100)) throw new Error('sent() missing');
    if (r.take()[0] !== 'sent:0') throw new Error('send failed');
    r.run(2);
  }
  const s1 = spi(r);
  if (r.peer.take().length !== FRAMES + 1) throw new Error('peer missed frames');
  return { transactions: (s1.transactions - s0.transactions) / FRAMES, bytes: (s1.bytes - s0.bytes) / FRAMES };
}

function idle(int: boolean): { transactions: number; bytes: number } {
  const r = rig(int);
  r.run(2000);
  const s0 = spi(r);
  r.run(1000);
  const s1 = spi(r);
  return { transactions: s1.transactions - s0.transactions, bytes: s1.bytes - s0.bytes };
}

/** a service with nothing to do, INT high: what a pump from the stack or a blocking call costs while the chip is quiet */
function quietService(): { transactions: number; bytes: number } {
  const r = rig(true);
  r.run(10);
  const s0 = spi(r);
  for (let i = 0; i < FRAMES; i++) {
    r.driver.service(r.clock.now());
    r.run(1);
  }
  const s1 = spi(r);
  return { transactions: (s1.transactions - s0.transactions) / FRAMES, bytes: (s1.bytes - s0.bytes) / FRAMES };
}

/**
 * Floors, what the datasheet leaves unavoidable. Receive: learning that a record waits (one read: EPKTCNT, or
 * EIR), the record in one RBM (opcode, 6-byte header, frame, 4-byte CRC: reading the CRC is cheaper than moving
 * ERDPT past it), PKTDEC — 3 windows; ERXRDPT's two windows can be shared by many records. Send: EWRPT back to
 * ETXST (1 window when only the low byte differs), WBM (opcode, control byte, frame), BFS TXRTS, then RCR EIR
 * and BFC TXIF for the completion — 5 or 6 windows. Idle: with INT nothing; polling, one read per poll.
 */
function rxFloor(len: number): { tx: number; bytes: number } {
  return { tx: 3, bytes: 2 + 1 + 6 + len + 4 + (len & 1) + 2 };
}
function txFloor(len: number): { tx: number; bytes: number } {
  const ewrpt = ((0x1a00 + 1 + len) >> 8) === 0x1a ? 1 : 2;
  return { tx: ewrpt + 4, bytes: 2 * ewrpt + 2 + len + 2 + 2 + 2 };
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

export function benchEnc28j60(): void {
  const rows: Row[] = [];
  for (const len of [1514, 60]) {
    const m = receive(len, 1);
    const f = rxFloor(len);
    rows.push({ scenario: `receive ${len}-byte frame`, transactions: m.transactions, bytes: m.bytes, payload: len, floorTx: f.tx, floorBytes: f.bytes, floorWhy: 'EPKTCNT + RBM of the record + PKTDEC' });
  }
  const b = receive(1514, 4);
  const bf = rxFloor(1514);
  rows.push({ scenario: 'receive 1514-byte frames, 4 per INT', transactions: b.transactions, bytes: b.bytes, payload: 1514, floorTx: bf.tx, floorBytes: bf.bytes, floorWhy: 'as above, per frame' });
  for (const len of [1514, 60]) {
    const m = send(len);
    const f = txFloor(len);
    rows.push({ scenario: `send ${len}-byte frame`, transactions: m.transactions, bytes: m.bytes, payload: len, floorTx: f.tx, floorBytes: f.bytes, floorWhy: 'EWRPT + WBM + TXRTS + EIR + BFC TXIF' });
  }
  const q = quietService();
  rows.push({ scenario: 'a pump while quiet (INT high)', transactions: q.transactions, bytes: q.bytes, payload: 0, floorTx: 0, floorBytes: 0, floorWhy: 'nothing due: nothing read (a failure shows at the chip check or the next INT)' });
  for (const int of [true, false]) {
    const m = idle(int);
    rows.push({ scenario: '1 s idle, ' + (int ? 'INT wired' : 'no INT (polling)'), transactions: m.transactions, bytes: m.bytes, payload: 0, floorTx: int ? 0 : 8, floorBytes: int ? 0 : 16, floorWhy: int ? 'nothing to do' : 'one read per poll, 8 polls at 128 ms' });
  }
  console.log('');
  console.log('ENC28J60 driver, SPI traffic counted by the chip model (virtual time, scripted frame peer, every erratum on)');
  console.log(`per frame: mean over ${FRAMES} frames, each with its own INT unless stated; transactions = chip-select windows`);
  console.log('');
  const head = ['scenario'.padEnd(36), 'transactions'.padStart(12), 'SPI bytes'.padStart(9), 'payload share'.padStart(13), 'floor (transactions / bytes)'.padEnd(28), 'floor made of'];
  console.log(head.join(' | '));
  console.log(head.map((h) => '-'.repeat(h.length)).join('-|-'));
  for (const r of rows) {
    const share = r.payload ? ((100 * r.payload) / r.bytes).toFixed(1) + ' %' : '-';
    const floorShare = r.payload ? ` (${((100 * r.payload) / r.floorBytes).toFixed(1)} %)` : '';
    console.log([r.scenario.padEnd(36), fmt(r.transactions).padStart(12), fmt(r.bytes).padStart(9), share.padStart(13),
      (r.floorTx + ' / ' + r.floorBytes + floorShare).padEnd(28), r.floorWhy].join(' | '));
  }
  console.log('');
  console.log('goal: 0 transactions in an idle second with INT wired');
}

if (process.argv[1] && process.argv[1].endsWith('bench-enc28j60.ts')) benchEnc28j60();
