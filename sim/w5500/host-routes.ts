/**
 * The address table of the host network side: which virtual IPv4 addresses (as the firmware writes
 * them into SIPR and Sn_DIPR) stand for which loopback addresses of this machine. A route maps a
 * whole prefix and keeps the host part, so 192.168.1.0/24 → 127.0.0.0 turns 192.168.1.20 into
 * 127.0.0.20 and back. The first matching route wins in both directions.
 */

import { formatIPv4, parseIPv4 } from '../../firmware/socket/address';

export interface HostRoute {
  /** network address of the virtual side, dotted, e.g. "192.168.1.0" */
  virtual: string;
  /** prefix length, 0–32 */
  prefix: number;
  /** network address on this machine, dotted, e.g. "127.0.0.0" (keep it inside 127.0.0.0/8) */
  host: string;
}

export const DEFAULT_ROUTES: readonly HostRoute[] = [{ virtual: '192.168.1.0', prefix: 24, host: '127.0.0.0' }];

/** dotted IPv4 → unsigned 32-bit number, or undefined when malformed */
function ipToNumber(ip: string): number | undefined {
  const n = parseIPv4(ip);
  return n < 0 ? undefined : n;
}

interface Compiled { virtual: number; host: number; mask: number }

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export class HostRoutes {
  private table: Compiled[] = [];

  constructor(routes: readonly HostRoute[] = DEFAULT_ROUTES) {
    for (const r of routes) {
      const v = ipToNumber(r.virtual);
      const h = ipToNumber(r.host);
      if (v === undefined || h === undefined || !(r.prefix >= 0 && r.prefix <= 32) || Math.floor(r.prefix) !== r.prefix) {
        throw new Error(`bad host route ${JSON.stringify(r)}`);
      }
      const mask = maskOf(r.prefix);
      this.table.push({ virtual: (v & mask) >>> 0, host: (h & mask) >>> 0, mask });
    }
  }

  /** the loopback address a virtual address stands for, or undefined (no such host: ARP gets no answer) */
  toHost(virtualIp: string): string | undefined {
    const v = ipToNumber(virtualIp);
    if (v === undefined) return undefined;
    for (const r of this.table) {
      if (((v & r.mask) >>> 0) === r.virtual) return formatIPv4((r.host | (v & ~r.mask)) >>> 0);
    }
    return undefined;
  }

  /** 255.255.255.255, or the broadcast address (host part all ones) of a mapped virtual network of /30 or wider */
  isBroadcast(virtualIp: string): boolean {
    const v = ipToNumber(virtualIp);
    if (v === undefined) return false;
    if (v === 0xffffffff) return true;
    for (const r of this.table) {
      if (r.mask !== 0 && ((~r.mask) >>> 0) >= 3 && ((v & r.mask) >>> 0) === r.virtual && ((v | r.mask) >>> 0) === 0xffffffff) return true;
    }
    return false;
  }

  /** the virtual address a loopback address appears as to the chip; unmapped addresses pass unchanged */
  toVirtual(hostIp: string): string {
    const ip = hostIp.startsWith('::ffff:') ? hostIp.slice(7) : hostIp;
    const h = ipToNumber(ip);
    if (h === undefined) return ip;
    for (const r of this.table) {
      if (((h & r.mask) >>> 0) === r.host) return formatIPv4((r.virtual | (h & ~r.mask)) >>> 0);
    }
    return ip;
  }
}
