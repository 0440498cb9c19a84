import assert from 'node:assert/strict';
import * as net from 'node:net';
import { W5500Thread } from '../../sim/w5500/worker-client';
import { RealClock } from '../../hal/node/real-clock';
import { Edge } from '../../hal/pins';
import { Block, CommonReg, PHYCFGR, Sn_CR, Sn_IR, Sn_MR, Sn_SR } from '../../hal/w5500/registers';
import { RawSocket, configure, readFrame, versionr, writeFrame } from './frames';
import { requireLoopback, until } from './loopback';

/**
 * The W5500 model in its worker thread (real time, host network side), driven from this thread as
 * firmware drives it: synchronous SPI windows, a blocking busy-wait during which this thread's event
 * loop is stopped and only the chip and the kernel move.
 */
describe('W5500 worker runner with the kernel as peer', function () {
  let t: W5500Thread | undefined;
  const cleanup: (() => void)[] = [];

  before(async function () {
    await requireLoopback(this);
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0)) c();
    if (t) await t.close();
    t = undefined;
  });

  it('accepts a Node client, raises INTn for CON and DISCON, and finishes a passive close while this thread is blocked', async () => {
    const clock = new RealClock();
    t = await W5500Thread.start({ hostPorts: 'ephemeral', clock });
    const x = t.exchange;
    assert.equal(versionr(x), 0x04);
    configure(x, '192.168.1.10');
    writeFrame(x, Block.Common, CommonReg.SIMR, [0x01]); // socket 0 onto INTn
    const edges: boolean[] = [];
    t.intPin.watch(Edge.Both, (h) => edges.push(h));

    const s = new RawSocket(x, 0);
    s.open(Sn_MR.TCP, 23);
    s.command(Sn_CR.LISTEN);
    assert.equal(s.sr, Sn_SR.SOCK_LISTEN);
    await until(() => t!.bound().some((b) => b.proto === 'tcp' && b.chipPort === 23), 'the listening OS port');
    const at = t.bound().find((b) => b.proto === 'tcp' && b.chipPort === 23)!;

    const client = net.connect({ host: at.address, port: at.port, localAddress: '127.0.0.30', allowHalfOpen: true });
    const clientLog: string[] = [];
    client.on('end', () => clientLog.push('end'));
    client.on('close', () => clientLog.push('close'));
    client.on('error', (e: NodeJS.ErrnoException) => clientLog.push(`error ${e.code}`));
    cleanup.push(() => client.destroy());
    await new Promise((r) => client.once('connect', r));

    await until(() => t!.intn === false, 'INTn low for CON');
    assert.equal(s.sr, Sn_SR.SOCK_ESTABLISHED);
    assert.equal(s.ir, Sn_IR.CON);
    assert.equal(s.dipr, '192.168.1.30');
    assert.equal(s.dport, client.localPort);
    s.clearIr(Sn_IR.CON);
    assert.equal(t.intn, true, 'INTn high again as soon as Sn_IR is clear');

    client.end();
    await until(() => t!.intn === false, 'INTn low for DISCON');
    assert.equal(s.sr, Sn_SR.SOCK_CLOSE_WAIT);
    assert.equal(s.ir, Sn_IR.DISCON);
    s.clearIr(Sn_IR.DISCON);

    // A blocking linger close: DISCON, then poll Sn_SR with busy waits; this thread's loop never turns.
    s.command(Sn_CR.DISCON);
    const seen = [s.sr];
    const t0 = clock.now();
    while (seen[seen.length - 1] !== Sn_SR.SOCK_CLOSED && clock.now() - t0 < 2000) {
      clock.pause(1);
      const v = s.sr;
      if (v !== seen[seen.length - 1]) seen.push(v);
    }
    // The kernel acknowledges our FIN at once and the chip runs on its own thread, so LAST_ACK may be
    // over before the first read after DISCON (it is "brief" on silicon too); nothing else may appear.
    const full = [Sn_SR.SOCK_LAST_ACK, Sn_SR.SOCK_CLOSED];
    assert.ok(JSON.stringify(seen) === JSON.stringify(full) || JSON.stringify(seen) === JSON.stringify([Sn_SR.SOCK_CLOSED]), `Sn_SR went ${seen.join(' → ')}`);
    assert.equal(clientLog.length, 0, 'the client has not run during the busy wait');
    assert.equal(s.ir, 0, 'no second DISCON');
    await until(() => clientLog.includes('close'), 'the client to close');
    assert.deepEqual(clientLog, ['end', 'close']);
    await until(() => edges.length === 4, 'four INTn edges');
    assert.deepEqual(edges, [false, true, false, true]);
    const c = t.trace();
    assert.ok(c.transactions > 20 && c.bytes > 4 * c.transactions, `counters ${JSON.stringify(c)}`);
  });

  it('connects out to a Node server and closes actively; SEND moves the bytes and the counters', async () => {
    t = await W5500Thread.start({ model: { timeWaitMs: 250 } });
    const x = t.exchange;
    configure(x, '192.168.1.10');
    const got: Buffer[] = [];
    const server = net.createServer((sock) => { sock.on('data', (b) => got.push(b)); sock.on('error', () => {}); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.20', () => r()));
    cleanup.push(() => server.close());
    const port = (server.address() as net.AddressInfo).port;

    const s = new RawSocket(x, 5);
    s.open(Sn_MR.TCP, 41000);
    s.connect('192.168.1.20', port);
    await until(() => s.sr === Sn_SR.SOCK_ESTABLISHED, 'ESTABLISHED');
    const before = t.trace().payloadBytes;
    s.send([1, 2, 3, 4, 5, 6, 7, 8]);
    await until(() => (s.ir & Sn_IR.SEND_OK) !== 0, 'SEND_OK');
    assert.equal(t.trace().payloadBytes - before, 8);
    s.command(Sn_CR.DISCON);
    const seen = [s.sr];
    await until(() => {
      const v = s.sr;
      if (v !== seen[seen.length - 1]) seen.push(v);
      return v === Sn_SR.SOCK_CLOSED;
    }, 'CLOSED');
    assert.deepEqual(seen, [Sn_SR.SOCK_FIN_WAIT, Sn_SR.SOCK_TIME_WAIT, Sn_SR.SOCK_CLOSED]);
    assert.equal(s.ir, Sn_IR.CON | Sn_IR.SEND_OK | Sn_IR.DISCON);
    assert.deepEqual([...Buffer.concat(got)], [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('forwards the real model’s fault hooks and trace in order with the SPI windows', async () => {
    t = await W5500Thread.start({ model: { trace: true } });
    const x = t.exchange;
    const phy = () => readFrame(x, Block.Common, CommonReg.PHYCFGR, 1)[0] & PHYCFGR.LNK;
    assert.equal(phy(), PHYCFGR.LNK);
    t.fault('link', false);
    assert.equal(phy(), 0, 'the cable is out for the very next window');
    t.fault('link', true);
    assert.equal(phy(), PHYCFGR.LNK);
    t.fault('chipAbsent', true);
    assert.deepEqual([...x(new Uint8Array([0x00, 0x39, 0x00, 0x00]))], [0xff, 0xff, 0xff, 0xff]);
    t.fault('chipAbsent', false);
    assert.equal(versionr(x), 0x04);
    const lines = t.traceLines().map((l) => JSON.parse(l) as { ev: string; regs?: string[]; miso?: string });
    const versionReads = lines.filter((l) => l.ev === 'spi' && l.regs && l.regs[0] === 'VERSIONR');
    assert.deepEqual(versionReads.map((l) => l.miso), ['01 02 03 04']);
    assert.equal(t.trace().transactions, 5); // three PHYCFGR reads, the absent read, VERSIONR
  });
  it('a SYN sent as soon as the LISTEN transaction returns is accepted (the OS port listens before the answer)', async () => {
    t = await W5500Thread.start({ hostPorts: 'ephemeral', clock: new RealClock() });
    const x = t.exchange;
    configure(x, '192.168.1.10');
    const s = new RawSocket(x, 0);
    s.open(Sn_MR.TCP, 2323);
    s.command(Sn_CR.LISTEN);
    await until(() => t!.bound().some((b) => b.proto === 'tcp' && b.chipPort === 2323), 'the listening OS port');
    const at = t.bound().find((b) => b.proto === 'tcp' && b.chipPort === 2323)!;
    const results: string[] = [];
    for (let round = 0; round < 10; round++) {
      if (round > 0) {
        // CLOSE closes the OS port; OPEN + LISTEN opens it again (the same OS port number)
        s.command(Sn_CR.CLOSE);
        s.open(Sn_MR.TCP, 2323);
        s.command(Sn_CR.LISTEN);
      }
      assert.equal(s.sr, Sn_SR.SOCK_LISTEN);
      const r = await new Promise<string>((resolve) => {
        const c = net.connect({ host: at.address, port: at.port, localAddress: '127.0.0.30' });
        cleanup.push(() => c.destroy());
        c.once('connect', () => resolve('connected'));
        c.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      results.push(r);
      await until(() => s.sr === Sn_SR.SOCK_ESTABLISHED, 'the hardware socket to take the connection');
    }
    assert.deepEqual(results, new Array(10).fill('connected'));
  });
});
