/**
 * A frame port whose far end is the Linux kernel: a TAP device inside a network namespace, relayed by
 * tools/tap-bridge.py (python3 from Debian does the TUNSETIFF ioctl Node cannot). Frames from the kernel are padded
 * to 60 bytes as the kernel's NIC would pad them on a wire; frames for the kernel with a bad FCS are dropped (a NIC
 * would drop them). Real time: frames arrive on Node's event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FramePort, FrameReceiver } from './frame-port';
import { MIN_FRAME } from './frame-port';
import type { NetNamespace } from './netns';
import type { PcapWriter } from './pcap';

export const TAP_BRIDGE = fileURLToPath(new URL('../../tools/tap-bridge.py', import.meta.url));
/** the system python3 (Debian's), not a per-user shim that may not work under ip netns exec */
const PYTHON = '/usr/bin/python3';

export interface TapOptions {
  ns: NetNamespace;
  /** interface name inside the namespace (≤ 15 characters) */
  name: string;
  /** kernel-side address with prefix, e.g. 10.77.0.1/24 (private addresses only) */
  address: string;
  /** every frame in either direction, at its time (ms since the port opened) */
  pcap?: PcapWriter;
  /** ms clock for pcap timestamps (default: performance.now()) */
  now?: () => number;
}

export interface TapCounters {
  toKernel: number;
  fromKernel: number;
  /** frames with a bad FCS not handed to the kernel */
  droppedBadFcs: number;
  /** frames from the kernel while no receiver was set */
  unclaimed: number;
}

function isPrivate(addr: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(addr);
  if (!m) return false;
  const a = Number(m[1]);
  const b = Number(m[2]);
  return a === 10 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168);
}

export class TapPort implements FramePort {
  readonly counters: TapCounters = { toKernel: 0, fromKernel: 0, droppedBadFcs: 0, unclaimed: 0 };
  readonly errors: string[] = [];
  private rx: FrameReceiver | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private closed = false;
  private now: () => number;

  private constructor(private child: ChildProcess, readonly opts: TapOptions, private exited: Promise<void>) {
    this.now = opts.now || (() => performance.now());
  }

  /** creates the TAP device in the namespace, gives the kernel side its address and brings it up */
  static async open(opts: TapOptions): Promise<TapPort> {
    if (!isPrivate(opts.address)) throw new Error(`${opts.address}: only private IPv4 addresses (10/8, 172.16/12, 192.168/16) with a prefix`);
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(opts.name)) throw new Error(`bad interface name ${opts.name}`);
    const argv = opts.ns.argv([PYTHON, TAP_BRIDGE, opts.name]);
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    await new Promise<void>((resolve, reject) => {
      const fail = (why: string) => { child.stdout!.off('data', onData); reject(new Error(`tap-bridge: ${why}${stderr ? ': ' + stderr.trim() : ''}`)); };
      const onData = (d: Buffer) => {
        // the first record (length 0) says the device exists
        if (d.length >= 2 && d[0] === 0 && d[1] === 0) {
          child.stdout!.off('data', onData);
          child.off('exit', onExit);
          if (d.length > 2) child.stdout!.unshift(d.subarray(2));
          resolve();
        } else fail('unexpected first bytes');
      };
      const onExit = (code: number | null) => fail(`exited with ${code} before the device was up`);
      child.stdout!.on('data', onData);
      child.once('exit', onExit);
      child.once('error', (e) => fail(e.message));
    });
    const port = new TapPort(child, opts, exited);
    child.stdout!.on('data', (d: Buffer) => port.onData(d));
    child.stderr!.on('data', (d: Buffer) => port.errors.push(d.toString().trim()));
    try {
      // no IPv6 chatter (router solicitations, MLD) on the wire: the tests speak IPv4
      opts.ns.exec(['sh', '-c', `echo 1 > /proc/sys/net/ipv6/conf/${opts.name}/disable_ipv6 || true`]);
      opts.ns.exec(['ip', 'addr', 'add', opts.address, 'dev', opts.name]);
      opts.ns.exec(['ip', 'link', 'set', opts.name, 'up']);
    } catch (e) {
      await port.close();
      throw e;
    }
    return port;
  }

  send(frame: Uint8Array, fcsBad?: boolean): void {
    if (this.closed) return;
    if (fcsBad) { this.counters.droppedBadFcs++; return; }
    if (frame.length > 0xffff || frame.length === 0) return;
    const rec = Buffer.alloc(2 + frame.length);
    rec.writeUInt16BE(frame.length, 0);
    rec.set(frame, 2);
    this.counters.toKernel++;
    if (this.opts.pcap) this.opts.pcap.write(this.now(), frame);
    this.child.stdin!.write(rec);
  }

  setReceiver(rx: FrameReceiver | undefined): void {
    this.rx = rx;
  }

  /** the kernel side's MAC address (aa:bb:…) */
  hostMac(): string {
    const out = this.opts.ns.exec(['ip', '-o', 'link', 'show', 'dev', this.opts.name]);
    const m = /link\/ether ([0-9a-f:]{17})/.exec(out);
    if (!m) throw new Error(`no MAC address in: ${out.trim()}`);
    return m[1];
  }

  /** ends the bridge (the TAP device disappears with it) */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.child.stdin!.end();
    const t = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(t);
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    while (this.buf.length >= 2) {
      const n = this.buf.readUInt16BE(0);
      if (this.buf.length < 2 + n) break;
      const raw = this.buf.subarray(2, 2 + n);
      this.buf = this.buf.subarray(2 + n);
      const frame = new Uint8Array(Math.max(n, MIN_FRAME));
      frame.set(raw);
      this.counters.fromKernel++;
      if (this.opts.pcap) this.opts.pcap.write(this.now(), frame);
      if (this.closed) continue;
      if (!this.rx) { this.counters.unclaimed++; continue; }
      this.rx(frame, false);
    }
  }
}
