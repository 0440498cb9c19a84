import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as dgram from 'node:dgram';
import { W5500Model } from '../../sim/w5500/model';
import { HostChip, type ChipModelCtor } from '../../sim/w5500/host-chip';
import { Sn_CR, Sn_IR, Sn_MR, Sn_SR } from '../../hal/w5500/registers';
import { RawSocket, configure, type Exchange } from './frames';
import { requireLoopback, settle, until } from './loopback';

/**
 * What a kernel peer sees of the chip on the host network side (default port mapping 'same'): the chip's
 * own address (SIPR 192.168.1.10 → 127.0.0.10) and Sn_PORT as the source of its TCP and UDP traffic and as
 * the address of its listening ports, a refusal (ECONNREFUSED) where no hardware socket listens, and UDP
 * broadcasts delivered to host-side listeners.
 */

const Model: ChipModelCtor = W5500Model;
const CHIP_IP = '192.168.1.10';
const CHIP_LOOPBACK = '127.0.0.10';
const PEER_IP = '192.168.1.20'; // → 127.0.0.20

/** a port free for TCP and UDP on every loopback address right now (the OS picks it) */
async function freePort(): Promise<number> {
  for (;;) {
    const u = dgram.createSocket('udp4');
    await new Promise<void>((r) => u.bind(0, '0.0.0.0', () => r()));
    const port = u.address().port;
    await new Promise<void>((r) => u.close(() => r()));
    const ok = await new Promise<boolean>((r) => {
      const t = net.createServer();
      t.once('error', () => r(false));
      t.listen(port, '0.0.0.0', () => t.close(() => r(true)));
    });
    if (ok) return port;
  }
}

/** a connection attempt's outcome: 'connected' or the error code */
function attempt(host: string, port: number): Promise<{ result: string; socket: net.Socket }> {
  return new Promise((resolve) => {
    const c = net.connect({ host, port });
    c.once('connect', () => resolve({ result: 'connected', socket: c }));
    c.once('error', (e: NodeJS.ErrnoException) => resolve({ result: e.code ?? 'error', socket: c }));
  });
}

function udpListener(address: string, port: number): Promise<{ sock: dgram.Socket; got: string[] }> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    const got: string[] = [];
    sock.on('message', (m, ri) => got.push(`${m.toString()} from ${ri.address}:${ri.port}`));
    sock.bind(port, address, () => resolve({ sock, got }));
  });
}

describe('W5500 model on the host network side: the chip’s own address and port', function () {
  let chip: HostChip;
  let x: Exchange;
  const cleanup: (() => void)[] = [];

  before(async function () {
    await requireLoopback(this);
  });
  beforeEach(() => {
    chip = new HostChip(Model, { hostPorts: 'same' });
    x = (mosi) => chip.exchange(mosi);
  });
  afterEach(() => {
    chip.close();
    for (const c of cleanup.splice(0)) c();
  });

  it('outgoing TCP leaves from SIPR:Sn_PORT', async () => {
    configure(x, CHIP_IP);
    const sport = await freePort();
    let peer: net.Socket | undefined;
    const server = net.createServer((s) => { s.on('error', () => {}); peer = s; });
    cleanup.push(() => { if (peer) peer.destroy(); server.close(); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.20', () => r()));
    const s = new RawSocket(x, 0);
    s.open(Sn_MR.TCP, sport);
    s.connect(PEER_IP, (server.address() as net.AddressInfo).port);
    await until(() => s.sr === Sn_SR.SOCK_ESTABLISHED && peer !== undefined, 'ESTABLISHED');
    assert.equal(peer!.remoteAddress, CHIP_LOOPBACK);
    assert.equal(peer!.remotePort, sport, 'the peer sees Sn_PORT');
  });

  it('UDP leaves from SIPR:Sn_PORT, and the chip’s UDP port is bound on its own address', async () => {
    configure(x, CHIP_IP);
    const sport = await freePort();
    const peer = await udpListener('127.0.0.20', 0);
    cleanup.push(() => peer.sock.close());
    const s = new RawSocket(x, 1);
    s.open(Sn_MR.UDP, sport);
    s.sendTo(PEER_IP, peer.sock.address().port, Buffer.from('hello'));
    await until(() => peer.got.length === 1, 'the datagram');
    assert.deepEqual(peer.got, [`hello from ${CHIP_LOOPBACK}:${sport}`]);
    assert.deepEqual(chip.net.hostAddress('udp', sport), { proto: 'udp', chipPort: sport, address: CHIP_LOOPBACK, port: sport });
  });

  it('a listening port opens on the chip’s own address; a SYN where no hardware socket listens is refused', async () => {
    configure(x, CHIP_IP);
    const lport = await freePort();
    const a = new RawSocket(x, 2);
    a.open(Sn_MR.TCP, lport);
    a.command(Sn_CR.LISTEN);
    await until(() => chip.net.hostAddress('tcp', lport) !== undefined, 'the listening OS port');
    assert.deepEqual(chip.net.hostAddress('tcp', lport), { proto: 'tcp', chipPort: lport, address: CHIP_LOOPBACK, port: lport });
    const other = await attempt('127.0.0.1', lport);
    cleanup.push(() => other.socket.destroy());
    assert.equal(other.result, 'ECONNREFUSED', 'nothing listens on another loopback address');

    const first = await attempt(CHIP_LOOPBACK, lport);
    cleanup.push(() => first.socket.destroy());
    assert.equal(first.result, 'connected');
    await until(() => a.sr === Sn_SR.SOCK_ESTABLISHED, 'the hardware socket to take it');
    // the W5500 socket serves one connection and stops listening: the next SYN meets RST
    const second = await attempt(CHIP_LOOPBACK, lport);
    cleanup.push(() => second.socket.destroy());
    assert.equal(second.result, 'ECONNREFUSED', 'refused, not accepted and then reset');

    const b = new RawSocket(x, 3);
    b.open(Sn_MR.TCP, lport);
    b.command(Sn_CR.LISTEN);
    await until(() => chip.net.bound().filter((k) => k.proto === 'tcp').length === 2, 'the port to open again');
    const third = await attempt(CHIP_LOOPBACK, lport);
    cleanup.push(() => third.socket.destroy());
    assert.equal(third.result, 'connected', 'a new LISTEN on the port accepts again');
    await until(() => b.sr === Sn_SR.SOCK_ESTABLISHED, 'the second hardware socket to take it');
    assert.equal(b.ir, Sn_IR.CON);

    const c = new RawSocket(x, 4);
    c.open(Sn_MR.TCP, lport);
    c.command(Sn_CR.LISTEN);
    await until(() => chip.net.bound().filter((k) => k.proto === 'tcp').length === 3, 'the port to open once more');
    c.command(Sn_CR.CLOSE);
    const fourth = await attempt(CHIP_LOOPBACK, lport);
    cleanup.push(() => fourth.socket.destroy());
    assert.equal(fourth.result, 'ECONNREFUSED', 'CLOSE of the only listener closes the port');
  });

  it('UDP broadcast (255.255.255.255 and the subnet’s) reaches every host-side listener bound to the wildcard address', async () => {
    configure(x, CHIP_IP);
    const sport = await freePort();
    const dport = await freePort();
    const l1 = await udpListener('0.0.0.0', dport);
    const l2 = await udpListener('0.0.0.0', dport);
    cleanup.push(() => { l1.sock.close(); l2.sock.close(); });
    const s = new RawSocket(x, 5);
    s.open(Sn_MR.UDP, sport);
    s.sendTo('255.255.255.255', dport, Buffer.from('all'));
    await until(() => s.ir === Sn_IR.SEND_OK, 'SEND_OK');
    s.clearIr(Sn_IR.SEND_OK);
    s.sendTo('192.168.1.255', dport, Buffer.from('subnet'));
    await until(() => l1.got.length === 2 && l2.got.length === 2, 'both broadcasts at both listeners');
    const want = [`all from ${CHIP_LOOPBACK}:${sport}`, `subnet from ${CHIP_LOOPBACK}:${sport}`];
    assert.deepEqual(l1.got, want);
    assert.deepEqual(l2.got, want);
    assert.equal(s.ir, Sn_IR.SEND_OK);
  });

  it('a DHCP-style exchange: SIPR 0.0.0.0, DISCOVER broadcast to a kernel server, its broadcast OFFER reaches the chip', async () => {
    configure(x, '0.0.0.0');
    const client = await freePort(); // stands for UDP 68
    const serverPort = await freePort(); // stands for UDP 67
    const server = await udpListener('0.0.0.0', serverPort);
    cleanup.push(() => server.sock.close());
    server.sock.setBroadcast(true);
    server.sock.on('message', (m) => { if (m.toString() === 'DISCOVER') server.sock.send('OFFER', client, '127.255.255.255'); });
    const s = new RawSocket(x, 6);
    s.open(Sn_MR.UDP, client);
    await until(() => chip.net.hostAddress('udp', client) !== undefined, 'the client port');
    assert.equal(chip.net.hostAddress('udp', client)!.address, '0.0.0.0', 'no address yet: the wildcard');
    s.sendTo('255.255.255.255', serverPort, Buffer.from('DISCOVER'));
    await until(() => server.got.length === 1, 'the DISCOVER at the server');
    assert.match(server.got[0], new RegExp(`^DISCOVER from 127\\.0\\.0\\.1:${client}$`));
    await until(() => s.rsr === 8 + 5, 'the OFFER in RX');
    const got = s.recv();
    // the server's loopback source 127.0.0.1 appears as 192.168.1.1 through the default route
    assert.deepEqual([...got], [192, 168, 1, 1, serverPort >> 8, serverPort & 0xff, 0, 5, ...Buffer.from('OFFER')]);
    await settle(20);
  });
});
