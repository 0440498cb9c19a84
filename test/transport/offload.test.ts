import assert from 'node:assert/strict';
import { EndpointKind, TErr, TOption } from '../../firmware/transport/transport';
import { SnReg, Sn_MR, socketBlock } from '../../hal/w5500/registers';
import type { PeerAddress } from '../../firmware/transport/transport';
import type { VTcpPeer } from '../../sim/w5500/virtual-net';
import { CHIP, PEER, PEER_IP, CHIP_IP, TRig, bytes } from './rig';

const PEER_PORT = 5000;

/** a connected stream endpoint: the chip connects to a virtual peer listening on PEER_IP:5000 */
function connected(r: TRig): { ep: number; peer: VTcpPeer } {
  const l = r.net.listen({ ip: PEER_IP, port: PEER_PORT });
  const before = l.accepted.length;
  const ep = r.t.open(EndpointKind.Stream);
  assert.equal(r.t.connect(ep, PEER, PEER_PORT), 0);
  assert.ok(r.runUntil(() => r.events.includes(`connectDone ${ep} None`), 100));
  r.take();
  return { ep, peer: l.accepted[before] };
}

function recvAll(r: TRig, ep: number): Uint8Array {
  const out = new Uint8Array(r.t.readable(ep));
  let at = 0;
  while (at < out.length) {
    const n = r.t.recv(ep, out, at, out.length - at);
    assert.ok(n > 0);
    at += n;
  }
  return out;
}

describe('offload transport on the W5500 model (virtual network)', () => {
  let r: TRig;
  afterEach(() => r.close());

  describe('connect', () => {
    it('reports connectDone(None) once the SYN/ACK is back, with names on both ends', () => {
      r = new TRig();
      r.net.listen({ ip: PEER_IP, port: PEER_PORT });
      const ep = r.t.open(EndpointKind.Stream);
      assert.equal(ep, 0);
      assert.equal(r.t.available(), 7);
      assert.equal(r.t.connect(ep, PEER, PEER_PORT), 0);
      assert.deepEqual(r.take(), [], 'nothing from inside the call');
      r.run(10);
      assert.deepEqual(r.take(), ['connectDone 0 None']);
      const a: PeerAddress = { ip: 0, port: 0 };
      assert.equal(r.t.peerName(ep, a), true);
      assert.deepEqual(a, { ip: PEER, port: PEER_PORT });
      assert.equal(r.t.localName(ep, a), true);
      assert.deepEqual(a, { ip: CHIP, port: 49152 });
      assert.deepEqual(r.wire(), ['chip>peer SYN', 'peer>chip SYN/ACK']);
    });

    it('a refused connect reports Refused and leaves the endpoint bound, ready to connect again', () => {
      r = new TRig();
      const ep = r.t.open(EndpointKind.Stream);
      assert.equal(r.t.connect(ep, PEER, PEER_PORT), 0);
      r.run(10);
      assert.deepEqual(r.take(), ['connectDone 0 Refused']);
      const a: PeerAddress = { ip: 0, port: 0 };
      assert.equal(r.t.peerName(ep, a), false);
      assert.equal(r.t.localName(ep, a), true);
      assert.equal(a.port, 49152);
      r.net.listen({ ip: PEER_IP, port: PEER_PORT });
      assert.equal(r.t.connect(ep, PEER, PEER_PORT), 0);
      r.run(10);
      assert.deepEqual(r.take(), ['connectDone 0 None']);
      assert.equal(r.t.localName(ep, a), true);
      assert.equal(a.port, 49152, 'the bound port is kept');
    });

    it('an address ARP never resolves reports Unreachable after ARP_TO (1.8 s)', () => {
      r = new TRig();
      r.net.setUnreachable(PEER_IP);
      const ep = r.t.open(EndpointKind.Stream);
      assert.equal(r.t.connect(ep, PEER, PEER_PORT), 0);
      r.run(1700);
      assert.deepEqual(r.take(), []);
      r.run(200);
      assert.deepEqual(r.take(), ['connectDone 0 Unreachable']);
    });

    it('a peer that never answers the SYN reports Timeout after TCP_TO (31.8 s)', () => {
      r = new TRig();
      r.net.listen({ ip: PEER_IP, port: PEER_PORT }).silent = true;
      const ep = r.t.open(EndpointKind.Stream);
      assert.equal(r.t.connect(ep, PEER, PEER_PORT), 0);
      r.run(31000);
      assert.deepEqual(r.take(), []);
      r.run(2000);
      assert.deepEqual(r.take(), ['connectDone 0 Timeout']);
    });
  });

  describe('listen and accept', () => {
    it('backlog 2: two hardware sockets listen, a third SYN is refused, each accept re-arms one', () => {
      r = new TRig();
      const l = r.t.open(EndpointKind.Stream);
      assert.equal(r.t.bind(l, 0, 7), 0);
      assert.equal(r.t.listen(l, 2), 0);
      assert.equal(r.t.freeHardwareSockets(), 6);
      const p1 = r.net.connect({ ip: PEER_IP, port: 40001 }, { ip: CHIP_IP, port: 7 });
      const p2 = r.net.connect({ ip: PEER_IP, port: 40002 }, { ip: CHIP_IP, port: 7 });
      r.run(5);
      const p3 = r.net.connect({ ip: PEER_IP, port: 40003 }, { ip: CHIP_IP, port: 7 });
      r.run(5);
      assert.deepEqual(r.take(), [`acceptable ${l}`, `acceptable ${l}`]);
      assert.equal(p1.state, 'ESTABLISHED');
      assert.equal(p2.state, 'ESTABLISHED');
      assert.equal(p3.state, 'REFUSED');
      assert.equal(r.t.pendingAccepts(l), 2);

      const a = r.t.accept(l);
      assert.equal(a, 1);
      const name: PeerAddress = { ip: 0, port: 0 };
      assert.equal(r.t.peerName(a, name), true);
      assert.deepEqual(name, { ip: PEER, port: 40001 }, 'the oldest connection first');
      assert.equal(r.t.localName(a, name), true);
      assert.deepEqual(name, { ip: CHIP, port: 7 });
      assert.equal(r.t.pendingAccepts(l), 1);
      assert.equal(r.t.freeHardwareSockets(), 5, 'one more listener armed');
      const p4 = r.net.connect({ ip: PEER_IP, port: 40004 }, { ip: CHIP_IP, port: 7 });
      r.run(5);
      assert.equal(p4.state, 'ESTABLISHED');
      assert.deepEqual(r.take(), [`acceptable ${l}`]);
      const b = r.t.accept(l);
      const c = r.t.accept(l);
      assert.equal(r.t.peerName(b, name), true);
      assert.equal(name.port, 40002);
      assert.equal(r.t.peerName(c, name), true);
      assert.equal(name.port, 40004);
      assert.equal(r.t.accept(l), TErr.Invalid, 'none ready');
      assert.equal(r.t.freeHardwareSockets(), 3, '3 connections, 2 listeners');
    });

    it('data and a FIN that arrive before accept are reported to the accepted endpoint on the next turn', () => {
      r = new TRig();
      const l = r.t.open(EndpointKind.Stream);
      r.t.bind(l, 0, 7);
      r.t.listen(l, 1);
      const p = r.net.connect({ ip: PEER_IP, port: 40001 }, { ip: CHIP_IP, port: 7 });
      r.run(5);
      p.send('early');
      p.fin();
      r.run(5);
      assert.deepEqual(r.take(), [`acceptable ${l}`]);
      const a = r.t.accept(l);
      assert.deepEqual(r.take(), []);
      r.run(1);
      assert.deepEqual(r.take(), [`readable ${a}`, `peerFin ${a}`]);
      assert.equal(new TextDecoder().decode(recvAll(r, a)), 'early');
    });

    it('abort of a listening endpoint gives back every hardware socket it held', () => {
      r = new TRig();
      const l = r.t.open(EndpointKind.Stream);
      r.t.bind(l, 0, 7);
      r.t.listen(l, 3);
      r.net.connect({ ip: PEER_IP, port: 40001 }, { ip: CHIP_IP, port: 7 });
      r.run(5);
      assert.equal(r.t.freeHardwareSockets(), 5);
      assert.equal(r.t.abort(l), 0);
      assert.equal(r.t.freeHardwareSockets(), 8);
      assert.equal(r.t.available(), 8);
    });
  });

  describe('data', () => {
    it('moves exact bytes both ways; a full TX ring takes nothing until the peer acknowledged, then writable', () => {
      r = new TRig();
      const { ep, peer } = connected(r);
      const out = bytes(3000);
      assert.equal(r.t.send(ep, out, 0, 3000), 2048, 'the whole 2 KB TX buffer');
      assert.equal(r.t.send(ep, out, 2048, 952), 0, 'nothing fits behind the SEND in flight');
      assert.equal(r.t.writeSpace(ep), 0);
      assert.equal(r.t.unsent(ep), 2048);
      r.run(10);
      assert.deepEqual(r.take(), [`writable ${ep}`]);
      assert.equal(r.t.writeSpace(ep), 2048);
      assert.equal(r.t.send(ep, out, 2048, 952), 952);
      r.run(10);
      assert.deepEqual(Buffer.from(peer.received), Buffer.from(out));
      assert.equal(r.t.unsent(ep), 0);
      assert.equal(r.t.writeSpace(ep), 2048);
      peer.send(bytes(100, 9));
      r.run(5);
      assert.deepEqual(r.take(), [`readable ${ep}`]);
      assert.equal(r.t.readable(ep), 100);
      assert.deepEqual(recvAll(r, ep), bytes(100, 9));
      assert.equal(r.t.readable(ep), 0);
    });

    it('sends while a SEND is in flight go into the TX ring and leave with one SEND at its SEND_OK', () => {
      r = new TRig();
      const { ep, peer } = connected(r);
      const out = bytes(1000);
      const w0 = r.net.wire.length;
      assert.equal(r.t.send(ep, out, 0, 400), 400);
      assert.equal(r.t.send(ep, out, 400, 100), 100, 'into the ring behind the SEND in flight');
      assert.equal(r.t.send(ep, out, 500, 500), 500);
      assert.equal(r.t.writeSpace(ep), 2048 - 1000);
      assert.equal(r.t.unsent(ep), 1000);
      r.run(10);
      const sent = r.wire(w0).filter((w) => w.startsWith('chip>peer'));
      assert.deepEqual(sent, ['chip>peer data 400', 'chip>peer data 600'], 'two SENDs: the first 400, then the 600 written meanwhile');
      assert.deepEqual(Buffer.from(peer.received), Buffer.from(out));
      assert.equal(r.t.unsent(ep), 0);
      assert.equal(r.t.writeSpace(ep), 2048);
    });

    it('the queries (readable, writeSpace, unsent, pendingAccepts, available) cost no bus traffic', () => {
      r = new TRig();
      const { ep, peer } = connected(r);
      const l = r.t.open(EndpointKind.Stream);
      r.t.listen(l, 1);
      const u = r.t.open(EndpointKind.Datagram);
      r.t.bind(u, 0, 5353);
      peer.send('abc');
      r.net.udpPeer({ ip: PEER_IP, port: 6000 }).sendTo({ ip: CHIP_IP, port: 5353 }, 'dg');
      r.t.send(ep, bytes(100), 0, 100);
      r.run(5);
      const c = r.model.trace.counters;
      const before = c.transactions;
      const got = [r.t.readable(ep), r.t.writeSpace(ep), r.t.unsent(ep), r.t.pendingAccepts(l), r.t.available(), r.t.readable(u), r.t.writeSpace(u)];
      assert.equal(c.transactions, before);
      assert.deepEqual(got, [3, 2048, 0, 0, 5, 2, 1472]);
    });

    it('unsent counts bytes the peer has not acknowledged (zero window)', () => {
      r = new TRig();
      const { ep, peer } = connected(r);
      peer.setZeroWindow(true);
      assert.equal(r.t.send(ep, bytes(500), 0, 500), 500);
      r.run(50);
      assert.equal(r.t.unsent(ep), 500);
      peer.setZeroWindow(false);
      r.run(300);
      assert.equal(r.t.unsent(ep), 0);
    });

    it('UDP: sendTo and recvFrom carry one datagram each, with its sender', () => {
      r = new TRig();
      const u = r.net.udpPeer({ ip: PEER_IP, port: 6000 });
      const ep = r.t.open(EndpointKind.Datagram);
      assert.equal(r.t.bind(ep, 0, 5353), 0);
      assert.equal(r.t.sendTo(ep, bytes(20), 0, 20, PEER, 6000), 20);
      r.run(5);
      assert.equal(u.received.length, 1);
      assert.deepEqual(u.received[0].bytes, bytes(20));
      assert.equal(u.received[0].from.port, 5353);
      u.sendTo({ ip: CHIP_IP, port: 5353 }, 'ping');
      r.run(5);
      assert.deepEqual(r.take(), [`readable ${ep}`]);
      assert.equal(r.t.readable(ep), 4);
      const buf = new Uint8Array(10);
      const from: PeerAddress = { ip: 0, port: 0 };
      assert.equal(r.t.recvFrom(ep, buf, 0, 10, from), 4);
      assert.equal(new TextDecoder().decode(buf.subarray(0, 4)), 'ping');
      assert.deepEqual(from, { ip: PEER, port: 6000 });
      assert.equal(r.t.readable(ep), -1);
      assert.equal(r.t.sendTo(ep, bytes(2000), 0, 2000, PEER, 6000), TErr.MsgSize);
    });
  });

  describe('teardown', () => {
    it('shutdownSend with data in flight: DISCON only after SEND_OK, so the FIN follows every byte', () => {
      r = new TRig();
      const { ep, peer } = connected(r);
      const w0 = r.net.wire.length;
      const data = bytes(1800);
      assert.equal(r.t.send(ep, data, 0, 1500), 1500);
      assert.equal(r.t.send(ep, data, 1500, 300), 300, 'into the TX ring while the first SEND is in flight');
      r.t.shutdownSend(ep);
      assert.equal(r.t.send(ep, bytes(1), 0, 1), TErr.Invalid, 'no send after shutdown');
      r.run(10);
      const out = r.wire(w0).filter((w) => w.startsWith('chip>peer'));
      assert.equal(out[out.length - 1], 'chip>peer FIN', 'the FIN is the last segment');
      assert.equal(out.slice(0, -1).reduce((n, w) => n + Number(w.split(' ')[2]), 0), 1800, 'every byte went before it');
      assert.deepEqual(Buffer.from(peer.received), Buffer.from(data));
      assert.equal(peer.gotFin, true);
      assert.deepEqual(r.take(), []);
      // half-close: the peer still sends, we still receive, then its FIN ends the connection
      peer.send('late reply');
      r.run(5);
      assert.deepEqual(r.take(), [`readable ${ep}`]);
      peer.fin();
      r.run(10);
      assert.deepEqual(r.take(), [`peerFin ${ep}`, `ended ${ep} None 0`]);
      assert.equal(new TextDecoder().decode(recvAll(r, ep)), 'late reply', 'still readable once CLOSED');
      assert.equal(r.t.release(ep), true);
      assert.equal(r.t.freeHardwareSockets(), 8);
    });

    it('peer FIN first (passive close): readable, peerFin, then our FIN ends it gracefully', () => {
      r = new TRig();
      const { ep, peer } = connected(r);
      peer.send('bye');
      peer.fin();
      r.run(5);
      assert.deepEqual(r.take(), [`readable ${ep}`, `peerFin ${ep}`]);
      assert.equal(new TextDecoder().decode(recvAll(r, ep)), 'bye');
      assert.equal(r.t.send(ep, bytes(10), 0, 10), 10, 'CLOSE_WAIT still sends');
      r.t.shutdownSend(ep);
      r.run(10);
      assert.deepEqual(r.take(), [`ended ${ep} None 0`]);
      assert.equal(peer.received.length, 10);
      assert.equal(peer.state, 'TIME_WAIT', 'the peer closed first');
    });

    it('peer RST: ended(Reset) with the unacknowledged bytes', () => {
      r = new TRig();
      const { ep, peer } = connected(r);
      peer.setZeroWindow(true);
      r.t.send(ep, bytes(300), 0, 300);
      assert.equal(r.t.send(ep, bytes(100), 0, 100), 100, 'into the TX ring, behind the SEND in flight');
      r.run(5);
      peer.rst();
      r.run(5);
      assert.deepEqual(r.take(), [`ended ${ep} Reset 400`], 'sent and not acknowledged, and not yet sent');
      assert.equal(r.t.unsent(ep), 400);
      assert.equal(r.t.send(ep, bytes(1), 0, 1), TErr.Invalid);
      assert.equal(r.t.release(ep), true);
      assert.equal(r.t.freeHardwareSockets(), 8);
    });

    it('retransmission TIMEOUT: ended(Timeout) with the unacknowledged bytes after TCP_TO', () => {
      r = new TRig();
      const { ep, peer } = connected(r);
      peer.setSilent(true);
      r.t.send(ep, bytes(64), 0, 64);
      r.run(31000);
      assert.deepEqual(r.take(), []);
      r.run(2000);
      assert.deepEqual(r.take(), [`ended ${ep} Timeout 64`]);
    });

    it('abort = CLOSE: nothing on the wire; the peer learns by RST to its next segment', () => {
      r = new TRig();
      const { ep, peer } = connected(r);
      const w0 = r.net.wire.length;
      assert.equal(r.t.abort(ep), 0);
      r.run(50);
      assert.deepEqual(r.wire(w0).filter((w) => w.startsWith('chip>peer')), [], 'CLOSE is silent');
      assert.deepEqual(r.take(), [], 'nothing reported after abort');
      assert.equal(peer.state, 'ESTABLISHED');
      assert.equal(r.t.freeHardwareSockets(), 8);
      peer.send('anyone?');
      r.run(5);
      assert.equal(peer.gotRst, true);
      assert.deepEqual(r.take(), []);
    });

    it('release: the close runs in the background and frees the hardware socket on CLOSED', () => {
      r = new TRig();
      const { ep, peer } = connected(r);
      r.t.send(ep, bytes(100), 0, 100);
      r.t.shutdownSend(ep);
      assert.equal(r.t.release(ep), false);
      assert.equal(r.t.freeHardwareSockets(), 7);
      peer.send('discarded');
      r.run(5);
      assert.deepEqual(r.take(), [], 'incoming data is read and dropped');
      peer.fin();
      r.run(10);
      assert.deepEqual(r.take(), [`peerFin ${ep}`, `ended ${ep} None 0`]);
      assert.equal(r.t.freeHardwareSockets(), 8);
      assert.equal(peer.received.length, 100);
    });

    it('release: no bound of its own (the socket layer bounds closes), the close waits for the peer until abort()', () => {
      r = new TRig();
      const { ep, peer } = connected(r);
      r.t.shutdownSend(ep);
      assert.equal(r.t.release(ep), false);
      r.run(30000); // the chip's own FIN_WAIT_2 end comes at TCP_TO, 31.8 s
      assert.deepEqual(r.take(), []);
      assert.equal(r.t.freeHardwareSockets(), 7);
      assert.equal(r.t.abort(ep), 0);
      assert.equal(r.t.freeHardwareSockets(), 8);
      r.run(1);
      assert.deepEqual(r.take(), [], 'nothing after abort');
      peer.send('x');
      r.run(5);
      assert.equal(peer.gotRst, true, 'CLOSE: the peer learns on its next segment');
    });

    it('no reclaim of its own: with all 8 hardware sockets held by background closes, open() fails NoBuffers', () => {
      r = new TRig();
      const held: { ep: number; peer: VTcpPeer }[] = [];
      for (let i = 0; i < 8; i++) held.push(connected(r));
      r.t.shutdownSend(held[0].ep);
      r.t.release(held[0].ep);
      r.run(5);
      r.take();
      assert.equal(r.t.freeHardwareSockets(), 0);
      assert.equal(r.t.available(), 0, 'closing sockets count as held');
      assert.equal(r.t.open(EndpointKind.Stream), TErr.NoBuffers);
      r.run(1);
      assert.deepEqual(r.take(), [], 'no close was cut short');
      assert.equal(r.t.abort(held[0].ep), 0, 'the layer reclaims by abort()');
      const ep = r.t.open(EndpointKind.Stream);
      assert.equal(ep, held[0].ep, 'the endpoint abort() freed');
      held[0].peer.send('x');
      r.run(5);
      assert.equal(held[0].peer.gotRst, true, 'CLOSE: the peer learns on its next segment');
      assert.equal(r.t.connect(ep, PEER, PEER_PORT), 0);
      r.run(5);
      assert.deepEqual(r.take(), [`connectDone ${ep} None`]);
    });
  });

  describe('hardware sockets and options', () => {
    it('open() takes a spare listener before failing; a listener keeps at least one socket in LISTEN', () => {
      r = new TRig();
      const l = r.t.open(EndpointKind.Stream);
      r.t.bind(l, 0, 7);
      r.t.listen(l, 3);
      const eps: number[] = [];
      for (let i = 0; i < 5; i++) eps.push(r.t.open(EndpointKind.Stream));
      assert.equal(r.t.freeHardwareSockets(), 0);
      assert.equal(r.t.available(), 2, 'two of the three listeners are spare');
      assert.deepEqual([r.t.open(EndpointKind.Stream), r.t.open(EndpointKind.Stream)], [6, 7], 'the listener is 0, the five before are 1 to 5');
      assert.equal(r.t.available(), 0);
      assert.equal(r.t.open(EndpointKind.Stream), TErr.NoBuffers);
      const p = r.net.connect({ ip: PEER_IP, port: 40001 }, { ip: CHIP_IP, port: 7 });
      r.run(5);
      assert.equal(p.state, 'ESTABLISHED', 'the last listener still answers');
      assert.deepEqual(r.take(), [`acceptable ${l}`]);
      r.t.abort(eps[0]);
      r.run(1);
      assert.equal(r.t.freeHardwareSockets(), 0, 'a socket that comes back re-arms the listener on the next turn');
    });

    it('a port is taken by its listener, not by accepted connections or background closes', () => {
      r = new TRig();
      const l = r.t.open(EndpointKind.Stream);
      assert.equal(r.t.bind(l, 0, 7), 0);
      r.t.listen(l, 1);
      const other = r.t.open(EndpointKind.Stream);
      assert.equal(r.t.bind(other, 0, 7), TErr.AddrInUse);
      const u = r.t.open(EndpointKind.Datagram);
      assert.equal(r.t.bind(u, 0, 7), 0, 'UDP has its own ports');
      r.net.connect({ ip: PEER_IP, port: 40001 }, { ip: CHIP_IP, port: 7 });
      r.run(5);
      const c = r.t.accept(l);
      r.t.shutdownSend(c);
      assert.equal(r.t.release(c), false);
      r.t.abort(l);
      assert.equal(r.t.bind(other, 0, 7), 0, 'the server can listen again while the old connection closes');
      assert.equal(r.t.listen(other, 1), 0);
    });

    it('release() of an endpoint with no live connection frees it at once', () => {
      r = new TRig();
      const a = r.t.open(EndpointKind.Stream);
      const l = r.t.open(EndpointKind.Stream);
      r.t.listen(l, 2);
      const u = r.t.open(EndpointKind.Datagram);
      r.t.bind(u, 0, 0);
      assert.equal(r.t.release(a), true);
      assert.equal(r.t.release(l), true);
      assert.equal(r.t.release(u), true);
      assert.equal(r.t.freeHardwareSockets(), 8);
      const c = connected(r);
      c.peer.rst();
      r.run(5);
      assert.deepEqual(r.take(), [`ended ${c.ep} Reset 0`]);
      assert.equal(r.t.release(c.ep), true);
      assert.equal(r.t.freeHardwareSockets(), 8);
      r.run(10);
      assert.deepEqual(r.take(), []);
    });

    it('shutdownSend before the connection is up sends the FIN right after CON', () => {
      r = new TRig();
      const l = r.net.listen({ ip: PEER_IP, port: PEER_PORT });
      const ep = r.t.open(EndpointKind.Stream);
      r.t.connect(ep, PEER, PEER_PORT);
      r.t.shutdownSend(ep);
      r.run(10);
      assert.deepEqual(r.take(), [`connectDone ${ep} None`]);
      assert.equal(l.accepted[0].gotFin, true);
    });

    it('TCP_NODELAY sets Sn_MR.ND at the next OPEN; keep-alive seconds become Sn_KPALVTR in 5 s units', () => {
      r = new TRig();
      r.net.listen({ ip: PEER_IP, port: PEER_PORT });
      const ep = r.t.open(EndpointKind.Stream);
      assert.equal(r.t.setOption(ep, TOption.NoDelay, 1), true);
      assert.equal(r.t.setOption(ep, TOption.KeepAlive, 12), true);
      r.t.connect(ep, PEER, PEER_PORT);
      r.run(5);
      const sn = 0;
      assert.equal(r.driver.bus.read(SnReg.Sn_MR, socketBlock(sn), 1)![0], Sn_MR.TCP | Sn_MR.ND);
      assert.equal(r.driver.bus.read(SnReg.Sn_KPALVTR, socketBlock(sn), 1)![0], 3);
      const u = r.t.open(EndpointKind.Datagram);
      assert.equal(r.t.setOption(u, TOption.NoDelay, 1), false, 'not a datagram option');
    });
  });

  describe('NIC failure', () => {
    it('a chip that stops answering: NetDown for every connection, connect and listener', () => {
      r = new TRig();
      const a = connected(r);
      const l = r.t.open(EndpointKind.Stream);
      r.t.bind(l, 0, 7);
      r.t.listen(l, 1);
      r.net.listen({ ip: PEER_IP, port: 6000 }).silent = true;
      const c = r.t.open(EndpointKind.Stream);
      r.t.connect(c, PEER, 6000);
      r.run(5);
      r.take();
      r.model.faults.chipAbsent = true;
      assert.equal(r.t.send(a.ep, bytes(10), 0, 10), TErr.NetDown);
      r.run(1);
      assert.deepEqual([a.ep, l, c], [0, 1, 2]);
      assert.deepEqual(r.take(), ['ended 0 NetDown 0', 'ended 1 NetDown 0', 'connectDone 2 NetDown']);
      assert.equal(r.t.open(EndpointKind.Stream), TErr.NetDown);
      assert.equal(r.t.available(), 0);
    });
  });
});
