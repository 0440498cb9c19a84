/**
 * A DNS server written from RFC 1035 §4 for the hostile cases: responses are assembled byte by
 * byte here from the query received (header, the question copied, resource records), so the tests
 * can give the resolver exactly what a good or a malicious server would send.
 */

export function name(n: string): number[] {
  const out: number[] = [];
  for (const label of n.split('.').filter((x) => x)) out.push(label.length, ...Array.from(label, (c) => c.charCodeAt(0)));
  out.push(0);
  return out;
}

/** a compression pointer to offset `o` */
export function ptr(o: number): number[] {
  return [0xc0 | (o >> 8), o & 0xff];
}

export function rr(owner: number[], type: number, ttl: number, rdata: number[]): number[] {
  return [...owner, type >> 8, type & 0xff, 0, 1, (ttl >>> 24) & 255, (ttl >>> 16) & 255, (ttl >>> 8) & 255, ttl & 255, rdata.length >> 8, rdata.length & 0xff, ...rdata];
}

export function a(owner: number[], ttl: number, ip: string): number[] {
  return rr(owner, 1, ttl, ip.split('.').map(Number));
}

export function cname(owner: number[], ttl: number, target: number[]): number[] {
  return rr(owner, 5, ttl, target);
}

/** the question section of a query: from byte 12 to the end */
export function questionOf(q: Uint8Array): number[] {
  return Array.from(q.subarray(12));
}

/**
 * A response to query `q`: same id, QR, RD and RA set, `rcode`, the question copied, then
 * `answers` (each a whole record) counted in ANCOUNT. `flags` overrides the flags word.
 */
export function respond(q: Uint8Array, answers: number[][], rcode = 0, flags?: number): Uint8Array {
  const f = flags ?? (0x8180 | rcode);
  const head = [q[0], q[1], f >> 8, f & 0xff, 0, 1, 0, answers.length, 0, 0, 0, 0];
  return Uint8Array.from([...head, ...questionOf(q), ...answers.flat()]);
}
