/**
 * Two complete stacks (firmware/net/iface.ts: Ethernet, ARP, IPv4; TCP attached for protocol 6) joined
 * by a seeded lossy, reordering Ethernet link on a virtual clock: every TCP segment crosses as a frame,
 * through ARP resolution, IPv4 checks and checksums, like on an ENC28J60's wire.
 */
import assert from 'node:assert/strict';
import { NetIf } from '../../../firmware/net/iface';
import { IpProto } from '../../../firmware/net/ip-proto';
import type { TcpConfig } from '../../../firmware/net/tcp/config';
import { seeded } from './fixture';
import { IP_A, IP_B, Impaired, Side, earliest, runUntil, testConfig } from './two-stacks';
import type { LinkSpec, TwoStacks } from './two-stacks';

const MASK = 0xffffff00;

interface Frame {
  to: NetIf;
  bytes: Uint8Array;
}

export class EtherLink implements TwoStacks {
  now = 0;
  wire: Impaired<Frame>;
  ifA = new NetIf();
  ifB = new NetIf();
  a: Side;
  b: Side;

  constructor(spec: LinkSpec, cfg?: Partial<TcpConfig>) {
    this.wire = new Impaired<Frame>(spec);
    const c = testConfig(cfg);
    this.a = new Side(IP_A, this.ifA, c, seeded(spec.seed * 31 + 5));
    this.b = new Side(IP_B, this.ifB, c, seeded(spec.seed * 17 + 3));
    this.bring(this.ifA, IP_A, 0x0a, this.a, this.ifB);
    this.bring(this.ifB, IP_B, 0x0b, this.b, this.ifA);
  }

  private bring(nif: NetIf, ip: number, id: number, side: Side, peer: NetIf): void {
    const link = this;
    assert.equal(nif.setMac(new Uint8Array([2, 0, 0, 0, 0, id])), 0);
    assert.equal(nif.setAddress(ip, MASK, 0, 0), 0);
    assert.equal(nif.attach(IpProto.TCP, side.tcp), 0);
    assert.equal(nif.up({
      sendFrame: function (buf: Uint8Array, off: number, len: number): void {
        link.wire.carry({ to: peer, bytes: new Uint8Array(buf.subarray(off, off + len)) }, link.now);
      },
    }, 0), 0);
  }

  lost(): number {
    return this.wire.lost;
  }

  overtaken(): number {
    return this.wire.overtaken;
  }

  run(step: () => void, done: () => boolean, limit: number): boolean {
    const link = this;
    return runUntil(this, function (): number {
      return earliest([link.wire.next(), link.a.tcp.nextDeadline(), link.b.tcp.nextDeadline(), link.ifA.poll(link.now), link.ifB.poll(link.now)]);
    }, function (): void {
      for (let f = link.wire.due(link.now); f !== undefined; f = link.wire.due(link.now)) f.to.input(f.bytes, f.bytes.length, link.now);
      link.ifA.poll(link.now);
      link.ifB.poll(link.now);
      link.a.tcp.poll(link.now);
      link.b.tcp.poll(link.now);
    }, step, done, limit);
  }
}
