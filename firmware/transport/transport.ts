/**
 * The one interface the socket layer talks to. Two implementations are planned: offload (TCP/UDP in
 * the W5500's silicon, over hal/w5500) and software (the project's own TCP/IP stack over a MAC-only
 * NIC: ENC28J60, or the W5500 in MACRAW mode). It speaks of connections, not of chip registers, so
 * that the socket layer, and everything above it, is the same on both. The contract every
 * implementation keeps is written once as tests (test/transport/contract.ts).
 *
 * Endpoints are small non-negative integers below `maxEndpoints()`, so the layer can index arrays
 * with them. An endpoint is either a stream (TCP) or a datagram (UDP) endpoint. No fixed pool is
 * assumed: `maxEndpoints()` bounds the ids, `available()` says how many `open()` could hand out now
 * (W5500: free hardware sockets; a software stack: what memory allows), and `caps.holdsAfterClose`
 * says whether a background close holds one of them (then the layer reclaims the oldest when none
 * is left).
 *
 * Time and threading: the transport reads time only from the HAL clock it was built with, and arms
 * no timer: whoever runs it (the socket layer's event loop) keeps the one timer of the stack
 * (hal/service-loop.ts). The transport asks for service with the sink's `wake(at)` — from a member
 * that queued work, from the NIC's interrupt watch, or when a deadline moved earlier — and the
 * runner calls `pump()` then, and again at the time `pump()` returns. It calls the other sink
 * methods only from inside `pump()`, never from inside any other member. A sink method must not
 * call back into the transport other than through the read-only queries (`readable`, `writeSpace`,
 * `unsent`, `pendingAccepts`); the socket layer acts on what it learnt after the sink returns.
 *
 * The read-only queries (`readable`, `writeSpace`, `unsent`, `pendingAccepts`, `available`, `held`,
 * `localIp`) are asked on every turn in which the layer settles its sockets: answer them from what
 * the last service learnt (W5500: Sn_RX_RSR / Sn_TX_FSR as last read), without bus traffic.
 *
 * Errors never throw: members return a negative `TErr` (or -1 where documented). After the NIC
 * failed, every member that moves data or changes state returns `TErr.NetDown`.
 */

export const enum EndpointKind {
  Stream = 1,
  Datagram = 2,
}

/** Why a connection attempt failed or a connection ended. */
export const enum TCause {
  /** graceful: both FINs exchanged (or, for connectDone, success) */
  None = 0,
  /** the peer reset the connection (W5500: Sn_SR CLOSED with no FIN and no TIMEOUT) */
  Reset = 1,
  /** retransmission or keep-alive timeout (W5500: Sn_IR.TIMEOUT) */
  Timeout = 2,
  /** the NIC failed: stopped answering, was reset, unrecoverable bus error */
  NetDown = 3,
  /** a connection attempt was answered by RST */
  Refused = 4,
  /** the peer's address did not resolve (ARP timeout, where the NIC can tell it apart) */
  Unreachable = 5,
}

/** Negative results of transport members. */
export const enum TErr {
  /** no free endpoint / hardware socket / buffer */
  NoBuffers = -1,
  /** the local port is taken */
  AddrInUse = -2,
  /** the NIC is down */
  NetDown = -3,
  /** the operation does not fit the endpoint's kind or state */
  Invalid = -4,
  /** a datagram larger than `caps.maxDatagram` */
  MsgSize = -5,
  /** the destination cannot be reached */
  Unreachable = -6,
}

/** Per-endpoint options passed through `setOption`. */
export const enum TOption {
  /** value: keep-alive period in seconds, 0 = off (W5500: Sn_KPALVTR in 5 s units) */
  KeepAlive = 1,
  /** value: 1 = send ACKs and small segments at once (W5500: Sn_MR.ND), 0 = default */
  NoDelay = 2,
}

/** What the implementation can and cannot do; the layer and the tests read it, nothing else. */
export interface TransportCaps {
  /**
   * Whether `abort()` puts an RST on the wire. False on the W5500: CLOSE is silent, and the peer
   * learns of the reset only from the RST answering its next segment.
   */
  canSendReset: boolean;
  /**
   * Whether an endpoint that is finishing a graceful close after `release()` still counts against
   * `available()` (W5500: yes, it holds a hardware socket until CLOSED). When false, the layer
   * never needs to reclaim closing endpoints.
   */
  holdsAfterClose: boolean;
  /** largest datagram payload `sendTo` accepts */
  maxDatagram: number;
}

/** An IPv4 address (host byte order, unsigned 32-bit) and port. */
export interface PeerAddress {
  ip: number;
  port: number;
}

/**
 * Events, transport → socket layer. Each names the endpoint it concerns. None is ever called after
 * `abort()` of that endpoint, nor after `ended()` of an endpoint that `release()` had let go.
 */
export interface TransportSink {
  /** a `connect()` finished: `TCause.None` = established; otherwise Refused, Timeout, Unreachable or NetDown, and the endpoint is as after `open()` again (bound port kept) */
  connectDone(ep: number, cause: TCause): void;
  /** a listening endpoint has at least one connection ready for `accept()` */
  acceptable(ep: number): void;
  /** more bytes (stream) or another datagram arrived */
  readable(ep: number): void;
  /** send space came back after `send`/`sendTo` took less than it was offered */
  writable(ep: number): void;
  /** the peer's FIN: end of stream after every byte now readable; comes once, and only before `ended` */
  peerFin(ep: number): void;
  /**
   * The connection is over. `TCause.None`: both FINs were exchanged and ours acknowledged (a
   * graceful end always follows `peerFin`). Reset, Timeout, NetDown: it ended abortively; bytes
   * still readable are the layer's to discard. `unsent`: bytes handed to `send` that the peer never
   * acknowledged. Bytes received before a graceful end stay readable until `release()`.
   */
  ended(ep: number, cause: TCause, unsent: number): void;
  /** the NIC's link came up or went down (connections are not ended by it: their own timers decide) */
  link(up: boolean): void;
  /**
   * Asks for `pump()` at `at` (clock ms) at the latest; at or before now: on the next turn. The one
   * sink method that may be called from anywhere (a member, the interrupt watch); it only sets a time.
   * It is called as a plain function (a transport hands it to its driver), so it must not use `this`.
   */
  wake(at: number): void;
}

export interface Transport {
  readonly caps: TransportCaps;

  /** where events go; set once by the socket layer before any other call */
  setSink(sink: TransportSink): void;

  /** endpoint ids are integers in [0, maxEndpoints()) */
  maxEndpoints(): number;
  /** how many more endpoints `open()` could hand out now (W5500: free hardware sockets) */
  available(): number;
  /**
   * NIC resources the endpoints hold now, background closes included (W5500: hardware sockets; a
   * software stack: connection records). 0 once every endpoint is free: the leak check.
   */
  held(): number;
  /** the NIC's own IPv4 address (0 while it has none); `bind` accepts only this or 0 */
  localIp(): number;
  /**
   * Sets the interface's IPv4 address, mask and gateway (host order) after start, e.g. from DHCP.
   * Connections already up keep the address they have. Returns 0 or TErr (NetDown, Invalid).
   */
  setAddress(ip: number, mask: number, gateway: number): number;
  /** the link as last learnt (no bus traffic) */
  linkUp(): boolean;
  /**
   * Optional, only where the NIC can tell whether another host holds an address (a software stack
   * sees every ARP packet; the W5500 does its ARP in silicon and reports no answer for an address it
   * did not send to): sends one ARP probe for `ip` (RFC 5227 §2.1.1, sender address 0.0.0.0) and
   * returns 0 or TErr. The DHCP client probes an offered address before taking it.
   */
  probeAddress?(ip: number): number;
  /**
   * Optional, with `probeAddress`: whether, since the first probe for `ip`, another host has claimed
   * it (an ARP packet with sender address `ip`, or another host's probe for it).
   */
  addressConflict?(ip: number): boolean;

  /** a new endpoint of the given kind, not yet on the wire (W5500: reserves a hardware socket, no OPEN yet); or TErr */
  open(kind: EndpointKind): number;
  /** sets the local address; port 0 picks an ephemeral port. Returns 0 or TErr. Datagram endpoints start receiving here. */
  bind(ep: number, ip: number, port: number): number;
  /**
   * Stream endpoint starts accepting connections, keeping up to `backlog` (≥ 1) of them ready for
   * `accept()`. Binds to an ephemeral port first if unbound. Returns 0 or TErr.
   * (W5500: OPEN + LISTEN; each accepted connection keeps the hardware socket it arrived on, and
   * another free hardware socket is put in LISTEN on the same port while the backlog allows.)
   */
  listen(ep: number, backlog: number): number;
  /** connections ready for `accept()` on a listening endpoint */
  pendingAccepts(ep: number): number;
  /** takes one ready connection: a new, established stream endpoint, or TErr.Invalid when none is ready */
  accept(ep: number): number;
  /** starts a connection; completion comes as `connectDone`. Returns 0 or TErr. Binds an ephemeral port first if unbound. */
  connect(ep: number, ip: number, port: number): number;

  /**
   * Queues `len` bytes of `buf` from `off` for the peer; returns how many it took (0 when there is
   * no room: a `writable` event follows when room comes back), or TErr. Never blocks.
   */
  send(ep: number, buf: Uint8Array, off: number, len: number): number;
  /** room for `send` now (W5500: Sn_TX_FSR as last read, less what was written since) */
  writeSpace(ep: number): number;
  /** one datagram: returns `len` when sent or queued, 0 when busy (a `writable` event follows), or TErr */
  sendTo(ep: number, buf: Uint8Array, off: number, len: number, ip: number, port: number): number;

  /** stream: bytes readable now (≥ 0); datagram: length of the next datagram, or -1 when none is queued */
  readable(ep: number): number;
  /**
   * stream: copies up to `len` readable bytes into `buf` at `off` and consumes them; returns the
   * count (0 only when nothing is readable, or `len` is 0), or TErr: NetDown once the NIC has failed
   * (never 0: that would read as a graceful end), Invalid for a bad endpoint or range.
   */
  recv(ep: number, buf: Uint8Array, off: number, len: number): number;
  /**
   * datagram: consumes the next datagram, copies at most `len` bytes of it, fills `from`; returns
   * the datagram's full length (larger than `len` when truncated), or -1 when none is queued
   */
  recvFrom(ep: number, buf: Uint8Array, off: number, len: number, from: PeerAddress): number;
  /** bytes handed to `send` and not yet acknowledged by the peer */
  unsent(ep: number): number;

  /** FIN once every queued byte has gone (W5500: DISCON after the last SEND). Receiving goes on. Idempotent. */
  shutdownSend(ep: number): void;
  /**
   * Ends the connection abortively and frees the endpoint at once; nothing is reported for it
   * afterwards. Returns the unsent bytes dropped. Offload: CLOSE (silent); software: RST.
   * Also the way to free an endpoint that never had a connection (listening, datagram, fresh).
   */
  abort(ep: number): number;
  /**
   * The layer is done with the endpoint. If its connection has ended (or never began) the endpoint
   * is freed at once and true is returned. Otherwise (the layer has called `shutdownSend`) further
   * incoming data is read and discarded, the close runs to its end, `ended` reports it once more,
   * and the endpoint frees itself; false is returned.
   */
  release(ep: number): boolean;

  /** sets a TOption; false when the endpoint's kind does not have it */
  setOption(ep: number, opt: TOption, value: number): boolean;
  /** the endpoint's local address (after bind/connect/accept); false if it has none */
  localName(ep: number, out: PeerAddress): boolean;
  /** the connected peer's address; false if there is none */
  peerName(ep: number, out: PeerAddress): boolean;

  /**
   * Does, synchronously, all the I/O that can be done now: services the NIC (reads its interrupt
   * state or polls it), moves data, runs the software stack's timers, and reports what changed
   * through the sink. Returns when it must run again at the latest (clock ms, as `Clock.now()`), or
   * -1 when nothing is timed and only an event (the NIC's interrupt, a call) brings more work — as
   * smoltcp's `poll_at`. The event loop pumps when its one timer fires, and sets that timer from
   * what pump returned and what `wake` asked for; blocking socket calls pump, then `idle` until the
   * earlier of that time and their own deadline. Work that is not due costs no bus traffic.
   */
  pump(): number;
  /**
   * Lets time pass inside a blocking call (where the event loop does not turn) until `until` (clock
   * ms) or until the NIC signals work (W5500: INTn low), whichever comes first. Services nothing.
   * Without an interrupt line it simply pauses until `until`.
   */
  idle(until: number): void;
}
