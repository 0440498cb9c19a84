/**
 * Unpredictable 32-bit numbers for DHCP transaction ids, DNS query ids and DNS source ports
 * (RFC 5452 §9.2: both must be hard to guess). On Espruino `E.hwRand()` reads the MCU's hardware
 * generator (STM32, ESP32); elsewhere two Math.random() halves are joined. Services take a source
 * as an option so tests can fix the numbers.
 */
export type Random32 = () => number;

// Espruino's global; absent under Node. Declared module-local, so neither build needs its typings.
declare var E: { hwRand?: () => number } | undefined;

export function defaultRandom(): number {
  if (typeof E !== 'undefined' && E && typeof E.hwRand === 'function') return (E.hwRand as () => number)() >>> 0;
  return ((Math.floor(Math.random() * 0x10000) & 0xffff) * 0x10000 + (Math.floor(Math.random() * 0x10000) & 0xffff)) >>> 0;
}

/** an integer in [lo, hi] from `rnd` */
export function randomIn(rnd: Random32, lo: number, hi: number): number {
  return lo + ((rnd() >>> 0) % (hi - lo + 1));
}
