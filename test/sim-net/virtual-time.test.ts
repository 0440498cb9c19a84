import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/net/virtual-clock';
import { Scheduler } from '../../sim/net/scheduler';
import { runUntil, type TimedDevice } from '../../sim/net/virtual-time';

/** a device that does one thing at each of the given times and logs when it did it */
function device(name: string, clock: VirtualClock, at: number[], log: string[]): TimedDevice {
  const due = at.slice();
  return {
    advance() { while (due.length > 0 && due[0] <= clock.now()) { log.push(name + '@' + due.shift()); } },
    nextDeadline() { return due.length > 0 ? due[0] : undefined; },
  };
}

describe('virtual time (sim/net)', () => {
  it('VirtualClock runs timers in due order, ties in creation order, and pause runs none', () => {
    const c = new VirtualClock();
    const seen: string[] = [];
    c.setTimeout(() => seen.push('b20'), 20);
    c.setTimeout(() => seen.push('a10'), 10);
    const gone = c.setTimeout(() => seen.push('never'), 15);
    c.setTimeout(() => { seen.push('c10'); c.setTimeout(() => seen.push('d10+0'), 0); }, 10);
    c.clearTimeout(gone);
    c.pause(50);
    assert.deepEqual(seen, []);
    assert.equal(c.now(), 50);
    c.runDue();
    assert.deepEqual(seen, ['a10', 'c10', 'b20', 'd10+0']); // d was scheduled at t=50
  });

  it('VirtualClock.advance stops at the end time and runUntil reports whether the condition held', () => {
    const c = new VirtualClock();
    let n = 0;
    c.setTimeout(() => n++, 100);
    c.advance(99);
    assert.equal(n, 0);
    assert.equal(c.now(), 99);
    c.advance(1);
    assert.equal(n, 1);
    assert.equal(c.runUntil(() => n === 2, 1000), false);
    assert.equal(c.now(), 1100);
    c.setTimeout(() => n++, 5);
    assert.equal(c.runUntil(() => n === 2, 1000), true);
    assert.equal(c.now(), 1105);
  });

  it('Scheduler takes actions in due order, ties in queue order, and cancels by id', () => {
    const q = new Scheduler();
    const seen: string[] = [];
    q.at(5, () => seen.push('b5'));
    const gone = q.at(1, () => seen.push('never'));
    q.at(5, () => seen.push('c5'));
    q.at(2, () => seen.push('a2'));
    q.cancel(gone);
    q.cancel(gone);
    assert.equal(q.next(), 2);
    assert.equal(q.take(1), undefined);
    for (let e = q.take(5); e; e = q.take(5)) e.fn();
    assert.deepEqual(seen, ['a2', 'b5', 'c5']);
    assert.equal(q.pending(), 0);
    assert.equal(q.next(), undefined);
  });

  it('runUntil steps the clock to the earliest of the timers and every device deadline', () => {
    const c = new VirtualClock();
    const log: string[] = [];
    c.setTimeout(() => log.push('timer@' + c.now()), 7);
    const a = device('a', c, [3, 12], log);
    const b = device('b', c, [5, 9], log);
    assert.equal(runUntil(c, [a, b], () => log.length === 5, 100), true);
    assert.deepEqual(log, ['a@3', 'b@5', 'timer@7', 'b@9', 'a@12']);
    assert.equal(c.now(), 12);
    assert.equal(runUntil(c, [a, b], () => false, 30), false);
    assert.equal(c.now(), 42);
  });
});
