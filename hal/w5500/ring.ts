import { SnReg, Sn_CR, Sn_SR, rxBlock, socketBlock, txBlock } from './registers';
import { W5500Err } from './errors';
import { readStable } from './counters';
import { Def, F } from './state';
import { W5500Service } from './service';

/**
 * Ring I/O: the sockets' TX and RX buffers as the chip's rings. Our own Sn_TX_WR and Sn_RX_RD and
 * the free TX space are kept after the first read; data moves in bursts of up to `maxBurst` bytes,
 * never split at the buffer end (the chip wraps the offset inside the socket's buffer).
 */
export abstract class W5500Ring extends W5500Service {
  /**
   * Sn_TX_FSR now (stable read): the free TX space in bytes, or an error. For TCP the space the peer
   * has acknowledged; what was given to the chip and not acknowledged is the buffer size less this.
   */
  txSpace(sn: number): number {
    const e = this.check(sn);
    if (e) return e;
    return this.readTxFree(sn);
  }

  /**
   * Writes `data` (at most the free space; all of it or nothing when `whole`) behind our write
   * pointer. With no SEND in flight it goes at once (Sn_TX_WR, SEND); a TCP write while a SEND
   * awaits SEND_OK waits in the ring and goes with one SEND at SEND_OK, so SENDs carry as much as
   * the ring holds rather than what each call gave. Returns the count taken, 0 when there is no
   * space now (WRITABLE follows), BUSY for a datagram or frame while a SEND awaits SEND_OK, or an
   * error.
   */
  protected transmit(sn: number, data: Uint8Array, whole: boolean): number {
    let f = this.flags[sn];
    if (whole && (f & F.SENDING)) return W5500Err.BUSY;
    const size = this.txSize[sn];
    let n = data.length;
    if (n === 0) return 0;
    if (n > size) n = size;
    if (this.txFree[sn] < n) {
      const free = this.readTxFree(sn);
      if (free < 0) return free;
    } else if (!(f & F.TXWR)) {
      // Free space is known (nothing sent since OPEN or CON); only the pointer is needed, and the chip
      // does not move Sn_TX_WR on its own, so one read is enough.
      const v = this.bus.read(SnReg.Sn_TX_WR, socketBlock(sn), 2);
      if (!v) return this.fail(W5500Err.BUS);
      this.txWr[sn] = (v[0] << 8) | v[1];
      this.flags[sn] |= F.TXWR;
    }
    f = this.flags[sn];
    const free = this.txFree[sn];
    if (free < n) {
      if (whole || free === 0) {
        this.flags[sn] = f | F.WANT_SPACE;
        this.startWatch(sn, Def.CLOSE_WATCH_FIRST_MS);
        return 0;
      }
      n = free;
    }
    const block = txBlock(sn);
    const wr = this.txWr[sn];
    for (let off = 0; off < n; off += this.burst) {
      const end = off + this.burst < n ? off + this.burst : n;
      if (!this.bus.write((wr + off) & 0xffff, block, data.subarray(off, end))) return this.fail(W5500Err.BUS);
    }
    this.txWr[sn] = (wr + n) & 0xffff;
    this.txFree[sn] = free - n;
    this.txHeld[sn] += n;
    this.flags[sn] = f & ~F.WANT_SPACE;
    if (f & F.SENDING) return n;
    const r = this.commit(sn);
    return r < 0 ? r : n;
  }

  /** Moves Sn_TX_WR past every byte written and issues SEND for all of them. */
  protected commit(sn: number): number {
    if (!this.bus.write16(SnReg.Sn_TX_WR, socketBlock(sn), this.txWr[sn])) return this.fail(W5500Err.BUS);
    this.txHeld[sn] = 0;
    this.flags[sn] = (this.flags[sn] | F.SENDING) & ~F.STALLED;
    this.sendAt[sn] = this.clock.now();
    const r = this.command(sn, Sn_CR.SEND);
    if (r) return r;
    this.observe(sn, this.res.ir, this.res.sr);
    this.afterCall();
    this.startStallTimer();
    return W5500Err.OK;
  }

  /**
   * Sn_TX_FSR (stable), and Sn_TX_WR with it the first time after OPEN or connection set-up. The
   * chip counts held bytes as free until their SEND, so they are taken off here.
   */
  protected readTxFree(sn: number): number {
    const block = socketBlock(sn);
    const withWr = !(this.flags[sn] & F.TXWR);
    const rest = this.scratch;
    const v = readStable(this.bus, SnReg.Sn_TX_FSR, block, withWr ? 6 : 2, withWr ? rest : undefined);
    if (v < 0) return v === W5500Err.BUS ? this.fail(v) : v;
    if (withWr) {
      this.txWr[sn] = (rest[2] << 8) | rest[3];
      this.flags[sn] |= F.TXWR;
    }
    const fsr = v > this.txSize[sn] ? this.txSize[sn] : v;
    const held = this.txHeld[sn];
    this.txFree[sn] = fsr > held ? fsr - held : 0;
    return this.txFree[sn];
  }

  /**
   * Bytes waiting. While the socket lives: Sn_RX_RSR (stable), with Sn_RX_RD the first time. Once it
   * is CLOSED the chip may ignore RECV, so the count is Sn_RX_WR minus our own read pointer.
   */
  protected readRxAvail(sn: number): number {
    const block = socketBlock(sn);
    const f = this.flags[sn];
    if (this.sr[sn] === Sn_SR.SOCK_CLOSED && (f & F.RXRD)) {
      const v = this.bus.read(SnReg.Sn_RX_WR, block, 2);
      if (!v) return this.fail(W5500Err.BUS);
      const n = (((v[0] << 8) | v[1]) - this.rxRd[sn]) & 0xffff;
      this.rxKnown[sn] = n > this.rxSize[sn] ? this.rxSize[sn] : n;
      return this.rxKnown[sn];
    }
    const withRd = !(f & F.RXRD);
    const rest = this.scratch;
    const n = readStable(this.bus, SnReg.Sn_RX_RSR, block, withRd ? 4 : 2, withRd ? rest : undefined);
    if (n < 0) return n === W5500Err.BUS ? this.fail(n) : n;
    if (withRd) {
      this.rxRd[sn] = (rest[0] << 8) | rest[1];
      this.flags[sn] |= F.RXRD;
    }
    this.rxKnown[sn] = n > this.rxSize[sn] ? this.rxSize[sn] : n;
    return this.rxKnown[sn];
  }

  protected readRx(sn: number, from: number, dest: Uint8Array, at: number, n: number): number {
    const block = rxBlock(sn);
    for (let off = 0; off < n; off += this.burst) {
      const len = off + this.burst < n ? this.burst : n - off;
      const v = this.bus.read((from + off) & 0xffff, block, len);
      if (!v) return this.fail(W5500Err.BUS);
      dest.set(v, at + off);
    }
    return W5500Err.OK;
  }

  /** Moves Sn_RX_RD past `n` bytes and issues RECV (skipped once CLOSED: our pointer is enough). */
  protected consume(sn: number, n: number, ret: number): number {
    const next = (this.rxRd[sn] + n) & 0xffff;
    this.rxRd[sn] = next;
    const k = this.rxKnown[sn];
    this.rxKnown[sn] = k > n ? k - n : 0;
    if (this.sr[sn] === Sn_SR.SOCK_CLOSED) return ret;
    if (!this.bus.write16(SnReg.Sn_RX_RD, socketBlock(sn), next)) return this.fail(W5500Err.BUS);
    const r = this.command(sn, Sn_CR.RECV);
    if (r) return r;
    this.observe(sn, this.res.ir, this.res.sr);
    this.afterCall();
    return ret;
  }
}
