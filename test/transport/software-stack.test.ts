/**
 * The software transport beyond the contract: what it does that the W5500 cannot (a real RST, TIME_WAIT
 * ended by its timer, more than 8 connections), the pump's deadline, NIC failure, ARP before the first
 * segment, accept, datagrams. ENC28J60 model, frame pipe, scripted TCP/IP host, virtual time.
 */
import assert from 'node:assert/strict';
import { EndpointKind, TErr } from '../../firmware/transport/transport';
import type { PeerAddress } from '../../firmware/transport/transport';
import { defaultTcpConfig } from '../../firmware/net/tcp/config';
import { SoftRig } from './software-rig';
import type { SoftRigOptions } from './software-rig';
import { DEVICE, PEER } from '../../sim/software/enc28j60-world';
import type { PeerTcp } from '../../sim/net/stack-peer';
import { bytes } from './contract';

const PORT = 5000;

/** what crossed the pipe, in order: "a ARP", "b TCP S", "a TCP R.", "a UDP 12" (a = device → peer) */
function tap(r: SoftRig): string[] {
  const log: string[] = [];
  r.w.pipe.intercept = (from, f) => {
    const type = (f[12] << 8) | f[13];
    if (type === 0x0806) log.push(`${from} ARP ${f[21] === 1 ? 'request' : 'reply'}`);
    else if (type === 0x0800 && f[23] === 6) {
      const t = 14 + (f[14] & 15) * 4;
      const fl = f[t + 13];
      const len = ((f[16] << 8) | f[17]) - (f[14] & 15) * 4 - (f[t + 12] >> 4) * 4;
      log.push(`${from} TCP ${fl & 2 ? 'S' : ''}${fl & 1 ? 'F' : ''}${fl & 4 ? 'R' : ''}${fl & 16 ? '.' : ''}${len > 0 ? ' ' + len : ''}`);
    } else if (type === 0x0800 && f[23] === 17) log.push(`${from} UDP ${((f[38] << 8) | f[39]) - 8}`);
    return false;
  };
  return log;
}

function connect(r: SoftRig): { ep: number; p: PeerTcp } {
  const l = r.w.peer.listeners.find((x) => x.port === PORT) ?? r.w.peer.listen(PORT);
  const before = l.conns.length;
  const ep = r.t.open(EndpointKind.Stream);
  assert.equal(r.t.connect(ep, PEER, PORT), 0);
  assert.ok(r.runUntil(() => r.events.includes(`connectDone ${ep} None`), 100), r.events.join(', '));
  r.run(1);
  r.take();
  return { ep, p: l.conns[before] };
}

describe('software transport on the ENC28J60 model: what the W5500 cannot do, and the stack underneath', () => {
  let r: SoftRig | undefined;
  const rig = (o: SoftRigOptions = {}): SoftRig => { r = new SoftRig(o); return r; };
  afterEach(() => { if (r) r.close(); r = undefined; });

  it('caps: a real RST, background closes hold memory, 1472-byte datagrams', () => {
    assert.deepEqual(rig().t.caps, { canSendReset: true, holdsAfterClose: true, maxDatagram: 1472 });
  });

  it('the first segment waits for ARP: request, reply, then SYN, SYN-ACK, ACK, in that order', () => {
    const x = rig();
    x.run(20); // the gratuitous ARP of the bring-up is out
    const log = tap(x);
    connect(x);
    assert.deepEqual(log, ['a ARP request', 'b ARP reply', 'a TCP S', 'b TCP S.', 'a TCP .']);
  });

  it('abort puts an RST on the wire at once: the peer has its reset before it sends anything', () => {
    const x = rig();
    const { ep, p } = connect(x);
    const log = tap(x);
    assert.equal(x.t.send(ep, bytes(300), 0, 300), 300);
    x.run(5);
    assert.equal(p.received().length, 300);
    assert.equal(x.t.abort(ep), 0, 'every byte was acknowledged');
    x.run(2);
    assert.equal(p.gotRst, true);
    assert.equal(log.filter((l) => l.startsWith('b ')).every((l) => l === 'b TCP .'), true, 'the peer sent nothing but ACKs: ' + log.join(', '));
    // RFC 9293 §3.10.5: <SEQ=SND.NXT><CTL=RST>, no ACK bit
    assert.deepEqual(log.filter((l) => l.startsWith('a ')), ['a TCP . 300', 'a TCP R']);
    assert.equal(x.t.held(), 0);
    x.run(100);
    assert.deepEqual(x.take(), []);
  });

  it('abort with unacknowledged bytes: their count comes back; the RST goes at once, and the peer that missed the bytes challenges it (RFC 5961) and takes the second', () => {
    const x = rig();
    const { ep, p } = connect(x);
    p.setSilent(true);
    assert.equal(x.t.send(ep, bytes(500), 0, 500), 500);
    x.run(5);
    assert.equal(x.t.unsent(ep), 500);
    p.setSilent(false);
    const log = tap(x);
    assert.equal(x.t.abort(ep), 500);
    x.run(2);
    // SEQ = SND.NXT is 500 beyond what the peer has: in its window but not RCV.NXT, so a challenge ACK,
    // answered from CLOSED by a RST at exactly the sequence it asked for
    assert.deepEqual(log, ['a TCP R', 'b TCP .', 'a TCP R']);
    assert.equal(p.gotRst, true);
  });

  it('pump returns the exact TCP deadline: -1 when nothing is timed, the RTO after a send, the delayed ACK', () => {
    const x = rig();
    const { ep, p } = connect(x);
    x.run(300);
    assert.equal(x.t.pump(), -1, 'connected and idle, keep-alive off: nothing timed');
    p.setSilent(true);
    const t0 = x.w.clock.now();
    assert.equal(x.t.send(ep, bytes(10), 0, 10), 10);
    assert.equal(x.t.pump(), t0 + 20, 'while the frame is in the chip: the driver\'s transmit watchdog (20 ms)');
    x.run(5);
    // RFC 6298: one RTT sample from the handshake, far below the 1 s floor, so RTO = rtoMin = 1000 ms
    assert.equal(x.t.pump(), t0 + 1000);
    p.setSilent(false);
    x.run(1500);
    assert.equal(x.t.unsent(ep), 0, 'the retransmission got through');
    assert.equal(x.t.pump(), -1);
    p.send(bytes(20));
    x.run(2);
    const t1 = x.w.clock.now();
    assert.equal(x.t.readable(ep), 20);
    const due = x.t.pump();
    assert.ok(due > t1 - 2 && due <= t1 - 2 + 200 + 1, `the delayed ACK is due within 200 ms of the segment (due ${due}, now ${t1})`);
  });

  it('TIME_WAIT is a real 2·MSL record ended by the timer; it holds no endpoint, and pump says when it ends', () => {
    const cfg = Object.assign(defaultTcpConfig(), { timeWait: 5000 });
    const x = rig({ transport: { tcp: cfg } });
    const total = x.t.available();
    const { ep, p } = connect(x);
    x.t.shutdownSend(ep);
    x.run(5);
    assert.equal(p.gotFin, true);
    p.fin();
    x.run(5);
    assert.deepEqual(x.take(), [`peerFin ${ep}`, `ended ${ep} None 0`]);
    const tcp = x.t.stackStats().tcp;
    assert.equal(tcp.timeWaits.length, 1);
    const until = tcp.timeWaits[0].until;
    assert.equal(x.t.release(ep), true);
    assert.equal(x.t.held(), 0);
    assert.equal(x.t.available(), total);
    assert.equal(x.t.pump(), until, 'the next deadline is the end of TIME_WAIT');
    x.w.clock.advance(until - x.w.clock.now() - 1);
    assert.equal(tcp.timeWaits.length, 1);
    x.run(2);
    assert.equal(tcp.timeWaits.length, 0, 'ended by the timer, without a pump from outside');
    assert.equal(x.t.pump(), -1);
  });

  it('no pool of 8: twelve connections at once with maxConns 12; the thirteenth gets NoBuffers', () => {
    const cfg = Object.assign(defaultTcpConfig(), { maxConns: 12 });
    const x = rig({ transport: { tcp: cfg } });
    const eps: number[] = [];
    for (let i = 0; i < 12; i++) eps.push(connect(x).ep);
    assert.equal(x.t.available(), 0);
    assert.equal(x.t.held(), 12);
    const ep = x.t.open(EndpointKind.Stream);
    assert.equal(x.t.connect(ep, PEER, PORT), TErr.NoBuffers);
    for (const e of eps) assert.equal(x.t.abort(e), 0);
    assert.equal(x.t.abort(ep), 0);
    assert.equal(x.t.available(), 12);
    assert.equal(x.t.held(), 0);
  });

  it('a peer connects: acceptable, accept, and the bytes and FIN it sent before accept are told after it, in order', () => {
    const x = rig();
    const l = x.t.open(EndpointKind.Stream);
    assert.equal(x.t.bind(l, 0, 7), 0);
    assert.equal(x.t.listen(l, 2), 0);
    const p = x.w.peer.connect(DEVICE, 7);
    p.send(bytes(100, 5));
    p.fin();
    x.run(20);
    assert.deepEqual(x.take(), [`acceptable ${l}`]);
    assert.equal(x.t.pendingAccepts(l), 1);
    const ep = x.t.accept(l);
    assert.ok(ep >= 0 && ep !== l);
    assert.deepEqual(x.take(), [], 'nothing inside accept');
    x.run(1);
    assert.deepEqual(x.take(), [`readable ${ep}`, `peerFin ${ep}`]);
    const buf = new Uint8Array(100);
    assert.equal(x.t.recv(ep, buf, 0, 100), 100);
    assert.deepEqual(buf, bytes(100, 5));
    const a: PeerAddress = { ip: 0, port: 0 };
    assert.equal(x.t.peerName(ep, a), true);
    assert.deepEqual(a, { ip: PEER, port: p.conn.localPort });
    assert.equal(x.t.localName(ep, a), true);
    assert.deepEqual(a, { ip: DEVICE, port: 7 });
  });

  it('datagrams both ways: exact bytes and source address; readable gives the next length', () => {
    const x = rig();
    const got: { src: number; sport: number; data: number[] }[] = [];
    const h = x.w.peer.nif.udp.open(9000, { udpInput(src, sport, dst, buf, off, len) { got.push({ src, sport, data: Array.from(buf.subarray(off, off + len)) }); } });
    assert.ok(h >= 0);
    const ep = x.t.open(EndpointKind.Datagram);
    assert.equal(x.t.bind(ep, 0, 4000), 0);
    assert.equal(x.t.readable(ep), -1);
    assert.equal(x.t.sendTo(ep, bytes(12, 2), 0, 12, PEER, 9000), 12, 'held for ARP counts as sent');
    x.run(5);
    assert.deepEqual(got, [{ src: DEVICE, sport: 4000, data: Array.from(bytes(12, 2)) }]);
    x.w.peer.nif.udp.sendTo(h, DEVICE, 4000, bytes(30, 3), 0, 30, x.w.clock.now());
    x.w.peer.nif.udp.sendTo(h, DEVICE, 4000, bytes(5, 4), 0, 5, x.w.clock.now());
    x.run(5);
    assert.deepEqual(x.take(), [`readable ${ep}`]);
    assert.equal(x.t.readable(ep), 30);
    const buf = new Uint8Array(64);
    const from: PeerAddress = { ip: 0, port: 0 };
    assert.equal(x.t.recvFrom(ep, buf, 0, 10, from), 30, 'the full length, truncated to 10');
    assert.deepEqual(buf.subarray(0, 10), bytes(30, 3).subarray(0, 10));
    assert.deepEqual(from, { ip: PEER, port: 9000 });
    assert.equal(x.t.readable(ep), 5);
    assert.equal(x.t.recvFrom(ep, buf, 0, 64, from), 5);
    assert.deepEqual(buf.subarray(0, 5), bytes(5, 4));
    assert.equal(x.t.readable(ep), -1);
    assert.equal(x.t.sendTo(ep, new Uint8Array(1473), 0, 1473, PEER, 9000), TErr.MsgSize);
  });

  it('a chip reset under the stack: recv fails NetDown at once (never 0, never the bytes), ended(NetDown) follows', () => {
    const x = rig();
    const { ep, p } = connect(x);
    p.send(bytes(40));
    x.run(5);
    x.take();
    x.w.model.faults.reset();
    const buf = new Uint8Array(40);
    assert.equal(x.t.recv(ep, buf, 0, 40), TErr.NetDown);
    assert.equal(x.t.readable(ep), 0);
    assert.deepEqual(x.take(), [], 'nothing told inside the call');
    x.run(1);
    assert.deepEqual(x.take(), [`ended ${ep} NetDown 0`]);
    assert.equal(x.t.recv(ep, buf, 0, 40), TErr.NetDown);
    assert.equal(x.t.pump(), -1);
  });

  it('ARP probe (RFC 5227, for DHCP): an address another host holds is a conflict; a free one is not', () => {
    const x = rig();
    x.run(20);
    const log = tap(x);
    assert.equal(x.t.probeAddress(PEER), 0);
    assert.equal(x.t.probeAddress(0xc0a80163), 0);
    x.run(50);
    assert.equal(x.t.addressConflict(0xc0a80163), false, 'nobody answered for .99');
    assert.equal(x.t.probeAddress(PEER), 0);
    x.run(50);
    assert.equal(x.t.addressConflict(PEER), true, 'the peer answered for .10');
    assert.deepEqual(log, ['a ARP request', 'a ARP request', 'b ARP reply', 'a ARP request', 'b ARP reply']);
    assert.equal(x.t.probeAddress(0), TErr.Invalid);
  });

  it('one ephemeral port picker: endpoints, TCP and UDP take ports in turn from the same range, never the same twice', () => {
    const x = rig();
    const u = x.t.open(EndpointKind.Datagram);
    assert.equal(x.t.bind(u, 0, 0), 0);
    const { ep } = connect(x);
    const { nif, tcp } = x.t.stackStats();
    const h = nif.udp.open(0, { udpInput() { /* nothing */ } });
    const a: PeerAddress = { ip: 0, port: 0 };
    assert.equal(x.t.localName(u, a), true);
    assert.equal(a.port, 49152);
    assert.equal(x.t.localName(ep, a), true);
    assert.equal(a.port, 49153);
    assert.equal(nif.udp.localPort(h), 49154, 'the UDP layer picks from the transport\'s picker');
    assert.equal(tcp.ephemeralPort(), 49155, 'and so does TCP');
    assert.equal(tcp.ports, nif.udp.ports);
  });

  it('a connection to an address nobody answers ARP for fails Unreachable when ARP gives up (3 requests, 1 s apart)', () => {
    const x = rig();
    x.run(20);
    const log = tap(x);
    const ep = x.t.open(EndpointKind.Stream);
    const t0 = x.w.clock.now();
    assert.equal(x.t.connect(ep, 0xc0a80163, 80), 0);
    assert.ok(x.runUntil(() => x.events.length > 0, 10000));
    assert.deepEqual(x.take(), [`connectDone ${ep} Unreachable`]);
    assert.equal(Math.round(x.w.clock.now() - t0), 3000);
    assert.deepEqual(log, ['a ARP request', 'a ARP request', 'a ARP request'], 'no segment left without a MAC');
    assert.equal(x.t.held(), 1, 'the endpoint is as after bind, its port kept');
    assert.equal(x.t.connect(ep, PEER, PORT), 0, 'and it can connect again');
    x.w.peer.listen(PORT);
    assert.ok(x.runUntil(() => x.events.includes(`connectDone ${ep} None`), 100));
  });

  it('a burst the driver cannot take at once waits in the frame queue: 6000 bytes arrive whole and in order', () => {
    const cfg = Object.assign(defaultTcpConfig(), { sndBuf: 6000 });
    const x = rig({ transport: { tcp: cfg } });
    const { ep, p } = connect(x);
    const data = bytes(6000, 9);
    assert.equal(x.t.send(ep, data, 0, 6000), 6000);
    x.run(200);
    assert.deepEqual(p.received(), data);
    assert.equal(x.t.unsent(ep), 0);
    const st = x.t.stackStats();
    assert.ok(st.txQueued > 0, 'segments went out back to back, so some waited for the driver');
    assert.equal(st.txDropped, 0);
  });
});
