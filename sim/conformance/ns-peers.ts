/**
 * Peers that are the Linux kernel's TCP inside a network namespace (the one a TAP rig made), for a device whose
 * frames reach that kernel through the TAP device. A process cannot open sockets in another namespace, so the
 * sockets live in ns-peer-agent.mjs, run inside it; this side speaks to it in JSON lines and keeps what each
 * connection saw, as KernelPeerConn does on loopback. Events arrive on this thread's event loop: like kernel peers
 * on loopback, they do not act while a blocking device call holds the thread (the kernel itself still ACKs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as readline from 'node:readline';
import type { PeerConn, PeerListener, Peers } from './rig';

const AGENT = fileURLToPath(new URL('./ns-peer-agent.mjs', import.meta.url));

interface AgentEvent {
  ev: string;
  lid?: number;
  cid?: string;
  port?: number;
  b64?: string;
  code?: string;
  message?: string;
}

class NsPeerConn implements PeerConn {
  readonly log: string[] = [];
  ended = false;
  wasReset = false;
  onData: ((bytes: Uint8Array) => void) | undefined;
  onEnd: (() => void) | undefined;
  private chunks: Buffer[] = [];
  private total = 0;

  constructor(private owner: NamespacePeers, readonly cid: string) {}

  received(): Uint8Array {
    const b = Buffer.concat(this.chunks, this.total);
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  }
  send(bytes: Uint8Array): void {
    this.owner.post({ op: 'send', cid: this.cid, b64: Buffer.from(bytes).toString('base64') });
  }
  end(): void {
    this.owner.post({ op: 'end', cid: this.cid });
  }
  reset(): void {
    this.owner.post({ op: 'reset', cid: this.cid });
  }
  close(): void {
    this.owner.post({ op: 'close', cid: this.cid });
  }

  event(e: AgentEvent): void {
    switch (e.ev) {
      case 'data': {
        const b = Buffer.from(e.b64 ?? '', 'base64');
        this.chunks.push(b);
        this.total += b.length;
        if (this.log[this.log.length - 1] !== 'data') this.log.push('data');
        if (this.onData) this.onData(new Uint8Array(b));
        return;
      }
      case 'end':
        this.ended = true;
        this.log.push('end');
        if (this.onEnd) this.onEnd();
        return;
      case 'reset':
        if (!this.wasReset) this.log.push('reset');
        this.wasReset = true;
        return;
      case 'error':
        this.log.push('error ' + e.code);
        return;
    }
  }
}

class NsListener implements PeerListener {
  readonly conns: PeerConn[] = [];
  onAccept: ((c: PeerConn) => void) | undefined;
  constructor(private owner: NamespacePeers, readonly lid: number, readonly port: number) {}
  close(): void {
    this.owner.post({ op: 'unlisten', lid: this.lid });
  }
}

export interface NamespacePeersOptions {
  /** the namespace the peers live in (its name, as `ip netns` lists it) */
  ns: string;
  /** the peers' address inside it, as the device names it (the kernel's address on the TAP) */
  ip: string;
  /** the device's address, where `connect` goes */
  deviceIp: string;
}

export class NamespacePeers implements Peers {
  readonly ip: string;
  /** what the agent wrote on stderr, and fatal events */
  readonly errors: string[] = [];
  private conns = new Map<string, NsPeerConn>();
  private listeners = new Map<number, { l: NsListener | undefined; resolve: (l: NsListener) => void }>();
  private nextLid = 1;
  private nextCid = 1;
  private exited: Promise<void>;

  private constructor(private child: ChildProcess, private opts: NamespacePeersOptions) {
    this.ip = opts.ip;
    this.exited = new Promise((r) => child.once('exit', () => r()));
    child.stderr!.on('data', (d: Buffer) => this.errors.push(d.toString().trim()));
  }

  /** starts the agent inside the namespace; resolves when it is ready */
  static async start(opts: NamespacePeersOptions): Promise<NamespacePeers> {
    const argv = ['ip', 'netns', 'exec', opts.ns, process.execPath, AGENT];
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    const peers = new NamespacePeers(child, opts);
    const lines = readline.createInterface({ input: child.stdout! });
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`peer agent in ${opts.ns} exited with ${code}: ${peers.errors.join(' ')}`));
      child.once('exit', onExit);
      child.once('error', (e) => reject(e));
      lines.on('line', (line) => {
        let e: AgentEvent;
        try {
          e = JSON.parse(line) as AgentEvent;
        } catch {
          peers.errors.push('bad line from the agent: ' + line);
          return;
        }
        if (e.ev === 'ready') {
          child.off('exit', onExit);
          resolve();
        } else peers.event(e);
      });
    });
    return peers;
  }

  post(cmd: Record<string, unknown>): void {
    if (this.child.stdin!.writable) this.child.stdin!.write(JSON.stringify(cmd) + '\n');
  }

  listen(): Promise<PeerListener> {
    const lid = this.nextLid++;
    return new Promise((resolve) => {
      this.listeners.set(lid, { l: undefined, resolve });
      this.post({ op: 'listen', lid, host: this.opts.ip });
    });
  }

  connect(port: number): Promise<PeerConn> {
    const cid = 'c' + this.nextCid++;
    const c = new NsPeerConn(this, cid);
    this.conns.set(cid, c);
    this.post({ op: 'connect', cid, host: this.opts.deviceIp, port, localAddress: this.opts.ip });
    return Promise.resolve(c);
  }

  closeAll(): void {
    this.post({ op: 'closeAll' });
    this.conns.clear();
    this.listeners.clear();
  }

  /** ends the agent (its sockets close with it) */
  async stop(): Promise<void> {
    this.child.stdin!.end();
    const t = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(t);
  }

  private event(e: AgentEvent): void {
    if (e.ev === 'listening' && e.lid !== undefined) {
      const w = this.listeners.get(e.lid);
      if (!w) return;
      w.l = new NsListener(this, e.lid, e.port as number);
      w.resolve(w.l);
      return;
    }
    if (e.ev === 'accept' && e.lid !== undefined && e.cid) {
      const w = this.listeners.get(e.lid);
      const c = new NsPeerConn(this, e.cid);
      this.conns.set(e.cid, c);
      if (!w || !w.l) return;
      w.l.conns.push(c);
      if (w.l.onAccept) w.l.onAccept(c);
      return;
    }
    if (e.ev === 'fatal') {
      this.errors.push(e.message ?? 'fatal');
      return;
    }
    const c = e.cid ? this.conns.get(e.cid) : undefined;
    if (c) c.event(e);
  }
}
