import assert from 'node:assert/strict';
import * as net from 'node:net';
import { createHarness } from '../../sim/harness';
import type { Harness } from '../../sim/harness';
import { AddressFamily, FdEvent, SockOpt, OptLevel, SockType } from '../../firmware/socket/constants';
import type { SockAddr } from '../../firmware/socket/types';
import { requireLoopback } from '../w5500-host/loopback';

const FD: Record<number, string> = { 1: 'FD_READ', 2: 'FD_WRITE', 8: 'FD_ACCEPT', 16: 'FD_CONNECT', 32: 'FD_CLOSE' };
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** a device echo server on port 7 through WSAAsyncSelect; `events` gets "FD_X sN err" lines */
function echoServer(h: Harness, events: string[]): number {
  const api = h.api;
  const ls = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
  assert.equal(api.bind(ls, '0.0.0.0', 7), 0);
  assert.equal(api.listen(ls, 1), 0);
  const buf = new Uint8Array(256);
  const on = (s: number, ev: number, err: number): void => {
    events.push(`${FD[ev]} ${s === ls ? 'listener' : 'conn'} ${err}`);
    if (ev === FdEvent.FD_ACCEPT) {
      const c = api.accept(ls, undefined);
      api.WSAAsyncSelect(c, on, FdEvent.FD_READ | FdEvent.FD_WRITE | FdEvent.FD_CLOSE);
    } else if (ev === FdEvent.FD_READ) {
      const n = api.recv(s, buf, buf.length, 0);
      if (n > 0) api.send(s, buf, n, 0);
    } else if (ev === FdEvent.FD_CLOSE) {
      api.closesocket(s, (r) => events.push(`closed graceful=${r.graceful} error=${r.error} unsent=${r.unsentBytes}`));
    }
  };
  assert.equal(api.WSAAsyncSelect(ls, on, FdEvent.FD_ACCEPT), 0);
  return ls;
}

describe('sim/harness: createHarness', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    if (h) await h.close();
    h = undefined;
  });

  describe("network 'virtual', time 'virtual'", () => {
    it('a device echo server: exact FD_* order, exact bytes, every hardware socket back but the listener', async () => {
      h = await createHarness();
      assert.equal(h.freeHardwareSockets(), 8);
      const events: string[] = [];
      const ls = echoServer(h, events);
      assert.equal(h.freeHardwareSockets(), 7);
      const peer = h.vnet!.connect({ ip: '192.168.1.10', port: 40000 }, { ip: '192.168.1.20', port: 7 });
      await h.run(5);
      peer.send('hello');
      await h.run(5);
      assert.equal(peer.text(), 'hello');
      peer.fin();
      await h.run(20);
      assert.deepEqual(events, [
        'FD_ACCEPT listener 0', 'FD_WRITE conn 0', 'FD_READ conn 0', 'FD_CLOSE conn 0', 'closed graceful=true error=0 unsent=0',
      ]);
      assert.equal(peer.gotFin, true);
      assert.equal(h.freeHardwareSockets(), 7);
      assert.equal(h.api.closesocket(ls, undefined), 0);
      assert.equal(h.freeHardwareSockets(), 8);
      assert.ok(h.trace.counters().transactions > 0);
    });

    it('a blocking linger close completes while the virtual peer answers during the busy wait', async () => {
      h = await createHarness();
      const l = h.vnet!.listen({ ip: '192.168.1.10', port: 5000 });
      l.onAccept = (p) => { p.onFin = () => p.fin(); };
      const api = h.api;
      const s = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
      assert.equal(api.connect(s, '192.168.1.10', 5000), 0, 'blocking connect');
      const a: SockAddr = { addr: '', port: 0 };
      assert.equal(api.getpeername(s, a), 0);
      assert.deepEqual(a, { addr: '192.168.1.10', port: 5000 });
      assert.equal(api.send(s, new TextEncoder().encode('report'), undefined, undefined), 6);
      assert.equal(api.setsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 2 }), 0);
      const t0 = h.clock.now();
      let done = '';
      assert.equal(api.closesocket(s, (r) => { done = JSON.stringify(r); }), 0);
      assert.ok(h.clock.now() - t0 < 100, 'returned once the FIN exchange completed, well inside the 2 s');
      assert.equal(text(l.accepted[0].received), 'report');
      assert.equal(l.accepted[0].gotFin, true);
      await h.run(1);
      assert.equal(done, '{"graceful":true,"error":0,"unsentBytes":0}');
      assert.equal(h.freeHardwareSockets(), 8);
    });

    it('close bounds belong to the layer: a peer that never FINs is cut off at SO_LINGER 6 s and at closeTimeout, both WSAETIMEDOUT', async () => {
      h = await createHarness();
      h.vnet!.listen({ ip: '192.168.1.10', port: 5000 });
      const api = h.api;
      const lingering = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
      assert.equal(api.connect(lingering, '192.168.1.10', 5000), 0);
      assert.equal(api.setsockopt(lingering, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 6 }), 0);
      let t0 = h.clock.now();
      let done = '';
      assert.equal(api.closesocket(lingering, (r) => { done = JSON.stringify(r); }), 0);
      const lingered = h.clock.now() - t0;
      assert.ok(lingered >= 6000 && lingered < 6100, `blocked for the whole linger interval (${lingered} ms)`);
      await h.run(1);
      assert.equal(done, '{"graceful":false,"error":10060,"unsentBytes":0}');
      assert.equal(h.freeHardwareSockets(), 8);

      const background = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
      assert.equal(api.connect(background, '192.168.1.10', 5000), 0);
      t0 = h.clock.now();
      let at = -1;
      assert.equal(api.closesocket(background, (r) => { done = JSON.stringify(r); at = h!.clock.now() - t0; }), 0);
      await h.run(3990);
      assert.equal(at, -1);
      await h.run(20);
      assert.ok(at >= 4000 && at < 4010, `forced at the default closeTimeout (${at} ms)`);
      assert.equal(done, '{"graceful":false,"error":10060,"unsentBytes":0}');
      assert.equal(h.freeHardwareSockets(), 8);
    });

    it('fault hooks: the chip going away ends the connection with WSAENETDOWN', async () => {
      h = await createHarness();
      const events: string[] = [];
      echoServer(h, events);
      const peer = h.vnet!.connect({ ip: '192.168.1.10', port: 40000 }, { ip: '192.168.1.20', port: 7 });
      await h.run(5);
      h.faults.set('chipAbsent', true);
      peer.send('x');
      await h.run(50);
      assert.deepEqual(events, ['FD_ACCEPT listener 0', 'FD_WRITE conn 0', 'FD_CLOSE conn 10050', 'closed graceful=false error=10050 unsent=0']);
    });

    it('300 connections with mixed peers and teardowns give every hardware socket back', async () => {
      h = await createHarness();
      const api = h.api;
      let seed = 12345;
      const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return (seed >> 12) % n; };
      const l = h.vnet!.listen({ ip: '192.168.1.10', port: 5000 });
      // peers: answer and close, close, reset at once, or never send their FIN
      l.onAccept = (p) => {
        const mode = rnd(4);
        p.onData = () => { if (mode === 0) p.send('ok'); };
        p.onFin = () => { if (mode !== 3) p.fin(); };
        if (mode === 2) p.rst();
      };
      const results: string[] = [];
      for (let i = 0; i < 300; i++) {
        const s = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
        assert.ok(s > 0, 'a socket is always available: background closes are reclaimed');
        api.ioctlsocket(s, 0x8004667e, { value: 1 }); // FIONBIO
        api.connect(s, '192.168.1.10', 5000);
        await h.run(3);
        api.send(s, new Uint8Array(rnd(3000)), undefined, undefined);
        const how = rnd(3);
        if (how === 1) api.setsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 0 });
        if (how === 2) api.shutdown(s, 1);
        api.closesocket(s, (r) => results.push(`${r.graceful} ${r.error}`));
        await h.run(rnd(20));
      }
      await h.run(10000);
      assert.equal(results.length, 300);
      const kinds = [...new Set(results)].sort();
      assert.deepEqual(kinds, ['false 10053', 'false 10054', 'false 10055', 'false 10060', 'true 0'], 'abortive, reset, reclaimed, bound (peer never FINs), graceful');
      assert.equal(h.freeHardwareSockets(), 8);
      assert.equal(api.backgroundCloses(), 0);
      assert.equal(api.openSockets(), 0);
    });

    it('without INT wired the driver polls, with the same event order', async () => {
      h = await createHarness({ int: false });
      const events: string[] = [];
      echoServer(h, events);
      const peer = h.vnet!.connect({ ip: '192.168.1.10', port: 40000 }, { ip: '192.168.1.20', port: 7 });
      await h.run(5);
      peer.send('polled');
      await h.run(10);
      peer.fin();
      await h.run(300);
      assert.equal(peer.text(), 'polled');
      assert.deepEqual(events, [
        'FD_ACCEPT listener 0', 'FD_WRITE conn 0', 'FD_READ conn 0', 'FD_CLOSE conn 0', 'closed graceful=true error=0 unsent=0',
      ]);
    });

    it('a chip reset under an idle connection is found by the health poll: FD_CLOSE WSAENETDOWN', async () => {
      h = await createHarness();
      const events: string[] = [];
      echoServer(h, events);
      h.vnet!.connect({ ip: '192.168.1.10', port: 40000 }, { ip: '192.168.1.20', port: 7 });
      await h.run(5);
      h.faults.hardReset();
      const t0 = h.clock.now();
      await h.run(1);
      assert.deepEqual(events, ['FD_ACCEPT listener 0', 'FD_WRITE conn 0'], 'INTn stays high: nothing tells the driver at once');
      assert.ok(await h.runUntil(() => events.length === 4, 1100));
      assert.ok(h.clock.now() - t0 <= 1000, 'within one health period');
      assert.deepEqual(events, ['FD_ACCEPT listener 0', 'FD_WRITE conn 0', 'FD_CLOSE conn 10050', 'closed graceful=false error=10050 unsent=0']);
    });
  });

  describe("network 'virtual', time 'real'", () => {
    it('runs the same stack on the wall clock', async () => {
      h = await createHarness({ time: 'real' });
      const events: string[] = [];
      echoServer(h, events);
      const peer = h.vnet!.connect({ ip: '192.168.1.10', port: 40000 }, { ip: '192.168.1.20', port: 7 });
      assert.ok(await h.runUntil(() => events.length >= 2, 2000));
      peer.send('hi');
      assert.ok(await h.runUntil(() => peer.text() === 'hi', 2000));
      peer.fin();
      assert.ok(await h.runUntil(() => events.length === 5, 2000));
      assert.deepEqual(events.slice(2), ['FD_READ conn 0', 'FD_CLOSE conn 0', 'closed graceful=true error=0 unsent=0']);
    });
  });

  describe("network 'host'", () => {
    before(async function () {
      await requireLoopback(this);
    });

    it("refuses virtual time: kernel peers cannot follow a virtual clock", async () => {
      await assert.rejects(createHarness({ network: 'host', time: 'virtual' }), /host network runs in real time only/);
    });

    it('a kernel client reaches the device echo server through the loopback mapping', async function () {
      this.timeout(20000);
      h = await createHarness({ network: 'host', time: 'real' });
      const host = h.host!;
      const events: string[] = [];
      echoServer(h, events);
      assert.ok(await h.runUntil(() => host.hostAddress(7) !== undefined, 2000));
      const at = host.hostAddress(7)!;
      const c = net.connect({ host: at.address, port: at.port, localAddress: host.toHost('192.168.1.10'), allowHalfOpen: true });
      let got = '';
      let ended = false;
      c.on('data', (d: Buffer) => { got += d.toString(); });
      c.on('end', () => { ended = true; });
      await new Promise((r) => c.once('connect', r));
      assert.ok(await h.runUntil(() => events.length >= 2, 3000));
      c.write('ping');
      assert.ok(await h.runUntil(() => got === 'ping', 3000));
      c.end();
      assert.ok(await h.runUntil(() => ended && events.length === 5, 3000));
      c.destroy();
      assert.deepEqual(events, [
        'FD_ACCEPT listener 0', 'FD_WRITE conn 0', 'FD_READ conn 0', 'FD_CLOSE conn 0', 'closed graceful=true error=0 unsent=0',
      ]);
      assert.equal(h.freeHardwareSockets(), 7);
    });

    it('blocking calls busy-wait while the chip and the kernel run on: connect, recv, a linger close', async function () {
      this.timeout(20000);
      h = await createHarness({ network: 'host', time: 'real' });
      const host = h.host!;
      // the kernel peer says goodbye first, so the rest of the teardown needs no user-space peer code
      const server = net.createServer((sock) => { sock.on('error', () => {}); sock.end('bye'); });
      await new Promise<void>((r) => server.listen(0, host.toHost('192.168.1.30'), () => r()));
      const port = (server.address() as net.AddressInfo).port;
      try {
        const api = h.api;
        const s = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
        assert.equal(api.connect(s, '192.168.1.30', port), 0, 'the kernel completes the handshake during the block');
        // the server's greeting needs its accept callback, which runs only when this thread yields
        await new Promise((r) => setTimeout(r, 50));
        const buf = new Uint8Array(16);
        assert.equal(api.recv(s, buf, 16, 0), 3);
        assert.equal(text(buf.subarray(0, 3)), 'bye');
        assert.equal(api.recv(s, buf, 16, 0), 0, 'end of stream');
        assert.equal(api.setsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 3 }), 0);
        let done = '';
        const t0 = h.clock.now();
        assert.equal(api.closesocket(s, (r) => { done = JSON.stringify(r); }), 0);
        assert.ok(h.clock.now() - t0 < 1000, 'returned once the chip was CLOSED, well before the 3 s bound');
        await h.run(5);
        assert.equal(done, '{"graceful":true,"error":0,"unsentBytes":0}');
        assert.equal(h.freeHardwareSockets(), 8);
      } finally {
        server.close();
      }
    });

    it('the device connects to a kernel server; getpeername names it by its virtual address', async function () {
      this.timeout(20000);
      h = await createHarness({ network: 'host', time: 'real' });
      const host = h.host!;
      const server = net.createServer({ allowHalfOpen: true }, (sock) => {
        sock.on('data', (d) => sock.write(d));
        sock.on('end', () => sock.end());
      });
      await new Promise<void>((r) => server.listen(0, host.toHost('192.168.1.30'), () => r()));
      const port = (server.address() as net.AddressInfo).port;
      try {
        const api = h.api;
        const s = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
        const events: string[] = [];
        const buf = new Uint8Array(64);
        let got = '';
        api.WSAAsyncSelect(s, (_s, ev, err) => {
          events.push(`${FD[ev]} ${err}`);
          if (ev === FdEvent.FD_READ) { const n = api.recv(s, buf, 64, 0); if (n > 0) got += text(buf.subarray(0, n)); }
        }, FdEvent.FD_CONNECT | FdEvent.FD_READ | FdEvent.FD_CLOSE);
        assert.equal(api.connect(s, '192.168.1.30', port), -1);
        assert.equal(api.WSAGetLastError(), 10035);
        assert.ok(await h.runUntil(() => events.includes('FD_CONNECT 0'), 3000));
        const a: SockAddr = { addr: '', port: 0 };
        assert.equal(api.getpeername(s, a), 0);
        assert.deepEqual(a, { addr: '192.168.1.30', port });
        api.send(s, new TextEncoder().encode('abc'), undefined, undefined);
        assert.ok(await h.runUntil(() => got === 'abc', 3000));
        assert.equal(api.shutdown(s, 1), 0);
        assert.ok(await h.runUntil(() => events.includes('FD_CLOSE 0'), 3000));
        assert.deepEqual(events, ['FD_CONNECT 0', 'FD_READ 0', 'FD_CLOSE 0']);
        let closed = false;
        api.closesocket(s, () => { closed = true; });
        assert.ok(await h.runUntil(() => closed && h!.freeHardwareSockets() === 8, 3000));
      } finally {
        server.close();
      }
    });
  });
});
