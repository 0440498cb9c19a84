/**
 * Two complete stacks (firmware/net/iface.ts: Ethernet, ARP, IPv4; TCP attached for protocol 6) joined
 * by the shared frame pipe (sim/net/frame-pipe.ts) on a virtual clock, with its seeded loss, jitter,
 * reordering, duplication and corruption: every TCP segment crosses as a frame, through ARP
 * resolution, IPv4 checks and checksums, like on an ENC28J60's wire. A frame that arrives with a bad
 * FCS is dropped, as a MAC does.
 */
import assert from 'node:assert/strict';
import { NetIf } from '../../../firmware/net/iface';
import { IpProto } from '../../../firmware/net/ip-proto';
import type { TcpConfig } from '../../../firmware/net/tcp/config';
import { FramePipe } from '../../../sim/net/frame-pipe';
import type { Impairments } from '../../../sim/net/frame-pipe';
import type { FramePort } from '../../../sim/net/frame-port';
import { seeded } from './fixture';
import { IP_A, IP_B, Side, earliest, runUntil, testConfig } from './two-stacks';
import type { TwoStacks } from './two-stacks';

const MASK = 0xffffff00;

export class EtherLink implements TwoStacks {
  now = 0;
  pipe: FramePipe;
  ifA = new NetIf();
  ifB = new NetIf();
  a: Side;
  b: Side;

  constructor(seed: number, imp: Impairments, cfg?: Partial<TcpConfig>) {
    const link = this;
    this.pipe = new FramePipe(Object.assign({ now: function (): number { return link.now; }, seed: seed }, imp));
    const c = testConfig(cfg);
    this.a = new Side(IP_A, this.ifA, c, seeded(seed * 31 + 5));
    this.b = new Side(IP_B, this.ifB, c, seeded(seed * 17 + 3));
    this.bring(this.ifA, IP_A, 0x0a, this.a, this.pipe.a);
    this.bring(this.ifB, IP_B, 0x0b, this.b, this.pipe.b);
  }

  private bring(nif: NetIf, ip: number, id: number, side: Side, port: FramePort): void {
    const link = this;
    assert.equal(nif.setMac(new Uint8Array([2, 0, 0, 0, 0, id])), 0);
    assert.equal(nif.setAddress(ip, MASK, 0, 0), 0);
    assert.equal(nif.attach(IpProto.TCP, side.tcp), 0);
    port.setReceiver(function (frame: Uint8Array, fcsBad: boolean): void {
      if (!fcsBad) nif.input(frame, frame.length, link.now);
    });
    assert.equal(nif.up({
      sendFrame: function (buf: Uint8Array, off: number, len: number): void { port.send(buf.subarray(off, off + len)); },
    }, 0), 0);
  }

  lost(): number {
    return this.pipe.counters.a.lost + this.pipe.counters.b.lost;
  }

  overtaken(): number {
    return this.pipe.counters.a.reordered + this.pipe.counters.b.reordered;
  }

  run(step: () => void, done: () => boolean, limit: number): boolean {
    const link = this;
    return runUntil(this, function (): number {
      const p = link.pipe.nextDeadline();
      return earliest([p === undefined ? -1 : p, link.a.tcp.nextDeadline(), link.b.tcp.nextDeadline(), link.ifA.poll(link.now), link.ifB.poll(link.now)]);
    }, function (): void {
      link.pipe.advance();
      link.ifA.poll(link.now);
      link.ifB.poll(link.now);
      link.a.tcp.poll(link.now);
      link.b.tcp.poll(link.now);
    }, step, done, limit);
  }
}
