/**
 * State of one W5500 hardware socket: its register bytes and what the chip keeps behind them (pointers,
 * connection handles, timers). Behaviour lives in sockets.ts; this file is data only.
 */
import type { Endpoint, Listener, MacrawPort, TcpConn, UdpSock } from './network';
import { SnSize, Sn_SR } from '../../hal/w5500/registers';
import { SOCKET_MAP } from './register-table';

/** One hardware socket: register bytes plus the chip's internal state behind them. */
export class Sock {
  readonly n: number;
  regs = new Uint8Array(SnSize.Length);
  sr: number = Sn_SR.SOCK_CLOSED;
  ir = 0;
  /** command written to Sn_CR and not yet accepted (slow-CR fault) */
  cmdPending = 0;
  cmdDue: number | undefined;

  // 16-bit pointers as the chip keeps them; TX_WR and RX_RD live in regs (host-written)
  txRd = 0;
  /** acknowledged-data pointer (TCP); for UDP/MACRAW it follows TX_RD */
  txAck = 0;
  /** TX_WR as latched by the last SEND: Sn_TX_FSR shrinks only when the host issues SEND */
  txLatched = 0;
  rxWr = 0;
  /** RX_RD as latched by the last RECV: Sn_RX_RSR grows back only after RECV */
  rxRdLatched = 0;
  /** parts of a counter change not yet visible (torn-read fault) */
  rxHeld = 0;
  ackHeld = 0;
  heldSince = 0;
  txSent = 0;
  txAcked = 0;
  /** txSent totals at which a SEND completes (SEND_OK) */
  sendEnds: number[] = [];
  /** peer bytes that did not fit into the RX buffer: flow control holds them until RECV frees space */
  pendingRx: Uint8Array[] = [];
  /** the peer's FIN, waiting behind pendingRx */
  finHeld = false;
  dropOverflow = false;

  conn: TcpConn | undefined;
  listener: Listener | undefined;
  udp: UdpSock | undefined;
  mac: MacrawPort | undefined;
  /** bumps whenever the socket forgets a connection, so late events of the old one are ignored */
  gen = 0;

  syn = false;
  finSent = false;
  finAcked = false;
  probe = false;
  exchanged = false;

  rtxDue: number | undefined;
  rtxTries = 0;
  arpDue: number | undefined;
  arpTries = 0;
  arpFor: 'tcp' | 'udp' | undefined;
  udpPending: { to: Endpoint; bytes: Uint8Array } | undefined;
  twDue: number | undefined;
  fw2Due: number | undefined;
  kaDue: number | undefined;

  constructor(n: number) {
    this.n = n;
    this.regs.set(SOCKET_MAP.reset);
  }
  reg16(off: number): number {
    return (this.regs[off] << 8) | this.regs[off + 1];
  }
  set16(off: number, v: number): void {
    this.regs[off] = (v >> 8) & 0xff;
    this.regs[off + 1] = v & 0xff;
  }
}
