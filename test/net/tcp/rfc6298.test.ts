/** RFC 6298 (the retransmission timer), rule by rule, with exact deadlines in ms. */
import assert from 'node:assert/strict';
import { TcpState } from '../../../firmware/net/tcp/constants';
import { TcpFlag } from '../../../firmware/net/tcp/header';
import { ISS, IRS, REMOTE, RPORT, LPORT, feed, inState, rig, sent, stateName } from './fixture';
import type { Rig } from './fixture';

const ACK = TcpFlag.ACK, SYN = TcpFlag.SYN;
const SYN_SEG = '<SEQ=1000><CTL=SYN><WND=2048><MSS=1460>';

function connecting(cfg?: object) {
  const r = rig(cfg);
  const c = r.tcp.conn();
  assert.equal(c.connect(REMOTE, RPORT, LPORT, 0), 0);
  assert.deepEqual(sent(r), [SYN_SEG]);
  return { r, c };
}

function send(r: Rig, c: ReturnType<Rig['tcp']['conn']>, text: string, now: number): void {
  assert.equal(c.send(new Uint8Array(Buffer.from(text)), 0, text.length, now), text.length);
}

describe('RFC 6298: the retransmission timer', () => {
  it('(2.1) before any RTT sample RTO is 1 s: the SYN\'s deadline is t + 1000', () => {
    const { r } = connecting();
    assert.equal(r.tcp.nextDeadline(), 1000);
  });
  it('(5.4)–(5.6) expiry: the SYN again, RTO doubled, timer restarted: 1000, 3000, 7000', () => {
    const { r, c } = connecting();
    assert.equal(r.tcp.poll(999), 1000);
    assert.deepEqual(sent(r), []);
    assert.equal(r.tcp.poll(1000), 3000);
    assert.deepEqual(sent(r), [SYN_SEG]);
    assert.equal(r.tcp.poll(3000), 7000);
    assert.deepEqual(sent(r), [SYN_SEG]);
    assert.equal(c.rto, 4000);
  });
  it('retry cap on the SYN: after synRetries retransmissions the attempt times out (nothing more sent)', () => {
    const { r, c } = connecting({ synRetries: 2 });
    r.tcp.poll(1000);
    r.tcp.poll(3000);
    r.wire.take();
    assert.equal(r.tcp.poll(7000), -1);
    assert.deepEqual(sent(r), []);
    assert.equal(stateName(c), 'CLOSED');
    assert.deepEqual(r.log.take(), ['ended Timeout']);
  });
  it('(5.7) after a SYN timed out, RTO is 3 s once the handshake completes; Karn: no sample from it', () => {
    const { r, c } = connecting();
    r.tcp.poll(1000);
    r.wire.take();
    feed(r, { seq: IRS, ack: ISS + 1, flags: SYN | ACK }, 1500);
    assert.equal(stateName(c), 'ESTABLISHED');
    assert.equal(c.rttValid, false);
    assert.equal(c.rto, 3000);
    r.wire.take();
    send(r, c, 'x', 1500);
    assert.equal(r.tcp.nextDeadline(), 4500);
  });
  it('(2.2) first sample R: SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4·RTTVAR)', () => {
    const { r, c } = connecting({ rtoMin: 100 });
    feed(r, { seq: IRS, ack: ISS + 1, flags: SYN | ACK }, 100);
    assert.deepEqual([c.srtt, c.rttvar, c.rto], [100, 50, 300]);
    r.wire.take();
    send(r, c, 'x', 100);
    assert.equal(r.tcp.nextDeadline(), 400);
  });
  it('(2.3) next sample R\': RTTVAR = 3/4·RTTVAR + 1/4·|SRTT − R\'| first, then SRTT = 7/8·SRTT + 1/8·R\'', () => {
    const { r, c } = connecting({ rtoMin: 100 });
    feed(r, { seq: IRS, ack: ISS + 1, flags: SYN | ACK }, 100);
    send(r, c, 'x', 100);
    feed(r, { seq: IRS + 1, ack: ISS + 2, flags: ACK }, 300);
    assert.deepEqual([c.srtt, c.rttvar, c.rto], [112.5, 62.5, 363]);
  });
  it('(2.4) RTO below 1 s is rounded up to rtoMin (1 s)', () => {
    const { r, c } = connecting();
    feed(r, { seq: IRS, ack: ISS + 1, flags: SYN | ACK }, 100);
    assert.equal(c.rto, 1000);
  });
  it('(2.5) backoff stops at rtoMax', () => {
    const { r, c } = connecting({ rtoMax: 5000, synRetries: 10 });
    const deadlines: number[] = [];
    let t = 1000;
    for (let i = 0; i < 5; i++) {
      t = r.tcp.poll(t);
      deadlines.push(t);
    }
    assert.deepEqual(deadlines, [3000, 7000, 12000, 17000, 22000]);
    assert.equal(c.rto, 5000);
  });
  it('(5.1) data sent starts the timer if it is not running; a second segment does not restart it', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    c.setNoDelay(true);
    send(r, c, 'a', 0);
    assert.equal(r.tcp.nextDeadline(), 1000);
    send(r, c, 'b', 500);
    assert.equal(r.tcp.nextDeadline(), 1000);
    assert.deepEqual(sent(r), ['<SEQ=1001><ACK=5001><CTL=PSH,ACK><WND=2048><DATA=a>', '<SEQ=1002><ACK=5001><CTL=PSH,ACK><WND=2048><DATA=b>']);
  });
  it('(5.3) an ACK of new data restarts the timer at now + RTO; (5.2) all acknowledged turns it off', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    c.setNoDelay(true);
    send(r, c, 'a', 0);
    send(r, c, 'b', 500);
    feed(r, { seq: IRS + 1, ack: ISS + 2, flags: ACK }, 600);
    // the sample for 'a' (600 ms): SRTT 600, RTTVAR 300, RTO 1800
    assert.equal(c.rto, 1800);
    assert.equal(r.tcp.nextDeadline(), 2400);
    feed(r, { seq: IRS + 1, ack: ISS + 3, flags: ACK }, 700);
    assert.equal(r.tcp.nextDeadline(), -1);
  });
  it('(5.4)–(5.6) on expiry one segment from SND.UNA is sent again (repacketized up to the MSS); RTO doubles', () => {
    const r = rig();
    const c = inState(r, TcpState.ESTABLISHED);
    c.setNoDelay(true);
    send(r, c, 'aa', 0);
    send(r, c, 'bb', 10);
    r.wire.take();
    assert.equal(r.tcp.poll(1000), 3000);
    assert.deepEqual(sent(r), ['<SEQ=1001><ACK=5001><CTL=PSH,ACK><WND=2048><DATA=aabb>']);
    assert.equal(c.rto, 2000);
  });
  it('Karn: the ACK of a retransmitted segment gives no sample; the backed-off RTO stays until new data is timed', () => {
    const r = rig({ rtoMin: 100 });
    const c = inState(r, TcpState.ESTABLISHED);
    c.setNoDelay(true);
    send(r, c, 'a', 0);
    r.tcp.poll(1000);
    feed(r, { seq: IRS + 1, ack: ISS + 2, flags: ACK }, 1050);
    assert.deepEqual([c.rttValid, c.rto], [false, 2000]);
    assert.equal(r.tcp.nextDeadline(), -1);
    send(r, c, 'b', 1100);
    assert.equal(r.tcp.nextDeadline(), 3100);
    feed(r, { seq: IRS + 1, ack: ISS + 3, flags: ACK }, 1300);
    assert.deepEqual([c.srtt, c.rttvar, c.rto], [200, 100, 600], 'collapses on the new sample');
  });
  it('retry cap on data: after maxRetries the connection is reset (<SEQ=SND.NXT><CTL=RST>) and ends with Timeout', () => {
    const r = rig({ maxRetries: 2 });
    const c = inState(r, TcpState.ESTABLISHED);
    send(r, c, 'abc', 0);
    r.wire.take();
    assert.equal(r.tcp.poll(1000), 3000);
    assert.equal(r.tcp.poll(3000), 7000);
    assert.equal(sent(r).length, 2);
    assert.equal(r.tcp.poll(7000), -1);
    assert.deepEqual(sent(r), ['<SEQ=1004><CTL=RST><WND=0>']);
    assert.equal(stateName(c), 'CLOSED');
    assert.deepEqual(r.log.take(), ['ended Timeout']);
    assert.equal(c.unsent(), 3, 'what the peer never acknowledged');
  });
  it('SYN_RECEIVED: the SYN,ACK is retransmitted on the same schedule; at the cap the embryo goes silently', () => {
    const r = rig({ synRetries: 1 });
    const l = r.tcp.listener();
    l.listen(0, LPORT, 1);
    feed(r, { seq: IRS, flags: SYN }, 0);
    const synAck = '<SEQ=1000><ACK=5001><CTL=SYN,ACK><WND=2048><MSS=1460>';
    assert.deepEqual(sent(r), [synAck]);
    assert.equal(r.tcp.poll(1000), 3000);
    assert.deepEqual(sent(r), [synAck]);
    assert.equal(r.tcp.poll(3000), -1);
    assert.deepEqual(sent(r), ['<SEQ=1001><CTL=RST><WND=0>']);
    assert.equal(r.tcp.conns.length, 0);
    assert.deepEqual(r.log.take(), []);
  });
});
