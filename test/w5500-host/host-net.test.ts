import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as dgram from 'node:dgram';
import { HostNet } from '../../sim/w5500/host-net';
import { HostRoutes } from '../../sim/w5500/host-routes';
import type { Endpoint, TcpConn, TcpEvents } from '../../sim/w5500/network';
import { requireLoopback, until, settle } from './loopback';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** records TcpEvents as strings, in order */
class Recorder implements TcpEvents {
  log: string[] = [];
  /** bytes the next data() call takes (undefined: all) */
  take: number | undefined;
  connected() { this.log.push('connected'); }
  refused() { this.log.push('refused'); }
  data(b: Uint8Array): void {
    const t = this.take;
    if (t !== undefined) {
      this.take = undefined;
      this.log.push(`data ${hex(b.subarray(0, t))}`);
      return t as unknown as void;
    }
    this.log.push(`data ${hex(b)}`);
  }
  acked(n: number) { this.log.push(`acked ${n}`); }
  fin() { this.log.push('fin'); }
  finAcked() { this.log.push('finAcked'); }
  reset() { this.log.push('reset'); }
}

const CHIP: Endpoint = { ip: '192.168.1.10', port: 5000 };

function nodeServer(onConn: (s: net.Socket) => void): Promise<{ server: net.Server; port: number }> {
  return new Promise((resolve) => {
    // Shutting the network side down resets whatever is still open; that is expected here.
    const server = net.createServer({ allowHalfOpen: true }, (s) => { s.on('error', () => {}); onConn(s); });
    server.listen(0, '127.0.0.20', () => resolve({ server, port: (server.address() as net.AddressInfo).port }));
  });
}

describe('W5500 host network side (HostNet)', function () {
  let hn: HostNet;
  const closers: (() => void)[] = [];

  before(async function () {
    await requireLoopback(this);
  });
  beforeEach(() => {
    hn = new HostNet({ hostPort: () => 0 });
  });
  afterEach(() => {
    hn.shutdown();
    for (const c of closers.splice(0)) c();
  });

  it('maps virtual addresses to loopback and back through the route table', () => {
    const r = new HostRoutes([
      { virtual: '10.1.0.0', prefix: 16, host: '127.0.0.0' },
      { virtual: '192.168.1.0', prefix: 24, host: '127.0.5.0' },
    ]);
    assert.equal(r.toHost('10.1.2.3'), '127.0.2.3');
    assert.equal(r.toHost('192.168.1.77'), '127.0.5.77');
    assert.equal(r.toHost('192.168.2.1'), undefined);
    assert.equal(r.toHost('not.an.ip.x'), undefined);
    assert.equal(r.toVirtual('127.0.5.77'), '10.1.5.77'); // first match wins both ways
    assert.equal(r.toVirtual('::ffff:127.0.0.9'), '10.1.0.9');
    assert.equal(r.toVirtual('10.9.9.9'), '10.9.9.9');
    assert.equal(hn.resolves('192.168.1.20'), true);
    assert.equal(hn.resolves('192.168.2.20'), false);
    assert.throws(() => new HostRoutes([{ virtual: '1.2.3', prefix: 8, host: '127.0.0.0' }]), /bad host route/);
  });

  it('carries a connection: connected, data both ways, acked counts, FIN both ways, events only from poll', async () => {
    let peer!: net.Socket;
    const got: Buffer[] = [];
    let peerEnded = false;
    const { server, port } = await nodeServer((s) => {
      peer = s;
      s.on('data', (b) => got.push(b));
      s.on('end', () => { peerEnded = true; });
    });
    closers.push(() => server.close());
    const rec = new Recorder();
    const conn = hn.tcpConnect(CHIP, { ip: '192.168.1.20', port }, rec);
    assert.deepEqual(conn.remote, { ip: '192.168.1.20', port });
    await until(() => peer !== undefined && hn.hasPending(), 'the handshake');
    assert.deepEqual(rec.log, [], 'nothing is delivered before poll');
    hn.poll(0);
    assert.deepEqual(rec.log, ['connected']);
    assert.equal(peer.remoteAddress, '127.0.0.10', 'the chip IP maps to its loopback address');

    conn.send(new Uint8Array([0x68, 0x65, 0x6c, 0x6c, 0x6f]));
    await until(() => Buffer.concat(got).length === 5, 'the peer to receive 5 bytes', () => hn.poll(0));
    assert.equal(Buffer.concat(got).toString(), 'hello');
    peer.write(Buffer.from([1, 2, 3]));
    peer.end();
    await until(() => rec.log.includes('fin'), 'the peer FIN', () => hn.poll(0));
    assert.deepEqual(rec.log, ['connected', 'acked 5', 'data 010203', 'fin']);

    conn.fin();
    await until(() => peerEnded && rec.log.includes('finAcked'), 'our FIN', () => hn.poll(0));
    assert.deepEqual(rec.log, ['connected', 'acked 5', 'data 010203', 'fin', 'finAcked']);
    conn.keepAlive();
    await settle(5);
    hn.poll(0);
    assert.deepEqual(rec.log.slice(5), [], 'no keep-alive answer once the connection has closed');
  });

  it('reports a refused CONNECT and a peer RST, and answers a keep-alive with acked(0)', async () => {
    const probe = await nodeServer(() => {});
    const closedPort = probe.port;
    await new Promise((r) => probe.server.close(r));
    const rec = new Recorder();
    hn.tcpConnect(CHIP, { ip: '192.168.1.20', port: closedPort }, rec);
    await until(() => rec.log.length > 0, 'the refusal', () => hn.poll(0));
    assert.deepEqual(rec.log, ['refused']);

    let peer!: net.Socket;
    const { server, port } = await nodeServer((s) => { peer = s; });
    closers.push(() => server.close());
    const rec2 = new Recorder();
    const conn = hn.tcpConnect(CHIP, { ip: '192.168.1.20', port }, rec2);
    await until(() => peer !== undefined && rec2.log.length === 1, 'the handshake', () => hn.poll(0));
    conn.keepAlive();
    await until(() => rec2.log.length === 2, 'the keep-alive answer', () => hn.poll(0));
    peer.resetAndDestroy();
    await until(() => rec2.log.length === 3, 'the reset', () => hn.poll(0));
    assert.deepEqual(rec2.log, ['connected', 'acked 0', 'reset']);
  });

  it('reports a peer RST that arrives together with its data as reset, not as FIN', async () => {
    // The peer writes and resets in one tick, so data and RST wait together in the chip's OS socket
    // and libuv reports EOF after the data (POLLHUP) without reading the pending ECONNRESET.
    let peer!: net.Socket;
    const { server, port } = await nodeServer((s) => {
      peer = s;
      s.on('data', () => { s.write(Buffer.from([0xc0, 0xc1, 0xc2])); s.resetAndDestroy(); });
    });
    closers.push(() => server.close());
    const rec = new Recorder();
    const conn = hn.tcpConnect(CHIP, { ip: '192.168.1.20', port }, rec);
    await until(() => peer !== undefined && rec.log.length === 1, 'the handshake', () => hn.poll(0));
    conn.send(new Uint8Array([0x01]));
    await until(() => rec.log.length === 4, 'data and the end of the connection', () => hn.poll(0));
    await settle();
    hn.poll(0);
    assert.deepEqual(rec.log, ['connected', 'acked 1', 'data c0c1c2', 'reset']);
    conn.send(new Uint8Array([0x02]));
    await settle();
    hn.poll(0);
    assert.deepEqual(rec.log.slice(4), [], 'nothing after the reset');
    assert.deepEqual(hn.errors, []);
  });

  it('reports a peer RST after its FIN as reset once the chip writes (CLOSE_WAIT → CLOSED)', async () => {
    let peer!: net.Socket;
    let peerFinished = false;
    const { server, port } = await nodeServer((s) => {
      peer = s;
      s.on('finish', () => { peerFinished = true; });
    });
    closers.push(() => server.close());
    const rec = new Recorder();
    const conn = hn.tcpConnect(CHIP, { ip: '192.168.1.20', port }, rec);
    await until(() => peer !== undefined && rec.log.length === 1, 'the handshake', () => hn.poll(0));
    peer.end(Buffer.from([0xd0]));
    await until(() => rec.log.includes('fin') && peerFinished, 'the peer FIN', () => hn.poll(0));
    assert.deepEqual(rec.log, ['connected', 'data d0', 'fin']);
    peer.resetAndDestroy();
    await settle();
    hn.poll(0);
    assert.deepEqual(rec.log.slice(3), [], 'the OS socket stopped reading at EOF: the RST waits for a write');
    conn.send(new Uint8Array([0x03]));
    await until(() => rec.log.length === 4, 'the reset', () => hn.poll(0));
    assert.deepEqual(rec.log.slice(3), ['reset']);
    assert.deepEqual(hn.errors, []);
  });

  it('silence() keeps the OS socket quiet and answers the peer’s next data with RST', async () => {
    let peer!: net.Socket;
    let peerError: string | undefined;
    let peerClosed = false;
    const { server, port } = await nodeServer((s) => {
      peer = s;
      s.on('error', (e: NodeJS.ErrnoException) => { peerError = e.code; });
      s.on('close', () => { peerClosed = true; });
    });
    closers.push(() => server.close());
    const rec = new Recorder();
    const conn = hn.tcpConnect(CHIP, { ip: '192.168.1.20', port }, rec);
    await until(() => peer !== undefined && rec.log.length === 1, 'the handshake', () => hn.poll(0));
    peer.write('queued before CLOSE');
    await settle();
    conn.silence();
    hn.poll(0);
    await settle();
    assert.equal(peerClosed, false, 'CLOSE sends nothing: the peer has not heard of it');
    peer.write('after CLOSE');
    await until(() => peerClosed, 'the peer to see the reset');
    assert.equal(peerError, 'ECONNRESET');
    hn.poll(0);
    assert.deepEqual(rec.log, ['connected'], 'nothing reaches the chip after CLOSE');
  });

  it('shares one OS server among hardware listeners on a port, on the chip’s own address; refuses once none listens', async () => {
    const takers: string[] = [];
    const recA = new Recorder();
    const recB = new Recorder();
    let busyA = true;
    let acceptedB: TcpConn | undefined;
    const la = hn.tcpListen({ ip: CHIP.ip, port: 80 }, () => { takers.push('A'); return busyA ? undefined : recA; });
    const lb = hn.tcpListen({ ip: CHIP.ip, port: 80 }, (c) => { takers.push('B'); acceptedB = c; return recB; });
    await until(() => hn.hostAddress('tcp', 80) !== undefined, 'the listening port');
    const at = hn.hostAddress('tcp', 80)!;
    assert.equal(at.address, '127.0.0.10', 'the listening port opens on the address SIPR maps to');
    assert.equal(hn.bound().filter((b) => b.proto === 'tcp').length, 1, 'one OS server for two hardware listeners');

    const c1 = net.connect({ host: at.address, port: at.port, localAddress: '127.0.0.30' });
    c1.on('error', () => {});
    closers.push(() => c1.destroy());
    await new Promise((r) => c1.once('connect', r));
    c1.write('x');
    await until(() => recB.log.length > 0, 'the hand-over', () => hn.poll(0));
    assert.deepEqual(takers, ['A', 'B']);
    assert.deepEqual(acceptedB!.remote, { ip: '192.168.1.30', port: c1.localPort });
    assert.deepEqual(recB.log, ['data 78']);

    lb.close();
    busyA = false;
    const c2 = net.connect({ host: at.address, port: at.port });
    c2.on('error', () => {});
    closers.push(() => c2.destroy());
    await until(() => recA.log.length === 0 && takers.length === 3, 'the second hand-over', () => hn.poll(0));
    assert.deepEqual(takers, ['A', 'B', 'A']);

    la.close();
    let c3err: string | undefined;
    let c3connected = false;
    const c3 = net.connect({ host: at.address, port: at.port });
    c3.on('error', (e: NodeJS.ErrnoException) => { c3err = e.code; });
    c3.on('connect', () => { c3connected = true; });
    await until(() => c3.destroyed, 'the refusal of a SYN nobody listens for', () => hn.poll(0));
    assert.equal(c3err, 'ECONNREFUSED', 'refused, not accepted and then reset');
    assert.equal(c3connected, false);
    assert.deepEqual(takers, ['A', 'B', 'A']);
  });

  it('holds data the model could not take, pauses the OS socket, and delivers the rest later in order', async () => {
    let peer!: net.Socket;
    const { server, port } = await nodeServer((s) => { peer = s; });
    closers.push(() => server.close());
    const rec = new Recorder();
    hn.tcpConnect(CHIP, { ip: '192.168.1.20', port }, rec);
    await until(() => peer !== undefined && rec.log.length === 1, 'the handshake', () => hn.poll(0));
    peer.end(Buffer.from([0xa0, 0xa1, 0xa2, 0xa3]));
    await until(() => hn.hasPending(), 'data and FIN');
    await settle();
    rec.take = 1;
    hn.poll(0);
    assert.deepEqual(rec.log, ['connected', 'data a0']);
    assert.equal(hn.hasPending(), true);
    hn.poll(0);
    assert.deepEqual(rec.log, ['connected', 'data a0', 'data a1a2a3', 'fin']);
  });

  it('carries UDP datagrams both ways with virtual source addresses', async () => {
    const got: { from: Endpoint; hex: string }[] = [];
    const u = hn.udpOpen({ ip: CHIP.ip, port: 7 }, { datagram: (from, b) => got.push({ from, hex: hex(b) }) });
    await until(() => hn.hostAddress('udp', 7) !== undefined, 'the UDP bind');
    const at = hn.hostAddress('udp', 7)!;
    const peer = dgram.createSocket('udp4');
    closers.push(() => peer.close());
    await new Promise<void>((r) => peer.bind(0, '127.0.0.20', () => r()));
    const peerPort = peer.address().port;
    const echoed = new Promise<{ msg: Buffer; from: dgram.RemoteInfo }>((r) => peer.once('message', (msg, from) => r({ msg, from })));
    peer.send(Buffer.from([0xde, 0xad]), at.port, at.address);
    await until(() => got.length === 1, 'the datagram', () => hn.poll(0));
    assert.deepEqual(got, [{ from: { ip: '192.168.1.20', port: peerPort }, hex: 'dead' }]);
    u.sendTo({ ip: '192.168.1.20', port: peerPort }, new Uint8Array([0xbe, 0xef]));
    const e = await echoed;
    assert.equal(e.msg.toString('hex'), 'beef');
    assert.equal(e.from.port, at.port);
    u.close();
    u.sendTo({ ip: '192.168.1.20', port: peerPort }, new Uint8Array([1]));
  });

  it('reports ICMP port unreachable for a datagram to a closed port, once per datagram, with the virtual destination', async () => {
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((r) => probe.bind(0, '127.0.0.20', () => r()));
    const closedPort = probe.address().port;
    await new Promise<void>((r) => probe.close(() => r()));
    const log: string[] = [];
    const u = hn.udpOpen({ ip: CHIP.ip, port: 9 }, {
      datagram: (from, b) => log.push(`datagram ${from.ip}:${from.port} ${hex(b)}`),
      unreachable: (to) => log.push(`unreachable ${to.ip}:${to.port}`),
    });
    u.sendTo({ ip: '192.168.1.20', port: closedPort }, new Uint8Array([1]));
    await until(() => log.length === 1, 'the ICMP error', () => hn.poll(0));
    assert.deepEqual(log, [`unreachable 192.168.1.20:${closedPort}`]);
    u.sendTo({ ip: '192.168.1.20', port: closedPort }, new Uint8Array([2]));
    await until(() => log.length === 2, 'the second ICMP error', () => hn.poll(0));
    assert.deepEqual(log.slice(1), [`unreachable 192.168.1.20:${closedPort}`]);
    assert.deepEqual(hn.errors, []);
  });
});
