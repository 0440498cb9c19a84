/**
 * RFC 9293 §3.10.7 "SEGMENT ARRIVES", row by row: a connection is put straight into a state, one
 * segment is fed, and the exact reply segments, the new state and the events are asserted. Numbers:
 * ISS 1000, IRS 5000, our window 2048 (the receive buffer), the peer's 8192.
 */
import assert from 'node:assert/strict';
import { TcpCount, TcpState } from '../../../firmware/net/tcp/constants';
import { TcpFlag } from '../../../firmware/net/tcp/header';
import { ISS, IRS, LPORT, RPORT, feed, inState, rig, sent, stateName } from './fixture';

const { SYN, ACK, FIN, RST, PSH, URG } = { SYN: TcpFlag.SYN, ACK: TcpFlag.ACK, FIN: TcpFlag.FIN, RST: TcpFlag.RST, PSH: TcpFlag.PSH, URG: TcpFlag.URG };

/** the RFC's plain ACK from a state with no data in flight: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
function ackOf(sndNxt: number, rcvNxt: number, wnd?: number): string {
  return '<SEQ=' + sndNxt + '><ACK=' + rcvNxt + '><CTL=ACK><WND=' + (wnd === undefined ? 2048 : wnd) + '>';
}

const SYNCHRONIZED: TcpState[] = [TcpState.ESTABLISHED, TcpState.FIN_WAIT_1, TcpState.FIN_WAIT_2, TcpState.CLOSE_WAIT,
  TcpState.CLOSING, TcpState.LAST_ACK];

/** SND.NXT and RCV.NXT of a fixture in `st` without data */
function nxt(st: TcpState): { snd: number; rcv: number } {
  const ourFin = st === TcpState.FIN_WAIT_1 || st === TcpState.FIN_WAIT_2 || st === TcpState.CLOSING || st === TcpState.LAST_ACK;
  const peerFin = st === TcpState.CLOSE_WAIT || st === TcpState.CLOSING || st === TcpState.LAST_ACK;
  return { snd: ISS + 1 + (ourFin ? 1 : 0), rcv: IRS + 1 + (peerFin ? 1 : 0) };
}

describe('RFC 9293 §3.10.7.1 CLOSED (no connection)', () => {
  it('row 1: an incoming RST is discarded', () => {
    const r = rig();
    feed(r, { seq: 77, ack: 99, flags: RST | ACK }, 0);
    assert.deepEqual(sent(r), []);
    assert.equal(r.tcp.counts[TcpCount.DROPPED], 1);
  });
  it('row 2: ACK bit off → <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (SYN and FIN count in SEG.LEN)', () => {
    const r = rig();
    feed(r, { seq: 100, flags: SYN }, 0);
    feed(r, { seq: 200, flags: FIN | PSH, data: 'abc' }, 0);
    assert.deepEqual(sent(r), ['<SEQ=0><ACK=101><CTL=RST,ACK><WND=0>', '<SEQ=0><ACK=204><CTL=RST,ACK><WND=0>']);
  });
  it('row 3: ACK bit on → <SEQ=SEG.ACK><CTL=RST>', () => {
    const r = rig();
    feed(r, { seq: 100, ack: 0xfffffffe, flags: ACK, data: 'x' }, 0);
    assert.deepEqual(sent(r), ['<SEQ=4294967294><CTL=RST><WND=0>']);
  });
  it('row 4: a port with no listener answers the SYN with RST,ACK (connection refused for the peer)', () => {
    const r = rig();
    const l = r.tcp.listener();
    assert.equal(l.listen(0, 80, 1), 0);
    feed(r, { seq: 9, flags: SYN, dstPort: 81 }, 0);
    assert.deepEqual(sent(r), ['<SEQ=0><ACK=10><CTL=RST,ACK><WND=0>']);
  });
});

describe('RFC 9293 §3.10.7.2 LISTEN', () => {
  function listening(backlog?: number) {
    const r = rig();
    const l = r.tcp.listener();
    assert.equal(l.listen(0, LPORT, backlog || 2), 0);
    return { r, l };
  }
  it('first: a RST is ignored', () => {
    const { r } = listening();
    feed(r, { seq: 5, flags: RST }, 0);
    assert.deepEqual(sent(r), []);
    assert.equal(r.tcp.conns.length, 0);
  });
  it('second: any ACK → <SEQ=SEG.ACK><CTL=RST>', () => {
    const { r } = listening();
    feed(r, { seq: 5, ack: 777, flags: ACK }, 0);
    feed(r, { seq: 5, ack: 778, flags: SYN | ACK }, 0);
    assert.deepEqual(sent(r), ['<SEQ=777><CTL=RST><WND=0>', '<SEQ=778><CTL=RST><WND=0>']);
  });
  it('third: SYN → <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> with our MSS, SYN_RECEIVED; the peer MSS bounds what we send', () => {
    const { r, l } = listening();
    feed(r, { seq: IRS, flags: SYN, mss: 536, wnd: 4000 }, 0);
    assert.deepEqual(sent(r), ['<SEQ=1000><ACK=5001><CTL=SYN,ACK><WND=2048><MSS=1460>']);
    const c = r.tcp.conns[0];
    assert.equal(stateName(c), 'SYN_RECEIVED');
    assert.deepEqual([c.irs, c.rcvNxt, c.sndUna, c.sndNxt, c.sndMss, c.sndWnd], [IRS, IRS + 1, ISS, ISS + 1, 536, 4000]);
    assert.equal(l.pending(), 0, 'not acceptable before the handshake completes');
    assert.deepEqual(r.log.take(), []);
  });
  it('third: text and FIN on the SYN are not acknowledged (the peer sends them again)', () => {
    const { r } = listening();
    feed(r, { seq: IRS, flags: SYN | FIN, data: 'early' }, 0);
    assert.deepEqual(sent(r), ['<SEQ=1000><ACK=5001><CTL=SYN,ACK><WND=2048><MSS=1460>']);
    assert.equal(r.tcp.conns[0].readable(), 0);
  });
  it('third: window scale and SACK-permitted on the SYN are declined (not in the SYN,ACK), timestamps ignored', () => {
    const { r } = listening();
    // MSS 1200, NOP, WS 7, SACK-permitted, TS
    feed(r, { seq: IRS, flags: SYN, options: [2, 4, 0x04, 0xb0, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0] }, 0);
    const s = r.wire.take();
    assert.equal(s.length, 1);
    assert.equal(r.wire.raw.length, 0);
    assert.equal(s[0].flags, 'SYN,ACK');
    assert.equal(s[0].mss, 1460);
    assert.equal(r.tcp.conns[0].sndMss, 1200);
  });
  it('fourth: a segment with none of SYN, ACK, RST is dropped', () => {
    const { r } = listening();
    feed(r, { seq: 5, flags: FIN, data: 'x' }, 0);
    assert.deepEqual(sent(r), []);
    assert.equal(r.tcp.counts[TcpCount.DROPPED], 1);
  });
  it('backlog: a SYN beyond the backlog is dropped without a reply', () => {
    const { r } = listening(1);
    feed(r, { seq: IRS, flags: SYN }, 0);
    feed(r, { seq: 9000, flags: SYN, srcPort: RPORT + 1 }, 0);
    assert.equal(sent(r).length, 1);
    assert.equal(r.tcp.counts[TcpCount.BACKLOG_FULL], 1);
  });
});

describe('RFC 9293 §3.10.7.3 SYN-SENT', () => {
  function synSent() {
    const r = rig();
    const c = r.tcp.conn();
    assert.equal(c.connect(0xc0a8010a, RPORT, LPORT, 0), 0);
    assert.deepEqual(sent(r), ['<SEQ=1000><CTL=SYN><WND=2048><MSS=1460>']);
    return { r, c };
  }
  it('first: SEG.ACK =< ISS → <SEQ=SEG.ACK><CTL=RST>, dropped', () => {
    const { r, c } = synSent();
    feed(r, { seq: IRS, ack: ISS, flags: SYN | ACK }, 0);
    assert.deepEqual(sent(r), ['<SEQ=1000><CTL=RST><WND=0>']);
    assert.equal(stateName(c), 'SYN_SENT');
  });
  it('first: SEG.ACK > SND.NXT → <SEQ=SEG.ACK><CTL=RST>, dropped', () => {
    const { r, c } = synSent();
    feed(r, { seq: IRS, ack: ISS + 2, flags: ACK }, 0);
    assert.deepEqual(sent(r), ['<SEQ=1002><CTL=RST><WND=0>']);
    assert.equal(stateName(c), 'SYN_SENT');
  });
  it('first: an unacceptable ACK on a RST is dropped without a reply', () => {
    const { r, c } = synSent();
    feed(r, { seq: IRS, ack: ISS + 5, flags: RST | ACK }, 0);
    assert.deepEqual(sent(r), []);
    assert.equal(stateName(c), 'SYN_SENT');
  });
  it('second: RST with an acceptable ACK → "connection reset" (refused), CLOSED', () => {
    const { r, c } = synSent();
    feed(r, { seq: 0, ack: ISS + 1, flags: RST | ACK }, 0);
    assert.deepEqual(sent(r), []);
    assert.equal(stateName(c), 'CLOSED');
    assert.deepEqual(r.log.take(), ['ended Refused']);
    assert.equal(r.tcp.conns.length, 0);
  });
  it('second: RST without ACK is dropped (RFC 5961 §3.2 keeps the RFC 793 rule)', () => {
    const { r, c } = synSent();
    feed(r, { seq: IRS, flags: RST }, 0);
    assert.deepEqual(sent(r), []);
    assert.equal(stateName(c), 'SYN_SENT');
  });
  it('fourth: SYN,ACK acknowledging our SYN → ESTABLISHED, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>', () => {
    const { r, c } = synSent();
    feed(r, { seq: IRS, ack: ISS + 1, flags: SYN | ACK, wnd: 3000, mss: 1000 }, 10);
    assert.deepEqual(sent(r), [ackOf(ISS + 1, IRS + 1)]);
    assert.equal(stateName(c), 'ESTABLISHED');
    assert.deepEqual([c.sndUna, c.sndNxt, c.rcvNxt, c.irs, c.sndWnd, c.sndWl1, c.sndWl2, c.sndMss], [ISS + 1, ISS + 1, IRS + 1, IRS, 3000, IRS, ISS + 1, 1000]);
    assert.deepEqual(r.log.take(), ['connected']);
  });
  it('fourth: text on the SYN,ACK is taken, and a FIN on it goes to CLOSE_WAIT (sixth–eighth after the SYN)', () => {
    const { r, c } = synSent();
    feed(r, { seq: IRS, ack: ISS + 1, flags: SYN | ACK | FIN, data: 'hello' }, 0);
    assert.deepEqual(sent(r), [ackOf(ISS + 1, IRS + 7, 2043)]);
    assert.equal(stateName(c), 'CLOSE_WAIT');
    assert.deepEqual(r.log.take(), ['connected', 'readable 5', 'peerFin']);
  });
  it('fourth: SYN without ACK (simultaneous open) → SYN_RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>', () => {
    const { r, c } = synSent();
    feed(r, { seq: IRS, flags: SYN }, 0);
    assert.deepEqual(sent(r), ['<SEQ=1000><ACK=5001><CTL=SYN,ACK><WND=2048><MSS=1460>']);
    assert.equal(stateName(c), 'SYN_RECEIVED');
    // the peer's SYN,ACK completes it (fifth check in SYN_RECEIVED)
    feed(r, { seq: IRS, ack: ISS + 1, flags: SYN | ACK }, 0);
    assert.deepEqual(sent(r), ['<SEQ=1000><ACK=5001><CTL=SYN,ACK><WND=2048><MSS=1460>'],
      'a SYN in SYN_RECEIVED below RCV.NXT is unacceptable: the ACK, which is the SYN,ACK while ours is unacknowledged');
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK }, 0);
    assert.equal(stateName(c), 'ESTABLISHED');
    assert.deepEqual(r.log.take(), ['connected']);
  });
  it('fifth: neither SYN nor RST → dropped', () => {
    const { r, c } = synSent();
    feed(r, { seq: IRS, ack: ISS + 1, flags: ACK }, 0);
    feed(r, { seq: IRS, flags: FIN }, 0);
    assert.deepEqual(sent(r), []);
    assert.equal(stateName(c), 'SYN_SENT');
  });
});

describe('RFC 9293 §3.10.7.4 first check: sequence number acceptability', () => {
  // [segment length, window, SEG.SEQ offset from RCV.NXT, acceptable]
  const rows: [number, number, number, boolean][] = [
    [0, 0, 0, true], [0, 0, 1, false], [0, 0, -1, false],
    [0, 100, 0, true], [0, 100, 99, true], [0, 100, 100, false], [0, 100, -1, false],
    [3, 0, 0, false],
    [3, 100, 0, true], [3, 100, 99, true], [3, 100, 100, false], [3, 100, -2, true], [3, 100, -3, false],
  ];
  for (const row of rows) {
    const len = row[0], wnd = row[1], d = row[2], ok = row[3];
    it('SEG.LEN ' + len + ', RCV.WND ' + wnd + ', SEG.SEQ = RCV.NXT' + (d >= 0 ? '+' : '') + d + ' → ' + (ok ? 'acceptable' : 'ACK, dropped'), () => {
      const r = rig();
      const c = inState(r, TcpState.ESTABLISHED, { rcvWnd: wnd });
      feed(r, { seq: IRS + 1 + d, ack: ISS + 1, flags: ACK | (len ? PSH : 0), data: 'abc'.slice(0, len) }, 0);
      const out = sent(r);
      if (ok) {
        assert.equal(r.tcp.counts[TcpCount.UNACCEPTABLE], 0);
      } else {
        assert.equal(r.tcp.counts[TcpCount.UNACCEPTABLE], len > 0 && wnd === 0 && d === 0 ? 0 : 1);
        assert.deepEqual(out, [ackOf(ISS + 1, IRS + 1, wnd)]);
        assert.equal(c.readable(), 2048 - wnd, 'nothing taken');
      }
    });
  }
  it('an unacceptable RST is dropped without an ACK', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    feed(r, { seq: IRS + 1 + 5000, flags: RST }, 0);
    assert.deepEqual(sent(r), []);
    assert.equal(stateName(c), 'ESTABLISHED');
  });
  it('a segment overlapping RCV.NXT is trimmed to the new bytes', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    feed(r, { seq: IRS - 1, ack: ISS + 1, flags: ACK | PSH, data: 'xyHELLO' }, 0);
    const b = new Uint8Array(10);
    assert.equal(c.recv(b, 0, 10, 0), 5);
    assert.equal(Buffer.from(b.subarray(0, 5)).toString(), 'HELLO');
  });
  it('a segment running past the window is trimmed to it, its FIN dropped', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED, { rcvWnd: 4 });
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK | FIN, data: 'abcdef' }, 0);
    assert.equal(c.readable(), 2048);
    assert.equal(stateName(c), 'ESTABLISHED');
    assert.deepEqual(sent(r), [ackOf(ISS + 1, IRS + 5, 0)]);
  });
  it('zero window: the ACK of a segment at RCV.NXT is still processed, its text is not taken', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED, { rcvWnd: 0, inFlight: 'ab' });
    feed(r, { seq: IRS + 1, ack: ISS + 3, flags: ACK, data: 'z' }, 0);
    assert.equal(c.sndUna, ISS + 3);
    assert.equal(c.readable(), 2048, 'the byte was not taken');
    assert.deepEqual(sent(r), [ackOf(ISS + 3, IRS + 1, 0)]);
  });
  it('SYN_RECEIVED: an unacceptable segment is answered by the SYN,ACK (our SYN is still unacknowledged)', () => {
    const r = rig();
    const c = inState(r, TcpState.SYN_RECEIVED, { passive: true });
    feed(r, { seq: IRS + 9000, ack: ISS + 1, flags: ACK }, 0);
    assert.deepEqual(sent(r), ['<SEQ=1000><ACK=5001><CTL=SYN,ACK><WND=2048><MSS=1460>']);
    assert.equal(stateName(c), 'SYN_RECEIVED');
  });
});

describe('RFC 9293 §3.10.7.4 second check: RST (with RFC 5961 §3.2)', () => {
  it('SYN_RECEIVED from a passive OPEN: exact RST → back to LISTEN (the connection goes, the listener stays, no event)', () => {
    const r = rig();
    const l = r.tcp.listener();
    l.listen(0, LPORT, 1);
    feed(r, { seq: IRS, flags: SYN }, 0);
    r.wire.take();
    feed(r, { seq: IRS + 1, flags: RST }, 0);
    assert.deepEqual(sent(r), []);
    assert.equal(r.tcp.conns.length, 0);
    assert.deepEqual(r.log.take(), []);
    feed(r, { seq: 7000, flags: SYN }, 0);
    assert.equal(sent(r).length, 1, 'the listener takes the next SYN');
  });
  it('SYN_RECEIVED from an active OPEN: exact RST → connection refused, CLOSED', () => {
    const r = rig();
    const c = inState(r, TcpState.SYN_RECEIVED);
    feed(r, { seq: IRS + 1, flags: RST }, 0);
    assert.equal(stateName(c), 'CLOSED');
    assert.deepEqual(r.log.take(), ['ended Refused']);
  });
  for (const st of SYNCHRONIZED) {
    const name = ['', '', '', '', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK'][st];
    it(name + ': RST with SEG.SEQ = RCV.NXT → reset, CLOSED, nothing sent', () => {
      const r = rig();
      const c = inState(r, st, { inFlight: 'q' });
      feed(r, { seq: nxt(st).rcv, flags: RST }, 0);
      assert.deepEqual(sent(r), []);
      assert.equal(stateName(c), 'CLOSED');
      assert.deepEqual(r.log.take(), ['ended Reset']);
      assert.equal(r.tcp.conns.length, 0);
      assert.equal(r.tcp.nextDeadline(), -1, 'no timer left');
    });
    it(name + ': RST in the window but not at RCV.NXT → challenge ACK, state kept', () => {
      const r = rig();
      const c = inState(r, st);
      feed(r, { seq: nxt(st).rcv + 10, flags: RST }, 0);
      assert.deepEqual(sent(r), [ackOf(nxt(st).snd, nxt(st).rcv)]);
      assert.equal(stateName(c), name);
      assert.equal(r.tcp.counts[TcpCount.CHALLENGE_ACK], 1);
    });
  }
});

describe('RFC 9293 §3.10.7.4 fourth check: SYN (with RFC 5961 §4.2)', () => {
  it('SYN_RECEIVED from a passive OPEN: a new SYN in the window → back to LISTEN', () => {
    const r = rig();
    const l = r.tcp.listener();
    l.listen(0, LPORT, 1);
    feed(r, { seq: IRS, flags: SYN }, 0);
    r.wire.take();
    feed(r, { seq: IRS + 3, flags: SYN }, 0);
    assert.deepEqual(sent(r), []);
    assert.equal(r.tcp.conns.length, 0);
  });
  for (const st of SYNCHRONIZED) {
    const name = ['', '', '', '', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK'][st];
    it(name + ': SYN in the window → challenge ACK, state kept; SYN outside it → ACK (first check)', () => {
      const r = rig();
      const c = inState(r, st);
      feed(r, { seq: nxt(st).rcv + 1, flags: SYN }, 0);
      feed(r, { seq: nxt(st).rcv - 100, flags: SYN }, 0);
      assert.deepEqual(sent(r), [ackOf(nxt(st).snd, nxt(st).rcv), ackOf(nxt(st).snd, nxt(st).rcv)]);
      assert.equal(stateName(c), name);
      assert.equal(r.tcp.counts[TcpCount.CHALLENGE_ACK], 1);
    });
  }
});

describe('RFC 9293 §3.10.7.4 fifth check: ACK', () => {
  it('ACK bit off → dropped', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    feed(r, { seq: IRS + 1, flags: PSH, data: 'lost' }, 0);
    assert.deepEqual(sent(r), []);
    assert.equal(c.readable(), 0);
  });
  it('SYN_RECEIVED: SND.UNA < SEG.ACK =< SND.NXT → ESTABLISHED with SND.WND, SND.WL1, SND.WL2 from it; the listener is acceptable', () => {
    const r = rig();
    const l = r.tcp.listener();
    l.listen(0, LPORT, 1);
    feed(r, { seq: IRS, flags: SYN }, 0);
    r.wire.take();
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK, wnd: 1234 }, 0);
    const c = r.tcp.conns[0];
    assert.equal(stateName(c), 'ESTABLISHED');
    assert.deepEqual([c.sndUna, c.sndWnd, c.sndWl1, c.sndWl2], [ISS + 1, 1234, IRS + 1, ISS + 1]);
    assert.deepEqual(sent(r), []);
    assert.deepEqual(r.log.take(), ['acceptable']);
    assert.equal(l.accept(), c);
  });
  it('SYN_RECEIVED: an unacceptable ACK → <SEQ=SEG.ACK><CTL=RST>', () => {
    const r = rig();
    const c = inState(r, TcpState.SYN_RECEIVED, { passive: true });
    feed(r, { seq: IRS + 1, ack: ISS + 5, flags: ACK }, 0);
    assert.deepEqual(sent(r), ['<SEQ=1005><CTL=RST><WND=0>']);
    assert.equal(stateName(c), 'SYN_RECEIVED');
  });
  it('ESTABLISHED: SND.UNA < SEG.ACK =< SND.NXT → SND.UNA advances, the acknowledged bytes leave the queue', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED, { inFlight: 'abcdef' });
    feed(r, { seq: IRS + 1, ack: ISS + 3, flags: ACK }, 0);
    assert.deepEqual([c.sndUna, c.unsent()], [ISS + 3, 4]);
    feed(r, { seq: IRS + 1, ack: ISS + 7, flags: ACK }, 0);
    assert.deepEqual([c.sndUna, c.unsent()], [ISS + 7, 0]);
    assert.deepEqual(sent(r), []);
    assert.deepEqual(r.log.take(), ['allAcked']);
  });
  it('ESTABLISHED: SEG.ACK < SND.UNA (a duplicate) is ignored, the text is still taken', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED, { inFlight: 'abcdef' });
    feed(r, { seq: IRS + 1, ack: ISS + 4, flags: ACK }, 0);
    feed(r, { seq: IRS + 1, ack: ISS + 2, flags: ACK | PSH, data: 'hi' }, 0);
    assert.equal(c.sndUna, ISS + 4);
    assert.equal(c.readable(), 2);
  });
  it('ESTABLISHED: SEG.ACK > SND.NXT → ACK, dropped (its text not taken)', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    feed(r, { seq: IRS + 1, ack: ISS + 2, flags: ACK | PSH, data: 'hi' }, 0);
    assert.deepEqual(sent(r), [ackOf(ISS + 1, IRS + 1)]);
    assert.equal(c.readable(), 0);
  });
  it('the send window is taken only from a newer segment (SND.WL1 < SEG.SEQ, or = and SND.WL2 =< SEG.ACK)', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED, { inFlight: 'abcdef' });
    feed(r, { seq: IRS + 1, ack: ISS + 3, flags: ACK, wnd: 100 }, 0);
    assert.equal(c.sndWnd, 100);
    feed(r, { seq: IRS + 1, ack: ISS + 2, flags: ACK, wnd: 50 }, 0);
    assert.equal(c.sndWnd, 100, 'older ACK: no update');
    feed(r, { seq: IRS + 1, ack: ISS + 3, flags: ACK | PSH, wnd: 70, data: 'x' }, 0);
    assert.deepEqual([c.sndWnd, c.sndWl1, c.sndWl2], [70, IRS + 1, ISS + 3]);
    feed(r, { seq: IRS + 2, ack: ISS + 3, flags: ACK, wnd: 90 }, 0);
    assert.deepEqual([c.sndWnd, c.sndWl1], [90, IRS + 2]);
  });
  it('FIN_WAIT_1: the ACK of our FIN → FIN_WAIT_2; an ACK short of it keeps FIN_WAIT_1', () => {
    const r = rig();
    const c = inState(r, TcpState.FIN_WAIT_1, { inFlight: 'ab' });
    feed(r, { seq: IRS + 1, ack: ISS + 3, flags: ACK }, 0);
    assert.equal(stateName(c), 'FIN_WAIT_1');
    feed(r, { seq: IRS + 1, ack: ISS + 4, flags: ACK }, 0);
    assert.equal(stateName(c), 'FIN_WAIT_2');
    assert.deepEqual(sent(r), []);
    assert.equal(r.tcp.nextDeadline(), -1, 'retransmission queue empty: no timer');
  });
  it('FIN_WAIT_2: an ACK leaves the state as it is (the close is acknowledged)', () => {
    const r = rig();
    const c = inState(r, TcpState.FIN_WAIT_2);
    feed(r, { seq: IRS + 1, ack: ISS + 2, flags: ACK }, 0);
    assert.equal(stateName(c), 'FIN_WAIT_2');
    assert.deepEqual(sent(r), []);
  });
  it('CLOSE_WAIT: as ESTABLISHED (our data is acknowledged, we keep sending)', () => {
    const r = rig();
    const c = inState(r, TcpState.CLOSE_WAIT, { inFlight: 'ab' });
    feed(r, { seq: IRS + 2, ack: ISS + 3, flags: ACK }, 0);
    assert.deepEqual([stateName(c), c.unsent()], ['CLOSE_WAIT', 0]);
    assert.equal(c.send(new Uint8Array([1, 2]), 0, 2, 0), 2);
    assert.deepEqual(sent(r), ['<SEQ=1003><ACK=5002><CTL=PSH,ACK><WND=2048><DATA=\x01\x02>']);
  });
  it('CLOSING: the ACK of our FIN → TIME_WAIT (a record; the connection is ended to its user); else ignored', () => {
    const r = rig();
    const c = inState(r, TcpState.CLOSING);
    feed(r, { seq: IRS + 2, ack: ISS + 1, flags: ACK }, 0);
    assert.equal(stateName(c), 'CLOSING');
    feed(r, { seq: IRS + 2, ack: ISS + 2, flags: ACK }, 5);
    assert.equal(stateName(c), 'TIME_WAIT');
    assert.equal(r.tcp.conns.length, 0);
    assert.equal(r.tcp.timeWaits.length, 1);
    assert.equal(r.tcp.nextDeadline(), 5 + 60000);
    assert.deepEqual(r.log.take(), ['ended None']);
  });
  it('LAST_ACK: the ACK of our FIN → CLOSED (graceful end)', () => {
    const r = rig();
    const c = inState(r, TcpState.LAST_ACK);
    feed(r, { seq: IRS + 2, ack: ISS + 1, flags: ACK }, 0);
    assert.equal(stateName(c), 'LAST_ACK');
    feed(r, { seq: IRS + 2, ack: ISS + 2, flags: ACK }, 0);
    assert.equal(stateName(c), 'CLOSED');
    assert.deepEqual(sent(r), []);
    assert.deepEqual(r.log.take(), ['ended None']);
    assert.equal(r.tcp.timeWaits.length, 0);
  });
});

describe('RFC 9293 §3.10.7.4 sixth to eighth: URG, text, FIN', () => {
  it('sixth: URG is not supported; urgent bytes are read inline', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK | URG, data: 'u!' }, 0);
    assert.equal(c.readable(), 2);
  });
  for (const st of [TcpState.ESTABLISHED, TcpState.FIN_WAIT_1, TcpState.FIN_WAIT_2]) {
    const name = ['', '', '', '', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2'][st];
    it('seventh, ' + name + ': text goes to the receive buffer, RCV.NXT and the window move, the ACK is delayed', () => {
      const r = rig({ delAck: 200 });
      const c = inState(r, st);
      feed(r, { seq: IRS + 1, ack: nxt(st).snd - (st === TcpState.FIN_WAIT_1 ? 1 : 0), flags: ACK | PSH, data: 'abc' }, 0);
      assert.deepEqual(sent(r), [], 'delayed');
      assert.equal(c.rcvNxt, IRS + 4);
      assert.deepEqual(r.log.take(), ['readable 3']);
      assert.equal(r.tcp.poll(199), 200);
      assert.deepEqual(sent(r), []);
      r.tcp.poll(200);
      assert.deepEqual(sent(r), [ackOf(nxt(st).snd, IRS + 4, 2045)]);
    });
  }
  it('seventh: the second full-sized segment is acknowledged at once', () => {
    const r = rig({ mss: 100 });
    const c = inState(r, TcpState.ESTABLISHED);
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK, data: 'a'.repeat(100) }, 0);
    assert.deepEqual(sent(r), []);
    feed(r, { seq: IRS + 101, ack: ISS + 1, flags: ACK, data: 'b'.repeat(100) }, 0);
    assert.deepEqual(sent(r), [ackOf(ISS + 1, IRS + 201, 1848)]);
    assert.equal(c.readable(), 200);
  });
  it('seventh: text beyond RCV.NXT is not kept and is answered at once by an ACK for the gap', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    feed(r, { seq: IRS + 4, ack: ISS + 1, flags: ACK, data: 'later' }, 0);
    assert.deepEqual(sent(r), [ackOf(ISS + 1, IRS + 1)]);
    assert.equal(c.readable(), 0);
    assert.equal(r.tcp.counts[TcpCount.OUT_OF_ORDER], 1);
  });
  for (const st of [TcpState.CLOSE_WAIT, TcpState.CLOSING, TcpState.LAST_ACK]) {
    const name = ['', '', '', '', '', '', '', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK'][st];
    it('seventh, ' + name + ': text after the peer\'s FIN is ignored', () => {
      const r = rig();
      const c = inState(r, st);
      feed(r, { seq: IRS + 2, ack: nxt(st).snd - (st === TcpState.CLOSE_WAIT ? 0 : 1), flags: ACK, data: 'zz' }, 0);
      assert.equal(c.readable(), 0);
      assert.equal(c.rcvNxt, IRS + 2);
      assert.equal(stateName(c), name);
    });
  }
  it('eighth, ESTABLISHED: FIN → CLOSE_WAIT, ACK at once, peerFin after the bytes before it are readable', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK | FIN | PSH, data: 'last' }, 0);
    assert.deepEqual(sent(r), [ackOf(ISS + 1, IRS + 6, 2044)]);
    assert.equal(stateName(c), 'CLOSE_WAIT');
    assert.deepEqual(r.log.take(), ['readable 4', 'peerFin']);
  });
  it('eighth: a FIN after a gap is not processed (it waits for the bytes before it)', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    feed(r, { seq: IRS + 3, ack: ISS + 1, flags: ACK | FIN }, 0);
    assert.equal(stateName(c), 'ESTABLISHED');
    assert.deepEqual(sent(r), [ackOf(ISS + 1, IRS + 1)]);
  });
  it('eighth, FIN_WAIT_1: FIN that also acknowledges our FIN → TIME_WAIT', () => {
    const r = rig();
    const c = inState(r, TcpState.FIN_WAIT_1);
    feed(r, { seq: IRS + 1, ack: ISS + 2, flags: ACK | FIN }, 0);
    assert.deepEqual(sent(r), [ackOf(ISS + 2, IRS + 2)]);
    assert.equal(stateName(c), 'TIME_WAIT');
    assert.deepEqual(r.log.take(), ['peerFin', 'ended None']);
  });
  it('eighth, FIN_WAIT_1: FIN without the ACK of ours → CLOSING (simultaneous close)', () => {
    const r = rig();
    const c = inState(r, TcpState.FIN_WAIT_1);
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK | FIN }, 0);
    assert.deepEqual(sent(r), [ackOf(ISS + 2, IRS + 2)]);
    assert.equal(stateName(c), 'CLOSING');
    assert.deepEqual(r.log.take(), ['peerFin']);
  });
  it('eighth, FIN_WAIT_2: FIN → TIME_WAIT; the connection object is released, the record answers', () => {
    const r = rig({ timeWait: 1000 });
    const c = inState(r, TcpState.FIN_WAIT_2);
    feed(r, { seq: IRS + 1, ack: ISS + 2, flags: ACK | FIN | PSH, data: 'bye' }, 100);
    assert.deepEqual(sent(r), [ackOf(ISS + 2, IRS + 5, 2045)]);
    assert.equal(stateName(c), 'TIME_WAIT');
    assert.deepEqual(r.log.take(), ['readable 3', 'peerFin', 'ended None']);
    assert.equal(c.readable(), 3, 'bytes before the FIN stay readable');
    assert.equal(r.tcp.conns.length, 0);
    assert.equal(r.tcp.nextDeadline(), 1100);
  });
  for (const st of [TcpState.CLOSE_WAIT, TcpState.CLOSING, TcpState.LAST_ACK]) {
    const name = ['', '', '', '', '', '', '', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK'][st];
    it('eighth, ' + name + ': a retransmitted FIN is acknowledged, the state remains', () => {
      const r = rig();
      const c = inState(r, st);
      feed(r, { seq: IRS + 1, ack: ISS + 1, flags: ACK | FIN }, 0);
      assert.deepEqual(sent(r), [ackOf(nxt(st).snd, IRS + 2)]);
      assert.equal(stateName(c), name);
    });
  }
});

describe('RFC 9293 §3.10.7.4 in TIME_WAIT (a record)', () => {
  function timeWait() {
    const r = rig({ timeWait: 1000 });
    inState(r, TcpState.FIN_WAIT_2);
    feed(r, { seq: IRS + 1, ack: ISS + 2, flags: ACK | FIN }, 0);
    r.wire.take();
    r.log.take();
    return r;
  }
  it('fifth: the retransmitted FIN is acknowledged and 2·MSL restarts', () => {
    const r = timeWait();
    feed(r, { seq: IRS + 1, ack: ISS + 2, flags: ACK | FIN }, 400);
    assert.deepEqual(sent(r), [ackOf(ISS + 2, IRS + 2)]);
    assert.equal(r.tcp.nextDeadline(), 1400);
    r.tcp.poll(1399);
    assert.equal(r.tcp.timeWaits.length, 1);
    r.tcp.poll(1400);
    assert.equal(r.tcp.timeWaits.length, 0);
    feed(r, { seq: IRS + 2, ack: ISS + 2, flags: ACK }, 1500);
    assert.deepEqual(sent(r), ['<SEQ=1002><CTL=RST><WND=0>'], 'after 2·MSL: CLOSED rules');
  });
  it('second: RST at RCV.NXT deletes the record; RST elsewhere in the window → challenge ACK', () => {
    const r = timeWait();
    feed(r, { seq: IRS + 10, flags: RST }, 1);
    assert.deepEqual(sent(r), [ackOf(ISS + 2, IRS + 2)]);
    feed(r, { seq: IRS + 2, flags: RST }, 2);
    assert.deepEqual(sent(r), []);
    assert.equal(r.tcp.timeWaits.length, 0);
  });
  it('fourth: a SYN → challenge ACK (RFC 5961 §4.2), the record stays', () => {
    const r = timeWait();
    feed(r, { seq: IRS + 100, flags: SYN }, 1);
    assert.deepEqual(sent(r), [ackOf(ISS + 2, IRS + 2)]);
    assert.equal(r.tcp.timeWaits.length, 1);
  });
  it('fifth: SEG.ACK > SND.NXT → ACK; text is ignored', () => {
    const r = timeWait();
    feed(r, { seq: IRS + 2, ack: ISS + 9, flags: ACK }, 1);
    feed(r, { seq: IRS + 2, ack: ISS + 2, flags: ACK, data: 'late' }, 1);
    assert.deepEqual(sent(r), [ackOf(ISS + 2, IRS + 2)]);
  });
  it('a new connection to the same four-tuple is refused while the record lasts', () => {
    const r = timeWait();
    const c = r.tcp.conn();
    assert.equal(c.connect(0xc0a8010a, RPORT, LPORT, 0), -2);
  });
});
