/**
 * Peers that are the Linux kernel's TCP: Node `net` sockets on loopback. A rig on the host network
 * side hands the device these, so every conformance check meets a real TCP at the other end.
 */
import * as net from 'node:net';
import type { PeerConn, PeerListener, Peers } from './rig';

export class KernelPeerConn implements PeerConn {
  readonly log: string[] = [];
  ended = false;
  wasReset = false;
  onData: ((bytes: Uint8Array) => void) | undefined;
  onEnd: (() => void) | undefined;
  private chunks: Buffer[] = [];
  private total = 0;
  private wantClose = false;

  constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (b: Buffer) => {
      this.chunks.push(b);
      this.total += b.length;
      if (this.log[this.log.length - 1] !== 'data') this.log.push('data');
      if (this.onData) this.onData(new Uint8Array(b));
    });
    socket.on('end', () => {
      // 'end' is not proof of a FIN: when data and a RST arrive together libuv reads the data, sees POLLHUP
      // and reports EOF (sim/w5500/host-tcp.ts). While our side can still write, an empty write settles it:
      // it fails with the reset (see 'error'), or succeeds after a real FIN.
      if (socket.writableEnded || socket.destroyed) this.gotFin();
      else socket.write(new Uint8Array(0), (err) => { if (!err) this.gotFin(); });
    });
    socket.on('finish', () => { if (this.wantClose) socket.destroy(); });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') {
        // the device answered our SYN with RST: nothing listened on the port
        this.log.push('refused');
        this.wasReset = true;
      } else if (e.code === 'ECONNRESET' || e.code === 'EPIPE') {
        if (!this.wasReset) this.log.push('reset');
        this.wasReset = true;
      } else {
        this.log.push('error ' + (e.code ?? e.message));
      }
    });
  }

  private gotFin(): void {
    this.ended = true;
    this.log.push('end');
    if (this.onEnd) this.onEnd();
  }

  received(): Uint8Array {
    const b = Buffer.concat(this.chunks, this.total);
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  }
  send(bytes: Uint8Array): void {
    if (this.socket.destroyed) return;
    this.socket.write(Buffer.from(bytes));
  }
  end(): void {
    if (!this.socket.destroyed) this.socket.end();
  }
  reset(): void {
    if (!this.socket.destroyed) this.socket.resetAndDestroy();
  }
  close(): void {
    if (this.socket.destroyed) return;
    if (this.socket.writableFinished) this.socket.destroy();
    else { this.wantClose = true; this.socket.end(); }
  }
}

class KernelListener implements PeerListener {
  readonly conns: PeerConn[] = [];
  onAccept: ((c: PeerConn) => void) | undefined;
  constructor(readonly server: net.Server, readonly port: number, private owner: KernelPeers) {
    server.on('connection', (s) => {
      const c = new KernelPeerConn(s);
      owner.track(c);
      this.conns.push(c);
      if (this.onAccept) this.onAccept(c);
    });
  }
  close(): void {
    this.server.close();
  }
}

export interface KernelPeersOptions {
  /** the peers' address as the device names it (e.g. 192.168.1.10) */
  ip: string;
  /** the loopback address that stands for it (e.g. 127.0.0.10) */
  hostIp: string;
  /** where the OS carries a connection to the device's listening `port` (may wait for the chip's port to open) */
  deviceAddress(port: number): Promise<{ host: string; port: number }>;
}

export class KernelPeers implements Peers {
  readonly ip: string;
  private conns: KernelPeerConn[] = [];
  private servers: net.Server[] = [];
  constructor(private opts: KernelPeersOptions) {
    this.ip = opts.ip;
  }
  track(c: KernelPeerConn): void {
    this.conns.push(c);
  }
  listen(): Promise<PeerListener> {
    const server = net.createServer({ allowHalfOpen: true });
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, this.opts.hostIp, () => {
        const a = server.address() as net.AddressInfo;
        resolve(new KernelListener(server, a.port, this));
      });
    });
  }
  async connect(port: number): Promise<PeerConn> {
    const to = await this.opts.deviceAddress(port);
    const s = net.connect({ host: to.host, port: to.port, allowHalfOpen: true, localAddress: this.opts.hostIp });
    const c = new KernelPeerConn(s);
    this.track(c);
    return c;
  }
  closeAll(): void {
    for (const c of this.conns) if (!c.socket.destroyed) c.socket.destroy();
    for (const s of this.servers) s.close();
    this.conns = [];
    this.servers = [];
  }
}
