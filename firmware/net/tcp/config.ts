/** What a TCP stack is given: its settings and the sink its events go to. */
import { TcpConst } from './constants';
import type { TcpCause } from './constants';
import type { TcpConn } from './conn';
import type { TcpListener } from './listener';

/** Settings, in bytes and milliseconds. `defaultTcpConfig()` gives a complete set to adjust. */
export interface TcpConfig {
  /** MSS we announce on SYNs, and the largest segment we send (≤ 1460 on Ethernet) */
  mss: number;
  /** send queue per connection: bytes taken by `send` until the peer acknowledges them */
  sndBuf: number;
  /** receive queue per connection; the advertised window is its free space (at most 65535) */
  rcvBuf: number;
  /** RFC 6298 (2.1): RTO before the first RTT sample (the RFC's 1 s) */
  rtoInit: number;
  /** RFC 6298 (2.4): lower bound (the RFC's 1 s) */
  rtoMin: number;
  /** RFC 6298 (2.5): upper bound (at least 60 s) */
  rtoMax: number;
  /** RFC 6298's clock granularity G */
  granularity: number;
  /** retransmissions (or unanswered zero-window probes) of one segment before the connection times out */
  maxRetries: number;
  /** retransmissions of a SYN or SYN,ACK before the attempt times out */
  synRetries: number;
  /** delayed-ACK bound (RFC 9293 §3.8.6.3: below 500 ms) */
  delAck: number;
  /** TIME_WAIT duration, 2·MSL */
  timeWait: number;
  /** keep-alive probes unanswered before the connection times out */
  keepCount: number;
  /** connections in the table (handshaking, open and closing; TIME_WAIT records not counted) */
  maxConns: number;
  /** TIME_WAIT records kept; when full, the one expiring first is dropped for a new one */
  maxTimeWait: number;
  /** RFC 5961 §7: challenge ACKs sent per second, at most */
  challengeAcks: number;
}

export function defaultTcpConfig(): TcpConfig {
  return {
    mss: 1460,
    sndBuf: 2048,
    rcvBuf: 2048,
    rtoInit: 1000,
    rtoMin: 1000,
    rtoMax: 60000,
    granularity: 1,
    maxRetries: 8,
    synRetries: 5,
    delAck: 200,
    timeWait: 60000,
    keepCount: 5,
    maxConns: 8,
    maxTimeWait: 8,
    challengeAcks: 10,
  };
}

/** Checks a configuration; returns a reason it cannot be used, or '' */
export function checkTcpConfig(c: TcpConfig): string {
  if (!(c.mss >= 64 && c.mss <= 1460)) return 'mss must be 64…1460';
  if (!(c.sndBuf >= 1 && c.rcvBuf >= 1)) return 'buffers must be ≥ 1 byte';
  if (!(c.rtoMin > 0 && c.rtoInit >= c.rtoMin && c.rtoMax >= c.rtoInit)) return 'need 0 < rtoMin ≤ rtoInit ≤ rtoMax';
  if (!(c.granularity >= 0)) return 'granularity must be ≥ 0';
  if (!(c.maxRetries >= 1 && c.synRetries >= 1 && c.keepCount >= 1)) return 'retry counts must be ≥ 1';
  if (!(c.delAck >= 0 && c.delAck < TcpConst.MAX_DELACK)) return 'delAck must be below 500 ms';
  if (!(c.timeWait >= 0)) return 'timeWait must be ≥ 0';
  if (!(c.maxConns >= 1 && c.maxTimeWait >= 0 && c.challengeAcks >= 1)) return 'table sizes must be ≥ 1';
  return '';
}

/**
 * Events, stack → its user (the software transport). Called only from inside `Tcp.input` and
 * `Tcp.poll`, after the segment or timer has been fully processed; a sink may ask the read-only
 * queries (`readable`, `writeSpace`, `unsent`, `pending`, `state`) but must not change anything.
 * No event is ever delivered for a connection after its `abort()`, nor for a passive connection
 * before `accept()` took it (what it gathered meanwhile comes after accept).
 */
export interface TcpSink {
  /** an active open reached ESTABLISHED */
  connected(c: TcpConn): void;
  /** a listener has at least one connection for `accept()` */
  acceptable(l: TcpListener): void;
  /** more bytes are readable */
  readable(c: TcpConn): void;
  /** the peer's FIN arrived in sequence: every byte before it is readable now */
  peerFin(c: TcpConn): void;
  /** `send` took less than offered, and the peer has since acknowledged bytes, freeing room */
  writable(c: TcpConn): void;
  /** the peer has acknowledged every byte handed to `send` (`unsent()` is 0) */
  allAcked(c: TcpConn): void;
  /**
   * The connection is over and has left the table: None (graceful: both FINs, ours acknowledged;
   * a TIME_WAIT record goes on without the object), Reset, Timeout, Refused (of an active open),
   * Aborted (data after `shutdownRecv`). Bytes received before stay readable.
   */
  ended(c: TcpConn, cause: TcpCause): void;
}
