/**
 * Raw-frame helpers for the W5500 model tests: build VDM/FDM frames byte by byte (so the tests show what
 * crosses the bus) and step a virtual clock through the model's deadlines.
 */
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/net/virtual-clock';
import { W5500Model, type W5500ModelOptions } from '../../sim/w5500/model';
import { VirtualNet } from '../../sim/w5500/virtual-net';
import { CommonReg, SnReg, Sn_CR, Sn_MR, Sn_SR, socketBlock, txBlock, rxBlock } from '../../hal/w5500/registers';
import type { VTcpPeer } from '../../sim/w5500/virtual-net';

export const CHIP_IP = '192.168.1.10';
export const PEER_IP = '192.168.1.20';

/** control byte: BSB, RWB, OM */
export function ctl(bsb: number, write: boolean, om = 0): number {
  return (bsb << 3) | (write ? 4 : 0) | om;
}

export class Rig {
  readonly clock = new VirtualClock();
  readonly net: VirtualNet;
  readonly chip: W5500Model;
  /** INTn levels seen by the pin callback, with their times */
  readonly intnLog: { t: number; high: boolean }[] = [];

  constructor(opts: Partial<W5500ModelOptions> = {}, latencyMs = 0.5) {
    this.net = new VirtualNet({ now: () => this.clock.now(), latencyMs });
    this.chip = new W5500Model({ net: this.net, now: () => this.clock.now(), trace: true, ...opts });
    this.chip.onIntn((high) => this.intnLog.push({ t: this.clock.now(), high }));
  }

  /** one chip-select window */
  x(bytes: number[]): number[] {
    return Array.from(this.chip.exchange(Uint8Array.from(bytes)));
  }
  read(bsb: number, addr: number, n: number): number[] {
    const out = this.x([addr >> 8, addr & 0xff, ctl(bsb, false), ...new Array(n).fill(0)]);
    return out.slice(3);
  }
  write(bsb: number, addr: number, data: number[]): void {
    this.x([addr >> 8, addr & 0xff, ctl(bsb, true), ...data]);
  }
  r8(bsb: number, addr: number): number {
    return this.read(bsb, addr, 1)[0];
  }
  r16(bsb: number, addr: number): number {
    const b = this.read(bsb, addr, 2);
    return (b[0] << 8) | b[1];
  }
  w8(bsb: number, addr: number, v: number): void {
    this.write(bsb, addr, [v]);
  }
  w16(bsb: number, addr: number, v: number): void {
    this.write(bsb, addr, [(v >> 8) & 0xff, v & 0xff]);
  }

  // socket shorthands
  sr(sn: number): number { return this.r8(socketBlock(sn), SnReg.Sn_SR); }
  ir(sn: number): number { return this.r8(socketBlock(sn), SnReg.Sn_IR); }
  clearIr(sn: number, bits = 0xff): void { this.w8(socketBlock(sn), SnReg.Sn_IR, bits); }
  cr(sn: number): number { return this.r8(socketBlock(sn), SnReg.Sn_CR); }
  cmd(sn: number, c: number): void { this.w8(socketBlock(sn), SnReg.Sn_CR, c); }
  sreg16(sn: number, off: number): number { return this.r16(socketBlock(sn), off); }

  /** SIPR and friends, the way every driver starts */
  setupCommon(ip = CHIP_IP): void {
    this.write(0, CommonReg.SIPR, ip.split('.').map(Number));
  }
  /** Sn_MR, Sn_PORT, then OPEN */
  open(sn: number, mode: number, port: number): void {
    this.w8(socketBlock(sn), SnReg.Sn_MR, mode);
    this.w16(socketBlock(sn), SnReg.Sn_PORT, port);
    this.cmd(sn, 0x01);
  }
  setDest(sn: number, ip: string, port: number): void {
    this.write(socketBlock(sn), SnReg.Sn_DIPR, ip.split('.').map(Number));
    this.w16(socketBlock(sn), SnReg.Sn_DPORT, port);
  }
  /** the driver's transmit sequence: data at TX_WR, TX_WR += len, SEND */
  send(sn: number, data: number[] | string): void {
    const bytes = typeof data === 'string' ? Array.from(new TextEncoder().encode(data)) : data;
    const wr = this.sreg16(sn, SnReg.Sn_TX_WR);
    this.write(txBlock(sn), wr, bytes);
    this.w16(socketBlock(sn), SnReg.Sn_TX_WR, (wr + bytes.length) & 0xffff);
    this.cmd(sn, 0x20);
  }
  /** the driver's receive sequence: RSR bytes at RX_RD, RX_RD += n, RECV */
  recv(sn: number, max = 65535): number[] {
    const n = Math.min(max, this.sreg16(sn, SnReg.Sn_RX_RSR));
    const rd = this.sreg16(sn, SnReg.Sn_RX_RD);
    const data = n > 0 ? this.read(rxBlock(sn), rd, n) : [];
    this.w16(socketBlock(sn), SnReg.Sn_RX_RD, (rd + n) & 0xffff);
    this.cmd(sn, 0x40);
    return data;
  }
  recvText(sn: number): string {
    return new TextDecoder().decode(Uint8Array.from(this.recv(sn)));
  }

  /**
   * Steps through the model's deadlines for `ms` and records every change of (Sn_SR, Sn_IR) of socket `sn`,
   * with the virtual time (relative to the start) at which it became visible.
   */
  timeline(sn: number, ms: number): { t: number; sr: number; ir: number }[] {
    const start = this.clock.now();
    const end = start + ms;
    const out: { t: number; sr: number; ir: number }[] = [];
    const look = () => {
      const sr = this.sr(sn);
      const ir = this.ir(sn);
      const last = out[out.length - 1];
      if (!last || last.sr !== sr || last.ir !== ir) out.push({ t: round(this.clock.now() - start), sr, ir });
    };
    look();
    for (;;) {
      const d = this.chip.nextDeadline();
      if (d === undefined || d > end) break;
      if (d > this.clock.now()) this.clock.pause(d - this.clock.now());
      this.chip.advance();
      look();
    }
    if (end > this.clock.now()) this.clock.pause(end - this.clock.now());
    this.chip.advance();
    look();
    return out;
  }

  get now(): number {
    return this.clock.now();
  }
  /** let `ms` of virtual time pass, waking the model at each of its deadlines */
  wait(ms: number): void {
    const end = this.clock.now() + ms;
    for (;;) {
      const d = this.chip.nextDeadline();
      if (d === undefined || d > end) break;
      if (d > this.clock.now()) this.clock.pause(d - this.clock.now());
      this.chip.advance();
    }
    if (end > this.clock.now()) this.clock.pause(end - this.clock.now());
    this.chip.advance();
  }
  /** wait until `cond` holds, stepping deadline by deadline; returns the virtual time it took */
  waitFor(cond: () => boolean, limitMs: number): number {
    const start = this.clock.now();
    const end = start + limitMs;
    this.chip.advance();
    while (!cond()) {
      const d = this.chip.nextDeadline();
      if (d === undefined || d > end) throw new Error('condition not met within ' + limitMs + ' ms');
      if (d > this.clock.now()) this.clock.pause(d - this.clock.now());
      this.chip.advance();
    }
    return this.clock.now() - start;
  }
}

export { Sn_MR };

/** socket `sn` connected to a listening peer (latency 0.5 ms each way); Sn_IR cleared */
export function connected(r: Rig, sn = 0, port = 80): VTcpPeer {
  r.setupCommon();
  const l = r.net.listen({ ip: PEER_IP, port });
  r.open(sn, Sn_MR.TCP, 5000 + sn);
  r.setDest(sn, PEER_IP, port);
  r.cmd(sn, Sn_CR.CONNECT);
  r.wait(1);
  assert.equal(r.sr(sn), Sn_SR.SOCK_ESTABLISHED);
  r.clearIr(sn);
  return l.accepted[l.accepted.length - 1];
}

/** times in these tests are sums of 0.5 ms latencies and decimal retry periods; round off float noise */
export function round(t: number): number {
  return Math.round(t * 1e6) / 1e6;
}
