/**
 * The wire part of `npm start`'s timeline on the MAC-only paths (the ENC28J60, or the W5500 in MACRAW mode, on a TAP
 * wire): the real Ethernet frames become one line each for a person (ARP, ICMP, UDP, and per TCP connection its SYN,
 * SYN-ACK, data, FIN and RST with the side that sent them, and retransmissions), and every TCP connection is followed
 * from its SYN to its end for the summary, as WireLog does from the W5500 model's trace. Pure: frames in, lines out.
 */
import type { Connection, WireView } from './start-timeline';

const enum Eth { TYPE = 12, HEADER = 14, ARP = 0x0806, IPV4 = 0x0800 }
const enum Proto { ICMP = 1, TCP = 6, UDP = 17 }
const enum Flag { FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10 }

interface Flow {
  conn: Connection;
  /** the next new sequence number per side, once that side's SYN was seen */
  next: Record<'PC' | 'device', number | undefined>;
}

function ip(f: Uint8Array, at: number): string {
  return f[at] + '.' + f[at + 1] + '.' + f[at + 2] + '.' + f[at + 3];
}

function u16(f: Uint8Array, at: number): number {
  return (f[at] << 8) | f[at + 1];
}

function u32(f: Uint8Array, at: number): number {
  return ((f[at] << 24) | (f[at + 1] << 16) | (f[at + 2] << 8) | f[at + 3]) >>> 0;
}

export class FrameLog implements WireView {
  readonly connections: Connection[] = [];
  /** frames seen */
  frames = 0;
  private flows: Record<string, Flow | undefined> = {};
  private fins = 0;
  private rsts = 0;

  /** `deviceIp`: the device's IPv4 address; every other address is the PC's side */
  constructor(private readonly deviceIp: string) {}

  /** the timeline lines of one frame ([] for what is not worth a person's attention) */
  record(f: Uint8Array): string[] {
    this.frames++;
    if (f.length < Eth.HEADER) return [];
    const type = u16(f, Eth.TYPE);
    if (type === Eth.ARP && f.length >= Eth.HEADER + 28) {
      const op = u16(f, Eth.HEADER + 6);
      const sender = ip(f, Eth.HEADER + 14);
      const target = ip(f, Eth.HEADER + 24);
      if (op === 1 && sender === target) return [`wire    ARP   ${this.side(sender)} announces ${sender} (gratuitous)`];
      if (op === 1) return [`wire    ARP   ${this.side(sender)} asks who has ${target}`];
      if (op === 2) return [`wire    ARP   ${this.side(sender)}: ${sender} is at ${Array.prototype.map.call(f.subarray(Eth.HEADER + 8, Eth.HEADER + 14), (b: number) => b.toString(16).padStart(2, '0')).join(':')}`];
      return [];
    }
    if (type !== Eth.IPV4 || f.length < Eth.HEADER + 20) return [];
    const ihl = (f[Eth.HEADER] & 15) * 4;
    const total = u16(f, Eth.HEADER + 2);
    const proto = f[Eth.HEADER + 9];
    const src = ip(f, Eth.HEADER + 12);
    const dst = ip(f, Eth.HEADER + 16);
    const t = Eth.HEADER + ihl;
    const from = this.side(src);
    const to = from === 'device' ? 'PC' : 'device';
    if (proto === Proto.ICMP && f.length > t) {
      const what = f[t] === 8 ? 'echo request' : f[t] === 0 ? 'echo reply' : `type ${f[t]}`;
      return [`wire    ICMP  ${what} ${from} ${src} → ${to} ${dst}`];
    }
    if (proto === Proto.UDP && f.length >= t + 8) {
      return [`wire    UDP   ${from} ${src}:${u16(f, t)} → ${to} ${dst}:${u16(f, t + 2)}, ${u16(f, t + 4) - 8} bytes`];
    }
    if (proto !== Proto.TCP || f.length < t + 20) return [];
    return this.tcp(f, t, total - ihl, from, src, dst);
  }

  open(): Connection[] {
    return this.connections.filter((c) => c.end === undefined);
  }

  totals(): { connections: number; fins: number; rsts: number; bytesIn: number; bytesOut: number } {
    let bytesIn = 0, bytesOut = 0;
    for (const c of this.connections) { bytesIn += c.bytesIn; bytesOut += c.bytesOut; }
    return { connections: this.connections.length, fins: this.fins, rsts: this.rsts, bytesIn, bytesOut };
  }

  private side(addr: string): 'PC' | 'device' {
    return addr === this.deviceIp ? 'device' : 'PC';
  }

  /** `t`: where the TCP header starts; `len`: TCP header and payload */
  private tcp(f: Uint8Array, t: number, len: number, from: 'PC' | 'device', src: string, dst: string): string[] {
    const to = from === 'device' ? 'PC' : 'device';
    const sport = u16(f, t), dport = u16(f, t + 2);
    const seq = u32(f, t + 4);
    const flags = f[t + 13];
    const payload = len - (f[t + 12] >> 4) * 4;
    const pc = from === 'PC' ? `${src}:${sport}` : `${dst}:${dport}`;
    const dev = from === 'PC' ? `${dst}:${dport}` : `${src}:${sport}`;
    const key = pc + '>' + dev;
    let flow = this.flows[key];
    if (flags & Flag.SYN && !(flags & Flag.ACK)) {
      if (flow && flow.conn.end === undefined && flow.next[from] === ((seq + 1) >>> 0)) return [`wire    retransmission: SYN ${from} → ${to} (${flow.conn.tag})`];
      const conn: Connection = { sn: this.connections.length + 1, tag: 'C' + (this.connections.length + 1), peer: pc, device: dev, openedBy: from, bytesIn: 0, bytesOut: 0, fins: [] };
      this.connections.push(conn);
      flow = { conn, next: { PC: undefined, device: undefined } };
      flow.next[from] = (seq + 1) >>> 0;
      this.flows[key] = flow;
      return [`wire    SYN   ${from} ${from === 'PC' ? pc : dev} → ${to} ${from === 'PC' ? dev : pc} (${conn.tag})`];
    }
    if (!flow || flow.conn.end !== undefined) {
      // a segment of no connection we follow: only a reset is worth a line (e.g. the answer to a stray segment)
      if (flags & Flag.RST) { this.rsts++; return [`wire    RST   ${from} → ${to} for ${pc} ↔ ${dev}, no open connection`]; }
      return [];
    }
    const c = flow.conn;
    if (flags & Flag.RST) {
      this.rsts++;
      c.end = `RST from the ${from}`;
      return [`wire    RST   ${from} → ${to} (${c.tag})`];
    }
    if (flags & Flag.SYN) {
      if (flow.next[from] === ((seq + 1) >>> 0)) return [`wire    retransmission: SYN-ACK ${from} → ${to} (${c.tag})`];
      flow.next[from] = (seq + 1) >>> 0;
      return [`wire    SYN-ACK ${from} → ${to} (${c.tag})`];
    }
    const lines: string[] = [];
    const next = flow.next[from];
    const used = payload + (flags & Flag.FIN ? 1 : 0);
    if (used === 0) return lines;
    // new data starts at the next sequence number; anything wholly before it was sent already
    const fresh = next === undefined || ((seq + used - next) | 0) > 0;
    if (!fresh) return [`wire    retransmission: ${payload ? payload + ' bytes' : 'FIN'} ${from} → ${to} (${c.tag})`];
    const newBytes = next === undefined ? payload : Math.max(0, Math.min(payload, (seq + payload - next) | 0));
    flow.next[from] = (seq + used) >>> 0;
    if (newBytes > 0) {
      if (from === 'PC') c.bytesIn += newBytes; else c.bytesOut += newBytes;
      lines.push(`wire    data  ${from} → ${to}, ${newBytes} bytes (${c.tag})`);
    }
    if (flags & Flag.FIN && !c.fins.includes(from)) {
      this.fins++;
      c.fins.push(from);
      lines.push(`wire    FIN   ${from} → ${to} (${c.tag})`);
      if (c.fins.length === 2) c.end = `FIN both ways, ${c.fins[0]} first`;
    }
    return lines;
  }
}
