/**
 * IPv4 addresses as the API takes them (dotted strings) and as the transport takes them (unsigned
 * 32-bit numbers, host order). Pure; no regex, because Espruino's regex lacks `{n}`.
 */

/** dotted quad → unsigned 32-bit number, or -1 when `s` is not one */
export function parseIPv4(s: unknown): number {
  if (typeof s !== 'string') return -1;
  const parts = s.split('.');
  if (parts.length !== 4) return -1;
  let ip = 0;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (p.length < 1 || p.length > 3) return -1;
    let v = 0;
    for (let k = 0; k < p.length; k++) {
      const c = p.charCodeAt(k) - 48;
      if (c < 0 || c > 9) return -1;
      v = v * 10 + c;
    }
    if (v > 255) return -1;
    ip = ip * 256 + v;
  }
  return ip;
}

export function formatIPv4(ip: number): string {
  return ((ip >>> 24) & 255) + '.' + ((ip >>> 16) & 255) + '.' + ((ip >>> 8) & 255) + '.' + (ip & 255);
}

/** an integer in [0, 65535] */
export function isPort(p: unknown): boolean {
  return typeof p === 'number' && Math.floor(p) === p && p >= 0 && p <= 65535;
}

/** a non-negative integer (lengths, timeouts) */
export function isCount(n: unknown): boolean {
  return typeof n === 'number' && Math.floor(n) === n && n >= 0;
}
