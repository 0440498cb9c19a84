import assert from 'node:assert/strict';
import { Rig, PEER_IP } from './rig';
import { Sn_MR, Sn_SR, Sn_IR, Sn_CR } from '../../hal/w5500/registers';

describe('W5500 model smoke', () => {
  it('connects, sends, receives, closes', () => {
    const r = new Rig();
    r.setupCommon();
    const l = r.net.listen({ ip: PEER_IP, port: 80 });
    r.open(0, Sn_MR.TCP, 5000);
    assert.equal(r.sr(0), Sn_SR.SOCK_INIT);
    r.setDest(0, PEER_IP, 80);
    r.cmd(0, Sn_CR.CONNECT);
    assert.equal(r.cr(0), 0);
    assert.equal(r.sr(0), Sn_SR.SOCK_SYNSENT);
    r.wait(1);
    assert.equal(r.sr(0), Sn_SR.SOCK_ESTABLISHED);
    assert.equal(r.ir(0), Sn_IR.CON);
    r.send(0, 'hello');
    r.wait(1);
    assert.equal(l.accepted[0].text(), 'hello');
    assert.equal(r.ir(0), Sn_IR.CON | Sn_IR.SEND_OK);
    l.accepted[0].send('world');
    r.wait(1);
    assert.equal(r.recvText(0), 'world');
    r.cmd(0, Sn_CR.DISCON);
    assert.equal(r.sr(0), Sn_SR.SOCK_FIN_WAIT);
    r.wait(2);
    assert.equal(l.accepted[0].state, 'CLOSE_WAIT');
    l.accepted[0].fin();
    r.wait(0.6);
    assert.equal(r.sr(0), Sn_SR.SOCK_TIME_WAIT);
    r.wait(5);
    assert.equal(r.sr(0), Sn_SR.SOCK_CLOSED);
  });
});

describe('W5500 model smoke 2', () => {
  it('times out a CONNECT to a silent peer at 31.8 s and an unresolved one at 1.8 s; UDP round trip', () => {
    const r = new Rig();
    r.setupCommon();
    const l = r.net.listen({ ip: PEER_IP, port: 81 });
    l.silent = true;
    r.open(1, Sn_MR.TCP, 5001);
    r.setDest(1, PEER_IP, 81);
    r.cmd(1, Sn_CR.CONNECT);
    const took = r.waitFor(() => r.sr(1) === Sn_SR.SOCK_CLOSED, 60000);
    assert.equal(took, 31800);
    assert.equal(r.ir(1), Sn_IR.TIMEOUT);
    r.net.setUnreachable('192.168.1.99');
    r.open(2, Sn_MR.TCP, 5002);
    r.setDest(2, '192.168.1.99', 81);
    r.cmd(2, Sn_CR.CONNECT);
    assert.equal(r.waitFor(() => r.sr(2) === Sn_SR.SOCK_CLOSED, 60000), 1800);
    const u = r.net.udpPeer({ ip: PEER_IP, port: 53 });
    r.open(3, Sn_MR.UDP, 1053);
    assert.equal(r.sr(3), Sn_SR.SOCK_UDP);
    r.setDest(3, PEER_IP, 53);
    r.send(3, 'q');
    r.wait(1);
    assert.equal(u.received.length, 1);
    u.sendTo({ ip: '192.168.1.10', port: 1053 }, 'ans');
    r.wait(1);
    assert.deepEqual(r.recv(3), [192, 168, 1, 20, 0, 53, 0, 3, 97, 110, 115]);
  });
});
