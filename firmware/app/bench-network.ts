import type { NetOptions } from '../runtime';

/**
 * The device's settings on the bench network that the apps and examples use. The simulator maps
 * 192.168.1.0/24 onto 127.0.0.0/24, so a PC peer on 127.0.0.10 is 192.168.1.10 to the device.
 */
export const BENCH_NETWORK: NetOptions = {
  mac: new Uint8Array([0x02, 0x00, 0x00, 0x12, 0x34, 0x56]),
  ip: '192.168.1.20',
  subnet: '255.255.255.0',
  gateway: '192.168.1.1',
};
