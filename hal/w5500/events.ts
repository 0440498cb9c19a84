/**
 * What the driver tells the layer above. Socket events arrive per hardware socket, in this order
 * when several come together: CON, SEND_OK, WRITABLE, SEND_STALLED, RECV, DISCON, then one closing
 * event (TIMEOUT, RESET or CLOSED). Nothing is called back for a socket after `close()` on it.
 */
export const enum SnEvent {
  /** Sn_IR.CON: the connection is established (client CONNECT or server accept) */
  CON = 1,
  /** Sn_IR.DISCON: the peer's FIN arrived (Sn_SR CLOSE_WAIT, or TIME_WAIT/CLOSED after our DISCON) */
  DISCON = 2,
  /** Sn_IR.RECV: data is waiting; call recv/recvFrom until it returns 0 / EMPTY */
  RECV = 3,
  /** Sn_IR.SEND_OK: the SEND in flight completed; send may be called again */
  SEND_OK = 4,
  /** Sn_IR.TIMEOUT: ARP or TCP retransmission gave up (TCP: the socket is CLOSED; UDP: it stays open) */
  TIMEOUT = 5,
  /** Sn_SR went CLOSED without TIMEOUT and without the FIN exchange: the peer reset (or refused CONNECT) */
  RESET = 6,
  /** our DISCON finished: the FIN exchange is done (or there was no connection yet) and Sn_SR is CLOSED */
  CLOSED = 7,
  /** send() returned 0 for lack of TX space and the space came back */
  WRITABLE = 8,
  /** a SEND has waited longer than sendStallMs for SEND_OK (peer window closed, link down); reported once per SEND */
  SEND_STALLED = 9,
}

export interface W5500Handler {
  /** a socket event (see SnEvent) */
  socket(sn: number, event: number): void;
  /** PHYCFGR.LNK changed */
  link(up: boolean): void;
  /** the chip failed (gone, reset, bus fault); every call returns DOWN until begin() again */
  failure(err: number): void;
}
