import type { TransportSink } from '../../firmware/transport/transport';

const CAUSE = ['None', 'Reset', 'Timeout', 'NetDown', 'Refused', 'Unreachable'];

/**
 * A sink that records every event as text, in order ("ended 3 Reset 0"), into `ev`; `wake` requests
 * go to `wake` (a rig's ServiceLoop pumping the transport), or nowhere.
 */
export function recordingSink(ev: string[], wake?: (at: number) => void): TransportSink {
  return {
    wake(at) { if (wake) wake(at); },
    connectDone(ep, cause) { ev.push(`connectDone ${ep} ${CAUSE[cause]}`); },
    acceptable(ep) { ev.push(`acceptable ${ep}`); },
    readable(ep) { ev.push(`readable ${ep}`); },
    writable(ep) { ev.push(`writable ${ep}`); },
    peerFin(ep) { ev.push(`peerFin ${ep}`); },
    ended(ep, cause, unsent) { ev.push(`ended ${ep} ${CAUSE[cause]} ${unsent}`); },
    link(up) { ev.push(`link ${up ? 'up' : 'down'}`); },
  };
}

export function causeName(c: number): string {
  return CAUSE[c];
}
