/**
 * What lies behind the chip model's PHY: the network side. The model keeps every chip-visible state
 * (Sn_SR, Sn_IR, buffers, pointers, retransmission timers from RTR/RCR); the network side carries
 * bytes and connection events to and from the peers. Two implementations: `host` (real OS sockets on
 * loopback, the Linux kernel as peer) and `virtual` (scripted in-memory peers on the virtual clock).
 *
 * Calls from the model into the network side never call back synchronously: every event is
 * delivered later through `NetSide.poll()` (virtual time) or the model's event queue (real time),
 * so the model's state changes only inside an SPI transaction or an explicit advance, as on silicon.
 */

export interface Endpoint {
  /** dotted IPv4, e.g. "192.168.1.20" */
  ip: string;
  port: number;
}

/** Events of one TCP connection, network → chip. */
export interface TcpEvents {
  /** the handshake completed (CONNECT: SYN/ACK came back) */
  connected(): void;
  /** CONNECT refused by RST */
  refused(): void;
  /** payload from the peer, in order */
  data(bytes: Uint8Array): void;
  /** the peer acknowledged `n` more bytes of what we sent (TX_FSR grows by this much) */
  acked(n: number): void;
  /** the peer's FIN arrived (after all its data) */
  fin(): void;
  /** our FIN was acknowledged */
  finAcked(): void;
  /** the peer reset the connection */
  reset(): void;
}

/** One TCP connection as the chip drives it, chip → network. */
export interface TcpConn {
  /** queue payload for the peer; acknowledgement is reported through `TcpEvents.acked` */
  send(bytes: Uint8Array): void;
  /** our FIN, after everything sent so far (DISCON) */
  fin(): void;
  /** the chip forgot the connection without a word (CLOSE): the peer's next segment is answered by RST */
  silence(): void;
  /** a keep-alive probe (SEND_KEEP or the Sn_KPALVTR timer); an answer shows as `acked(0)` */
  keepAlive(): void;
  /** the peer's side of the connection, as the chip fills Sn_DIPR/Sn_DPORT after an accept */
  readonly remote: Endpoint;
  /**
   * Optional. The chip's retransmission timer (RTR/RCR) fired while something is unacknowledged (SYN,
   * data, FIN or a keep-alive probe). A live peer answers with `acked(0)` — that is how a peer holding a
   * zero window keeps the chip from giving up; a silent peer answers nothing and the chip times out.
   */
  retransmit?(): void;
  /** Optional. The chip's receive window changed (free RX buffer bytes); a host side may use it for back-pressure. */
  window?(free: number): void;
}

export interface UdpEvents {
  datagram(from: Endpoint, bytes: Uint8Array): void;
  /** Optional: an ICMP port-unreachable came back for a datagram sent to `to` (the chip sets IR.UNREACH, UIPR, UPORTR) */
  unreachable?(to: Endpoint): void;
}

/** MACRAW (socket 0): whole Ethernet frames, destination MAC first, no FCS. */
export interface MacrawEvents {
  frame(bytes: Uint8Array): void;
}

export interface MacrawPort {
  send(frame: Uint8Array): void;
  close(): void;
}

export interface UdpSock {
  sendTo(to: Endpoint, bytes: Uint8Array): void;
  close(): void;
}

export interface Listener {
  close(): void;
}

export interface NetSide {
  /** does ARP for `ip` get an answer? (false → the chip raises TIMEOUT after the ARP timeout) */
  resolves(ip: string): boolean;
  tcpConnect(local: Endpoint, remote: Endpoint, events: TcpEvents): TcpConn;
  /**
   * listen on `local`; each accepted connection calls `accept`, which returns the events sink for it (or undefined
   * to refuse). `accept` is called once the handshake has completed: the chip goes to SOCK_ESTABLISHED and raises
   * Sn_IR.CON right there; a later `connected()` on that connection is ignored. A W5500 socket accepts one
   * connection and then stops listening (the model closes the Listener). Several sockets may listen on one
   * port (a backlog): each connection goes to the one that has waited longest, and one that refuses passes it on.
   */
  tcpListen(local: Endpoint, accept: (conn: TcpConn) => TcpEvents | undefined): Listener;
  udpOpen(local: Endpoint, events: UdpEvents): UdpSock;
  /** Optional: MACRAW on socket 0. Without it a MACRAW socket opens but sees no frames and its frames go nowhere. */
  macrawOpen?(events: MacrawEvents): MacrawPort;
  /** Optional: absolute ms of the next event the network side will deliver by itself (virtual side), for `nextDeadline()`. */
  nextDeadline?(): number | undefined;
  /** deliver due events (virtual side: those due at `nowMs`; host side: those the OS has reported) */
  poll(nowMs: number): void;
  /** release every OS resource */
  shutdown(): void;
}
