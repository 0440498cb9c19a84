/**
 * A blocking call sleeps until the transport's next timed work, its own bound, or the NIC's
 * interrupt — not a pump every millisecond.
 */
import assert from 'node:assert/strict';
import { blockingRecvWakeups } from '../../sim/blocking-wakeups';
import { WSAError } from '../../firmware/socket/errors';

describe('blocking calls sleep until the next event or deadline (pump deadline)', () => {
  it('recv with SO_RCVTIMEO 300 ms and no data, INT wired: 2 wake-ups, no SPI traffic, WSAETIMEDOUT at 300 ms', async () => {
    const f = await blockingRecvWakeups(300, true);
    assert.equal(f.result, -1);
    assert.equal(f.error, WSAError.WSAETIMEDOUT);
    assert.equal(f.elapsedMs, 300);
    assert.equal(f.wakeups, 2, 'one pump on entry, one at the bound');
    assert.equal(f.transactions, 0, 'INTn high: nothing to read');
  });

  it('the same without INT: the transport polls, so the call wakes once per poll interval (1 ms), as before', async () => {
    const f = await blockingRecvWakeups(300, false);
    assert.equal(f.error, WSAError.WSAETIMEDOUT);
    assert.equal(f.elapsedMs, 300);
    assert.equal(f.wakeups, 301);
  });
});
