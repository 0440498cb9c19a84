/**
 * `npm start -- --pcap FILE` on the W5500 path: the chip does TCP in silicon and its model talks to the kernel
 * through OS sockets, so no frame exists to capture. This writes the frames the chip would have put on the wire,
 * synthesised from the model's trace (SYN, data with its bytes, FIN, RST, with the side that sent each): Ethernet
 * II, IPv4, TCP with right checksums and sequence numbers, readable by tcpdump and Wireshark. The model's host
 * side has no MACs; each end gets 02:00 and its IPv4 address, as the model fills Sn_DHAR.
 */
import { PcapWriter } from '../sim/net/pcap';
import { fold, pseudoSum, sum16 } from '../firmware/net/checksum';
import type { TraceRecord } from './start-timeline';

const enum Tcp { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10 }

interface End { ip: number; port: number; mac: Uint8Array; seq: number }
interface Flow { dev: End; pc: End }

function parseEnd(s: string, isn: number): End {
  const [ip, port] = s.split(':');
  const b = ip.split('.').map(Number);
  return { ip: ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0, port: Number(port), mac: new Uint8Array([2, 0, b[0], b[1], b[2], b[3]]), seq: isn };
}

function hexBytes(h: string | undefined): Uint8Array {
  if (!h) return new Uint8Array(0);
  return new Uint8Array(h.split(' ').map((x) => parseInt(x, 16)));
}

/** one Ethernet frame carrying a TCP segment from `a` to `b` */
export function tcpFrame(a: End, b: End, flags: number, ack: number, payload: Uint8Array, ipId: number): Uint8Array {
  const tcpLen = 20 + payload.length;
  const f = new Uint8Array(14 + 20 + tcpLen);
  const v = new DataView(f.buffer);
  f.set(b.mac, 0);
  f.set(a.mac, 6);
  v.setUint16(12, 0x0800);
  const ip = 14;
  f[ip] = 0x45;
  v.setUint16(ip + 2, 20 + tcpLen);
  v.setUint16(ip + 4, ipId & 0xffff);
  v.setUint16(ip + 6, 0x4000); // DF
  f[ip + 8] = 64;
  f[ip + 9] = 6;
  v.setUint32(ip + 12, a.ip);
  v.setUint32(ip + 16, b.ip);
  v.setUint16(ip + 10, fold(sum16(f, ip, 20, 0)));
  const t = ip + 20;
  v.setUint16(t, a.port);
  v.setUint16(t + 2, b.port);
  v.setUint32(t + 4, a.seq >>> 0);
  v.setUint32(t + 8, flags & Tcp.ACK ? ack >>> 0 : 0);
  f[t + 12] = 5 << 4;
  f[t + 13] = flags;
  v.setUint16(t + 14, 2048); // the chip's 2 KB RX buffer is its window
  f.set(payload, t + 20);
  v.setUint16(t + 16, fold(sum16(f, t, tcpLen, pseudoSum(a.ip, b.ip, 6, tcpLen))));
  return f;
}

export class WirePcap {
  private flows: (Flow | undefined)[] = [];
  private ipId = 1;
  private isn = 0x1000;

  constructor(private pcap: PcapWriter) {}

  get frames(): number {
    return this.pcap.frames;
  }

  /** one trace record at time `ms` */
  record(r: TraceRecord, ms: number): void {
    if (r.ev !== 'net' || r.sn === undefined) return;
    const f = this.flows[r.sn];
    switch (r.what) {
      case 'accepted': {
        const fl = this.open(r.sn, r.at, r.from);
        if (!fl) return;
        this.send(ms, fl.pc, fl.dev, Tcp.SYN, 0, undefined);
        fl.pc.seq++;
        this.send(ms, fl.dev, fl.pc, Tcp.SYN | Tcp.ACK, fl.pc.seq, undefined);
        fl.dev.seq++;
        this.send(ms, fl.pc, fl.dev, Tcp.ACK, fl.dev.seq, undefined);
        return;
      }
      case 'SYN': {
        const fl = this.open(r.sn, r.at, r.to);
        if (!fl) return;
        this.send(ms, fl.dev, fl.pc, Tcp.SYN, 0, undefined);
        fl.dev.seq++;
        return;
      }
      case 'connected':
        if (!f) return;
        this.send(ms, f.pc, f.dev, Tcp.SYN | Tcp.ACK, f.dev.seq, undefined);
        f.pc.seq++;
        this.send(ms, f.dev, f.pc, Tcp.ACK, f.pc.seq, undefined);
        return;
      case 'refused (RST)':
        if (f) this.send(ms, f.pc, f.dev, Tcp.RST | Tcp.ACK, f.dev.seq, undefined);
        this.flows[r.sn] = undefined;
        return;
      case 'data in': {
        if (!f) return;
        const d = hexBytes(r.data);
        this.send(ms, f.pc, f.dev, Tcp.PSH | Tcp.ACK, f.dev.seq, d);
        f.pc.seq += d.length;
        this.send(ms, f.dev, f.pc, Tcp.ACK, f.pc.seq, undefined);
        return;
      }
      case 'send': {
        if (!f) return;
        const d = hexBytes(r.data);
        if (!d.length) return;
        this.send(ms, f.dev, f.pc, Tcp.PSH | Tcp.ACK, f.pc.seq, d);
        f.dev.seq += d.length;
        return;
      }
      case 'acked':
        if (f && r.n) this.send(ms, f.pc, f.dev, Tcp.ACK, f.dev.seq, undefined);
        return;
      case 'FIN':
        if (!f) return;
        this.send(ms, f.dev, f.pc, Tcp.FIN | Tcp.ACK, f.pc.seq, undefined);
        f.dev.seq++;
        return;
      case 'FIN acked':
        if (f) this.send(ms, f.pc, f.dev, Tcp.ACK, f.dev.seq, undefined);
        return;
      case 'FIN in':
        if (!f) return;
        this.send(ms, f.pc, f.dev, Tcp.FIN | Tcp.ACK, f.dev.seq, undefined);
        f.pc.seq++;
        this.send(ms, f.dev, f.pc, Tcp.ACK, f.pc.seq, undefined);
        return;
      case 'RST in':
        if (f) this.send(ms, f.pc, f.dev, Tcp.RST, 0, undefined);
        this.flows[r.sn] = undefined;
        return;
      case 'TIMEOUT':
      case 'TIME_WAIT over':
        this.flows[r.sn] = undefined;
        return;
      default:
    }
  }

  close(): void {
    this.pcap.close();
  }

  private open(sn: number, dev: string | undefined, pc: string | undefined): Flow | undefined {
    if (!dev || !pc) return undefined;
    const fl: Flow = { dev: parseEnd(dev, (this.isn += 0x10000)), pc: parseEnd(pc, (this.isn += 0x10000)) };
    this.flows[sn] = fl;
    return fl;
  }

  private send(ms: number, a: End, b: End, flags: number, ack: number, payload: Uint8Array | undefined): void {
    this.pcap.write(ms, tcpFrame(a, b, flags, ack, payload ?? new Uint8Array(0), this.ipId++));
  }
}
