import { Chip, Sn_MR, rxBlock } from './registers';
import { W5500Err } from './errors';
import { F } from './state';
import { W5500Sockets } from './sockets';

/** Where a record's length field sits in its header, and what it counts. */
const enum Rec {
  /** UDP: IP (4), port (2), payload length (2) */
  UDP_LEN_AT = 6,
  /** MACRAW: the frame's length (2), counting those two bytes themselves */
  MACRAW_LEN_AT = 0,
}

/**
 * Datagrams (UDP) and MACRAW frames: the whole record or nothing on send; on receive, one record
 * at a time from the RX ring, where each sits behind a header carrying its length.
 */
export abstract class W5500Records extends W5500Sockets {
  /**
   * UDP: sends one datagram to `ip`:`port`. The whole datagram or nothing: returns its length, 0
   * when the TX buffer lacks room now (WRITABLE follows), MSGSIZE if it can never fit, BUSY while
   * the previous SEND awaits SEND_OK. An ARP failure shows as TIMEOUT; the socket stays open.
   */
  sendTo(sn: number, data: Uint8Array, ip: Uint8Array, port: number): number {
    const e = this.checkOpen(sn, Sn_MR.UDP);
    if (e) return e;
    if (!ip || ip.length !== 4 || port <= 0 || port > 0xffff) return W5500Err.ARG;
    if (data.length > this.txSize[sn]) return W5500Err.MSGSIZE;
    if (this.flags[sn] & F.SENDING) return W5500Err.BUSY;
    const w = this.setDest(sn, ip, port);
    if (w) return w;
    return this.transmit(sn, data, true);
  }

  /**
   * UDP: takes one datagram. Copies its payload (up to `dest.length`; the rest of a longer one is
   * dropped) into `dest`, the sender's IP and port into `from` (6 bytes: 4 IP, 2 port big-endian),
   * and returns the datagram's full length — greater than `dest.length` means it was truncated.
   * EMPTY when none is waiting.
   */
  recvFrom(sn: number, dest: Uint8Array, from: Uint8Array): number {
    const e = this.check(sn);
    if (e) return e;
    if (this.proto[sn] !== Sn_MR.UDP) return W5500Err.STATE;
    return this.recvRecord(sn, dest, from, Chip.UDP_HEADER, Rec.UDP_LEN_AT, false);
  }

  /**
   * MACRAW (socket 0): sends one Ethernet frame as given (destination MAC first). Like `sendTo`:
   * the whole frame or nothing, 0 when there is no room now (WRITABLE follows), BUSY while the
   * previous SEND awaits SEND_OK.
   */
  sendFrame(sn: number, frame: Uint8Array): number {
    const e = this.checkOpen(sn, Sn_MR.MACRAW);
    if (e) return e;
    if (frame.length > this.txSize[sn]) return W5500Err.MSGSIZE;
    return this.transmit(sn, frame, true);
  }

  /**
   * MACRAW (socket 0): takes one received frame. Each frame sits in the RX buffer behind a 2-byte
   * length that counts itself. Copies up to `dest.length` bytes and returns the frame's full length
   * (greater than `dest.length`: truncated); EMPTY when none is waiting.
   */
  recvFrame(sn: number, dest: Uint8Array): number {
    const e = this.check(sn);
    if (e) return e;
    if (this.proto[sn] !== Sn_MR.MACRAW) return W5500Err.STATE;
    return this.recvRecord(sn, dest, undefined, Chip.MACRAW_HEADER, Rec.MACRAW_LEN_AT, true);
  }

  /**
   * Takes the record at Sn_RX_RD: a `header`-byte header whose 16-bit length field sits at `lenAt`
   * (counting the header itself when `countsHeader`), then the payload. Reads the header and as much
   * payload as can belong to it in one frame; copies the header's first 6 bytes into `from` if
   * given; returns the payload's full length, EMPTY, or UNKNOWN_CODE (the field in `unknownCode`)
   * when the length cannot be right.
   */
  private recvRecord(sn: number, dest: Uint8Array, from: Uint8Array | undefined, header: number, lenAt: number,
    countsHeader: boolean): number {
    const avail = this.readRxAvail(sn);
    if (avail < 0) return avail;
    if (avail < header) return W5500Err.EMPTY;
    const room = avail - header;
    const want = header + (room < dest.length ? room : dest.length);
    const first = want < this.burst ? want : this.burst;
    const rd = this.rxRd[sn];
    const v = this.bus.read(rd, rxBlock(sn), first);
    if (!v) return this.fail(W5500Err.BUS);
    if (from) from.set(v.subarray(0, 6), 0);
    const field = (v[lenAt] << 8) | v[lenAt + 1];
    const len = countsHeader ? field - header : field;
    if (len < 0 || header + len > avail) {
      this.unknownCode = field;
      return W5500Err.UNKNOWN_CODE;
    }
    const copy = len < dest.length ? len : dest.length;
    const inFirst = first - header < copy ? first - header : copy;
    dest.set(v.subarray(header, header + inFirst), 0);
    if (inFirst < copy) {
      const r = this.readRx(sn, (rd + header + inFirst) & 0xffff, dest, inFirst, copy - inFirst);
      if (r) return r;
    }
    const c = this.consume(sn, header + len, len);
    return c < 0 ? c : len;
  }
}
