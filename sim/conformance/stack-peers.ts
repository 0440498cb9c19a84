/**
 * Scripted TCP/IP hosts on a frame pipe (sim/net/stack-peer.ts) behind the conformance suite's peer
 * interface, so the suite runs unchanged in virtual time on a software-stack rig.
 */
import { TcpCause, TcpState } from '../../firmware/net/tcp/constants';
import { parseIPv4 } from '../../firmware/socket/address';
import type { PeerTcp, StackPeer } from '../net/stack-peer';
import type { PeerConn, PeerListener, Peers } from './rig';

export class StackPeerConn implements PeerConn {
  readonly log: string[] = [];
  onData: ((bytes: Uint8Array) => void) | undefined;
  onEnd: (() => void) | undefined;

  constructor(readonly p: PeerTcp) {
    p.onData = (b) => {
      if (this.log[this.log.length - 1] !== 'data') this.log.push('data');
      if (this.onData) this.onData(b);
    };
    p.onFin = () => {
      this.log.push('end');
      if (this.onEnd) this.onEnd();
    };
    p.onEnded = (cause) => {
      if (cause === TcpCause.Reset) this.log.push('reset');
    };
  }
  received(): Uint8Array {
    return this.p.received();
  }
  get ended(): boolean {
    return this.p.gotFin;
  }
  get wasReset(): boolean {
    return this.p.gotRst;
  }
  send(bytes: Uint8Array): void {
    const st = this.p.state;
    if (st === TcpState.ESTABLISHED || st === TcpState.CLOSE_WAIT || st === TcpState.SYN_SENT || st === TcpState.SYN_RECEIVED) this.p.send(bytes);
  }
  end(): void {
    this.p.fin();
  }
  reset(): void {
    this.p.rst();
  }
  close(): void {
    // the FIN was queued by end(); the peer keeps answering until its connection has ended
  }
}

export class StackPeers implements Peers {
  private nextListen = 6000;
  private conns: StackPeerConn[] = [];
  private listeners: { close(): void }[] = [];

  constructor(readonly ip: string, private deviceIp: string, private host: StackPeer) {}

  listen(): Promise<PeerListener> {
    const port = this.nextListen++;
    const l = this.host.listen(port);
    const conns: PeerConn[] = [];
    const out: PeerListener = {
      port,
      conns,
      onAccept: undefined,
      close() { l.close(); },
    };
    this.listeners.push(out);
    l.onAccept = (p) => {
      const c = new StackPeerConn(p);
      this.conns.push(c);
      conns.push(c);
      if (out.onAccept) out.onAccept(c);
    };
    return Promise.resolve(out);
  }

  connect(port: number): Promise<PeerConn> {
    const c = new StackPeerConn(this.host.connect(parseIPv4(this.deviceIp), port));
    this.conns.push(c);
    return Promise.resolve(c);
  }

  /** the host forgets its connections without a word (silenced first, so no RST leaves) and stops listening */
  closeAll(): void {
    for (const c of this.conns) {
      if (!c.p.conn.ended) {
        c.p.setSilent(true);
        c.p.rst();
      }
    }
    for (const l of this.listeners) l.close();
    this.conns = [];
    this.listeners = [];
  }
}
