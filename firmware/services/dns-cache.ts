/**
 * The resolver's cache: a few names with their address and the time their TTL runs out. Bounded
 * in entries and in TTL; when full, the entry that expires soonest makes room. Names are kept in
 * lower case without a final dot.
 */
export class DnsCache {
  private names: string[] = [];
  private ips: Uint32Array;
  private expires: Float64Array;
  private maxTtl: number;

  /** `size` entries (≥ 1), TTLs cut to `maxTtlSec` */
  constructor(size: number, maxTtlSec: number) {
    this.ips = new Uint32Array(size);
    this.expires = new Float64Array(size);
    for (let i = 0; i < size; i++) this.names.push('');
    this.maxTtl = maxTtlSec;
  }

  /** the address of `name` while its TTL lasts, else -1 (an expired entry is forgotten) */
  get(name: string, now: number): number {
    for (let i = 0; i < this.names.length; i++) {
      if (this.names[i] !== name) continue;
      if (now < this.expires[i]) return this.ips[i];
      this.names[i] = '';
      return -1;
    }
    return -1;
  }

  /** keeps `name` → `ip` for `ttlSec` (cut to the maximum); a TTL of 0 is not kept */
  put(name: string, ip: number, ttlSec: number, now: number): void {
    if (!(ttlSec > 0)) return;
    const ttl = ttlSec < this.maxTtl ? ttlSec : this.maxTtl;
    let slot = this.names.indexOf(name);
    if (slot < 0) slot = this.names.indexOf('');
    if (slot < 0) {
      slot = 0;
      for (let i = 1; i < this.names.length; i++) if (this.expires[i] < this.expires[slot]) slot = i;
    }
    this.names[slot] = name;
    this.ips[slot] = ip;
    this.expires[slot] = now + ttl * 1000;
  }

  /** entries held now (expired ones included until read) */
  size(): number {
    let n = 0;
    for (let i = 0; i < this.names.length; i++) if (this.names[i] !== '') n++;
    return n;
  }

  clear(): void {
    for (let i = 0; i < this.names.length; i++) this.names[i] = '';
  }
}
