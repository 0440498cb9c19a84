import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as dgram from 'node:dgram';
import { W5500Model } from '../../sim/w5500/model';
import { HostChip, type ChipModelCtor } from '../../sim/w5500/host-chip';
import { Block, CommonReg, IR, Sn_CR, Sn_IR, Sn_MR, Sn_SR } from '../../hal/w5500/registers';
import { RawSocket, configure, readFrame, versionr, writeFrame, type Exchange } from './frames';
import { requireLoopback, settle, until } from './loopback';

/**
 * The W5500 model on the host network side, driven by raw SPI frames, with the Linux kernel's TCP as
 * the peer (a Node socket on loopback in this same thread). Sn_SR is sampled after every step; the
 * chip advances by itself on OS events, so each test waits with short real sleeps.
 */

const Model: ChipModelCtor = W5500Model;
const CHIP_IP = '192.168.1.10';
const PEER_IP = '192.168.1.20'; // → 127.0.0.20
const CLIENT_LOOPBACK = '127.0.0.30'; // ← 192.168.1.30

/** distinct consecutive Sn_SR values seen while waiting */
class SrLog {
  seen: number[] = [];
  constructor(private s: RawSocket) {
    this.sample();
  }
  sample(): number {
    const v = this.s.sr;
    if (this.seen[this.seen.length - 1] !== v) this.seen.push(v);
    return v;
  }
  async until(sr: number, what = `Sn_SR 0x${sr.toString(16)}`): Promise<void> {
    await until(() => this.sample() === sr, what);
  }
}

interface Peer {
  server: net.Server;
  port: number;
  accepted: Promise<net.Socket>;
}

function peerServer(allowHalfOpen: boolean): Promise<Peer> {
  return new Promise((resolve) => {
    let give!: (s: net.Socket) => void;
    const accepted = new Promise<net.Socket>((r) => { give = r; });
    const server = net.createServer({ allowHalfOpen }, (s) => { s.on('error', () => {}); give(s); });
    server.listen(0, '127.0.0.20', () => resolve({ server, port: (server.address() as net.AddressInfo).port, accepted }));
  });
}

/** what a Node socket went through, in order */
function watchSocket(s: net.Socket): string[] {
  const log: string[] = [];
  s.on('data', (b) => log.push(`data ${b.toString()}`));
  s.on('end', () => log.push('end'));
  s.on('error', (e: NodeJS.ErrnoException) => log.push(`error ${e.code}`));
  s.on('close', () => log.push('close'));
  return log;
}

describe('W5500 model on the host network side, kernel TCP as peer (one thread)', function () {
  let chip: HostChip;
  let x: Exchange;
  const cleanup: (() => void)[] = [];

  before(async function () {
    await requireLoopback(this);
  });
  beforeEach(() => {
    chip = new HostChip(Model, { hostPorts: 'ephemeral', model: { timeWaitMs: 250 } });
    x = (mosi) => chip.exchange(mosi);
    configure(x, CHIP_IP);
  });
  afterEach(() => {
    chip.close();
    for (const c of cleanup.splice(0)) c();
  });

  /** socket 0 connected to a fresh Node peer; CON seen and cleared */
  async function established(allowHalfOpen = false): Promise<{ s: RawSocket; log: SrLog; peer: net.Socket; peerLog: string[] }> {
    const p = await peerServer(allowHalfOpen);
    cleanup.push(() => p.server.close());
    const s = new RawSocket(x, 0);
    s.open(Sn_MR.TCP, 40000);
    assert.equal(s.sr, Sn_SR.SOCK_INIT);
    s.connect(PEER_IP, p.port);
    const log = new SrLog(s);
    await log.until(Sn_SR.SOCK_ESTABLISHED);
    assert.deepEqual(log.seen, [Sn_SR.SOCK_SYNSENT, Sn_SR.SOCK_ESTABLISHED]);
    assert.equal(s.ir, Sn_IR.CON);
    s.clearIr(Sn_IR.ALL);
    const peer = await p.accepted;
    cleanup.push(() => peer.destroy());
    assert.equal(peer.remoteAddress, '127.0.0.10', 'SIPR 192.168.1.10 appears as 127.0.0.10');
    return { s, log: new SrLog(s), peer, peerLog: watchSocket(peer) };
  }

  it('reads VERSIONR 0x04 and keeps the register writes', () => {
    assert.equal(versionr(x), 0x04);
    assert.deepEqual([...x(new Uint8Array([0x00, 0x0f, 0x00, 0, 0, 0, 0]))].slice(3), [192, 168, 1, 10]);
  });

  it('active close: DISCON from ESTABLISHED → FIN_WAIT; the peer sees end; its FIN → DISCON, TIME_WAIT, CLOSED', async () => {
    const { s, log, peer, peerLog } = await established();
    s.send([0x70, 0x69, 0x6e, 0x67]);
    await until(() => s.ir === Sn_IR.SEND_OK, 'SEND_OK');
    s.clearIr(Sn_IR.SEND_OK);
    s.command(Sn_CR.DISCON);
    assert.equal(log.sample(), Sn_SR.SOCK_FIN_WAIT, 'FIN_WAIT as soon as DISCON is accepted');
    await log.until(Sn_SR.SOCK_CLOSED);
    assert.deepEqual(log.seen, [Sn_SR.SOCK_ESTABLISHED, Sn_SR.SOCK_FIN_WAIT, Sn_SR.SOCK_TIME_WAIT, Sn_SR.SOCK_CLOSED]);
    assert.equal(s.ir, Sn_IR.DISCON, 'the peer’s FIN raised DISCON, nothing else');
    await until(() => peerLog.includes('close'), 'the peer to close');
    assert.deepEqual(peerLog, ['data ping', 'end', 'close']);
    assert.equal(peer.readyState, 'closed');
  });

  it('active close to a kernel peer that never sends its FIN: FIN_WAIT, then TIMEOUT + CLOSED at TCP_TO; the peer’s next write meets a reset', async () => {
    const { s, log, peer, peerLog } = await established(true);
    writeFrame(x, Block.Common, CommonReg.RTR, [0x03, 0xe8]); // 100 ms
    writeFrame(x, Block.Common, CommonReg.RCR, [0x02]); // TCP_TO = 100 + 200 + 400 ms
    const t0 = Date.now();
    s.command(Sn_CR.DISCON);
    assert.equal(log.sample(), Sn_SR.SOCK_FIN_WAIT);
    await until(() => peerLog.includes('end'), 'the peer to see our FIN');
    await log.until(Sn_SR.SOCK_CLOSED);
    const took = Date.now() - t0;
    assert.ok(took >= 690 && took < 3000, `TIMEOUT after ${took} ms, TCP_TO is 700 ms`);
    assert.deepEqual(log.seen, [Sn_SR.SOCK_ESTABLISHED, Sn_SR.SOCK_FIN_WAIT, Sn_SR.SOCK_CLOSED]);
    assert.equal(s.ir, Sn_IR.TIMEOUT);
    peer.write('late');
    await settle(100);
    peer.write('later'); // its read side has ended, so the reset shows on the next write
    await until(() => peerLog.some((l) => l.startsWith('error')), `the peer to meet a reset (${peerLog.join(', ')})`);
    assert.deepEqual(peerLog.slice(0, 2), ['end', 'error EPIPE']);
  });

  it('passive close: peer end() → DISCON + CLOSE_WAIT; our DISCON → LAST_ACK → CLOSED with no second DISCON', async () => {
    const { s, log, peer, peerLog } = await established(true);
    peer.end();
    await log.until(Sn_SR.SOCK_CLOSE_WAIT);
    assert.equal(s.ir, Sn_IR.DISCON);
    s.clearIr(Sn_IR.DISCON);
    assert.equal(s.ir, 0);
    s.command(Sn_CR.DISCON);
    assert.equal(log.sample(), Sn_SR.SOCK_LAST_ACK, 'LAST_ACK as soon as DISCON is accepted');
    await log.until(Sn_SR.SOCK_CLOSED);
    assert.deepEqual(log.seen, [Sn_SR.SOCK_ESTABLISHED, Sn_SR.SOCK_CLOSE_WAIT, Sn_SR.SOCK_LAST_ACK, Sn_SR.SOCK_CLOSED]);
    await settle(20);
    assert.equal(s.ir, 0, 'no second DISCON');
    await until(() => peerLog.includes('close'), 'the peer to close');
    assert.deepEqual(peerLog, ['end', 'close']);
  });

  it('simultaneous close: both FINs cross; DISCON once; TIME_WAIT then CLOSED; both ends see end', async () => {
    const { s, log, peer, peerLog } = await established(true);
    s.command(Sn_CR.DISCON);
    peer.end(); // same turn of the event loop: neither FIN has been seen by the other side
    assert.equal(log.sample(), Sn_SR.SOCK_FIN_WAIT);
    await log.until(Sn_SR.SOCK_CLOSED);
    // Which of the chip's two events comes first (our FIN flushed, their FIN read) is the kernel's call:
    const viaClosing = [Sn_SR.SOCK_ESTABLISHED, Sn_SR.SOCK_FIN_WAIT, Sn_SR.SOCK_CLOSING, Sn_SR.SOCK_TIME_WAIT, Sn_SR.SOCK_CLOSED];
    const direct = [Sn_SR.SOCK_ESTABLISHED, Sn_SR.SOCK_FIN_WAIT, Sn_SR.SOCK_TIME_WAIT, Sn_SR.SOCK_CLOSED];
    assert.ok(
      JSON.stringify(log.seen) === JSON.stringify(viaClosing) || JSON.stringify(log.seen) === JSON.stringify(direct),
      `Sn_SR went ${log.seen.map((v) => v.toString(16)).join(' → ')}`,
    );
    assert.equal(s.ir, Sn_IR.DISCON);
    await until(() => peerLog.includes('close'), 'the peer to close');
    assert.deepEqual(peerLog, ['end', 'close']);
  });

  it('peer RST (resetAndDestroy) → CLOSED with DISCON, not TIMEOUT', async () => {
    const { s, log, peer } = await established();
    peer.resetAndDestroy();
    await log.until(Sn_SR.SOCK_CLOSED);
    assert.deepEqual(log.seen, [Sn_SR.SOCK_ESTABLISHED, Sn_SR.SOCK_CLOSED]);
    assert.equal(s.ir, Sn_IR.DISCON);
  });

  it('CLOSE is silent; the peer’s next data meets a reset (ECONNRESET); the chip stays CLOSED', async () => {
    const { s, log, peer, peerLog } = await established();
    s.command(Sn_CR.CLOSE);
    assert.equal(log.sample(), Sn_SR.SOCK_CLOSED, 'CLOSED at once');
    await settle(50);
    assert.equal(peerLog.length, 0, 'the peer has heard nothing');
    peer.write('are you there');
    await until(() => peerLog.includes('close'), 'the peer to see the reset');
    assert.deepEqual(peerLog, ['error ECONNRESET', 'close']);
    assert.deepEqual(log.seen, [Sn_SR.SOCK_ESTABLISHED, Sn_SR.SOCK_CLOSED]);
    assert.equal(s.ir, 0);
    assert.equal(s.rsr, 0);
  });

  it('a peer sending more than the RX buffer holds is held back by the window and every byte arrives in order', async () => {
    const { s, peer } = await established();
    const big = new Uint8Array(40000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 8)) & 0xff;
    let written = false;
    peer.write(big, () => { written = true; });
    const got: Uint8Array[] = [];
    let n = 0;
    await until(() => {
      if (s.rsr > 0) { const b = s.recv(); got.push(b); n += b.length; }
      return n === big.length;
    }, 'all 40000 bytes');
    assert.equal(written, true);
    assert.ok(got.length >= 40000 / 2048, `read in ${got.length} pieces of at most 2048 bytes`);
    assert.ok(got.every((b) => b.length <= 2048));
    assert.deepEqual(Buffer.concat(got), Buffer.from(big));
    assert.equal(s.sr, Sn_SR.SOCK_ESTABLISHED);
  });

  it('SEND_KEEP and the retry timer are answered by the live kernel peer: no TIMEOUT even with a 10 ms × 1 retry budget', async () => {
    const { s, log, peer } = await established();
    writeFrame(x, Block.Common, CommonReg.RTR, [0x00, 0x64]); // 10 ms
    writeFrame(x, Block.Common, CommonReg.RCR, [0x01]);
    peer.write('x'); // keep-alive needs one data exchange first
    await until(() => s.rsr === 1, 'one byte');
    s.recv();
    s.clearIr(Sn_IR.ALL);
    s.command(Sn_CR.SEND_KEEP);
    await settle(100);
    assert.equal(log.sample(), Sn_SR.SOCK_ESTABLISHED);
    assert.equal(s.ir, 0);
  });

  it('CONNECT to a port nobody listens on: refused → CLOSED with DISCON', async () => {
    const p = await peerServer(false);
    await new Promise((r) => p.server.close(r));
    const s = new RawSocket(x, 1);
    s.open(Sn_MR.TCP, 40001);
    s.connect(PEER_IP, p.port);
    const log = new SrLog(s);
    await log.until(Sn_SR.SOCK_CLOSED);
    assert.deepEqual(log.seen, [Sn_SR.SOCK_SYNSENT, Sn_SR.SOCK_CLOSED]);
    assert.equal(s.ir, Sn_IR.DISCON);
  });

  it('LISTEN + accept from a Node client: CON, Sn_DIPR/Sn_DPORT filled, data both ways', async () => {
    const s = new RawSocket(x, 2);
    s.open(Sn_MR.TCP, 8080);
    s.command(Sn_CR.LISTEN);
    const log = new SrLog(s);
    assert.deepEqual(log.seen, [Sn_SR.SOCK_LISTEN]);
    await until(() => chip.net.hostAddress('tcp', 8080) !== undefined, 'the listening OS port');
    const at = chip.net.hostAddress('tcp', 8080)!;
    const client = net.connect({ host: at.address, port: at.port, localAddress: CLIENT_LOOPBACK });
    client.on('error', () => {});
    cleanup.push(() => client.destroy());
    const clientLog = watchSocket(client);
    await new Promise((r) => client.once('connect', r));
    await log.until(Sn_SR.SOCK_ESTABLISHED);
    assert.deepEqual(log.seen, [Sn_SR.SOCK_LISTEN, Sn_SR.SOCK_ESTABLISHED]);
    assert.equal(s.ir, Sn_IR.CON);
    assert.equal(s.dipr, '192.168.1.30');
    assert.equal(s.dport, client.localPort);
    s.clearIr(Sn_IR.CON);
    client.write('hello');
    await until(() => s.rsr === 5, '5 bytes in RX');
    assert.equal(s.ir, Sn_IR.RECV);
    assert.equal(Buffer.from(s.recv()).toString(), 'hello');
    assert.equal(s.rsr, 0);
    s.send(Buffer.from('olleh'));
    await until(() => clientLog.length > 0, 'the reply');
    assert.deepEqual(clientLog, ['data olleh']);
  });

  it('UDP echo: datagram in with the 8-byte header, reply out to Sn_DIPR:Sn_DPORT', async () => {
    const s = new RawSocket(x, 3);
    s.open(Sn_MR.UDP, 7);
    assert.equal(s.sr, Sn_SR.SOCK_UDP);
    await until(() => chip.net.hostAddress('udp', 7) !== undefined, 'the UDP port');
    const at = chip.net.hostAddress('udp', 7)!;
    const peer = dgram.createSocket('udp4');
    cleanup.push(() => peer.close());
    await new Promise<void>((r) => peer.bind(0, '127.0.0.20', () => r()));
    const pp = peer.address().port;
    const reply = new Promise<{ msg: Buffer; port: number }>((r) => peer.once('message', (msg, ri) => r({ msg, port: ri.port })));
    peer.send(Buffer.from('abc'), at.port, at.address);
    await until(() => s.rsr === 11, 'header + 3 bytes in RX');
    assert.equal(s.ir, Sn_IR.RECV);
    s.clearIr(Sn_IR.RECV);
    const got = s.recv();
    assert.deepEqual([...got], [192, 168, 1, 20, pp >> 8, pp & 0xff, 0x00, 0x03, 0x61, 0x62, 0x63]);
    s.sendTo(PEER_IP, pp, got.subarray(8));
    const r = await reply;
    assert.equal(r.msg.toString(), 'abc');
    assert.equal(r.port, at.port);
    await until(() => s.ir === Sn_IR.SEND_OK, 'SEND_OK');
  });

  it('UDP to a closed port: the kernel’s ICMP port unreachable sets IR.UNREACH, UIPR and UPORTR', async () => {
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((r) => probe.bind(0, '127.0.0.20', () => r()));
    const closedPort = probe.address().port;
    await new Promise<void>((r) => probe.close(() => r()));
    const s = new RawSocket(x, 4);
    s.open(Sn_MR.UDP, 5353);
    s.sendTo(PEER_IP, closedPort, [0x42]);
    await until(() => readFrame(x, Block.Common, CommonReg.IR, 1)[0] !== 0, 'IR.UNREACH');
    assert.equal(readFrame(x, Block.Common, CommonReg.IR, 1)[0], IR.UNREACH);
    assert.deepEqual([...readFrame(x, Block.Common, CommonReg.UIPR, 6)], [192, 168, 1, 20, closedPort >> 8, closedPort & 0xff]);
    assert.equal(s.ir, Sn_IR.SEND_OK);
    assert.equal(s.sr, Sn_SR.SOCK_UDP);
  });
});
