import assert from 'node:assert/strict';
import { Rig, ip4, PEER_IP, CHIP_IP } from '../../sim/w5500/driver-rig';
import { W5500Err } from '../../hal/w5500/errors';
import { Sn_MR } from '../../hal/w5500/registers';
import type { RigOptions } from '../../sim/w5500/driver-rig';

function up(o: RigOptions = {}): Rig {
  const r = new Rig(Object.assign({ latencyMs: 0.5, model: { trace: true } }, o));
  assert.equal(r.driver.begin(), W5500Err.OK);
  r.model.trace.reset();
  return r;
}

describe('W5500 interrupt service', () => {
  it('with INT wired, an idle chip costs no SPI transaction and arms no timer', () => {
    const r = up();
    assert.equal(r.driver.open(0, Sn_MR.TCP, 80), W5500Err.OK);
    assert.equal(r.driver.listen(0), W5500Err.OK);
    r.model.trace.reset();
    r.run(10000);
    assert.equal(r.model.trace.counters.transactions, 0);
    assert.equal(r.clock.pending(), 0);
    assert.equal(r.intPin!.watcherCount(), 1);
  });

  it('one socket in use: INTn low → Sn_IR+Sn_SR in one read → write-1-to-clear of exactly those bits', () => {
    const r = up();
    assert.equal(r.driver.open(3, Sn_MR.TCP, 80), W5500Err.OK);
    assert.equal(r.driver.listen(3), W5500Err.OK);
    r.model.trace.reset();
    r.net.connect({ ip: PEER_IP, port: 50000 }, { ip: CHIP_IP, port: 80 });
    r.run(5);
    assert.deepEqual(r.take(), ['3:CON']);
    assert.deepEqual(r.frames(), ['R S3 0002 2', 'W S3 0002 01']);
    assert.equal(r.model.intn, true);
  });

  it('several sockets: SIR first, then each flagged socket; loops while INTn stays low so no edge is lost', () => {
    const r = up();
    for (const sn of [1, 4]) {
      assert.equal(r.driver.open(sn, Sn_MR.UDP, 6000 + sn), W5500Err.OK);
    }
    r.model.trace.reset();
    const p = r.net.udpPeer({ ip: PEER_IP, port: 9000 });
    p.sendTo({ ip: CHIP_IP, port: 6001 }, 'a');
    p.sendTo({ ip: CHIP_IP, port: 6004 }, 'b');
    r.run(5);
    assert.deepEqual(r.take(), ['1:RECV', '4:RECV']);
    assert.deepEqual(r.frames(), ['R common 0017 1', 'R S1 0002 2', 'W S1 0002 04', 'R S4 0002 2', 'W S4 0002 04']);
  });

  it('an event that lands while the service runs keeps INTn low: the same service goes round again', () => {
    const r = up();
    for (const sn of [1, 4]) assert.equal(r.driver.open(sn, Sn_MR.UDP, 6000 + sn), W5500Err.OK);
    const p = r.net.udpPeer({ ip: PEER_IP, port: 9000 });
    // SPI takes time on a board: let 1 ms pass during the clear of socket 1, so socket 4's datagram lands mid-service
    const real = r.spi.transaction.bind(r.spi);
    r.spi.transaction = (ops) => {
      const ok = real(ops);
      if (ops[0].buf[0] === 0x00 && ops[0].buf[1] === 0x02 && ops[0].buf[2] === 0x2c) { r.clock.pause(1); r.model.advance(); }
      return ok;
    };
    const at: string[] = [];
    r.onEvent = (sn) => at.push(sn + '@' + r.model.trace.counters.transactions);
    r.model.trace.reset();
    p.sendTo({ ip: CHIP_IP, port: 6001 }, 'd');
    r.clock.setTimeout(() => p.sendTo({ ip: CHIP_IP, port: 6004 }, 'c'), 0.25);
    r.run(5);
    assert.deepEqual(r.take(), ['1:RECV', '4:RECV']);
    assert.deepEqual(r.frames(), ['R common 0017 1', 'R S1 0002 2', 'W S1 0002 04', 'R common 0017 1', 'R S4 0002 2', 'W S4 0002 04']);
    assert.deepEqual(at, ['1@6', '4@6'], 'both delivered by one service pass');
    assert.equal(r.model.intn, true);
  });

  it('without INT: polls SIR, backing off 1 → 2 → … → 128 ms while idle (13 reads in 1 s)', () => {
    const r = up({ int: false });
    const t0 = r.clock.now();
    r.run(1000);
    const times = r.model.trace.records().filter((x) => x.ev === 'spi').map((x) => Number(x.t) - t0);
    assert.deepEqual(times, [1, 3, 7, 15, 31, 63, 127, 255, 383, 511, 639, 767, 895]);
    assert.deepEqual(r.frames().slice(0, 2), ['R common 0017 1', 'R common 0017 1']);
  });

  it('without INT: activity resets the interval and events arrive through the poll', () => {
    const r = up({ int: false });
    r.run(1000);
    const l = r.net.listen({ ip: PEER_IP, port: 7000 });
    assert.equal(r.driver.open(0, Sn_MR.TCP, 41000), W5500Err.OK);
    assert.equal(r.driver.connect(0, ip4(PEER_IP), 7000), W5500Err.OK);
    const t0 = r.clock.now();
    assert.ok(r.runUntil(() => r.events.includes('0:CON'), 50));
    assert.ok(r.clock.now() - t0 <= 2, 'seen within the short interval: ' + (r.clock.now() - t0));
    l.accepted[0].send('x');
    assert.ok(r.runUntil(() => r.events.includes('0:RECV'), 500));
    assert.deepEqual(r.take(), ['0:CON', '0:RECV']);
  });

  it('without INT, one socket in use: each poll reads its Sn_IR+Sn_SR (no SIR), and a poll that found an event ends there', () => {
    const r = up({ int: false });
    assert.equal(r.driver.open(3, Sn_MR.TCP, 80), W5500Err.OK);
    assert.equal(r.driver.listen(3), W5500Err.OK);
    r.run(20);
    r.model.trace.reset();
    r.net.connect({ ip: PEER_IP, port: 50000 }, { ip: CHIP_IP, port: 80 });
    assert.ok(r.runUntil(() => r.events.includes('3:CON'), 50));
    assert.deepEqual(r.take(), ['3:CON']);
    const f = r.frames();
    // empty polls before the connection came, then the one that found CON and cleared it: SIR is never read
    assert.deepEqual(f.slice(-2), ['R S3 0002 2', 'W S3 0002 01']);
    assert.deepEqual(f.filter((x) => x !== 'R S3 0002 2'), ['W S3 0002 01']);
  });

  it('health poll (option): one read of SIMR…VERSIONR per period, nothing else while idle', () => {
    const r = up({ driver: { healthPollMs: 500 } });
    r.run(1000);
    assert.deepEqual(r.frames(), ['R common 0018 34', 'R common 0018 34']);
    assert.deepEqual(r.take(), []);
  });

  it('an INT line stuck low with nothing flagged is re-checked every 10 ms, not in a hot loop', () => {
    const r = up();
    r.intPin!.read = () => false;
    // no edge comes: the owner's first look finds it low, then polls at the deadlines the driver gives
    r.loop.at(r.clock.now());
    r.run(1000);
    // each visit: SIR (0) and one chip check, which finds the chip healthy
    assert.equal(r.model.trace.counters.transactions, 2 * 101);
    assert.deepEqual(r.frames().slice(0, 2), ['R common 0017 1', 'R common 0018 34']);
    assert.deepEqual(r.take(), []);
    assert.equal(r.driver.isUp(), true);
  });

  it('stop() ends the pin watch and every deadline: a poll afterwards reads nothing', () => {
    const r = up({ int: false });
    r.driver.stop();
    assert.equal(r.driver.nextDue(), -1);
    r.model.trace.reset();
    r.driver.poll();
    r.run(1000);
    assert.equal(r.model.trace.counters.transactions, 0);
    const i = up();
    i.driver.stop();
    assert.equal(i.intPin!.watcherCount(), 0);
  });
});
