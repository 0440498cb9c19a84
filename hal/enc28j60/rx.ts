import { FrameCount } from '../frame-driver';
import type { EncBus } from './bus';
import { ECON1, ECON2, EIR, Eth, Mem, Reg, Rsv } from './registers';

/** Bytes of the first RBM of a record: the 6-byte header and the shortest valid frame with its CRC. */
const enum Burst {
  FIRST = 70,
  /** index in `buf` of the first frame byte: opcode, then the header */
  DATA = 7,
  /** `buf` beyond the longest frame taken: opcode + header + CRC + a pad byte */
  OVERHEAD = 12,
  /** PKTDECs after a receive reset, at most EPKTCNT's range */
  MAX_PKTDEC = 255,
  /** consumed bytes held back before ERXRDPT moves: a quarter of the ring, so small frames share one free */
  FREE_LAG = 0x680,
}

/** Where a position `n` bytes after `at` lies in the RX ring. */
function ringAdd(at: number, n: number): number {
  const p = at + n;
  return p > Mem.RX_END ? p - Mem.RX_SIZE : p;
}

/**
 * The receive ring (DS §7.2). Each record: next-packet pointer, byte count (CRC included), status;
 * then the frame, padded to an even address. Records wait in the chip's 6.5 KB until read, one at a time,
 * into `buf`, which holds the longest frame the board takes (a small board takes less than 1,514 bytes). Per frame: one RBM of header + 64 bytes (a whole
 * minimum-size frame), one more RBM for the rest — straight behind it in `buf`, so the frame is
 * contiguous without a copy — then PKTDEC. Reading through the pad leaves ERDPT on the next record,
 * so ERDPT is written only after a drop or a TSV read. ERXRDPT (errata #14: an odd value, next − 1, or
 * ERXND when next is ERXST) moves once a quarter of the ring has been consumed, or at once after an overflow.
 */
export class EncRx {
  /** address of the next record header */
  next: number = Mem.RX_START;
  /** ERDPT as last set or advanced, -1 unknown */
  erdpt: number = Mem.RX_START;
  /** opcode, header, frame; the frame starts at Burst.DATA */
  buf: Uint8Array;
  /** bytes of records consumed since ERXRDPT was last written */
  private unfreed = 0;
  /** the longest record taken, CRC included; a longer one stays in the chip's ring until it is dropped */
  private maxCount: number;

  /** `maxFrame`: the longest frame taken (without CRC, 60…1514); longer ones are dropped and counted as RX_TOO_LONG */
  constructor(maxFrame: number) {
    this.buf = new Uint8Array(maxFrame + Burst.OVERHEAD);
    this.maxCount = maxFrame + Eth.CRC;
  }

  /** The frame `readOne` left in `buf`. */
  frame(len: number): Uint8Array {
    return this.buf.subarray(Burst.DATA, Burst.DATA + len);
  }

  reset(): void {
    this.next = Mem.RX_START;
    this.erdpt = Mem.RX_START;
    this.unfreed = 0;
  }

  /**
   * Reads and consumes one record (EPKTCNT said there is one). Returns the frame length (CRC removed)
   * when it is good and in `buf` at Burst.DATA, 0 when it was dropped (counted), -1 on a bus failure,
   * -2 when the record is corrupt (the caller resets the receiver).
   */
  readOne(bus: EncBus, counters: Uint32Array): number {
    const at = this.next;
    if (this.erdpt !== at) {
      if (!bus.writePointer(Reg.ERDPTL, this.erdpt, at)) return -1;
      this.erdpt = at;
    }
    const b = this.buf;
    if (!bus.readBuffer(b, Burst.FIRST)) return -1;
    this.erdpt = ringAdd(at, Burst.FIRST);
    const nextPtr = b[1] | (b[2] << 8);
    const count = b[3] | (b[4] << 8);
    const status = b[5];
    // The chip pads each record to an even address, so the pointer follows from the count.
    if (nextPtr !== ringAdd(at, Rsv.HEADER + count + (count & 1)) || count > Mem.RX_SIZE - Rsv.HEADER) {
      counters[FrameCount.RX_BAD_POINTER]++;
      return -2;
    }
    this.next = nextPtr;
    this.unfreed += Rsv.HEADER + count + (count & 1);
    if (!bus.set(Reg.ECON2, ECON2.PKTDEC)) return -1;
    if (count < Eth.MIN_WITH_CRC) {
      counters[FrameCount.RX_RUNT]++;
      return 0;
    }
    // RSV bit 22 (length out of range) is set for every type field above 1500, i.e. all Ethernet II frames: not an error.
    if (count > this.maxCount) {
      counters[FrameCount.RX_TOO_LONG]++;
      return 0;
    }
    if (!(status & Rsv.RECEIVED_OK) || (status & (Rsv.CRC_ERROR | Rsv.LENGTH_CHECK_ERROR))) {
      counters[FrameCount.RX_BAD]++;
      return 0;
    }
    const rest = count + (count & 1) - (Burst.FIRST - Rsv.HEADER);
    if (rest > 0) {
      // The second RBM's opcode byte lands on the last byte of the first burst: keep it.
      const keep = b[Burst.FIRST];
      const ok = bus.readBuffer(b.subarray(Burst.FIRST, Burst.FIRST + 1 + rest), rest);
      b[Burst.FIRST] = keep;
      if (!ok) return -1;
      this.erdpt = nextPtr;
    }
    const len = count - Eth.CRC;
    counters[FrameCount.RX_FRAMES]++;
    counters[FrameCount.RX_BYTES] += len;
    return len;
  }

  /**
   * Gives the consumed records' space back to the chip, ERXRDPT = next − 1, odd (errata #14): when `now`,
   * or once a quarter of the ring waits to be freed.
   */
  free(bus: EncBus, now: boolean): boolean {
    if (this.unfreed === 0 || (!now && this.unfreed < Burst.FREE_LAG)) return true;
    const n = this.next;
    const rd = n === Mem.RX_START ? Mem.RX_END : n - 1;
    if (!bus.write(Reg.ERXRDPTL, rd & 0xff) || !bus.write(Reg.ERXRDPTH, rd >> 8)) return false;
    this.unfreed = 0;
    return true;
  }

  /**
   * Resets the receiver after a corrupt record (as Linux does): RXEN off, RXRST pulse, ring pointers
   * again, pending records forgotten (PKTDEC until EPKTCNT is 0), RXERIF and PKTIF cleared, RXEN on.
   */
  resetReceiver(bus: EncBus): boolean {
    let ok = bus.clear(Reg.ECON1, ECON1.RXEN) && bus.set(Reg.ECON1, ECON1.RXRST) && bus.clear(Reg.ECON1, ECON1.RXRST) &&
      bus.write16(Reg.ERXSTL, Mem.RX_START) && bus.write16(Reg.ERXNDL, Mem.RX_END) &&
      bus.write16(Reg.ERXRDPTL, Mem.RX_END) && bus.write16(Reg.ERDPTL, Mem.RX_START);
    if (!ok) return false;
    this.reset();
    let left = bus.read(Reg.EPKTCNT);
    for (let i = 0; left > 0 && i < Burst.MAX_PKTDEC; i++, left--) if (!bus.set(Reg.ECON2, ECON2.PKTDEC)) return false;
    if (left < 0) return false;
    ok = bus.clear(Reg.EIR, EIR.RXERIF | EIR.PKTIF) && bus.set(Reg.ECON1, ECON1.RXEN);
    return ok;
  }
}
