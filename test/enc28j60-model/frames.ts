/**
 * Frames built by hand for the kernel-peer tests (until the stack's own codecs are there): ARP request/reply,
 * IPv4 + ICMP echo, with their checksums, and the few parsers the assertions need.
 */

export function ipBytes(ip: string): number[] {
  return ip.split('.').map(Number);
}
export function macBytes(mac: string): number[] {
  return mac.split(':').map((x) => parseInt(x, 16));
}
export function macText(b: ArrayLike<number>, at = 0): string {
  const out: string[] = [];
  for (let i = 0; i < 6; i++) out.push((b[at + i] < 16 ? '0' : '') + b[at + i].toString(16));
  return out.join(':');
}
export function ipText(b: ArrayLike<number>, at: number): string {
  return [b[at], b[at + 1], b[at + 2], b[at + 3]].join('.');
}

/** the Internet checksum (RFC 1071) of a byte range */
export function inetChecksum(b: ArrayLike<number>, from = 0, to = b.length): number {
  let s = 0;
  for (let i = from; i < to; i += 2) s += (b[i] << 8) | (i + 1 < to ? b[i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

const BCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

/** ARP (RFC 826) for IPv4 over Ethernet: op 1 request (broadcast), 2 reply (to `tha`) */
export function arp(op: 1 | 2, sha: number[], spa: string, tha: number[], tpa: string): Uint8Array {
  const dst = op === 1 ? BCAST : tha;
  return new Uint8Array([
    ...dst, ...sha, 0x08, 0x06,
    0x00, 0x01, 0x08, 0x00, 6, 4, 0, op, ...sha, ...ipBytes(spa), ...(op === 1 ? [0, 0, 0, 0, 0, 0] : tha), ...ipBytes(tpa),
  ]);
}

/** an IPv4 + ICMP echo request (RFC 792) with correct checksums */
export function icmpEcho(dstMac: number[], srcMac: number[], src: string, dst: string, id: number, seq: number, payload: number[]): Uint8Array {
  const icmp = [8, 0, 0, 0, id >> 8, id & 0xff, seq >> 8, seq & 0xff, ...payload];
  const c = inetChecksum(icmp);
  icmp[2] = c >> 8;
  icmp[3] = c & 0xff;
  const total = 20 + icmp.length;
  const ip = [0x45, 0, total >> 8, total & 0xff, 0x12, 0x34, 0x40, 0, 64, 1, 0, 0, ...ipBytes(src), ...ipBytes(dst)];
  const h = inetChecksum(ip);
  ip[10] = h >> 8;
  ip[11] = h & 0xff;
  return new Uint8Array([...dstMac, ...srcMac, 0x08, 0x00, ...ip, ...icmp]);
}

export function etherType(f: Uint8Array): number {
  return (f[12] << 8) | f[13];
}
