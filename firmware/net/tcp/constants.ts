/** TCP's numbers, written once: states, causes, errors, counters (RFC 9293 names). */

/** Connection states, RFC 9293 §3.3.2 */
export const enum TcpState {
  CLOSED = 0,
  LISTEN = 1,
  SYN_SENT = 2,
  SYN_RECEIVED = 3,
  ESTABLISHED = 4,
  FIN_WAIT_1 = 5,
  FIN_WAIT_2 = 6,
  CLOSE_WAIT = 7,
  CLOSING = 8,
  LAST_ACK = 9,
  TIME_WAIT = 10,
}

/** Why a connection ended; the values are those of the transport's TCause where both have the case. */
export const enum TcpCause {
  /** both FINs exchanged and ours acknowledged (LAST_ACK → CLOSED, or into TIME_WAIT) */
  None = 0,
  /** an acceptable RST from the peer in a synchronized state */
  Reset = 1,
  /** retransmissions, zero-window probes or keep-alives went unanswered `maxRetries` times */
  Timeout = 2,
  /** our SYN was answered by an acceptable RST (SYN_SENT, or SYN_RECEIVED of an active open) */
  Refused = 4,
  /** we reset it ourselves: data arrived after `shutdownRecv()` */
  Aborted = 6,
}

/** Negative results of the API (the same values as the transport's TErr). */
export const enum TcpErr {
  NoBuffers = -1,
  AddrInUse = -2,
  Invalid = -4,
  Unreachable = -6,
}

/** What the stack counts (`Tcp.counts`), one slot each. */
export const enum TcpCount {
  /** shorter than a header, data offset outside the segment */
  BAD_HEADER = 0,
  BAD_CHECKSUM = 1,
  /** an option whose length runs past the header, or is below 2 */
  BAD_OPTION = 2,
  /** to a broadcast address or not to our address */
  NOT_OURS = 3,
  /** RFC 9293 §3.10.7.4 first check failed (an ACK was sent unless it was a RST) */
  UNACCEPTABLE = 4,
  /** RFC 5961 challenge ACKs sent (in-window RST, SYN in a synchronized state, ACK out of range) */
  CHALLENGE_ACK = 5,
  /** challenge ACKs not sent because of the per-second limit (RFC 5961 §7) */
  CHALLENGE_LIMITED = 6,
  /** SYN dropped: the listener's backlog or the connection table is full */
  BACKLOG_FULL = 7,
  /** in-window data beyond RCV.NXT (not kept; answered by an immediate ACK) */
  OUT_OF_ORDER = 8,
  /** RSTs sent (§3.10.7.1–3 rules, aborts, timeouts) */
  RST_SENT = 9,
  /** segments dropped by a state rule (no ACK bit, duplicate SYN, data in a state that takes none, …) */
  DROPPED = 10,
  /** retransmissions by timeout and by three duplicate ACKs */
  RETRANSMIT = 11,
  SEGMENTS_IN = 12,
  SEGMENTS_OUT = 13,
  /** how many slots there are */
  N = 14,
}

/** Events a connection holds for the next flush, one bit each, delivered in this order. */
export const enum TcpEvent {
  CONNECTED = 1,
  READABLE = 2,
  PEER_FIN = 4,
  WRITABLE = 8,
  ALL_ACKED = 16,
  ENDED = 32,
}

/** Fixed protocol numbers. */
export const enum TcpConst {
  /** RFC 9293 §3.7.1: the send MSS when the peer gave no MSS option (IPv4) */
  DEFAULT_MSS = 536,
  /** largest unscaled window (window scaling is declined) */
  MAX_WINDOW = 65535,
  /** RFC 6298 (5.7): the RTO after a SYN timed out, once data transmission begins */
  SYN_TIMEOUT_RTO = 3000,
  /** RFC 9293 §3.8.6.3: an ACK is never delayed more than this */
  MAX_DELACK = 500,
}
