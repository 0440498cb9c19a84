/**
 * Waiting costs nothing it need not: the event loop keeps one timer, set for the earliest deadline
 * (the transport's pump deadline, the layer's own), and a blocking call sleeps until the next event
 * or deadline — not a pump every millisecond.
 */
import assert from 'node:assert/strict';
import { blockingRecvWakeups, idleWakeups } from '../../sim/blocking-wakeups';
import { createHarness } from '../../sim/harness';
import type { VirtualClock } from '../../sim/net/virtual-clock';
import { AddressFamily, SockType } from '../../firmware/socket/constants';
import { WSAError } from '../../firmware/socket/errors';

describe('blocking calls sleep until the next event or deadline (pump deadline)', () => {
  it('recv with SO_RCVTIMEO 300 ms and no data, INT wired: 2 wake-ups, no SPI traffic, WSAETIMEDOUT at 300 ms', async () => {
    const f = await blockingRecvWakeups(300, true);
    assert.equal(f.result, -1);
    assert.equal(f.error, WSAError.WSAETIMEDOUT);
    assert.equal(f.elapsedMs, 300);
    assert.equal(f.wakeups, 2, 'one pump on entry, one at the bound');
    assert.deepEqual(f.times, [0, 300]);
    assert.equal(f.transactions, 0, 'INTn high: nothing to read');
  });

  it('the same without INT: the call wakes only for the polls of the back-off (1, 2, 4 … 128 ms since the last event), 5 times, not once a millisecond', async () => {
    const f = await blockingRecvWakeups(300, false);
    assert.equal(f.error, WSAError.WSAETIMEDOUT);
    assert.equal(f.elapsedMs, 300);
    // the connection's last event was 51 ms before the call; the polls went on doubling: at 64, 128,
    // 256 ms after it (13, 77, 205 in the call), one read each; entry and bound read nothing
    assert.deepEqual(f.times, [0, 13, 77, 205, 300]);
    assert.equal(f.wakeups, 5);
    assert.equal(f.transactions, 3);
  });
});

describe('the event loop with nothing to do', () => {
  it('INT wired, no chip check: no wake-up, no timer, no SPI traffic in 10 s', async () => {
    const f = await idleWakeups(true, 0, 10);
    assert.deepEqual(f, { wakeups: 0, perSecond: 0, transactions: 0, timers: 0 });
  });

  it('INT wired, chip check every second (the runtime default): one wake-up and one read a second, one timer', async () => {
    const f = await idleWakeups(true, 1000, 10);
    assert.deepEqual(f, { wakeups: 10, perSecond: 1, transactions: 10, timers: 1 });
  });

  it('polling: the back-off at its longest, one poll (one read) every 128 ms', async () => {
    const f = await idleWakeups(false, 0, 10);
    assert.deepEqual(f, { wakeups: 78, perSecond: 7.8, transactions: 78, timers: 1 });
  });

  it('the one timer is set for the deadline the last pump returned, and turns run exactly then; a call brings the poll back to 1 ms', async () => {
    const h = await createHarness({ network: 'virtual', time: 'virtual', int: false, stack: { healthPollMs: 0 } });
    try {
      h.vnet!.listen({ ip: '192.168.1.10', port: 5000 });
      const api = h.api;
      const s = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
      assert.equal(api.connect(s, '192.168.1.10', 5000), 0);
      await h.run(1000);
      const t = h.transport;
      const pump = t.pump;
      const at: number[] = [];
      const due: number[] = [];
      t.pump = function (): number {
        at.push(h.clock.now());
        const d = pump.call(t);
        due.push(d);
        return d;
      };
      const loop = api.eventLoop();
      assert.equal((h.clock as VirtualClock).pending(), 1, 'one timer');
      const first = loop.due;
      await h.run(1000);
      assert.equal(at[0], first);
      for (let i = 1; i < at.length; i++) assert.equal(at[i], due[i - 1], 'turn ' + i + ' ran at the deadline the last pump gave');
      assert.deepEqual(at.slice(1).map((x, i) => x - at[i]), at.slice(1).map(() => 128), 'idle: the poll at its longest interval');
      assert.equal((h.clock as VirtualClock).pending(), 1);
      assert.equal(loop.due, due[due.length - 1]);
      // a call may start activity: the poll is 1 ms away again, and the one timer moves to it
      at.length = 0;
      due.length = 0;
      const now = h.clock.now();
      assert.equal(api.send(s, new Uint8Array([1, 2, 3]), 3, 0), 3);
      assert.equal(loop.due, now + 1);
      assert.equal((h.clock as VirtualClock).pending(), 1);
      await h.run(3);
      assert.deepEqual(at.slice(0, 2), [now + 1, now + 2], 'polls 1 and 2 ms apart: SEND_OK found at the first');
      t.pump = pump;
      api.closesocket(s, undefined);
    } finally {
      await h.close();
    }
  });
});
