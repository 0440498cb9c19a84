/** The offload transport: TCP/UDP in the W5500's silicon, behind the Transport interface. */
export { OffloadTransport } from './offload';
export type { OffloadOptions } from './offload';
export { ipToBytes, bytesToIp } from './ip';
