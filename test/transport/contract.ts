/**
 * The transport contract (firmware/transport/transport.ts), written once against the interface and
 * run on every implementation through a rig: the offload transport on the W5500 model, the socket
 * layer's in-memory double, and every transport after them (the software stack over the ENC28J60 or
 * the W5500 in MACRAW mode plugs in with a rig of its own). Events are recorded as text in order
 * ("peerFin 3", "ended 3 None 0"); every check is exact.
 */
import assert from 'node:assert/strict';
import { EndpointKind, TErr } from '../../firmware/transport/transport';
import type { PeerAddress, Transport } from '../../firmware/transport/transport';

/** The other end of one connection, as the rig's network gives it. */
export interface ContractPeer {
  send(bytes: Uint8Array): void;
  /** our FIN, after everything sent so far */
  fin(): void;
  /** abort with RST */
  rst(): void;
  /** every byte the device sent so far */
  received(): Uint8Array;
  /** the device's FIN arrived */
  readonly gotFin: boolean;
}

export interface ContractRig {
  readonly name: string;
  readonly t: Transport;
  /** the sink's calls so far, in order, as text; forgets them */
  take(): string[];
  /** lets `ms` pass on the rig's clock, running the transport's own event-loop work */
  run(ms: number): void;
  now(): number;
  /** a connection from the device to a peer listening at the rig's peer address: the endpoint, connectDone taken */
  connected(): { ep: number; peer: ContractPeer };
  /** bus transactions to the NIC so far (0 for a NIC without a bus) */
  bus(): number;
  /** the NIC stops answering */
  failNic(): void;
  /** cable out / in */
  setLink(up: boolean): void;
  /** longest time a link change takes to reach the sink, ms */
  readonly linkDelayMs: number;
  close(): void;
}

export type ContractRigFactory = () => ContractRig;

export function bytes(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed) & 0xff;
  return b;
}

function recvAll(t: Transport, ep: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let at = 0;
  while (at < n) {
    const got = t.recv(ep, out, at, n - at);
    assert.ok(got > 0, `recv returned ${got} with ${n - at} bytes still expected`);
    at += got;
  }
  return out;
}

export function transportContract(make: ContractRigFactory): void {
  let r: ContractRig | undefined;
  const rig = (): ContractRig => {
    r = make();
    return r;
  };
  afterEach(() => {
    if (r) r.close();
    r = undefined;
  });

  describe('event order', () => {
    it('active close: every byte, our FIN, then peerFin and ended(None) once the peer closes — in that order', () => {
      const x = rig();
      const { ep, peer } = x.connected();
      const data = bytes(200);
      assert.equal(x.t.send(ep, data, 0, 200), 200);
      x.t.shutdownSend(ep);
      x.run(50);
      assert.deepEqual(peer.received(), data);
      assert.equal(peer.gotFin, true);
      assert.deepEqual(x.take(), []);
      peer.fin();
      x.run(50);
      assert.deepEqual(x.take(), [`peerFin ${ep}`, `ended ${ep} None 0`]);
    });

    it('passive close: readable before peerFin; ended(None) only after our FIN, and the bytes stay readable', () => {
      const x = rig();
      const { ep, peer } = x.connected();
      const data = bytes(200, 3);
      peer.send(data);
      peer.fin();
      x.run(50);
      const ev = x.take();
      assert.equal(ev[ev.length - 1], `peerFin ${ep}`);
      assert.ok(ev.length >= 2 && ev.slice(0, -1).every((e) => e === `readable ${ep}`), ev.join(', '));
      x.t.shutdownSend(ep);
      x.run(50);
      assert.deepEqual(x.take(), [`ended ${ep} None 0`]);
      assert.equal(x.t.readable(ep), 200);
      assert.deepEqual(recvAll(x.t, ep, 200), data);
      assert.equal(x.t.readable(ep), 0);
    });

    it('peer RST: ended(Reset) with no peerFin before it', () => {
      const x = rig();
      const { ep, peer } = x.connected();
      peer.rst();
      x.run(50);
      assert.deepEqual(x.take(), [`ended ${ep} Reset 0`]);
    });
  });

  describe('abort and release', () => {
    it('abort: frees the endpoint at once and nothing is reported for it afterwards', () => {
      const x = rig();
      const { ep, peer } = x.connected();
      const held = x.t.held();
      assert.equal(x.t.abort(ep), 0);
      assert.equal(x.t.held(), held - 1);
      peer.send(bytes(10));
      peer.fin();
      x.run(100);
      assert.deepEqual(x.take(), []);
      assert.equal(x.t.readable(ep), 0);
      assert.equal(x.t.recv(ep, new Uint8Array(4), 0, 4), TErr.Invalid, 'the id is no endpoint any more');
    });

    it('release of a live connection: false; later data is dropped, ended comes once after peerFin, then the endpoint is free', () => {
      const x = rig();
      const { ep, peer } = x.connected();
      x.t.send(ep, bytes(50), 0, 50);
      x.t.shutdownSend(ep);
      assert.equal(x.t.release(ep), false);
      assert.equal(x.t.held(), 1, 'the close still holds its resources');
      peer.send(bytes(20));
      x.run(20);
      assert.deepEqual(x.take(), [], 'data after release is not reported');
      peer.fin();
      x.run(50);
      assert.deepEqual(x.take(), [`peerFin ${ep}`, `ended ${ep} None 0`]);
      assert.equal(x.t.held(), 0);
      assert.equal(peer.received().length, 50);
      x.run(50);
      assert.deepEqual(x.take(), []);
    });

    it('release of an endpoint with no live connection (fresh, ended) frees it at once: true', () => {
      const x = rig();
      const a = x.t.open(EndpointKind.Stream);
      assert.ok(a >= 0);
      assert.equal(x.t.release(a), true);
      const { ep, peer } = x.connected();
      peer.rst();
      x.run(50);
      assert.deepEqual(x.take(), [`ended ${ep} Reset 0`]);
      assert.equal(x.t.release(ep), true);
      assert.equal(x.t.held(), 0);
      x.run(50);
      assert.deepEqual(x.take(), []);
    });
  });

  describe('queries and errors', () => {
    it('the read-only queries cost no bus traffic', () => {
      const x = rig();
      const { ep, peer } = x.connected();
      peer.send(bytes(64));
      x.run(20);
      x.take();
      const before = x.bus();
      const a: PeerAddress = { ip: 0, port: 0 };
      for (let i = 0; i < 50; i++) {
        x.t.readable(ep);
        x.t.writeSpace(ep);
        x.t.unsent(ep);
        x.t.pendingAccepts(ep);
        x.t.available();
        x.t.held();
        x.t.localIp();
        x.t.linkUp();
        x.t.maxEndpoints();
        x.t.localName(ep, a);
        x.t.peerName(ep, a);
      }
      assert.equal(x.bus() - before, 0);
      assert.equal(x.t.readable(ep), 64);
    });

    it('errors are values: bad endpoints and ranges get TErr.Invalid (or the documented -1/0/false/true), nothing throws', () => {
      const x = rig();
      const { ep } = x.connected();
      const buf = new Uint8Array(8);
      const a: PeerAddress = { ip: 0, port: 0 };
      for (const bad of [-1, 1.5, x.t.maxEndpoints(), 1e9, NaN, 'x' as unknown as number, undefined as unknown as number]) {
        const t = x.t;
        assert.equal(t.bind(bad, 0, 0), TErr.Invalid);
        assert.equal(t.listen(bad, 1), TErr.Invalid);
        assert.equal(t.connect(bad, 0x0a000001, 80), TErr.Invalid);
        assert.equal(t.accept(bad), TErr.Invalid);
        assert.equal(t.send(bad, buf, 0, 8), TErr.Invalid);
        assert.equal(t.sendTo(bad, buf, 0, 8, 0x0a000001, 80), TErr.Invalid);
        assert.equal(t.recv(bad, buf, 0, 8), TErr.Invalid);
        assert.equal(t.recvFrom(bad, buf, 0, 8, a), -1);
        assert.equal(t.readable(bad), 0);
        assert.equal(t.writeSpace(bad), 0);
        assert.equal(t.unsent(bad), 0);
        assert.equal(t.pendingAccepts(bad), 0);
        assert.equal(t.abort(bad), 0);
        assert.equal(t.release(bad), true);
        assert.equal(t.setOption(bad, 1, 1), false);
        assert.equal(t.localName(bad, a), false);
        assert.equal(t.peerName(bad, a), false);
        t.shutdownSend(bad);
      }
      assert.equal(x.t.send(ep, buf, 4, 8), TErr.Invalid, 'off + len past the end');
      assert.equal(x.t.send(ep, buf, -1, 2), TErr.Invalid);
      assert.equal(x.t.send(ep, [1, 2] as unknown as Uint8Array, 0, 2), TErr.Invalid);
      assert.equal(x.t.recv(ep, buf, 6, 4), TErr.Invalid);
      assert.equal(x.t.recv(ep, 'abc' as unknown as Uint8Array, 0, 2), TErr.Invalid);
      assert.equal(x.t.open(99 as EndpointKind), TErr.Invalid);
      x.run(10);
      assert.deepEqual(x.take(), [], 'no call had an effect');
    });
  });

  describe('NIC failure', () => {
    it('recv after a NIC failure fails NetDown and never returns 0, before and after ended(NetDown)', () => {
      const x = rig();
      const { ep, peer } = x.connected();
      peer.send(bytes(100));
      x.run(20);
      x.take();
      assert.equal(x.t.readable(ep), 100);
      x.failNic();
      const buf = new Uint8Array(100);
      assert.equal(x.t.recv(ep, buf, 0, 100), TErr.NetDown, 'the NIC is gone: no byte count, and not a graceful 0');
      assert.equal(x.t.recv(ep, buf, 0, 100), TErr.NetDown);
      x.t.pump();
      x.run(20);
      assert.deepEqual(x.take(), [`ended ${ep} NetDown 0`]);
      assert.equal(x.t.recv(ep, buf, 0, 100), TErr.NetDown);
      assert.equal(x.t.send(ep, buf, 0, 10), TErr.NetDown);
      assert.equal(x.t.open(EndpointKind.Stream), TErr.NetDown);
      assert.equal(x.t.available(), 0);
      assert.equal(x.t.linkUp(), false);
    });
  });

  describe('time, link and address', () => {
    it('pump returns -1 (nothing timed) or a time not before now; idle with nothing to do lets exactly the time pass', () => {
      const x = rig();
      x.connected();
      x.run(20);
      const now = x.now();
      const due = x.t.pump();
      assert.ok(due === -1 || due >= now, `pump returned ${due} at ${now}`);
      const before = x.bus();
      x.t.idle(now + 250);
      assert.equal(x.now(), now + 250);
      assert.equal(x.bus() - before, 0, 'idle services nothing');
    });

    it('idle returns early when the peer sends, well before its bound', () => {
      const x = rig();
      const { ep, peer } = x.connected();
      x.run(20);
      x.take();
      const start = x.now();
      peer.send(bytes(10));
      x.t.idle(start + 1000);
      const woke = x.now() - start;
      assert.ok(woke < 1000, `idle slept the whole 1000 ms (woke at ${woke})`);
      x.t.pump();
      assert.deepEqual(x.take(), [`readable ${ep}`]);
    });

    it('link down and up reach the sink as events; linkUp() follows', () => {
      const x = rig();
      x.connected();
      x.take();
      assert.equal(x.t.linkUp(), true);
      x.setLink(false);
      x.run(x.linkDelayMs);
      assert.deepEqual(x.take(), ['link down']);
      assert.equal(x.t.linkUp(), false);
      x.setLink(true);
      x.run(x.linkDelayMs);
      assert.deepEqual(x.take(), ['link up']);
      assert.equal(x.t.linkUp(), true);
    });

    it('setAddress after start: localIp() and bind follow the new address', () => {
      const x = rig();
      const ip = 0xc0a80142;
      assert.equal(x.t.setAddress(ip, 0xffffff00, 0xc0a80101), 0);
      assert.equal(x.t.localIp(), ip);
      const ep = x.t.open(EndpointKind.Stream);
      assert.equal(x.t.bind(ep, ip, 8080), 0);
      const a: PeerAddress = { ip: 0, port: 0 };
      assert.equal(x.t.localName(ep, a), true);
      assert.deepEqual(a, { ip, port: 8080 });
      assert.equal(x.t.abort(ep), 0);
    });
  });
}
