/**
 * Scripted peers on the virtual network (sim/w5500/virtual-net.ts), behind the same interface as the
 * kernel peers, so the suite runs unchanged in virtual time.
 */
import type { VirtualNet, VTcpPeer } from '../w5500/virtual-net';
import type { PeerConn, PeerListener, Peers } from './rig';

export class VirtualPeerConn implements PeerConn {
  readonly log: string[] = [];
  onData: ((bytes: Uint8Array) => void) | undefined;
  onEnd: (() => void) | undefined;
  private resetLogged = false;

  constructor(readonly peer: VTcpPeer) {
    peer.onData = (b) => {
      if (this.log[this.log.length - 1] !== 'data') this.log.push('data');
      if (this.onData) this.onData(b);
    };
    peer.onFin = () => {
      this.log.push('end');
      if (this.onEnd) this.onEnd();
    };
  }
  received(): Uint8Array {
    return this.peer.received;
  }
  get ended(): boolean {
    return this.peer.gotFin;
  }
  get wasReset(): boolean {
    if (this.peer.gotRst && !this.resetLogged) { this.resetLogged = true; this.log.push('reset'); }
    return this.peer.gotRst;
  }
  private live(): boolean {
    const st = this.peer.state;
    return st === 'ESTABLISHED' || st === 'CLOSE_WAIT' || st === 'SYN_SENT';
  }
  send(bytes: Uint8Array): void {
    if (this.live()) this.peer.send(bytes);
  }
  end(): void {
    this.peer.fin();
  }
  reset(): void {
    this.peer.rst();
  }
  close(): void {
    // The scripted peer's FIN was queued by end(); it has nothing else to let go of.
  }
}

export class VirtualPeers implements Peers {
  private nextPort = 40000;
  private nextListen = 6000;
  constructor(readonly ip: string, private deviceIp: string, private net: VirtualNet) {}

  listen(): Promise<PeerListener> {
    const port = this.nextListen++;
    const l = this.net.listen({ ip: this.ip, port });
    const conns: PeerConn[] = [];
    const out: PeerListener = {
      port,
      conns,
      onAccept: undefined,
      close() { l.close(); },
    };
    l.onAccept = (p) => {
      const c = new VirtualPeerConn(p);
      conns.push(c);
      if (out.onAccept) out.onAccept(c);
    };
    return Promise.resolve(out);
  }
  connect(port: number): Promise<PeerConn> {
    const p = this.net.connect({ ip: this.ip, port: this.nextPort++ }, { ip: this.deviceIp, port });
    return Promise.resolve(new VirtualPeerConn(p));
  }
  closeAll(): void {
    // nothing outlives the virtual network
  }
}
