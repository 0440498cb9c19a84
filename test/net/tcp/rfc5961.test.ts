/** RFC 5961 (blind in-window attacks), case by case, on an ESTABLISHED connection (ISS 1000, IRS 5000). */
import assert from 'node:assert/strict';
import { TcpCount, TcpState } from '../../../firmware/net/tcp/constants';
import { TcpFlag } from '../../../firmware/net/tcp/header';
import { ISS, IRS, feed, inState, rig, sent, stateName } from './fixture';

const ACK = TcpFlag.ACK, RST = TcpFlag.RST, SYN = TcpFlag.SYN, PSH = TcpFlag.PSH;
const CHALLENGE = '<SEQ=1001><ACK=5001><CTL=ACK><WND=2048>';

describe('RFC 5961 §3.2: RST', () => {
  it('1) SEG.SEQ outside the window → dropped silently', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    feed(r, { seq: IRS + 1 + 2048, flags: RST }, 0);
    feed(r, { seq: IRS, flags: RST }, 0);
    assert.deepEqual(sent(r), []);
    assert.equal(stateName(c), 'ESTABLISHED');
  });
  it('2) SEG.SEQ = RCV.NXT exactly → reset', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    feed(r, { seq: IRS + 1, flags: RST }, 0);
    assert.equal(stateName(c), 'CLOSED');
    assert.deepEqual(r.log.take(), ['ended Reset']);
  });
  it('3) RCV.NXT < SEG.SEQ < RCV.NXT + RCV.WND → challenge ACK, connection kept', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    feed(r, { seq: IRS + 2, flags: RST }, 0);
    feed(r, { seq: IRS + 2048, flags: RST | ACK, ack: ISS + 1 }, 0);
    assert.deepEqual(sent(r), [CHALLENGE, CHALLENGE]);
    assert.equal(stateName(c), 'ESTABLISHED');
    assert.equal(r.tcp.counts[TcpCount.CHALLENGE_ACK], 2);
  });
  it('4) the peer answers a challenge ACK with the exact RST, which resets', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    feed(r, { seq: IRS + 100, flags: RST }, 0);
    assert.deepEqual(sent(r), [CHALLENGE]);
    feed(r, { seq: IRS + 1, flags: RST }, 0);
    assert.equal(stateName(c), 'CLOSED');
  });
  it('5) RCV.WND = 0: only the exact RST counts; one beyond is dropped', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED, { rcvWnd: 0 });
    feed(r, { seq: IRS + 2, flags: RST }, 0);
    assert.deepEqual(sent(r), []);
    feed(r, { seq: IRS + 1, flags: RST }, 0);
    assert.equal(stateName(c), 'CLOSED');
  });
  it('6) SYN_SENT: a RST is acceptable only when its ACK acknowledges our SYN', () => {
    const r = rig();
    const c = r.tcp.conn();
    c.connect(0xc0a8010a, 40000, 7, 0);
    r.wire.take();
    feed(r, { seq: 1, ack: ISS, flags: RST | ACK }, 0);
    feed(r, { seq: 1, flags: RST }, 0);
    assert.equal(stateName(c), 'SYN_SENT');
    assert.deepEqual(sent(r), []);
    feed(r, { seq: 1, ack: ISS + 1, flags: RST | ACK }, 0);
    assert.equal(stateName(c), 'CLOSED');
    assert.deepEqual(r.log.take(), ['ended Refused']);
  });
});

describe('RFC 5961 §4.2: SYN in a synchronized state', () => {
  it('7) a SYN in the window → challenge ACK, nothing reset', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    feed(r, { seq: IRS + 10, flags: SYN }, 0);
    assert.deepEqual(sent(r), [CHALLENGE]);
    assert.equal(stateName(c), 'ESTABLISHED');
  });
  it('8) a SYN outside the window → the same ACK (first check), nothing reset', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    feed(r, { seq: IRS - 50000, flags: SYN }, 0);
    assert.deepEqual(sent(r), [CHALLENGE]);
    assert.equal(stateName(c), 'ESTABLISHED');
  });
  it('9) a SYN,ACK in the window → challenge ACK', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    feed(r, { seq: IRS + 1, ack: ISS + 1, flags: SYN | ACK }, 0);
    assert.deepEqual(sent(r), [CHALLENGE]);
    assert.equal(stateName(c), 'ESTABLISHED');
  });
});

describe('RFC 5961 §5.2: ACK range (SND.UNA − MAX.SND.WND ≤ SEG.ACK ≤ SND.NXT)', () => {
  // SND.UNA = SND.NXT = 1001; MAX.SND.WND = 500
  it('10) SEG.ACK = SND.UNA − MAX.SND.WND is acceptable: the text is taken', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED, { sndWnd: 500 });
    feed(r, { seq: IRS + 1, ack: ISS + 1 - 500, flags: ACK | PSH, data: 'ok' }, 0);
    assert.equal(c.readable(), 2);
  });
  it('11) SEG.ACK below it → ACK, dropped, text not taken (blind data injection)', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED, { sndWnd: 500 });
    feed(r, { seq: IRS + 1, ack: ISS - 500, flags: ACK | PSH, data: 'evil' }, 0);
    assert.deepEqual(sent(r), [CHALLENGE]);
    assert.equal(c.readable(), 0);
  });
  it('12) SEG.ACK > SND.NXT → ACK, dropped', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED, { sndWnd: 500 });
    feed(r, { seq: IRS + 1, ack: ISS + 2, flags: ACK | PSH, data: 'evil' }, 0);
    assert.deepEqual(sent(r), [CHALLENGE]);
    assert.equal(c.readable(), 0);
  });
  it('13) the range across the 2^32 wrap', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED, { iss: 0xffffff00, sndWnd: 0x400 });
    // SND.UNA = 0xffffff01; lowest acceptable ACK = 0xfffffb01
    feed(r, { seq: IRS + 1, ack: 0xfffffb01, flags: ACK | PSH, data: 'a' }, 0);
    assert.equal(c.readable(), 1);
    feed(r, { seq: IRS + 2, ack: 0xfffffb00, flags: ACK | PSH, data: 'b' }, 0);
    assert.equal(c.readable(), 1);
    assert.deepEqual(sent(r), ['<SEQ=4294967041><ACK=5002><CTL=ACK><WND=2047>']);
  });
});

describe('RFC 5961 §7: challenge ACK throttling', () => {
  it('14) at most `challengeAcks` per second; the next second allows more', () => {
    const r = rig({ challengeAcks: 3 });
    inState(r, TcpState.ESTABLISHED);
    for (let i = 0; i < 5; i++) feed(r, { seq: IRS + 10 + i, flags: RST }, 100 + i);
    assert.equal(sent(r).length, 3);
    assert.equal(r.tcp.counts[TcpCount.CHALLENGE_LIMITED], 2);
    feed(r, { seq: IRS + 30, flags: SYN }, 1100);
    assert.deepEqual(sent(r), [CHALLENGE]);
  });
});
