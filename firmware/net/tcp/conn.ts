/**
 * One TCP connection: its transmission control block (RFC 9293 §3.3.1 names) and the calls its user
 * makes. Every call checks its arguments and returns a TcpErr rather than throwing; calls that may
 * put segments on the wire take the current time.
 */
import { TcpCause, TcpErr, TcpState } from './constants';
import { ByteRing } from './ring';
import { end, armKeepAlive } from './lifecycle';
import { output, rcvWnd, sendAck, sendRst, swsThreshold } from './output';
import { initialCwnd, sendMss } from './arrive';
import type { TcpListener } from './listener';
import type { Tcp } from './tcp';

function isCount(v: number, max: number): boolean {
  return typeof v === 'number' && v >= 0 && v <= max && Math.floor(v) === v;
}

export class TcpConn {
  tcp: Tcp;
  state: TcpState = TcpState.CLOSED;
  localIp = 0;
  localPort = 0;
  remoteIp = 0;
  remotePort = 0;
  /** the listener of a passive open, until accept() takes the connection */
  listener: TcpListener | null = null;
  /** opened from LISTEN (an RST or SYN in SYN_RECEIVED sends it back there, i.e. it goes) */
  passive = false;
  /** free for the user (the transport keeps its endpoint number here) */
  user = -1;

  // send sequence space (RFC 9293 §3.3.1); sndPtr is where (re)transmission goes on from
  iss = 0;
  sndUna = 0;
  sndNxt = 0;
  sndPtr = 0;
  sndWnd = 0;
  sndWl1 = 0;
  sndWl2 = 0;
  /** RFC 5961 §5: the largest window the peer has offered */
  maxSndWnd = 0;
  sndMss = 0;
  cwnd = 0;
  ssthresh = 65535;
  dupAcks = 0;
  // receive sequence space; rcvAdv is the right edge we have announced (RCV.NXT + RCV.WND)
  irs = 0;
  rcvNxt = 0;
  rcvAdv = 0;
  rcvMss = 0;
  /** bytes from SND.UNA on (in flight, then unsent) */
  snd: ByteRing | null = null;
  /** bytes up to RCV.NXT not yet read */
  rcv: ByteRing | null = null;
  /** close()/shutdownSend() was called: FIN after the queued bytes */
  finQueued = false;
  finAcked = false;

  // RFC 6298
  rto = 0;
  srtt = 0;
  rttvar = 0;
  rttValid = false;
  /** when the timed segment went out, −1 when none is timed */
  rttStart = -1;
  /** the sequence number that acknowledges the timed segment */
  rttSeq = 0;
  retries = 0;
  synRetransmitted = false;

  // deadlines, ms, −1 = off
  rtxAt = -1;
  ackAt = -1;
  keepAt = -1;
  ackNow = false;
  /** bytes received since our last ACK */
  ackBytes = 0;

  noDelay = false;
  /** keep-alive idle time and probe interval, ms; 0 = off */
  keepAlive = 0;
  keepProbes = 0;

  /** TcpEvent bits waiting for the next flush */
  events = 0;
  ended = false;
  cause: TcpCause = TcpCause.None;
  released = false;
  aborted = false;
  rcvShut = false;
  /** send took less than offered: a writable event is owed */
  wantWrite = false;

  constructor(tcp: Tcp) {
    this.tcp = tcp;
    this.rto = tcp.cfg.rtoInit;
    this.rcvMss = tcp.cfg.mss;
    this.sndMss = sendMss(this, 0);
  }

  /** buffers and a fresh ISS; used by both opens */
  init(): void {
    const cfg = this.tcp.cfg;
    this.snd = new ByteRing(cfg.sndBuf);
    this.rcv = new ByteRing(cfg.rcvBuf);
    this.iss = this.tcp.rand() >>> 0;
    this.sndUna = this.iss;
    this.sndNxt = this.iss;
    this.sndPtr = this.iss;
    this.cwnd = initialCwnd(this.sndMss);
  }

  /**
   * Active OPEN (RFC 9293 §3.10.1): SYN to `ip`:`port` from `localPort` (0 = an ephemeral port).
   * Returns 0, then `connected` or `ended(Refused|Timeout)`; or TcpErr.Invalid (bad argument, not a
   * fresh connection), AddrInUse (that four-tuple is in use or in TIME_WAIT), NoBuffers (table
   * full), Unreachable (no local address towards `ip`).
   */
  connect(ip: number, port: number, localPort: number, now: number): number {
    const tcp = this.tcp;
    if (this.state !== TcpState.CLOSED || this.ended || this.snd !== null) return TcpErr.Invalid;
    if (!isCount(ip, 0xfffffffe) || ip === 0 || !isCount(port, 65535) || port === 0 || !isCount(localPort, 65535)) return TcpErr.Invalid;
    if (tcp.conns.length >= tcp.cfg.maxConns) return TcpErr.NoBuffers;
    const lip = tcp.ip.localAddr(ip);
    if (lip === 0) return TcpErr.Unreachable;
    const lport = localPort === 0 ? tcp.ephemeralPort() : localPort;
    if (lport === 0) return TcpErr.AddrInUse;
    if (tcp.tupleInUse(lip, lport, ip, port)) return TcpErr.AddrInUse;
    this.localIp = lip;
    this.localPort = lport;
    this.remoteIp = ip;
    this.remotePort = port;
    this.init();
    this.state = TcpState.SYN_SENT;
    tcp.conns.push(this);
    output(this, now);
    return 0;
  }

  /** SEND: queues up to `len` bytes; returns how many it took (0 = full: `writable` follows), or TcpErr.Invalid */
  send(buf: Uint8Array, off: number, len: number, now: number): number {
    if (!(buf instanceof Uint8Array) || !isCount(off, buf.length) || !isCount(len, buf.length - off)) return TcpErr.Invalid;
    const st = this.state;
    if (this.ended || this.released || this.finQueued || this.snd === null) return TcpErr.Invalid;
    if (st !== TcpState.ESTABLISHED && st !== TcpState.CLOSE_WAIT && st !== TcpState.SYN_SENT && st !== TcpState.SYN_RECEIVED) return TcpErr.Invalid;
    const n = this.snd.write(buf, off, len);
    if (n < len) this.wantWrite = true;
    if (n > 0) output(this, now);
    return n;
  }

  /** RECEIVE: moves up to `len` readable bytes into `buf` at `off`; returns the count, or TcpErr.Invalid */
  recv(buf: Uint8Array, off: number, len: number, now: number): number {
    if (!(buf instanceof Uint8Array) || !isCount(off, buf.length) || !isCount(len, buf.length - off)) return TcpErr.Invalid;
    if (this.rcv === null || this.released) return 0;
    const n = this.rcv.read(buf, off, len);
    const st = this.state;
    // a window update once it has opened by the SWS threshold (RFC 9293 §3.8.6.2.2)
    if (n > 0 && !this.ended && (st === TcpState.ESTABLISHED || st === TcpState.FIN_WAIT_1 || st === TcpState.FIN_WAIT_2) &&
      this.rcv.free() - rcvWnd(this) >= swsThreshold(this)) sendAck(this, now);
    return n;
  }

  /** bytes readable now */
  readable(): number {
    return this.rcv !== null && !this.released ? this.rcv.count : 0;
  }

  /** room `send` would take now (0 once sending is over) */
  writeSpace(): number {
    if (this.ended || this.released || this.finQueued || this.snd === null) return 0;
    const st = this.state;
    if (st !== TcpState.ESTABLISHED && st !== TcpState.CLOSE_WAIT && st !== TcpState.SYN_SENT && st !== TcpState.SYN_RECEIVED) return 0;
    return this.snd.free();
  }

  /** bytes handed to `send` and not yet acknowledged by the peer */
  unsent(): number {
    return this.snd !== null ? this.snd.count : 0;
  }

  /**
   * CLOSE in the RFC's sense for our direction: FIN after every queued byte (ESTABLISHED →
   * FIN_WAIT_1, CLOSE_WAIT → LAST_ACK; in SYN_SENT/SYN_RECEIVED once established). Receiving goes
   * on. Idempotent. Returns 0, or TcpErr.Invalid when there is no connection to shut.
   */
  shutdownSend(now: number): number {
    if (this.ended) return TcpErr.Invalid;
    const st = this.state;
    if (this.finQueued) return 0;
    if (st === TcpState.ESTABLISHED) this.state = TcpState.FIN_WAIT_1;
    else if (st === TcpState.CLOSE_WAIT) this.state = TcpState.LAST_ACK;
    else if (st !== TcpState.SYN_SENT && st !== TcpState.SYN_RECEIVED) return TcpErr.Invalid;
    this.finQueued = true;
    output(this, now);
    return 0;
  }

  /**
   * Ends receiving: unread bytes now, or bytes arriving later, reset the connection (RST;
   * `ended(Aborted)`). Returns 0, or TcpErr.Invalid when there is no connection.
   */
  shutdownRecv(now: number): number {
    if (this.ended || this.state === TcpState.CLOSED) return TcpErr.Invalid;
    this.rcvShut = true;
    if (this.rcv !== null && this.rcv.count > 0) {
      sendRst(this, now);
      end(this, TcpCause.Aborted, TcpState.CLOSED);
    }
    return 0;
  }

  /**
   * The user is done with the connection. Ended (or never opened): returns true, it is free. Else
   * the FIN is queued if it was not, unread and later bytes are discarded, the close runs to its end
   * in the background and `ended` reports it; returns false. A SYN_SENT attempt is simply dropped.
   */
  close(now: number): boolean {
    if (this.ended || this.state === TcpState.CLOSED) {
      this.released = true;
      return true;
    }
    if (this.state === TcpState.SYN_SENT) {
      this.abort(now);
      return true;
    }
    this.released = true;
    if (this.rcv !== null) this.rcv.drop(this.rcv.count);
    if (!this.finQueued) this.shutdownSend(now);
    return false;
  }

  /**
   * ABORT (RFC 9293 §3.10.5): <SEQ=SND.NXT><CTL=RST> from SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1/2
   * and CLOSE_WAIT; nothing on the wire otherwise. The connection is gone at once and no event
   * follows. Returns the queued bytes dropped unacknowledged.
   */
  abort(now: number): number {
    const dropped = this.unsent();
    const st = this.state;
    if (!this.ended && (st === TcpState.SYN_RECEIVED || st === TcpState.ESTABLISHED || st === TcpState.FIN_WAIT_1 ||
      st === TcpState.FIN_WAIT_2 || st === TcpState.CLOSE_WAIT)) sendRst(this, now);
    this.aborted = true;
    this.events = 0;
    if (!this.ended) end(this, TcpCause.Reset, TcpState.CLOSED);
    if (this.snd !== null) this.snd.drop(this.snd.count);
    return dropped;
  }

  /** TCP_NODELAY: small segments and ACKs go at once (no Nagle, no delayed ACK) */
  setNoDelay(on: boolean): void {
    this.noDelay = on;
  }

  /** keep-alive after `ms` idle, probing every `ms`; 0 turns it off. Returns false for a bad value. */
  setKeepAlive(ms: number, now: number): boolean {
    if (!isCount(ms, 0x7fffffff)) return false;
    this.keepAlive = ms;
    if (!this.ended && this.state !== TcpState.CLOSED) armKeepAlive(this, now);
    return true;
  }
}
