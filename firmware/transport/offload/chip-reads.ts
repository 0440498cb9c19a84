/**
 * What the offload transport learns from the chip beyond the events: free TX space at SEND_OK,
 * unacknowledged TX bytes at the end of a connection, and whether ARP for the peer failed — each
 * one driver call, gathered here.
 */
import type { W5500Sockets } from '../../../hal/w5500/sockets';
import { W5500Err } from '../../../hal/w5500/errors';

/** Sn_TX_FSR now (0 on a bus error) */
export function txFree(drv: W5500Sockets, s: number): number {
  const v = drv.txSpace(s);
  return v > 0 ? v : 0;
}

/** bytes in the TX buffer the peer has not acknowledged */
export function txUnsent(drv: W5500Sockets, s: number): number {
  const v = drv.txSpace(s);
  if (v < 0) return 0;
  const n = drv.txSize[s] - v;
  return n > 0 ? n : 0;
}

/** did ARP for the peer never answer? The chip fills Sn_DHAR from the ARP reply; OPEN with a peer left it FF…FF. */
export function arpFailed(drv: W5500Sockets, s: number, mac: Uint8Array): boolean {
  if (drv.peerMac(s, mac) !== W5500Err.OK) return false;
  for (let i = 0; i < 6; i++) if (mac[i] !== 0xff) return false;
  return true;
}
