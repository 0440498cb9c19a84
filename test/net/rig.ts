/** A stack configured as host B of the captures (10.77.0.2/24, gateway 10.77.0.254), recording what it sends. */
import { IpUpper } from '../../firmware/net/ip-proto';
import { FrameSink, NetIf } from '../../firmware/net/iface';
import { UdpReceiver } from '../../firmware/net/udp';
import { GATEWAY, IP_B, MAC_B, MASK_24 } from '../../sim/net/captured-frames';

export { GATEWAY, MASK_24 };

export class Recorder implements FrameSink {
  frames: Uint8Array[] = [];
  sendFrame(buf: Uint8Array, off: number, len: number): void {
    this.frames.push(new Uint8Array(buf.subarray(off, off + len)));
  }
  take(): Uint8Array[] {
    const f = this.frames;
    this.frames = [];
    return f;
  }
}

export interface Datagram { src: number; sport: number; dst: number; data: string }

export class UdpLog implements UdpReceiver {
  got: Datagram[] = [];
  udpInput(src: number, sport: number, dst: number, buf: Uint8Array, off: number, len: number): void {
    this.got.push({ src, sport, dst, data: Buffer.from(buf.subarray(off, off + len)).toString('latin1') });
  }
}

export interface Segment { src: number; dst: number; hex: string }

export class UpperLog implements IpUpper {
  got: Segment[] = [];
  input(src: number, dst: number, buf: Uint8Array, off: number, len: number): void {
    this.got.push({ src, dst, hex: Buffer.from(buf.subarray(off, off + len)).toString('hex') });
  }
}

export function stackB(now: number): { nif: NetIf; wire: Recorder } {
  const nif = new NetIf();
  const wire = new Recorder();
  if (nif.setMac(MAC_B) !== 0 || nif.setAddress(IP_B, MASK_24, GATEWAY, now) !== 0 || nif.up(wire, now) !== 0) throw new Error('rig setup');
  return { nif, wire };
}

export function hexOf(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
