/**
 * The DNS resolver against the in-process RFC 1035 server (dns-server.ts) on the W5500 model's
 * virtual network and virtual clock: the query's bytes, retries and time-outs to the millisecond,
 * CNAME chains, the error codes, the cache, and hostile responses dropped and counted with the
 * cache untouched and no callback.
 */
import { strict as assert } from 'node:assert';
import { createHarness, type Harness } from '../../sim/harness';
import { DnsResolver, type DnsOptions } from '../../firmware/services/dns';
import { DnsDrop } from '../../firmware/services/dns-wire';
import { WSAError } from '../../firmware/socket/errors';
import type { VUdpPeer } from '../../sim/w5500/virtual-net';
import { scripted } from './dhcp-rig';
import { a, cname, name, ptr, respond, rr } from './dns-server';

const NS1 = { ip: '192.168.1.53', port: 53 };
const NS2 = { ip: '192.168.1.54', port: 53 };

interface Rig {
  h: Harness;
  ns1: VUdpPeer;
  ns2: VUdpPeer;
  dns: DnsResolver;
  results: { err: number; addr: string; at: number }[];
  /** queries a server got, with arrival time and the device's port */
  inbox: { at: number; to: string; bytes: Uint8Array; port: number }[];
  lookup(n: string): number;
  waitQueries(n: number, ms: number): Promise<boolean>;
  waitResults(n: number, ms: number): Promise<boolean>;
  /** the last query's sender, as a destination for an answer */
  device(): { ip: string; port: number };
}

async function rig(random: number[], opts: Partial<DnsOptions> = {}): Promise<Rig> {
  const h = await createHarness({});
  const vnet = h.vnet!;
  const ns1 = vnet.udpPeer(NS1);
  const ns2 = vnet.udpPeer(NS2);
  const dns = new DnsResolver(h.api, h.clock, Object.assign({ servers: ['192.168.1.53', '192.168.1.54'], random: scripted(random) }, opts));
  const results: { err: number; addr: string; at: number }[] = [];
  const inbox: { at: number; to: string; bytes: Uint8Array; port: number }[] = [];
  const take = (): void => {
    for (const [p, to] of [[ns1, '.53'], [ns2, '.54']] as [VUdpPeer, string][]) {
      while (p.received.length > 0) {
        const d = p.received.shift()!;
        inbox.push({ at: h.clock.now(), to, bytes: d.bytes, port: d.from.port });
      }
    }
  };
  return {
    h, ns1, ns2, dns, results, inbox,
    lookup(n) { return dns.getaddrinfo(n, (err, addr) => { results.push({ err, addr, at: h.clock.now() }); }); },
    waitQueries(n, ms) { return h.runUntil(() => { take(); return inbox.length >= n; }, ms); },
    waitResults(n, ms) { return h.runUntil(() => results.length >= n, ms); },
    device() { return { ip: '192.168.1.20', port: inbox[inbox.length - 1].port }; },
  };
}

function hex(s: string): number[] {
  return s.split(/\s+/).filter((x) => x).map((x) => parseInt(x, 16));
}

describe('DNS resolver (in-process RFC 1035 server, W5500 model, virtual time)', function () {
  let r: Rig | undefined;
  afterEach(async () => { if (r) { r.dns.stop(); await r.h.close(); } r = undefined; });

  it('sends an A query with RD from a random port with a random id (RFC 5452), and answers from the event loop', async () => {
    // port = 1024 + random % 64512; id = random & 0xffff
    r = await rig([40000, 0xbeef]);
    assert.equal(r.lookup('Sensor.Example.lan'), 0);
    assert.equal(r.results.length, 0, 'never inside the call');
    assert.ok(await r.waitQueries(1, 1000));
    const q = r.inbox[0];
    assert.deepEqual([q.to, q.port, q.at], ['.53', 1024 + 40000, 0.5]);
    // asked in lower case (names compare without case)
    assert.deepEqual(Array.from(q.bytes), [...hex('be ef 01 00 00 01 00 00 00 00 00 00'), ...name('sensor.example.lan'), 0, 1, 0, 1]);
    r.ns1.sendTo(r.device(), respond(q.bytes, [a(ptr(12), 300, '192.168.1.80')]));
    assert.ok(await r.waitResults(1, 1000));
    // the answer left the server at 0.5 ms and arrived 0.5 ms later
    assert.deepEqual(r.results, [{ err: 0, addr: '192.168.1.80', at: 1 }]);
    assert.deepEqual([r.dns.queries, r.dns.answers, r.dns.cached()], [1, 1, 1]);
    // the socket is closed again
    assert.equal(r.h.api.openSockets(), 0);
  });

  it('answers from the cache while the TTL lasts (case-blind, final dot ignored), then asks again', async () => {
    r = await rig([1, 0x0101, 2, 0x0202]);
    r.lookup('host.lan');
    assert.ok(await r.waitQueries(1, 1000));
    r.ns1.sendTo(r.device(), respond(r.inbox[0].bytes, [a(ptr(12), 60, '192.168.1.81')]));
    assert.ok(await r.waitResults(1, 1000));
    assert.equal(r.lookup('HOST.lan.'), 0);
    assert.ok(await r.waitResults(2, 10));
    assert.deepEqual([r.results[1].err, r.results[1].addr, r.dns.hits, r.inbox.length], [0, '192.168.1.81', 1, 1]);
    await r.h.run(60000);
    r.lookup('host.lan');
    assert.ok(await r.waitQueries(2, 1000));
    assert.deepEqual([r.inbox[1].port, r.inbox[1].bytes[0], r.inbox[1].bytes[1]], [1026, 2, 2]);
  });

  it('retries after the time-out with a new id, then the next server; WSATRY_AGAIN when none answers', async () => {
    r = await rig([7, 0x1111, 0x2222, 0x3333, 0x4444], { timeoutMs: 1500, tries: 2 });
    r.lookup('quiet.lan');
    assert.ok(await r.waitQueries(4, 10000));
    assert.deepEqual(r.inbox.map((q) => [q.to, q.at, (q.bytes[0] << 8) | q.bytes[1], q.port]),
      [['.53', 0.5, 0x1111, 1031], ['.53', 1500.5, 0x2222, 1031], ['.54', 3000.5, 0x3333, 1031], ['.54', 4500.5, 0x4444, 1031]]);
    assert.ok(await r.waitResults(1, 10000));
    assert.deepEqual(r.results, [{ err: WSAError.WSATRY_AGAIN, addr: '', at: 6000 }]);
    assert.equal(r.h.api.openSockets(), 0);
  });

  it('follows a CNAME chain in one answer (compressed names), and keeps the least TTL', async () => {
    r = await rig([3, 0x0a0a, 4, 0x0b0b], { maxTtl: 7200 });
    r.lookup('www.example.lan');
    assert.ok(await r.waitQueries(1, 1000));
    const q = r.inbox[0].bytes;
    const qlen = q.length;
    // www.example.lan CNAME web.example.lan (web + pointer to "example.lan" in the question)
    const rec1 = cname(ptr(12), 900, [3, 119, 101, 98, ...ptr(16)]);
    // web.example.lan (pointer into rec1's data) CNAME box.lan; box.lan A
    const webAt = qlen + 2 + 10;
    const rec2 = cname(ptr(webAt), 600, name('box.lan'));
    const boxAt = qlen + rec1.length + 2 + 10;
    const rec3 = a(ptr(boxAt), 1200, '192.168.1.90');
    // an A record for another name is not taken
    const rec0 = a(name('evil.lan'), 9999, '10.6.6.6');
    r.ns1.sendTo(r.device(), respond(q, [rec1, rec2, rec3, rec0]));
    assert.ok(await r.waitResults(1, 1000));
    assert.deepEqual([r.results[0].err, r.results[0].addr], [0, '192.168.1.90']);
    await r.h.run(599000);
    r.lookup('www.example.lan');
    assert.ok(await r.waitResults(2, 10));
    assert.equal(r.results[1].addr, '192.168.1.90');
    await r.h.run(1000);
    assert.equal(r.dns.cached(), 1);
    r.lookup('www.example.lan');
    await r.h.run(10);
    assert.equal(r.results.length, 2, 'after 600 s the entry is gone: a query went out');
  });

  it('asks again for the alias when the server stops at a CNAME', async () => {
    r = await rig([5, 0x0505, 0x0606]);
    r.lookup('alias.lan');
    assert.ok(await r.waitQueries(1, 1000));
    r.ns1.sendTo(r.device(), respond(r.inbox[0].bytes, [cname(ptr(12), 300, name('real.lan'))]));
    assert.ok(await r.waitQueries(2, 1000));
    assert.deepEqual(Array.from(r.inbox[1].bytes), [...hex('06 06 01 00 00 01 00 00 00 00 00 00'), ...name('real.lan'), 0, 1, 0, 1]);
    r.ns1.sendTo(r.device(), respond(r.inbox[1].bytes, [a(ptr(12), 300, '192.168.1.91')]));
    assert.ok(await r.waitResults(1, 1000));
    assert.deepEqual([r.results[0].err, r.results[0].addr], [0, '192.168.1.91']);
  });

  it('NXDOMAIN and SERVFAIL are WSAHOST_NOT_FOUND (SERVFAIL asks the next server first); no A record is WSANO_DATA', async () => {
    r = await rig([1, 0x0001, 2, 0x0002, 0x0003, 3, 0x0004]);
    r.lookup('none.lan');
    assert.ok(await r.waitQueries(1, 1000));
    r.ns1.sendTo(r.device(), respond(r.inbox[0].bytes, [], 3));
    assert.ok(await r.waitResults(1, 1000));
    r.lookup('broken.lan');
    assert.ok(await r.waitQueries(2, 1000));
    r.ns1.sendTo(r.device(), respond(r.inbox[1].bytes, [], 2));
    assert.ok(await r.waitQueries(3, 1000));
    assert.equal(r.inbox[2].to, '.54');
    r.ns2.sendTo(r.device(), respond(r.inbox[2].bytes, [], 2));
    assert.ok(await r.waitResults(2, 1000));
    r.lookup('text-only.lan');
    assert.ok(await r.waitQueries(4, 1000));
    r.ns1.sendTo(r.device(), respond(r.inbox[3].bytes, []));
    assert.ok(await r.waitResults(3, 1000));
    assert.deepEqual(r.results.map((x) => x.err), [WSAError.WSAHOST_NOT_FOUND, WSAError.WSAHOST_NOT_FOUND, WSAError.WSANO_DATA]);
    assert.equal(r.dns.cached(), 0);
  });

  it('drops and counts hostile responses; no callback, the cache untouched; then the real answer counts', async () => {
    r = await rig([9, 0x7777]);
    r.lookup('target.lan');
    assert.ok(await r.waitQueries(1, 1000));
    const q = r.inbox[0].bytes;
    const to = r.device();
    const good = respond(q, [a(ptr(12), 300, '192.168.1.92')]);
    const evil: [string, Uint8Array, VUdpPeer?][] = [];
    const wrongId = good.slice(); wrongId[1] ^= 1; evil.push(['wrong id', wrongId]);
    evil.push(['not a response', respond(q, [a(ptr(12), 300, '10.6.6.6')], 0, 0x0100)]);
    const other = respond(q, [a(ptr(12), 300, '10.6.6.6')]); other[14] = 'x'.charCodeAt(0); evil.push(['another question', other]);
    const twoQ = good.slice(); twoQ[5] = 2; evil.push(['two questions', twoQ]);
    evil.push(['header only', good.slice(0, 11)]);
    evil.push(['cut inside the record', good.slice(0, good.length - 3)]);
    evil.push(['pointer to itself', respond(q, [a(ptr(q.length), 300, '10.6.6.6')])]);
    evil.push(['forward pointer', respond(q, [a(ptr(q.length + 20), 300, '10.6.6.6')])]);
    // a loop through two pointers: the owner points at the CNAME's data, whose name points back at the owner
    evil.push(['pointer loop', respond(q, [cname(ptr(q.length + 12), 300, ptr(q.length))])]);
    evil.push(['label type 01', respond(q, [a([0x40, 0], 300, '10.6.6.6')])]);
    evil.push(['A of 5 bytes', respond(q, [rr(ptr(12), 1, 300, [10, 6, 6, 6, 6])])]);
    evil.push(['truncated (TC)', respond(q, [a(ptr(12), 300, '10.6.6.6')], 0, 0x8380)]);
    const big = new Uint8Array(600); big.set(respond(q, [a(ptr(12), 300, '10.6.6.6')])); evil.push(['oversized (600 bytes)', big]);
    const spoof = r.h.vnet!.udpPeer({ ip: '192.168.1.66', port: 53 });
    evil.push(['wrong server', respond(q, [a(ptr(12), 300, '10.6.6.6')]), spoof]);
    const port5353 = r.h.vnet!.udpPeer({ ip: '192.168.1.53', port: 5353 });
    evil.push(['wrong server port', respond(q, [a(ptr(12), 300, '10.6.6.6')]), port5353]);
    for (const [, b, from] of evil) { (from ?? r.ns1).sendTo(to, b); await r.h.run(5); }
    const d = r.dns.drops;
    assert.deepEqual(
      { id: d[DnsDrop.ID], notResponse: d[DnsDrop.NOT_RESPONSE], question: d[DnsDrop.QUESTION], short: d[DnsDrop.SHORT], record: d[DnsDrop.RECORD], name: d[DnsDrop.NAME], truncated: d[DnsDrop.TRUNCATED], oversize: d[DnsDrop.OVERSIZE], source: d[DnsDrop.SOURCE] },
      { id: 1, notResponse: 1, question: 2, short: 1, record: 2, name: 4, truncated: 1, oversize: 1, source: 2 });
    assert.deepEqual([r.results.length, r.dns.cached(), r.dns.answers], [0, 0, 0]);
    r.ns1.sendTo(to, good);
    assert.ok(await r.waitResults(1, 1000));
    assert.deepEqual([r.results[0].err, r.results[0].addr, r.dns.cached()], [0, '192.168.1.92', 1]);
  });

  it('checks its arguments; an IP literal comes back from the event loop without a query', async () => {
    r = await rig([1, 1, 2, 2, 3]);
    assert.equal(r.dns.getaddrinfo('x.lan', undefined as unknown as () => void), WSAError.WSAEFAULT);
    assert.equal(r.dns.getaddrinfo(42 as unknown as string, () => {}), WSAError.WSAEINVAL);
    assert.equal(r.lookup('a..b'), WSAError.WSAEINVAL);
    assert.equal(r.lookup(''), WSAError.WSAEINVAL);
    assert.equal(r.lookup('x'.repeat(64) + '.lan'), WSAError.WSAEINVAL);
    assert.equal(r.lookup('sp ace.lan'), WSAError.WSAEINVAL);
    assert.equal(r.lookup('10.1.2.3'), 0);
    assert.equal(r.results.length, 0);
    await r.h.run(1);
    assert.deepEqual([r.results[0].err, r.results[0].addr, r.inbox.length], [0, '10.1.2.3', 0]);
    assert.equal(r.lookup('one.lan'), 0);
    assert.equal(r.lookup('two.lan'), 0);
    assert.equal(r.lookup('three.lan'), WSAError.WSAENOBUFS);
    r.dns.stop();
    assert.equal(r.dns.setServers([0, 0xffffffff]), 0);
    assert.equal(r.lookup('one.lan'), WSAError.WSATRY_AGAIN);
    assert.deepEqual(r.dns.getServers(), []);
  });
});
