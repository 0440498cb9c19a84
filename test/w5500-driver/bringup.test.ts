import assert from 'node:assert/strict';
import { Rig, ip4, PEER_IP } from '../../sim/w5500/driver-rig';
import { W5500 } from '../../hal/w5500/driver';
import { W5500Err, describeErr } from '../../hal/w5500/errors';
import { Sn_MR, Sn_SR } from '../../hal/w5500/registers';
import { NodeSpiDevice } from '../../hal/node/spi';
import { VirtualClock } from '../../sim/net/virtual-clock';

const NET = {
  mac: new Uint8Array([0x02, 0x00, 0x00, 0x12, 0x34, 0x56]),
  ip: ip4('192.168.1.20'),
  subnet: ip4('255.255.255.0'),
  gateway: ip4('192.168.1.1'),
};

/** a rig with a connection from socket 0 to a peer that has exchanged data */
function connectedRig(driver = {}) {
  const r = new Rig({ latencyMs: 0.5, driver });
  assert.equal(r.driver.begin(), W5500Err.OK);
  const l = r.net.listen({ ip: PEER_IP, port: 7000 });
  assert.equal(r.driver.open(0, Sn_MR.TCP, 41000, ip4(PEER_IP), 7000), W5500Err.OK);
  assert.equal(r.driver.connect(0, ip4(PEER_IP), 7000), W5500Err.OK);
  assert.ok(r.runUntil(() => r.events.includes('0:CON'), 100));
  r.take();
  return { r, peer: l.accepted[0] };
}

describe('W5500 driver bring-up', () => {
  it('resets a fresh chip with MR.RST and writes the settings in as few frames as the map allows', () => {
    const r = new Rig({ model: { trace: true }, driver: { txBufKB: [16, 0, 0, 0, 0, 0, 0, 0], rxBufKB: [8, 8, 0, 0, 0, 0, 0, 0], rtr: 1000, rcr: 4 } });
    assert.equal(r.driver.begin(), W5500Err.OK);
    assert.deepEqual(r.frames(), [
      'R common 0000 58', // presence (VERSIONR) and "was anything configured?" in one read
      'W common 0000 80', // MR.RST
      'R common 0000 1', // MR polled until RST clears
      'W common 0001 c0 a8 01 01 ff ff ff 00 02 00 00 12 34 56 c0 a8 01 14', // GAR SUBR SHAR SIPR
      'W common 0018 ff 03 e8 04', // SIMR, RTR = 1000, RCR = 4
      'W S2 001e 00 00', 'W S3 001e 00 00', 'W S4 001e 00 00', 'W S5 001e 00 00', 'W S6 001e 00 00', 'W S7 001e 00 00',
      'W S0 001e 08 10', // grown after the others shrank
      'W S1 001e 08 00',
      'R common 0000 58', // read-back: settings, VERSIONR, PHYCFGR
    ]);
    assert.equal(r.driver.linkUp, true);
    assert.deepEqual([...r.driver.txSize], [16384, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual([...r.driver.rxSize], [8192, 8192, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual({ ...r.driver.stale }, { found: 0, graceful: 0, forced: 0 });
  });

  it('pulses RSTn (held low by a clock pause) instead of MR.RST when the board wires it, then waits for VERSIONR', () => {
    const r = new Rig({ rst: true, model: { trace: true } });
    assert.equal(r.driver.begin(), W5500Err.OK);
    assert.equal(r.rstPin!.pulses, 1);
    assert.equal(r.rstPin!.level, true);
    const f = r.frames();
    assert.deepEqual(f.slice(0, 3), ['R common 0000 58', 'R common 0039 1', 'W common 0001 c0 a8 01 01 ff ff ff 00 02 00 00 12 34 56 c0 a8 01 14']);
    assert.ok(!f.includes('W common 0000 80'));
    assert.ok(r.clock.now() >= 1, 'RSTn low for at least 500 µs, then a wait');
  });

  it('fails with NO_CHIP when MISO reads all 0xFF, naming the likely cause', () => {
    const r = new Rig();
    r.model.faults.chipAbsent = true;
    const err = r.driver.begin();
    assert.equal(err, W5500Err.NO_CHIP);
    assert.equal(describeErr(err), 'no W5500 answers: MISO reads all 0xFF (no chip, no power, or wrong CS pin)');
    assert.equal(r.driver.isUp(), false);
    assert.equal(r.driver.open(0, Sn_MR.TCP, 1000), W5500Err.DOWN);
  });

  it('fails with WIRING when MISO reads all 0x00, and with BUS when the transaction fails', () => {
    const clock = new VirtualClock();
    const zeros = new W5500(Object.assign({ spi: new NodeSpiDevice((m) => new Uint8Array(m.length)), clock }, NET));
    assert.equal(zeros.begin(), W5500Err.WIRING);
    const broken = new W5500(Object.assign({ spi: { transaction: () => false }, clock }, NET));
    assert.equal(broken.begin(), W5500Err.BUS);
    const noisy = new W5500(Object.assign({ spi: new NodeSpiDevice((m) => m.map((_, i) => (i * 37) & 0xff)), clock }, NET));
    assert.equal(noisy.begin(), W5500Err.BAD_VERSION);
  });

  it('rejects buffer sizes the chip cannot hold before touching the bus', () => {
    let frames = 0;
    const spi = new NodeSpiDevice((m) => { frames++; return new Uint8Array(m.length); });
    const clock = new VirtualClock();
    const d = new W5500(Object.assign({ spi, clock, txBufKB: [16, 2, 0, 0, 0, 0, 0, 0] }, NET));
    assert.equal(d.begin(), W5500Err.ARG);
    const d2 = new W5500(Object.assign({ spi, clock, rxBufKB: [3, 0, 0, 0, 0, 0, 0, 0] }, NET));
    assert.equal(d2.begin(), W5500Err.ARG);
    assert.equal(frames, 0);
  });

  it('reports the link state read at bring-up', () => {
    const r = new Rig();
    r.model.faults.link(false);
    assert.equal(r.driver.begin(), W5500Err.OK);
    assert.equal(r.driver.linkUp, false);
  });
});

describe('W5500 driver: sockets left open by an MCU reset', () => {
  it('ends a live connection with DISCON and waits for CLOSED before resetting the chip', () => {
    const { r, peer } = connectedRig();
    peer.onFin = () => peer.fin();
    r.driver.stop(); // the MCU resets; the chip keeps the connection
    const again = new Rig({ chip: r });
    assert.equal(again.driver.begin(), W5500Err.OK);
    assert.deepEqual({ ...again.driver.stale }, { found: 1, graceful: 1, forced: 0 });
    r.run(5);
    assert.equal(peer.gotFin, true);
    assert.equal(peer.gotRst, false);
    const order = r.net.wire.filter((w) => w.peer === PEER_IP + ':7000').map((w) => w.dir + ' ' + w.what);
    assert.deepEqual(order.slice(-3), ['chip>peer FIN', 'peer>chip FIN', 'peer>chip ACK of FIN']);
    assert.equal(again.driver.lastState(0), Sn_SR.SOCK_CLOSED);
  });

  it('gives up on a peer that never answers after staleCloseMs and CLOSEs the socket', () => {
    const { r, peer } = connectedRig();
    peer.setSilent(true);
    r.driver.stop();
    const again = new Rig({ chip: r, driver: { staleCloseMs: 300 } });
    const t0 = r.clock.now();
    assert.equal(again.driver.begin(), W5500Err.OK);
    assert.deepEqual({ ...again.driver.stale }, { found: 1, graceful: 0, forced: 1 });
    const waited = r.clock.now() - t0;
    assert.ok(waited >= 300 && waited < 400, 'bounded wait: ' + waited);
  });

  it('with hardResetStaleSockets CLOSEs at once: no FIN, the peer finds out by RST', () => {
    const { r, peer } = connectedRig();
    r.driver.stop();
    const again = new Rig({ chip: r, driver: { hardResetStaleSockets: true } });
    assert.equal(again.driver.begin(), W5500Err.OK);
    assert.deepEqual({ ...again.driver.stale }, { found: 1, graceful: 0, forced: 1 });
    peer.send('anyone there?');
    r.run(5);
    assert.equal(peer.gotFin, false);
    assert.equal(peer.gotRst, true);
  });

  it('CLOSEs listening and UDP sockets (nothing to finish gracefully)', () => {
    const r = new Rig({ latencyMs: 0.5 });
    assert.equal(r.driver.begin(), W5500Err.OK);
    assert.equal(r.driver.open(1, Sn_MR.TCP, 80), W5500Err.OK);
    assert.equal(r.driver.listen(1), W5500Err.OK);
    assert.equal(r.driver.open(2, Sn_MR.UDP, 68), W5500Err.OK);
    r.driver.stop();
    const again = new Rig({ chip: r });
    assert.equal(again.driver.begin(), W5500Err.OK);
    assert.deepEqual({ ...again.driver.stale }, { found: 2, graceful: 0, forced: 2 });
  });
});
