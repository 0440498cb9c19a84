/**
 * The teardown scenarios of issue 11 on any two joined stacks (IPv4 seam or Ethernet frames): the seed's
 * six-step teardown (docs/socket-semantics.md §7), an abortive close from either end, a simultaneous
 * close; each checks the bytes, the order of events and that nothing is left behind.
 */
import assert from 'node:assert/strict';
import type { TcpConn } from '../../../firmware/net/tcp/conn';
import { STATE_NAMES } from './fixture';
import { IP_B, Sink, Source, pattern } from './two-stacks';
import type { Side, TwoStacks } from './two-stacks';
/** virtual time a scenario may take */
const LIMIT = 20 * 60 * 1000;

export function has(s: Side, e: string): boolean {
  return s.log.indexOf(e) >= 0;
}

/** no `readable` after `peerFin`, and the given events in this order */
export function assertOrder(log: string[], events: string[], what: string): void {
  let at = -1;
  for (const e of events) {
    const i = log.indexOf(e, at + 1);
    assert.ok(i > at, what + ': "' + e + '" in order in ' + JSON.stringify(log));
    at = i;
  }
  const fin = log.indexOf('peerFin');
  if (fin >= 0) assert.equal(log.indexOf('readable', fin), -1, what + ': readable after peerFin in ' + JSON.stringify(log));
}

export function open(link: TwoStacks, port: number): { c: TcpConn; accepted: () => TcpConn | null } {
  const l = link.b.tcp.listener();
  assert.equal(l.listen(0, port, 1), 0);
  const c = link.a.tcp.conn();
  assert.equal(c.connect(IP_B, port, 0, link.now), 0);
  let s: TcpConn | null = null;
  return {
    c,
    accepted: function (): TcpConn | null {
      if (s === null && l.pending() > 0) s = l.accept();
      return s;
    },
  };
}

export function sixStep(seed: number, link: TwoStacks): TwoStacks {
  const client = link.a, server = link.b;
  const o = open(link, 80);
  const c = o.c;
  const request = pattern(5000, seed), response = pattern(1400, seed + 1000);
  const reqOut = new Source(request), reqIn = new Sink(5000), rspOut = new Source(response), rspIn = new Sink(1400);
  const order: string[] = [];
  let s: TcpConn | null = null;
  let serverClosed = false, clientClosed = false;
  const ok = link.run(function (): void {
    const now = link.now;
    s = o.accepted();
    if (has(client, 'connected') && order.length === 0) {
      reqOut.pump(c, now);
      if (reqOut.done()) {
        assert.equal(c.shutdownSend(now), 0);
        order.push('1 client shutdown(SD_SEND)');
      }
    }
    if (s !== null) {
      reqIn.drain(s, now);
      if (order.length === 1 && has(server, 'peerFin') && s.readable() === 0) {
        order.push('2 server FD_CLOSE');
        rspOut.pump(s, now);
        assert.ok(rspOut.done(), 'the response fits the send queue');
        order.push('3 server sends the response');
        assert.equal(s.shutdownSend(now), 0);
        order.push('4 server shutdown(SD_SEND)');
      }
    }
    const before = rspIn.n;
    rspIn.drain(c, now);
    if (rspIn.n > before && order.indexOf("5' client FD_READ, recv") < 0) order.push("5' client FD_READ, recv");
    if (order.length === 5 && has(client, 'peerFin') && c.readable() === 0) {
      order.push('5 client FD_CLOSE');
      serverClosed = (s as TcpConn).close(now);
      order.push("4' server closesocket");
      clientClosed = c.close(now);
      order.push('6 client closesocket');
    }
  }, function (): boolean {
    return order.length === 8 && has(client, 'ended None') && has(server, 'ended None');
  }, LIMIT);
  const why = 'seed ' + seed + ': ' + order.join(' / ') + ' client ' + JSON.stringify(client.log) + ' server ' + JSON.stringify(server.log);
  assert.ok(ok, why);
  assert.deepEqual(order, ['1 client shutdown(SD_SEND)', '2 server FD_CLOSE', '3 server sends the response', '4 server shutdown(SD_SEND)',
    "5' client FD_READ, recv", '5 client FD_CLOSE', "4' server closesocket", '6 client closesocket']);
  assert.deepEqual(Buffer.from(reqIn.bytes()), Buffer.from(request), 'request byte-exact');
  assert.deepEqual(Buffer.from(rspIn.bytes()), Buffer.from(response), 'response byte-exact');
  assertOrder(client.log, ['connected', 'readable', 'peerFin', 'ended None'], 'client');
  assertOrder(server.log, ['acceptable', 'readable', 'peerFin', 'ended None'], 'server');
  assert.equal(client.log.filter((e) => e.indexOf('ended') === 0).length, 1);
  assert.equal(server.log.filter((e) => e.indexOf('ended') === 0).length, 1);
  // the client closed first: TIME_WAIT is its record, not its connection object
  assert.equal(STATE_NAMES[c.state], 'TIME_WAIT');
  assert.equal(STATE_NAMES[(s as unknown as TcpConn).state], 'CLOSED');
  assert.deepEqual([client.tcp.conns.length, server.tcp.conns.length, server.tcp.timeWaits.length], [0, 0, 0]);
  assert.equal(clientClosed, true, 'the client had ended (TIME_WAIT) when it closed: the object is free at once');
  void serverClosed; // in LAST_ACK until the client's last ACK arrives: then the background close ends it
  // 2·MSL later nothing is left on either side
  link.run(function (): void { /* idle */ }, function (): boolean { return client.tcp.timeWaits.length === 0; }, 70000);
  assert.equal(client.tcp.timeWaits.length, 0);
  assert.equal(client.tcp.nextDeadline(), -1);
  assert.equal(server.tcp.nextDeadline(), -1);
  return link;
}

/** the seeds did lose and reorder datagrams */
export function assertLossy(links: TwoStacks[]): void {
  let lost = 0, overtaken = 0;
  for (const l of links) {
    lost += l.lost();
    overtaken += l.overtaken();
  }
  assert.ok(lost > links.length && overtaken > links.length, 'lost ' + lost + ', overtaken ' + overtaken);
}


export function abortive(seed: number, link: TwoStacks, aborter: 'client' | 'server'): TwoStacks {
  const o = open(link, 81);
  const c = o.c;
  const up = pattern(6000, seed), down = pattern(6000, seed + 7);
  const upOut = new Source(up), upIn = new Sink(6000), downOut = new Source(down), downIn = new Sink(6000);
  let aborted = false;
  let dropped = -1;
  let abortedLogLength = -1;
  const victim = aborter === 'client' ? link.b : link.a;
  const ok = link.run(function (): void {
    const now = link.now;
    const s = o.accepted();
    if (!has(link.a, 'connected') || s === null) return;
    if (!(aborter === 'client' && aborted)) { upOut.pump(c, now); downIn.drain(c, now); }
    if (!(aborter === 'server' && aborted)) { downOut.pump(s, now); upIn.drain(s, now); }
    if (!aborted && upIn.n >= 2000 && downIn.n >= 2000) {
      aborted = true;
      const who = aborter === 'client' ? c : s;
      dropped = who.abort(now);
      abortedLogLength = (aborter === 'client' ? link.a : link.b).log.length;
    }
  }, function (): boolean {
    return aborted && has(victim, 'ended Reset');
  }, LIMIT);
  assert.ok(ok, 'seed ' + seed + ' ' + aborter + ' abort: victim ' + JSON.stringify(victim.log));
  assert.ok(dropped >= 0);
  const aborterSide = aborter === 'client' ? link.a : link.b;
  assert.equal(aborterSide.log.length, abortedLogLength, 'no event after abort()');
  // whatever arrived is exactly the start of what was sent
  assert.deepEqual(Buffer.from(upIn.bytes()), Buffer.from(up.subarray(0, upIn.n)));
  assert.deepEqual(Buffer.from(downIn.bytes()), Buffer.from(down.subarray(0, downIn.n)));
  assert.equal(victim.log.filter((e) => e.indexOf('ended') === 0).length, 1);
  assert.deepEqual([link.a.tcp.conns.length, link.b.tcp.conns.length, link.a.tcp.timeWaits.length, link.b.tcp.timeWaits.length], [0, 0, 0, 0]);
  return link;
}


export function simultaneous(seed: number, link: TwoStacks): { link: TwoStacks; states: string[] } {
  const o = open(link, 82);
  const c = o.c;
  const ab = pattern(3000, seed), ba = pattern(3000, seed + 3);
  const abOut = new Source(ab), abIn = new Sink(3000), baOut = new Source(ba), baIn = new Sink(3000);
  let closedAt = -1;
  let s: TcpConn | null = null;
  const states: string[] = [];
  const ok = link.run(function (): void {
    const now = link.now;
    s = o.accepted();
    if (!has(link.a, 'connected') || s === null) return;
    const st = STATE_NAMES[c.state] + '/' + STATE_NAMES[s.state];
    if (states[states.length - 1] !== st) states.push(st);
    abOut.pump(c, now);
    baOut.pump(s, now);
    abIn.drain(s, now);
    baIn.drain(c, now);
    if (closedAt < 0 && abIn.n === 3000 && baIn.n === 3000 && c.unsent() === 0 && s.unsent() === 0) {
      // both ends close in the same instant: each FIN is on the wire before the other's arrives
      closedAt = now;
      assert.equal(c.shutdownSend(now), 0);
      assert.equal(s.shutdownSend(now), 0);
      assert.deepEqual([STATE_NAMES[c.state], STATE_NAMES[s.state]], ['FIN_WAIT_1', 'FIN_WAIT_1']);
      states.push('FIN_WAIT_1/FIN_WAIT_1');
    }
  }, function (): boolean {
    return has(link.a, 'ended None') && has(link.b, 'ended None');
  }, LIMIT);
  assert.ok(ok, 'seed ' + seed + ' A ' + JSON.stringify(link.a.log) + ' B ' + JSON.stringify(link.b.log));
  assert.deepEqual(Buffer.from(abIn.bytes()), Buffer.from(ab));
  assert.deepEqual(Buffer.from(baIn.bytes()), Buffer.from(ba));
  assert.deepEqual([STATE_NAMES[c.state], STATE_NAMES[(s as unknown as TcpConn).state]], ['TIME_WAIT', 'TIME_WAIT']);
  assert.deepEqual([link.a.tcp.timeWaits.length, link.b.tcp.timeWaits.length], [1, 1]);
  assertOrder(link.a.log, ['connected', 'peerFin', 'ended None'], 'A');
  assertOrder(link.b.log, ['acceptable', 'peerFin', 'ended None'], 'B');
  return { link, states };
}

