/**
 * Data is readable, and FD_READ posted, at the first turn of the event loop after it reaches the
 * chip, with no API call to bring it: data that comes with the connection's establishment (the
 * peer's greeting in the same service as CON), and data that arrives while the application makes no
 * call at all. INT wired and polling; the model and its peer on the virtual clock, exact times.
 */
import assert from 'node:assert/strict';
import { createHarness } from '../../sim/harness';
import type { Harness } from '../../sim/harness';
import type { VTcpListener } from '../../sim/w5500/virtual-net';
import { AddressFamily, FdEvent, SockType } from '../../firmware/socket/constants';
import { WSAError } from '../../firmware/socket/errors';

const FD: Record<number, string> = { 1: 'FD_READ', 2: 'FD_WRITE', 16: 'FD_CONNECT', 32: 'FD_CLOSE' };
const text = (b: Uint8Array, n: number): string => new TextDecoder().decode(b.subarray(0, n));

interface Rig {
  h: Harness;
  /** "time FD_X error" per notification, time in ms since the connect call */
  events: string[];
  /** the times of the event loop's turns (its pumps), ms since the connect call */
  turns: number[];
  s: number;
  t0: number;
  l: VTcpListener;
}

/** a client socket under WSAAsyncSelect connecting to a peer that greets it on accept */
async function greeted(int: boolean): Promise<Rig> {
  const h = await createHarness({ network: 'virtual', time: 'virtual', int, stack: { healthPollMs: 0 } });
  const l = h.vnet!.listen({ ip: '192.168.1.10', port: 5000 });
  l.onAccept = (p) => { p.send('hello'); };
  await h.run(100);
  const rig: Rig = { h, events: [], turns: [], s: 0, t0: h.clock.now(), l };
  const t = h.transport;
  const pump = t.pump;
  t.pump = function (): number {
    rig.turns.push(h.clock.now() - rig.t0);
    return pump.call(t);
  };
  const api = h.api;
  rig.s = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
  assert.equal(api.WSAAsyncSelect(rig.s, (s, ev, err) => { rig.events.push((h.clock.now() - rig.t0) + ' ' + FD[ev] + ' ' + err); },
    FdEvent.FD_CONNECT | FdEvent.FD_READ | FdEvent.FD_CLOSE), 0);
  assert.equal(api.connect(rig.s, '192.168.1.10', 5000), -1);
  assert.equal(api.WSAGetLastError(), WSAError.WSAEWOULDBLOCK);
  return rig;
}

for (const int of [true, false]) {
  describe('data at the first turn after it arrives, no API call needed (' + (int ? 'INT wired' : 'polling') + ')', () => {
    let rig: Rig | undefined;
    afterEach(async () => {
      if (rig) await rig.h.close();
      rig = undefined;
    });

    it('the greeting sent on accept comes with the connection (CON and RECV in one service): FD_CONNECT and FD_READ at that turn, the 5 bytes readable', async () => {
      rig = await greeted(int);
      const { h, events, turns, s } = rig;
      await h.run(20);
      // SYN out at 0.5 ms, SYN/ACK and the greeting back at 1 ms (0.5 ms each way)
      assert.deepEqual(events, ['1 FD_CONNECT 0', '1 FD_READ 0']);
      // the connect's own turn at 0, then the first turn at 1 ms; polling goes on backing off
      assert.deepEqual(turns.slice(0, 3), [0, 1, 1]);
      if (int) assert.deepEqual(turns, [0, 1, 1]);
      else assert.deepEqual(turns, [0, 1, 1, 2, 4, 8, 16]);
      const buf = new Uint8Array(64);
      assert.equal(h.api.recv(s, buf, buf.length, 0), 5);
      assert.equal(text(buf, 5), 'hello');
    });

    it('data that arrives while the application makes no call: FD_READ at the first turn after it, the bytes readable', async () => {
      rig = await greeted(int);
      const { h, events, turns, s } = rig;
      await h.run(20);
      const buf = new Uint8Array(64);
      // the last call: it takes the greeting and re-enables FD_READ
      assert.equal(h.api.recv(s, buf, buf.length, 0), 5);
      events.length = 0;
      turns.length = 0;
      await h.run(30);
      rig.l.accepted[0].send('world');
      await h.run(200);
      // sent at 50 ms, at the chip at 50.5
      if (int) {
        // INTn falls at 50.5: the turn runs then; the turn at 20 is the recv's own
        assert.deepEqual(events, ['50.5 FD_READ 0']);
        assert.deepEqual(turns, [20, 50.5, 50.5]);
      } else {
        // the recv brought the poll back to 1 ms; it doubles (21, 23, 27, 35, 51): the poll at 51 finds it
        assert.deepEqual(events, ['51 FD_READ 0']);
        assert.deepEqual(turns, [20, 21, 23, 27, 35, 51, 51, 52, 54, 58, 66, 82, 114, 178]);
      }
      assert.equal(h.api.recv(s, buf, buf.length, 0), 5);
      assert.equal(text(buf, 5), 'world');
      assert.equal(h.api.recv(s, buf, buf.length, 0), -1);
      assert.equal(h.api.WSAGetLastError(), WSAError.WSAEWOULDBLOCK);
    });
  });
}
