import assert from 'node:assert/strict';
import { Rig, ip4, PEER_IP, CHIP_IP } from '../../sim/w5500/driver-rig';
import { W5500Err } from '../../hal/w5500/errors';
import { SnEvent } from '../../hal/w5500/events';
import { Sn_MR, Sn_SR } from '../../hal/w5500/registers';

const PORT = 7000;

function up(o: ConstructorParameters<typeof Rig>[0] = {}): Rig {
  const r = new Rig(Object.assign({ latencyMs: 0.5 }, o));
  assert.equal(r.driver.begin(), W5500Err.OK);
  return r;
}

function client(r: Rig, sn = 0) {
  const l = r.net.listen({ ip: PEER_IP, port: PORT });
  assert.equal(r.driver.open(sn, Sn_MR.TCP | Sn_MR.ND, 41000 + sn), W5500Err.OK);
  assert.equal(r.driver.connect(sn, ip4(PEER_IP), PORT), W5500Err.OK);
  assert.ok(r.runUntil(() => r.events.includes(sn + ':CON'), 100));
  return l.accepted[l.accepted.length - 1];
}

function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

describe('W5500 driver: TCP client', () => {
  it('connects, sends, receives, and closes passively: CON, SEND_OK, RECV, DISCON, CLOSED in order', () => {
    const r = up({ model: { trace: true } });
    const peer = client(r);
    assert.deepEqual(r.take(), ['0:CON']);
    assert.ok(r.frames().includes('W S0 0000 21'), 'Sn_MR = TCP | ND');
    assert.equal(r.driver.lastState(0), Sn_SR.SOCK_ESTABLISHED);
    assert.equal(r.driver.send(0, new TextEncoder().encode('hello')), 5);
    assert.equal(r.driver.sending(0), true);
    r.run(5);
    assert.equal(peer.text(), 'hello');
    assert.deepEqual(r.take(), ['0:SEND_OK']);
    peer.send('world!');
    peer.fin();
    r.run(5);
    assert.deepEqual(r.take(), ['0:RECV', '0:DISCON']);
    assert.equal(r.driver.lastState(0), Sn_SR.SOCK_CLOSE_WAIT);
    const buf = new Uint8Array(64);
    assert.equal(r.driver.recv(0, buf), 6);
    assert.equal(text(buf.subarray(0, 6)), 'world!');
    assert.equal(r.driver.recv(0, buf), 0);
    assert.equal(r.driver.disconnect(0), W5500Err.OK);
    r.run(5);
    assert.deepEqual(r.take(), ['0:CLOSED']);
    assert.equal(peer.gotFin, true);
    assert.equal(r.driver.close(0), W5500Err.OK);
    r.run(5);
    assert.deepEqual(r.take(), []);
  });

  it('closes actively: DISCON from the peer\'s FIN, then CLOSED once TIME_WAIT ends (polled: no interrupt for it)', () => {
    const r = up();
    const peer = client(r);
    r.take();
    peer.onFin = () => peer.fin();
    assert.equal(r.driver.disconnect(0), W5500Err.OK);
    assert.equal(r.driver.disconnect(0), W5500Err.STATE);
    assert.ok(r.runUntil(() => r.events.includes('0:CLOSED'), 50));
    assert.deepEqual(r.take(), ['0:DISCON', '0:CLOSED']);
    assert.equal(r.driver.lastState(0), Sn_SR.SOCK_CLOSED);
  });

  it('half-closed by us (FIN_WAIT): no polling while the peer keeps its side open; its data and FIN come by interrupt', () => {
    const r = up({ model: { trace: true } });
    const peer = client(r);
    r.take();
    assert.equal(r.driver.disconnect(0), W5500Err.OK);
    r.run(5);
    assert.equal(r.driver.lastState(0), Sn_SR.SOCK_FIN_WAIT);
    r.model.trace.reset();
    r.run(5000);
    assert.equal(r.model.trace.counters.transactions, 0);
    peer.send('more');
    r.run(5);
    assert.deepEqual(r.take(), ['0:RECV']);
    const buf = new Uint8Array(8);
    assert.equal(r.driver.recv(0, buf), 4);
    peer.fin();
    assert.ok(r.runUntil(() => r.events.includes('0:CLOSED'), 100));
    assert.deepEqual(r.take(), ['0:DISCON', '0:CLOSED']);
  });

  it('discard drops waiting bytes without reading the RX buffer: Sn_RX_RSR, Sn_RX_RD, RECV', () => {
    const r = up({ model: { trace: true } });
    const peer = client(r);
    peer.send(new Uint8Array(1500));
    r.run(5);
    r.take();
    r.model.trace.reset();
    assert.equal(r.driver.discard(0), 1500);
    // Sn_RX_RSR with Sn_RX_RD, twice (the stable-read rule); Sn_RX_RD += 1500; RECV; Sn_CR/Sn_IR/Sn_SR
    assert.deepEqual(r.frames(), ['R S0 0026 4', 'R S0 0026 4', 'W S0 0028 05 dc', 'W S0 0001 40', 'R S0 0001 3']);
    assert.equal(r.driver.discard(0), 0);
    peer.send('after');
    r.run(5);
    const buf = new Uint8Array(16);
    assert.equal(r.driver.recv(0, buf), 5);
    assert.equal(text(buf.subarray(0, 5)), 'after');
  });

  it('one SEND in flight: what is written meanwhile waits in the TX ring and goes with one SEND at SEND_OK', () => {
    const r = up({ model: { trace: true } });
    const peer = client(r);
    r.take();
    const a = new Uint8Array(100).fill(1);
    const b = new Uint8Array(60).fill(2);
    const c = new Uint8Array(40).fill(3);
    assert.equal(r.driver.send(0, a), 100);
    r.model.trace.reset();
    assert.equal(r.driver.send(0, b), 60);
    assert.equal(r.driver.send(0, c), 40);
    assert.equal(r.driver.sending(0), true);
    // the data only: no Sn_TX_WR, no SEND while the first SEND awaits SEND_OK
    assert.deepEqual(r.frames().map((f) => f.split(' ').slice(0, 3).join(' ')), ['W S0_TX 0064', 'W S0_TX 00a0']);
    r.model.trace.reset();
    r.run(5);
    // SEND_OK: Sn_IR+Sn_SR, clear it, then Sn_TX_WR past both writes and one SEND for their 100 bytes
    assert.deepEqual(r.frames().slice(0, 5), ['R S0 0002 2', 'W S0 0002 10', 'W S0 0024 00 c8', 'W S0 0001 20', 'R S0 0001 3']);
    r.run(5);
    assert.deepEqual(r.take(), ['0:SEND_OK', '0:SEND_OK']);
    assert.equal(r.driver.sending(0), false);
    assert.deepEqual(Buffer.from(peer.received), Buffer.concat([a, b, c]));
  });

  it('a full TX ring takes nothing more until the peer has acknowledged; WRITABLE or SEND_OK tells when', () => {
    const r = up();
    const peer = client(r);
    r.take();
    const d = new Uint8Array(3000);
    for (let i = 0; i < d.length; i++) d[i] = i & 0xff;
    assert.equal(r.driver.send(0, d), 2048);
    assert.equal(r.driver.send(0, d.subarray(2048)), 0);
    r.run(5);
    assert.deepEqual(r.take(), ['0:SEND_OK', '0:WRITABLE']);
    assert.equal(r.driver.send(0, d.subarray(2048)), 952);
    r.run(5);
    assert.deepEqual(Buffer.from(peer.received), Buffer.from(d));
  });

  it('refuses sending in the wrong state or on the wrong protocol', () => {
    const r = up();
    client(r);
    const d = new Uint8Array(100);
    assert.equal(r.driver.send(1, d), W5500Err.STATE);
    assert.equal(r.driver.sendTo(0, d, ip4(PEER_IP), PORT), W5500Err.STATE);
    assert.equal(r.driver.send(9, d), W5500Err.ARG);
    assert.equal(r.driver.send(-1, d), W5500Err.ARG);
    assert.equal(r.driver.open(0, Sn_MR.TCP, 1), W5500Err.STATE);
    assert.equal(r.driver.open(3, Sn_MR.MACRAW, 1), W5500Err.ARG);
    assert.equal(r.driver.open(3, 0x07, 1), W5500Err.ARG);
  });

  it('reports a refused CONNECT as RESET and an unanswered one as TIMEOUT', () => {
    const r = up({ driver: { rtr: 100, rcr: 2 } });
    const l = r.net.listen({ ip: PEER_IP, port: PORT });
    l.refuse = true;
    assert.equal(r.driver.open(0, Sn_MR.TCP, 41000), W5500Err.OK);
    assert.equal(r.driver.connect(0, ip4(PEER_IP), PORT), W5500Err.OK);
    r.run(5);
    assert.deepEqual(r.take(), ['0:RESET']);
    assert.equal(r.driver.close(0), W5500Err.OK);
    l.refuse = false;
    l.silent = true;
    assert.equal(r.driver.open(0, Sn_MR.TCP, 41001), W5500Err.OK);
    assert.equal(r.driver.connect(0, ip4(PEER_IP), PORT), W5500Err.OK);
    // TCP_TO with RTR 10 ms, RCR 2: 10 + 20 + 40 = 70 ms
    assert.ok(r.runUntil(() => r.events.length > 0, 200));
    assert.deepEqual(r.take(), ['0:TIMEOUT']);
    assert.ok(Math.abs(r.clock.now() - 5 - 70) < 2, 'at ' + r.clock.now());
    assert.equal(r.driver.lastState(0), Sn_SR.SOCK_CLOSED);
  });

  it('finds a refused CONNECT that raises no interrupt by polling Sn_SR (model option rstIr 0)', () => {
    const r = up({ model: { rstIr: 0 } });
    r.net.listen({ ip: PEER_IP, port: PORT }).refuse = true;
    assert.equal(r.driver.open(0, Sn_MR.TCP, 41000), W5500Err.OK);
    const t0 = r.clock.now();
    assert.equal(r.driver.connect(0, ip4(PEER_IP), PORT), W5500Err.OK);
    r.run(50);
    assert.deepEqual(r.events, []);
    assert.equal(r.model.intn, true);
    r.run(100);
    assert.deepEqual(r.events, ['0:RESET']);
    assert.equal(r.times[0], t0 + 100, 'found by the first connect-watch poll');
  });

  it('DISCON on a connection still being set up ends it at once with CLOSED', () => {
    const r = up();
    r.net.listen({ ip: PEER_IP, port: PORT }).silent = true;
    assert.equal(r.driver.open(0, Sn_MR.TCP, 41000), W5500Err.OK);
    assert.equal(r.driver.connect(0, ip4(PEER_IP), PORT), W5500Err.OK);
    r.run(5);
    assert.equal(r.driver.lastState(0), Sn_SR.SOCK_SYNSENT);
    assert.equal(r.driver.disconnect(0), W5500Err.OK);
    r.run(5);
    assert.deepEqual(r.take(), ['0:CLOSED']);
  });

  it('reports a peer RST on an established connection as RESET, and the data before it stays readable', () => {
    const r = up();
    const peer = client(r);
    r.take();
    peer.send('last words');
    peer.rst();
    r.run(5);
    assert.deepEqual(r.take(), ['0:RECV', '0:RESET']);
    const buf = new Uint8Array(32);
    assert.equal(r.driver.recv(0, buf), 10);
    assert.equal(text(buf.subarray(0, 10)), 'last words');
    assert.equal(r.driver.recv(0, buf), 0);
  });

  it('reads data that arrives after our DISCON, and after CLOSED until the next OPEN', () => {
    const r = up();
    const peer = client(r);
    r.take();
    peer.onFin = () => { peer.send('late reply'); peer.fin(); };
    assert.equal(r.driver.disconnect(0), W5500Err.OK);
    assert.ok(r.runUntil(() => r.events.includes('0:CLOSED'), 50));
    assert.deepEqual(r.take(), ['0:RECV', '0:DISCON', '0:CLOSED']);
    assert.equal(r.driver.close(0), W5500Err.OK);
    assert.equal(r.driver.rxAvailable(0), 10);
    const buf = new Uint8Array(4);
    assert.equal(r.driver.recv(0, buf), 4);
    assert.equal(text(buf), 'late');
    const rest = new Uint8Array(16);
    assert.equal(r.driver.recv(0, rest), 6);
    assert.equal(text(rest.subarray(0, 6)), ' reply');
    assert.equal(r.driver.recv(0, rest), 0);
    assert.equal(r.driver.open(0, Sn_MR.TCP, 41002), W5500Err.OK);
    assert.equal(r.driver.rxAvailable(0), 0);
  });

  it('sends SEND_KEEP on request and programs Sn_KPALVTR for automatic probes', () => {
    const r = up();
    const peer = client(r);
    assert.equal(r.driver.send(0, new Uint8Array([1])), 1); // the chip probes only after one exchange
    r.run(5);
    assert.equal(r.driver.keepAlive(0), W5500Err.OK);
    r.run(5);
    assert.equal(peer.keepAlives, 1);
    assert.equal(r.driver.setKeepAlive(0, 1), W5500Err.OK);
    r.run(5000 * 3 + 10);
    assert.ok(peer.keepAlives >= 3, 'automatic probes: ' + peer.keepAlives);
    assert.equal(r.driver.setKeepAlive(0, 256), W5500Err.ARG);
  });

  it('times out when keep-alive probes go unanswered: TIMEOUT, socket CLOSED', () => {
    const r = up({ driver: { rtr: 100, rcr: 1 } });
    const peer = client(r);
    r.take();
    assert.equal(r.driver.send(0, new Uint8Array([1])), 1);
    r.run(5);
    r.take();
    peer.setSilent(true);
    assert.equal(r.driver.keepAlive(0), W5500Err.OK);
    r.run(100);
    assert.deepEqual(r.take(), ['0:TIMEOUT']);
    assert.equal(r.driver.lastState(0), Sn_SR.SOCK_CLOSED);
  });

  it('moves data across the 16-bit pointer wrap in single bursts (the chip wraps the offset)', () => {
    const r = up({ model: { pointerBase: 0xffc0, trace: true } });
    const peer = client(r);
    const out = new Uint8Array(128).map((_, i) => i);
    r.model.trace.reset();
    assert.equal(r.driver.send(0, out), 128);
    const txFrames = r.frames().filter((f) => f.startsWith('W S0_TX'));
    assert.equal(txFrames.length, 1);
    assert.ok(txFrames[0].startsWith('W S0_TX ffc0 00 01 02'));
    r.run(5);
    assert.deepEqual([...peer.received], [...out]);
    peer.send(out.map((b) => 255 - b));
    r.run(5);
    r.model.trace.reset();
    const buf = new Uint8Array(200);
    assert.equal(r.driver.recv(0, buf), 128);
    assert.deepEqual([...buf.subarray(0, 128)], [...out.map((b) => 255 - b)]);
    assert.deepEqual(r.frames().filter((f) => f.startsWith('R S0_RX')), ['R S0_RX ffc0 128']);
    assert.ok(r.frames().includes('W S0 0028 00 40'), 'Sn_RX_RD wrapped to 0x0040');
  });

  it('sends what fits, returns 0 when the TX buffer is full, and raises WRITABLE when ACKs free it', () => {
    const r = up({ model: { sendOkOn: 'send' } });
    const peer = client(r);
    r.take();
    peer.setZeroWindow(true);
    const big = new Uint8Array(3000);
    assert.equal(r.driver.send(0, big), 2048);
    r.run(5);
    assert.deepEqual(r.take(), ['0:SEND_OK']);
    assert.equal(r.driver.send(0, big), 0);
    r.run(50);
    assert.deepEqual(r.take(), []);
    peer.setZeroWindow(false);
    r.run(200);
    assert.deepEqual(r.take(), ['0:WRITABLE']);
    assert.equal(r.driver.send(0, big), 2048);
    r.run(5);
    assert.equal(peer.received.length, 4096);
  });
});

describe('W5500 driver: TCP server', () => {
  it('listens, accepts with CON, gives the peer address, and echoes', () => {
    const r = up();
    assert.equal(r.driver.open(2, Sn_MR.TCP, 80), W5500Err.OK);
    assert.equal(r.driver.listen(2), W5500Err.OK);
    assert.equal(r.driver.listen(2), W5500Err.STATE);
    assert.equal(r.driver.lastState(2), Sn_SR.SOCK_LISTEN);
    const peer = r.net.connect({ ip: PEER_IP, port: 51515 }, { ip: CHIP_IP, port: 80 });
    r.run(5);
    assert.deepEqual(r.take(), ['2:CON']);
    const who = new Uint8Array(6);
    assert.equal(r.driver.peer(2, who), W5500Err.OK);
    assert.deepEqual([...who], [192, 168, 1, 10, 51515 >> 8, 51515 & 0xff]);
    peer.send('ping');
    r.run(5);
    assert.deepEqual(r.take(), ['2:RECV']);
    const buf = new Uint8Array(8);
    const n = r.driver.recv(2, buf);
    assert.equal(r.driver.send(2, buf.subarray(0, n)), 4);
    r.run(5);
    assert.equal(peer.text(), 'ping');
  });
});

describe('W5500 driver: UDP', () => {
  it('sends datagrams, receives them with the 8-byte header parsed, and truncates into a short buffer', () => {
    const r = up();
    const p = r.net.udpPeer({ ip: PEER_IP, port: 9000 });
    assert.equal(r.driver.open(1, Sn_MR.UDP, 5353), W5500Err.OK);
    assert.equal(r.driver.lastState(1), Sn_SR.SOCK_UDP);
    assert.equal(r.driver.sendTo(1, new TextEncoder().encode('query'), ip4(PEER_IP), 9000), 5);
    r.run(5);
    assert.deepEqual(r.take(), ['1:SEND_OK']);
    assert.equal(p.received.length, 1);
    assert.equal(text(p.received[0].bytes), 'query');
    assert.deepEqual(p.received[0].from, { ip: CHIP_IP, port: 5353 });
    p.sendTo({ ip: CHIP_IP, port: 5353 }, 'first answer');
    p.sendTo({ ip: CHIP_IP, port: 5353 }, 'second');
    r.run(5);
    assert.deepEqual(r.take(), ['1:RECV']);
    const from = new Uint8Array(6);
    const small = new Uint8Array(5);
    assert.equal(r.driver.recvFrom(1, small, from), 12);
    assert.equal(text(small), 'first');
    assert.deepEqual([...from], [192, 168, 1, 10, 9000 >> 8, 9000 & 0xff]);
    const buf = new Uint8Array(64);
    assert.equal(r.driver.recvFrom(1, buf, from), 6);
    assert.equal(text(buf.subarray(0, 6)), 'second');
    assert.equal(r.driver.recvFrom(1, buf, from), W5500Err.EMPTY);
    assert.equal(r.driver.sendTo(1, new Uint8Array(4096), ip4(PEER_IP), 9000), W5500Err.MSGSIZE);
  });

  it('reports an ARP failure as TIMEOUT and keeps the socket open for the next datagram', () => {
    const r = up({ driver: { rtr: 100, rcr: 1 } });
    r.net.setUnreachable('192.168.1.99');
    const p = r.net.udpPeer({ ip: PEER_IP, port: 9000 });
    assert.equal(r.driver.open(1, Sn_MR.UDP, 5353), W5500Err.OK);
    assert.equal(r.driver.sendTo(1, new Uint8Array([1, 2, 3]), ip4('192.168.1.99'), 9000), 3);
    r.run(50); // ARP_TO = 10 ms × 2
    assert.deepEqual(r.take(), ['1:TIMEOUT']);
    assert.equal(r.driver.lastState(1), Sn_SR.SOCK_UDP);
    assert.equal(r.driver.sendTo(1, new Uint8Array([4]), ip4(PEER_IP), 9000), 1);
    r.run(5);
    assert.deepEqual(r.take(), ['1:SEND_OK']);
    assert.deepEqual([...p.received[0].bytes], [4]);
  });
});

describe('W5500 driver: event delivery', () => {
  it('never calls the handler from inside a call; nothing follows close()', () => {
    const r = up({ latencyMs: 0 });
    const peer = client(r);
    r.take();
    let inside = false;
    const seen: number[] = [];
    r.onEvent = (_sn, ev) => { assert.equal(inside, false); seen.push(ev); };
    inside = true;
    assert.equal(r.driver.send(0, new Uint8Array(10)), 10); // completes at once: SEND_OK seen in the command poll
    inside = false;
    assert.deepEqual(seen, []);
    r.run(1);
    assert.deepEqual(seen, [SnEvent.SEND_OK]);
    peer.send('x');
    peer.fin();
    r.model.advance();
    assert.equal(r.driver.close(0), W5500Err.OK);
    r.run(5);
    assert.deepEqual(seen, [SnEvent.SEND_OK]);
  });
});

describe('W5500 driver: MACRAW and chip checks', () => {
  it('sends and receives raw frames on socket 0 (2-byte length prefix that counts itself)', () => {
    const r = up();
    assert.equal(r.driver.open(0, Sn_MR.MACRAW, 0), W5500Err.OK);
    assert.equal(r.driver.lastState(0), Sn_SR.SOCK_MACRAW);
    const frame = new Uint8Array(60).map((_, i) => i);
    frame.fill(0xff, 0, 6);
    assert.equal(r.driver.sendFrame(0, frame), 60);
    r.run(5);
    assert.deepEqual(r.take(), ['0:SEND_OK']);
    assert.deepEqual([...r.net.framesOut[0]], [...frame]);
    const inbound = new Uint8Array(64).map((_, i) => 200 - i);
    inbound.fill(0xff, 0, 6);
    r.net.injectFrame(inbound);
    r.run(5);
    assert.deepEqual(r.take(), ['0:RECV']);
    const buf = new Uint8Array(100);
    assert.equal(r.driver.recvFrame(0, buf), 64);
    assert.deepEqual([...buf.subarray(0, 64)], [...inbound]);
    assert.equal(r.driver.recvFrame(0, buf), W5500Err.EMPTY);
    assert.equal(r.driver.recvFrom(0, buf, new Uint8Array(6)), W5500Err.STATE);
  });

  it('checkChip: one read confirms presence and configuration, and reports the link', () => {
    const r = up({ model: { trace: true } });
    r.model.trace.reset();
    assert.equal(r.driver.checkChip(), W5500Err.OK);
    assert.deepEqual(r.frames(), ['R common 0018 34']);
    r.model.faults.link(false);
    assert.equal(r.driver.checkChip(), W5500Err.OK);
    r.run(1);
    assert.deepEqual(r.take(), ['link:down']);
    r.model.hardReset();
    assert.equal(r.driver.checkChip(), W5500Err.CHIP_RESET);
    r.run(1);
    assert.deepEqual(r.take(), ['failure:' + W5500Err.CHIP_RESET]);
    assert.equal(r.driver.checkChip(), W5500Err.DOWN);
  });
});
