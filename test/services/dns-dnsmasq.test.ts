/**
 * The DNS resolver against dnsmasq, the real server, through the W5500 model's host side: the
 * model's UDP sockets are kernel sockets on loopback, the device's 192.168.1.0/24 is 127.0.0.0/24
 * there, and dnsmasq listens on 127.0.0.53 at a port of its own (the device sees 192.168.1.53).
 */
import { strict as assert } from 'node:assert';
import { createHarness, type Harness } from '../../sim/harness';
import { DnsResolver } from '../../firmware/services/dns';
import { WSAError } from '../../firmware/socket/errors';
import { Dnsmasq, dnsmasqUnavailable, needOrSkip } from './dnsmasq';

describe('DNS resolver against dnsmasq (W5500 model, host side, loopback)', function () {
  this.timeout(30000);
  let server: Dnsmasq | undefined;
  let h: Harness | undefined;
  let dns: DnsResolver | undefined;
  const port = 20000 + (process.pid % 20000);

  before(async function () {
    needOrSkip(this, dnsmasqUnavailable());
    server = await Dnsmasq.start([
      `port=${port}`, 'listen-address=127.0.0.53', 'bind-interfaces', 'log-queries',
      'local=/test/', 'local-ttl=60',
      'host-record=sensor.test,192.168.1.80',
      'cname=www.test,web.test', 'cname=web.test,sensor.test',
      'txt-record=text.test,"no address here"',
    ]);
    h = await createHarness({ network: 'host', time: 'real' });
    dns = new DnsResolver(h.api, h.clock, { servers: ['192.168.1.53'], port, timeoutMs: 1000 });
  });
  after(async () => {
    if (dns) dns.stop();
    if (h) await h.close();
    if (server) await server.stop();
  });

  function lookup(name: string): Promise<[number, string]> {
    return new Promise((resolve, reject) => {
      const r = dns!.getaddrinfo(name, (err, addr) => resolve([err, addr]));
      if (r !== 0) reject(new Error('getaddrinfo returned ' + r));
    });
  }

  it('resolves an A record, and a CNAME chain of two, as dnsmasq answers them', async () => {
    assert.deepEqual(await lookup('sensor.test'), [0, '192.168.1.80']);
    assert.deepEqual(await lookup('www.test'), [0, '192.168.1.80']);
    assert.deepEqual([dns!.queries, dns!.answers, dns!.cached()], [2, 2, 2]);
    await server!.settle();
    assert.equal(server!.lines(/query\[A\] sensor\.test from 127\.0\.0\.20/).length, 1);
    assert.equal(server!.lines(/query\[A\] www\.test from 127\.0\.0\.20/).length, 1);
    // the second time from the cache: dnsmasq hears nothing more
    assert.deepEqual(await lookup('WWW.test'), [0, '192.168.1.80']);
    await server!.settle();
    assert.equal(server!.lines(/query\[A\]/).length, 2);
    assert.equal(dns!.hits, 1);
  });

  it('NXDOMAIN is WSAHOST_NOT_FOUND and a name without an A record WSANO_DATA', async () => {
    assert.deepEqual(await lookup('nobody.test'), [WSAError.WSAHOST_NOT_FOUND, '']);
    assert.deepEqual(await lookup('text.test'), [WSAError.WSANO_DATA, '']);
    assert.equal(dns!.cached(), 2, 'failures are not cached');
  });

  it('every lookup came from its own random port and left no socket behind', async () => {
    await server!.settle();
    assert.equal(server!.lines(/query\[A\] .* from 127\.0\.0\.20/).length, 4);
    const ports = h!.host!.bound().filter((b) => b.proto === 'udp').map((b) => b.chipPort);
    assert.equal(ports.length, 4);
    assert.equal(new Set(ports).size, 4);
    for (const p of ports) assert.ok(p >= 1024 && p <= 65535);
    assert.equal(h!.api.openSockets(), 0);
    assert.deepEqual(Array.from(dns!.drops), [0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
