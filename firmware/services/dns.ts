/**
 * DNS resolver (RFC 1035 stub, RFC 5452 hardening) on the socket layer's UDP: A queries with
 * retries and a time-out per try, the servers from DHCP (option 6) or configuration, a small cache
 * bounded in entries and TTL, CNAME chains followed (and asked again when a server stops at an
 * alias). Each lookup has its own socket on a random source port and a random id; an answer counts
 * only when it comes from the server and port asked, carries the id, and repeats the question.
 *
 *   const dns = new DnsResolver(api, clock, { servers: ['192.168.1.1'] });
 *   dns.setServers(lease.dns);                       // after a DHCP BOUND or RENEWED
 *   dns.getaddrinfo('example.lan', function (err, addr) { ... });   // 0 or an error code at once
 *
 * The callback runs from the event loop, never inside the call: `err` 0 and a dotted address, or
 * WSAHOST_NOT_FOUND (NXDOMAIN, SERVFAIL), WSANO_DATA (no A record), WSATRY_AGAIN (no answer in
 * time). Nothing blocks or throws; dropped responses are counted in `drops[DnsDrop.X]`.
 */
import type { Clock } from '../../hal/clock';
import type { SocketLayer } from '../socket/layer';
import { WSAError } from '../socket/errors';
import { formatIPv4, parseIPv4 } from '../socket/address';
import { DNS_PASS, Dns, DnsAnswer, DnsDrop, Rcode, dnsParse, dnsQuery, nameOk } from './dns-wire';
import { DnsCache } from './dns-cache';
import { UdpPort } from './udp-port';
import { defaultRandom, randomIn } from './random';
import type { Random32 } from './random';
import { loopTimers } from '../socket/timers';

export type AddrInfoCallback = (error: number, addr: string) => void;

export interface DnsOptions {
  /** dotted IPv4 servers, asked in order (up to 3) */
  servers?: string[];
  /** the servers' port; default 53 */
  port?: number;
  /** wait for an answer per try, ms; default 2000 */
  timeoutMs?: number;
  /** tries per server; default 2 */
  tries?: number;
  /** cache entries; default 4 */
  cacheSize?: number;
  /** longest a cached answer is kept, s; default 3600 */
  maxTtl?: number;
  /** lookups at once (each holds a socket); default 2 */
  maxLookups?: number;
  /** ids and source ports; default E.hwRand or Math.random */
  random?: Random32;
}

export const enum DnsLimits {
  MAX_SERVERS = 3,
  /** queries for one name, CNAME restarts included */
  MAX_RESTARTS = 8,
  /** RFC 5452 §10: source ports from the whole unprivileged range */
  PORT_FIRST = 1024,
  PORT_LAST = 65535,
  BIND_TRIES = 4,
}

/** one name being looked up */
class Lookup {
  name = '';
  /** the name asked now (the end of a CNAME chain after a restart) */
  asked = '';
  cb: AddrInfoCallback;
  port: UdpPort | null = null;
  q = new Uint8Array(Dns.HEADER + Dns.MAX_NAME + 6);
  qlen = 0;
  server = 0;
  tries = 0;
  restarts = 0;
  timer = 0;
  constructor(cb: AddrInfoCallback) {
    this.cb = cb;
  }
}

export class DnsResolver {
  /** responses dropped, by DnsDrop */
  readonly drops = new Uint16Array(DnsDrop.COUNT);
  /** queries sent (retries included), answers taken, cache hits */
  queries = 0;
  answers = 0;
  hits = 0;
  private api: SocketLayer;
  private clock: Clock;
  private servers = new Uint32Array(DnsLimits.MAX_SERVERS);
  private serverCount = 0;
  private port: number;
  private timeoutMs: number;
  private tries: number;
  private maxLookups: number;
  private rnd: Random32;
  private cache: DnsCache;
  private active: Lookup[] = [];
  private answer = new DnsAnswer();

  constructor(api: SocketLayer, clock: Clock, options?: DnsOptions) {
    this.api = api;
    this.clock = clock;
    const o = options || ({} as DnsOptions);
    this.port = o.port ? o.port : Dns.PORT;
    this.timeoutMs = o.timeoutMs && o.timeoutMs > 0 ? o.timeoutMs : 2000;
    this.tries = o.tries && o.tries > 0 ? o.tries : 2;
    this.maxLookups = o.maxLookups && o.maxLookups > 0 ? o.maxLookups : 2;
    this.rnd = typeof o.random === 'function' ? o.random : defaultRandom;
    this.cache = new DnsCache(o.cacheSize && o.cacheSize > 0 ? o.cacheSize : 4, o.maxTtl && o.maxTtl > 0 ? o.maxTtl : 3600);
    if (o.servers) {
      const ips: number[] = [];
      for (let i = 0; i < o.servers.length; i++) ips.push(parseIPv4(o.servers[i]));
      this.setServers(ips);
    }
  }

  /** the servers to ask, in order (DHCP's option 6; 0 and malformed entries skipped, at most 3); returns how many were taken */
  setServers(ips: number[] | Uint32Array): number {
    let n = 0;
    if (ips && typeof ips.length === 'number') {
      for (let i = 0; i < ips.length && n < DnsLimits.MAX_SERVERS; i++) {
        const ip = ips[i];
        if (typeof ip === 'number' && ip > 0 && ip < 0xffffffff && Math.floor(ip) === ip) this.servers[n++] = ip;
      }
    }
    this.serverCount = n;
    return n;
  }

  /** the servers in use, dotted */
  getServers(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.serverCount; i++) out.push(formatIPv4(this.servers[i]));
    return out;
  }

  /** names cached now */
  cached(): number {
    return this.cache.size();
  }

  /** forgets every cached answer */
  flush(): void {
    this.cache.clear();
  }

  /**
   * Looks `name` up; `cb(error, addr)` follows from the event loop. Returns 0, or at once:
   * WSAEFAULT (cb not a function), WSAEINVAL (not a host name), WSATRY_AGAIN (no server known),
   * WSAENOBUFS (too many lookups at once), or the socket layer's error.
   */
  getaddrinfo(name: string, cb: AddrInfoCallback): number {
    if (typeof cb !== 'function') return WSAError.WSAEFAULT;
    if (typeof name !== 'string') return WSAError.WSAEINVAL;
    const clock = this.clock;
    if (parseIPv4(name) >= 0) {
      later(this.api, cb, name);
      return 0;
    }
    if (!nameOk(name)) return WSAError.WSAEINVAL;
    let key = name.toLowerCase();
    if (key.charCodeAt(key.length - 1) === 46) key = key.substring(0, key.length - 1);
    const hit = this.cache.get(key, clock.now());
    if (hit >= 0) {
      this.hits++;
      later(this.api, cb, formatIPv4(hit));
      return 0;
    }
    if (this.serverCount === 0) return WSAError.WSATRY_AGAIN;
    if (this.active.length >= this.maxLookups) return WSAError.WSAENOBUFS;
    const self = this;
    const l = new Lookup(cb);
    const port = new UdpPort(this.api, Dns.MAX_UDP, function (b, n, ip, p) { self.input(l, b, n, ip, p); },
      function () { self.drops[DnsDrop.OVERSIZE]++; });
    l.port = port;
    l.name = key;
    let r = WSAError.WSAEADDRINUSE as number;
    for (let i = 0; i < DnsLimits.BIND_TRIES && r === WSAError.WSAEADDRINUSE; i++) {
      r = port.open(randomIn(this.rnd, DnsLimits.PORT_FIRST, DnsLimits.PORT_LAST));
    }
    if (r !== 0) return r;
    this.active.push(l);
    this.ask(l, key);
    return 0;
  }

  /** ends every lookup in flight without calling back, and closes their sockets */
  stop(): void {
    while (this.active.length > 0) this.end(this.active[0]);
  }

  // ----------------------------------------------------------------

  /** a fresh query for `name` to the first server */
  private ask(l: Lookup, name: string): void {
    l.asked = name;
    l.server = 0;
    l.tries = 0;
    this.send(l);
  }

  /** (re)sends the query to server `l.server` under a new id, and times it */
  private send(l: Lookup): void {
    l.qlen = dnsQuery(l.q, this.rnd() & 0xffff, l.asked);
    this.queries++;
    (l.port as UdpPort).send(l.q, l.qlen, this.servers[l.server], this.port);
    const self = this;
    if (l.timer) loopTimers(this.api).clear(l.timer);
    // a deadline of the event loop's one timer, not a timer of its own
    l.timer = loopTimers(this.api).set(this.timeoutMs, function () { l.timer = 0; self.timeout(l); });
  }

  private timeout(l: Lookup): void {
    if (++l.tries < this.tries) { this.send(l); return; }
    this.nextServer(l, WSAError.WSATRY_AGAIN);
  }

  /** the next server, or the end with `error` when none is left */
  private nextServer(l: Lookup, error: number): void {
    if (l.server + 1 >= this.serverCount) { this.finish(l, error, 0); return; }
    l.server++;
    l.tries = 0;
    this.send(l);
  }

  private input(l: Lookup, b: Uint8Array, n: number, ip: number, port: number): void {
    if (this.active.indexOf(l) < 0) return;
    if (ip !== this.servers[l.server] || port !== this.port) { this.drops[DnsDrop.SOURCE]++; return; }
    const a = this.answer;
    const v = dnsParse(b, n, l.q, l.qlen, l.asked, a);
    if (v !== DNS_PASS) { this.drops[v]++; return; }
    this.answers++;
    if (a.rcode === Rcode.NXDOMAIN) { this.finish(l, WSAError.WSAHOST_NOT_FOUND, 0); return; }
    if (a.rcode !== Rcode.NOERROR) { this.nextServer(l, WSAError.WSAHOST_NOT_FOUND); return; }
    if (a.ip !== 0) {
      this.cache.put(l.name, a.ip, a.ttl, this.clock.now());
      this.finish(l, 0, a.ip);
      return;
    }
    if (a.alias !== '' && ++l.restarts <= DnsLimits.MAX_RESTARTS) { this.ask(l, a.alias); return; }
    this.finish(l, a.alias !== '' ? WSAError.WSAHOST_NOT_FOUND : WSAError.WSANO_DATA, 0);
  }

  private end(l: Lookup): void {
    const i = this.active.indexOf(l);
    if (i >= 0) this.active.splice(i, 1);
    if (l.timer) loopTimers(this.api).clear(l.timer);
    l.timer = 0;
    if (l.port) l.port.close();
  }

  private finish(l: Lookup, error: number, ip: number): void {
    this.end(l);
    call(l.cb, error, error === 0 ? formatIPv4(ip) : '');
  }
}

/** an application's callback must not take the event loop down */
function call(cb: AddrInfoCallback, error: number, addr: string): void {
  try {
    cb(error, addr);
  } catch (e) {
    // nothing to report it to; the lookup is over either way
  }
}

/** an answer known at once still comes from the event loop */
function later(api: SocketLayer, cb: AddrInfoCallback, addr: string): void {
  loopTimers(api).set(0, function () { call(cb, 0, addr); });
}
