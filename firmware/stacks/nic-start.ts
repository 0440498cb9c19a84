import type { Transport } from '../transport/transport';

/** What a stack builder of this folder gives: a transport over a brought-up NIC, or the bring-up's error. */
export interface NicStart {
  error: number;
  reason: string;
  transport: Transport | null;
  /** stops the transport's wake requests and events, the driver's deadlines and the interrupt watch */
  stop: () => void;
}
