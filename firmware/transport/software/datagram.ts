/**
 * Datagram endpoints over the stack's UDP layer (firmware/net/udp.ts). Each bound endpoint keeps the
 * datagrams it received in a byte ring of its own, as records: source address (4), source port (2),
 * length (2), payload. A datagram that does not fit is dropped and counted, as a full socket buffer
 * drops it. `readable` gives the next datagram's length from the record, without copying.
 */
import type { UdpReceiver } from '../../net/udp';
import { IpSendError } from '../../net/ip-proto';
import { UdpError } from '../../net/udp';
import { TErr } from '../transport';
import type { PeerAddress } from '../transport';
import type { SoftCore } from './core';

const enum Rec {
  HEADER = 8,
}

export class DatagramQueue implements UdpReceiver {
  ring: Uint8Array;
  head = 0;
  used = 0;
  count = 0;
  dropped = 0;
  private c: SoftCore;
  private ep: number;

  constructor(c: SoftCore, ep: number, bytes: number) {
    this.c = c;
    this.ep = ep;
    this.ring = new Uint8Array(bytes);
  }

  udpInput(src: number, sport: number, dst: number, buf: Uint8Array, off: number, len: number, now: number): void {
    const size = this.ring.length;
    if (this.used + Rec.HEADER + len > size) {
      this.dropped++;
      return;
    }
    let t = this.head + this.used;
    if (t >= size) t -= size;
    const h = this.hdr;
    h[0] = src >>> 24; h[1] = (src >>> 16) & 0xff; h[2] = (src >>> 8) & 0xff; h[3] = src & 0xff;
    h[4] = sport >> 8; h[5] = sport & 0xff; h[6] = len >> 8; h[7] = len & 0xff;
    this.put(h, 0, Rec.HEADER, t);
    t += Rec.HEADER;
    if (t >= size) t -= size;
    this.put(buf, off, len, t);
    this.used += Rec.HEADER + len;
    this.count++;
    if (this.count === 1) this.c.sink.readable(this.ep);
  }

  /** the next datagram's payload length, or -1 */
  nextLength(): number {
    if (this.count === 0) return -1;
    this.get(this.head, Rec.HEADER, this.hdr, 0);
    return (this.hdr[6] << 8) | this.hdr[7];
  }

  /** consumes the next datagram: copies at most `len` bytes to `buf` at `off`, fills `from`; its full length, or -1 */
  take(buf: Uint8Array, off: number, len: number, from: PeerAddress): number {
    const n = this.nextLength();
    if (n < 0) return -1;
    const h = this.hdr;
    if (from) {
      from.ip = ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
      from.port = (h[4] << 8) | h[5];
    }
    const size = this.ring.length;
    let p = this.head + Rec.HEADER;
    if (p >= size) p -= size;
    this.get(p, n < len ? n : len, buf, off);
    p += n;
    if (p >= size) p -= size;
    this.head = p;
    this.used -= Rec.HEADER + n;
    this.count--;
    if (this.count === 0) {
      this.head = 0;
      this.used = 0;
    }
    return n;
  }

  private hdr = new Uint8Array(Rec.HEADER);

  private put(src: Uint8Array, off: number, len: number, at: number): void {
    const size = this.ring.length;
    const first = len < size - at ? len : size - at;
    if (first > 0) this.ring.set(src.subarray(off, off + first), at);
    if (len > first) this.ring.set(src.subarray(off + first, off + len), 0);
  }

  private get(at: number, len: number, dst: Uint8Array, off: number): void {
    const size = this.ring.length;
    const first = len < size - at ? len : size - at;
    if (first > 0) dst.set(this.ring.subarray(at, at + first), off);
    if (len > first) dst.set(this.ring.subarray(0, len - first), off + first);
  }
}

/** a UDP send result as the transport's: `len` sent or held for ARP; TErr otherwise */
export function udpResult(r: number, len: number): number {
  if (r >= 0 || r === IpSendError.QUEUED) return len;
  if (r === IpSendError.NOROUTE) return TErr.Unreachable;
  if (r === IpSendError.NETDOWN) return TErr.NetDown;
  if (r === UdpError.NOBUFS) return TErr.NoBuffers;
  if (r === UdpError.ADDRINUSE) return TErr.AddrInUse;
  return TErr.Invalid;
}
