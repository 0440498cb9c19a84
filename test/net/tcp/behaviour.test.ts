/**
 * The rest of the machine's rules with exact segments: segmentation and the windows, Nagle and
 * TCP_NODELAY, the delayed-ACK bound, zero-window probes, keep-alive, close versus abort, both
 * half-closes, the 2^32 wrap, and bad input.
 */
import assert from 'node:assert/strict';
import { TcpErr, TcpState } from '../../../firmware/net/tcp/constants';
import { TcpFlag } from '../../../firmware/net/tcp/header';
import { ISS, IRS, REMOTE, RPORT, LPORT, feed, inState, rig, sent, stateName } from './fixture';
import type { Rig } from './fixture';
import type { TcpConn } from '../../../firmware/net/tcp/conn';

const ACK = TcpFlag.ACK, SYN = TcpFlag.SYN, FIN = TcpFlag.FIN, PSH = TcpFlag.PSH;

function bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

function send(c: TcpConn, text: string, now: number): number {
  return c.send(bytes(text), 0, text.length, now);
}

function read(c: TcpConn, now: number): string {
  const b = new Uint8Array(4096);
  const n = c.recv(b, 0, b.length, now);
  return Buffer.from(b.subarray(0, n)).toString('latin1');
}

describe('TCP sending: segments, windows, Nagle', () => {
  it('cuts the queue into MSS-sized segments, several in flight; the sub-MSS tail waits (Nagle) until all is acknowledged', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    assert.equal(send(c, 'x'.repeat(2500), 0), 2048, 'the send buffer takes 2048');
    assert.deepEqual(r.wire.take().map((x) => [x.seq, x.data.length, x.flags]), [[1001, 1000, 'ACK'], [2001, 1000, 'ACK']]);
    assert.equal(c.writeSpace(), 0);
    feed(r, { seq: IRS + 1, ack: 2001, flags: ACK }, 10);
    assert.deepEqual(r.log.take(), ['writable']);
    assert.equal(c.writeSpace(), 1000);
    assert.deepEqual(r.wire.take(), []);
    feed(r, { seq: IRS + 1, ack: 3001, flags: ACK }, 20);
    assert.deepEqual(r.wire.take().map((x) => [x.seq, x.data.length, x.flags]), [[3001, 48, 'PSH,ACK']]);
  });
  it('sends no more than the peer\'s window (SND.UNA + SND.WND); a window-limited runt waits (sender SWS avoidance)', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED, { sndWnd: 1500 });
    send(c, 'y'.repeat(2000), 0);
    assert.deepEqual(r.wire.take().map((x) => [x.seq, x.data.length]), [[1001, 1000]]);
    feed(r, { seq: IRS + 1, ack: 2001, flags: ACK, wnd: 1500 }, 10);
    assert.deepEqual(r.wire.take().map((x) => [x.seq, x.data.length]), [[2001, 1000]]);
  });
  it('Nagle: a small segment waits while data is unacknowledged; TCP_NODELAY sends it at once', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    send(c, 'a', 0);
    send(c, 'b', 1);
    send(c, 'c', 2);
    assert.deepEqual(sent(r), ['<SEQ=1001><ACK=5001><CTL=PSH,ACK><WND=2048><DATA=a>']);
    feed(r, { seq: IRS + 1, ack: ISS + 2, flags: ACK }, 3);
    assert.deepEqual(sent(r), ['<SEQ=1002><ACK=5001><CTL=PSH,ACK><WND=2048><DATA=bc>']);
    c.setNoDelay(true);
    send(c, 'd', 4);
    assert.deepEqual(sent(r), ['<SEQ=1004><ACK=5001><CTL=PSH,ACK><WND=2048><DATA=d>']);
  });
  it('data piggybacks the pending ACK (no separate ACK segment)', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK | PSH, data: 'q?' }, 0);
    send(c, 'a!', 5);
    assert.deepEqual(sent(r), ['<SEQ=1001><ACK=5003><CTL=PSH,ACK><WND=2046><DATA=a!>']);
    assert.equal(r.tcp.nextDeadline(), 1005, 'only the retransmission timer, no delayed ACK');
  });
  it('TCP_NODELAY also acknowledges received data at once', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    c.setNoDelay(true);
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK | PSH, data: 'hey' }, 0);
    assert.deepEqual(sent(r), ['<SEQ=1001><ACK=5004><CTL=ACK><WND=2045>']);
  });
});

describe('TCP receiving: window and window updates', () => {
  it('the window shrinks as bytes wait; reading announces it again once it opened by min(RCV.BUFF/2, MSS)', () => {
    const r = rig({ rcvBuf: 1000, mss: 400 });
    const c = inState(r, TcpState.ESTABLISHED);
    c.setNoDelay(true);
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK, data: 'z'.repeat(700) }, 0);
    assert.deepEqual(sent(r), ['<SEQ=1001><ACK=5701><CTL=ACK><WND=300>']);
    const b = new Uint8Array(1000);
    assert.equal(c.recv(b, 0, 300, 1), 300);
    assert.deepEqual(sent(r), [], 'opened by 300 < 400: no update (receiver SWS avoidance)');
    assert.equal(c.recv(b, 0, 100, 2), 100);
    assert.deepEqual(sent(r), ['<SEQ=1001><ACK=5701><CTL=ACK><WND=700>']);
  });
  it('zero window: the sender probes with one byte at RTO, backing off, and never gives up while the peer answers', () => {
    const r = rig({ maxRetries: 2 });
    const c = inState(r, TcpState.ESTABLISHED, { sndWnd: 0 });
    send(c, 'abc', 0);
    assert.deepEqual(sent(r), []);
    assert.equal(r.tcp.nextDeadline(), 1000);
    const probe = '<SEQ=1001><ACK=5001><CTL=ACK><WND=2048><DATA=a>';
    assert.equal(r.tcp.poll(1000), 3000);
    assert.deepEqual(sent(r), [probe]);
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK, wnd: 0 }, 1100);
    assert.equal(r.tcp.poll(3000), 7000);
    assert.deepEqual(sent(r), [probe]);
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK, wnd: 0 }, 3100);
    assert.equal(r.tcp.poll(7000), 15000);
    assert.deepEqual(sent(r), [probe], 'three probes with maxRetries 2: answered probes do not count');
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK, wnd: 100 }, 7100);
    assert.deepEqual(sent(r), ['<SEQ=1001><ACK=5001><CTL=PSH,ACK><WND=2048><DATA=abc>']);
    assert.equal(stateName(c), 'ESTABLISHED');
  });
  it('zero window: unanswered probes time the connection out after maxRetries', () => {
    const r = rig({ maxRetries: 1 });
    const c = inState(r, TcpState.ESTABLISHED, { sndWnd: 0 });
    send(c, 'abc', 0);
    r.tcp.poll(1000);
    r.tcp.poll(3000);
    assert.deepEqual(r.log.take(), ['ended Timeout']);
    assert.equal(stateName(c), 'CLOSED');
  });
  it('a zero-window probe from the peer is answered with our closed window and not taken', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED, { rcvWnd: 0 });
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK, data: 'p' }, 0);
    assert.deepEqual(sent(r), ['<SEQ=1001><ACK=5001><CTL=ACK><WND=0>']);
    assert.equal(c.readable(), 2048);
  });
});

describe('TCP timers: delayed ACK and keep-alive', () => {
  it('the delayed ACK goes at delAck after the first unacknowledged byte, not later', () => {
    const r = rig({ delAck: 100 });
    inState(r, TcpState.ESTABLISHED);
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK, data: 'a' }, 0);
    feed(r, { seq: IRS + 2, ack: ISS + 1, flags: ACK, data: 'b' }, 90);
    assert.equal(r.tcp.poll(99), 100);
    assert.deepEqual(sent(r), []);
    assert.equal(r.tcp.poll(100), -1);
    assert.deepEqual(sent(r), ['<SEQ=1001><ACK=5003><CTL=ACK><WND=2046>']);
  });
  it('a configuration with delAck ≥ 500 ms is refused (RFC 9293 §3.8.6.3)', () => {
    assert.throws(() => rig({ delAck: 500 }), /delAck/);
  });
  it('keep-alive: <SEQ=SND.NXT−1><ACK=RCV.NXT> after the idle time, again each period, timeout after keepCount', () => {
    const r = rig({ keepCount: 2 });
    const c = inState(r, TcpState.ESTABLISHED);
    assert.equal(c.setKeepAlive(1000, 0), true);
    assert.equal(r.tcp.nextDeadline(), 1000);
    const probe = '<SEQ=1000><ACK=5001><CTL=ACK><WND=2048>';
    assert.equal(r.tcp.poll(1000), 2000);
    assert.deepEqual(sent(r), [probe]);
    // the peer answers: idle time starts again
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK }, 1500);
    assert.equal(r.tcp.nextDeadline(), 2500);
    r.tcp.poll(2500);
    r.tcp.poll(3500);
    assert.deepEqual(sent(r), [probe, probe]);
    r.tcp.poll(4500);
    assert.deepEqual(sent(r), ['<SEQ=1001><CTL=RST><WND=0>']);
    assert.deepEqual(r.log.take(), ['ended Timeout']);
  });
  it('a keep-alive probe from the peer (SEG.SEQ = RCV.NXT − 1) is answered with an ACK', () => {
    const r = rig();
    inState(r, TcpState.ESTABLISHED);
    feed(r, { seq: IRS, ack: ISS + 1, flags: ACK }, 0);
    assert.deepEqual(sent(r), ['<SEQ=1001><ACK=5001><CTL=ACK><WND=2048>']);
  });
});

describe('TCP close, abort and half-close', () => {
  it('close(): the FIN follows the queued data (on its last segment), ESTABLISHED → FIN_WAIT_1; FIN_WAIT_2 keeps receiving', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED, { sndWnd: 0 });
    send(c, 'tail', 0);
    assert.equal(c.shutdownSend(0), 0);
    assert.equal(stateName(c), 'FIN_WAIT_1');
    assert.equal(send(c, 'more', 0), TcpErr.Invalid);
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK, wnd: 100 }, 1);
    assert.deepEqual(sent(r), ['<SEQ=1001><ACK=5001><CTL=FIN,PSH,ACK><WND=2048><DATA=tail>']);
    feed(r, { seq: IRS + 1, ack: ISS + 6, flags: ACK }, 2);
    assert.equal(stateName(c), 'FIN_WAIT_2');
    assert.deepEqual(r.log.take(), ['allAcked']);
    feed(r, { seq: IRS + 1, ack: ISS + 6, flags: ACK | PSH, data: 'still' }, 3);
    assert.equal(read(c, 4), 'still');
  });
  it('CLOSE_WAIT keeps sending; shutdownSend → LAST_ACK with the FIN', () => {
    const r = rig();
    const c = inState(r, TcpState.CLOSE_WAIT);
    c.setNoDelay(true);
    send(c, 'reply', 0);
    c.shutdownSend(0);
    assert.equal(stateName(c), 'LAST_ACK');
    assert.deepEqual(sent(r), ['<SEQ=1001><ACK=5002><CTL=PSH,ACK><WND=2048><DATA=reply>', '<SEQ=1006><ACK=5002><CTL=FIN,ACK><WND=2048>']);
  });
  it('abort(): <SEQ=SND.NXT><CTL=RST>, unsent bytes counted, no event ever after', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED, { inFlight: 'abc', unsentData: 'de' });
    assert.equal(c.abort(0), 5);
    assert.deepEqual(sent(r), ['<SEQ=1004><CTL=RST><WND=0>']);
    assert.equal(stateName(c), 'CLOSED');
    r.tcp.poll(1);
    assert.deepEqual(r.log.take(), []);
    feed(r, { seq: IRS + 1, ack: ISS + 4, flags: ACK }, 2);
    assert.deepEqual(sent(r), ['<SEQ=1004><CTL=RST><WND=0>'], 'now CLOSED rules apply');
  });
  for (const st of [TcpState.SYN_SENT, TcpState.CLOSING, TcpState.LAST_ACK]) {
    it('abort() in ' + ['', '', 'SYN_SENT', '', '', '', '', '', 'CLOSING', 'LAST_ACK'][st] + ' sends nothing', () => {
      const r = rig();
      const c = inState(r, st);
      c.abort(0);
      assert.deepEqual(sent(r), []);
      assert.equal(r.tcp.conns.length, 0);
    });
  }
  it('shutdownRecv(): unread bytes reset the connection (RST, ended Aborted)', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK, data: 'unread' }, 0);
    r.log.take();
    r.wire.take();
    c.shutdownRecv(1);
    assert.deepEqual(sent(r), ['<SEQ=1001><CTL=RST><WND=0>']);
    r.tcp.poll(2);
    assert.deepEqual(r.log.take(), ['ended Aborted']);
  });
  it('shutdownRecv(): bytes arriving later reset the connection', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    c.shutdownRecv(0);
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK, data: 'late' }, 1);
    assert.deepEqual(sent(r), ['<SEQ=1001><CTL=RST><WND=0>']);
    assert.deepEqual(r.log.take(), ['ended Aborted']);
  });
  it('close() hands the connection to the background: later data is acknowledged and discarded, `ended` comes once', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    c.setNoDelay(true);
    assert.equal(c.close(0), false);
    assert.deepEqual(sent(r), ['<SEQ=1001><ACK=5001><CTL=FIN,ACK><WND=2048>']);
    feed(r, { seq: IRS + 1, ack: ISS + 2, flags: ACK | PSH, data: 'ignored' }, 1);
    assert.deepEqual(sent(r), ['<SEQ=1002><ACK=5008><CTL=ACK><WND=2048>']);
    assert.equal(c.readable(), 0);
    feed(r, { seq: IRS + 8, ack: ISS + 2, flags: ACK | FIN }, 2);
    assert.deepEqual(r.log.take(), ['ended None']);
    assert.equal(c.close(3), true);
  });
  it('a simultaneous close: FIN_WAIT_1 → CLOSING → TIME_WAIT on both ends\' rules', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    c.shutdownSend(0);
    assert.deepEqual(sent(r), ['<SEQ=1001><ACK=5001><CTL=FIN,ACK><WND=2048>']);
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK | FIN }, 1);
    assert.equal(stateName(c), 'CLOSING');
    assert.deepEqual(sent(r), ['<SEQ=1002><ACK=5002><CTL=ACK><WND=2048>']);
    feed(r, { seq: IRS + 2, ack: ISS + 2, flags: ACK }, 2);
    assert.equal(stateName(c), 'TIME_WAIT');
    assert.deepEqual(r.log.take(), ['peerFin', 'ended None']);
  });
});

describe('TCP across the 2^32 wrap', () => {
  it('handshake, data both ways and FINs with ISS = 2^32 − 2 and IRS = 2^32 − 3', () => {
    const r = rig({}, function (): number { return 0xfffffffe; });
    const c = r.tcp.conn();
    c.setNoDelay(true);
    assert.equal(c.connect(REMOTE, RPORT, LPORT, 0), 0);
    feed(r, { seq: 0xfffffffd, ack: 0xffffffff, flags: SYN | ACK }, 1);
    assert.equal(send(c, 'wrap', 2), 4);
    feed(r, { seq: 0xfffffffe, ack: 3, flags: ACK | PSH, data: 'around' }, 3);
    assert.deepEqual(sent(r), ['<SEQ=4294967294><CTL=SYN><WND=2048><MSS=1460>', '<SEQ=4294967295><ACK=4294967294><CTL=ACK><WND=2048>',
      '<SEQ=4294967295><ACK=4294967294><CTL=PSH,ACK><WND=2048><DATA=wrap>', '<SEQ=3><ACK=4><CTL=ACK><WND=2042>']);
    assert.deepEqual([c.sndUna, c.rcvNxt, c.unsent()], [3, 4, 0]);
    assert.equal(read(c, 4), 'around');
    c.shutdownSend(5);
    feed(r, { seq: 4, ack: 4, flags: ACK | FIN }, 6);
    assert.equal(stateName(c), 'TIME_WAIT');
    assert.deepEqual(sent(r).slice(-1), ['<SEQ=4><ACK=5><CTL=ACK><WND=2042>'], 'a 6-byte read does not reopen the window (SWS)');
  });
});

describe('TCP API: bad input changes nothing', () => {
  it('send/recv with a non-Uint8Array, negative or oversized ranges → Invalid', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    const b = new Uint8Array(4);
    assert.equal(c.send(null as unknown as Uint8Array, 0, 1, 0), TcpErr.Invalid);
    assert.equal(c.send([1, 2] as unknown as Uint8Array, 0, 1, 0), TcpErr.Invalid);
    assert.equal(c.send(b, -1, 1, 0), TcpErr.Invalid);
    assert.equal(c.send(b, 2, 3, 0), TcpErr.Invalid);
    assert.equal(c.send(b, 0.5, 1, 0), TcpErr.Invalid);
    assert.equal(c.recv(b, 0, 5, 0), TcpErr.Invalid);
    assert.deepEqual([c.unsent(), r.wire.take().length], [0, 0]);
  });
  it('connect with a bad address or port, twice, or with the table full', () => {
    const r = rig({ maxConns: 1 });
    const c = r.tcp.conn();
    assert.equal(c.connect(0, 80, 0, 0), TcpErr.Invalid);
    assert.equal(c.connect(0xffffffff, 80, 0, 0), TcpErr.Invalid);
    assert.equal(c.connect(REMOTE, 0, 0, 0), TcpErr.Invalid);
    assert.equal(c.connect(REMOTE, 70000, 0, 0), TcpErr.Invalid);
    assert.equal(c.connect(REMOTE, 80, -1, 0), TcpErr.Invalid);
    assert.equal(c.connect(REMOTE, 80, 0, 0), 0);
    assert.equal(c.localPort, 49152, 'ephemeral');
    assert.equal(c.connect(REMOTE, 80, 0, 0), TcpErr.Invalid);
    assert.equal(r.tcp.conn().connect(REMOTE, 81, 0, 0), TcpErr.NoBuffers);
  });
  it('listen: a taken port, a bad backlog; accept with nothing ready returns null', () => {
    const r = rig();
    const l = r.tcp.listener();
    assert.equal(l.listen(0, 80, 0), TcpErr.Invalid);
    assert.equal(l.listen(0, 80, 1), 0);
    assert.equal(r.tcp.listener().listen(0, 80, 1), TcpErr.AddrInUse);
    assert.equal(l.accept(), null);
  });
  it('segments not addressed to us (broadcast, other address, port 0) are dropped and counted', () => {
    const r = rig();
    const l = r.tcp.listener();
    l.listen(0, LPORT, 1);
    const seg = new Uint8Array(20);
    r.tcp.input(REMOTE, 0xffffffff, seg, 0, 20, 0);
    r.tcp.input(REMOTE, 0x01020304, seg, 0, 3, 0);
    assert.deepEqual(sent(r), []);
    assert.equal(r.tcp.counts[0] + r.tcp.counts[1] + r.tcp.counts[3], 2);
  });
});

describe('TCP listener: backlog and accept', () => {
  it('queues established connections up to the backlog, accept() in arrival order; events gathered before accept follow it', () => {
    const r: Rig = rig();
    const l = r.tcp.listener();
    l.listen(0, LPORT, 2);
    feed(r, { seq: 100, flags: SYN, srcPort: 1001 }, 0);
    feed(r, { seq: 200, flags: SYN, srcPort: 1002 }, 0);
    feed(r, { seq: 300, flags: SYN, srcPort: 1003 }, 0);
    assert.equal(r.wire.take().length, 2);
    feed(r, { seq: 201, ack: ISS + 1, flags: ACK, srcPort: 1002 }, 1);
    feed(r, { seq: 101, ack: ISS + 1, flags: ACK | PSH | FIN, data: 'hi', srcPort: 1001 }, 1);
    assert.deepEqual(r.log.take(), ['acceptable', 'acceptable']);
    assert.equal(l.pending(), 2);
    const a = l.accept() as TcpConn;
    assert.equal(a.remotePort, 1002);
    const b = l.accept() as TcpConn;
    assert.deepEqual([b.remotePort, stateName(b), b.readable()], [1001, 'CLOSE_WAIT', 2]);
    r.tcp.poll(2);
    assert.deepEqual(r.log.take(), ['readable 2', 'peerFin']);
    l.close(3);
    assert.deepEqual(sent(r).filter((s) => s.indexOf('RST') >= 0), []);
  });
});
