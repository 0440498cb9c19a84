/**
 * A DHCP server written from RFC 2131 §4.3 and RFC 2132 for the hostile cases: it answers a
 * client's DISCOVER with an OFFER and its REQUEST with an ACK or NAK, built byte by byte here (not
 * with the client's codec), and it hands out the pieces the tests break on purpose.
 */
import { parseIPv4 } from '../../firmware/socket/address';

export interface ServerConfig {
  server: string;
  offer: string;
  mask: string;
  router: string;
  dns: string[];
  lease: number;
  t1?: number;
  t2?: number;
}

export interface ClientMessage {
  op: number;
  xid: number;
  secs: number;
  flags: number;
  ciaddr: string;
  chaddr: Uint8Array;
  type: number;
  /** option code → value bytes, in the order they came */
  options: [number, Uint8Array][];
}

function ip4(s: string): number[] {
  const n = parseIPv4(s);
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}

function u32(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}

/** reads a client's message the way a server would (RFC 2131 §2, §3) */
export function readClient(b: Uint8Array): ClientMessage {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (dv.getUint32(236) !== 0x63825363) throw new Error('no magic cookie');
  const options: [number, Uint8Array][] = [];
  let type = 0;
  for (let o = 240; o < b.length;) {
    const c = b[o];
    if (c === 0) { o++; continue; }
    if (c === 255) break;
    const l = b[o + 1];
    const v = b.slice(o + 2, o + 2 + l);
    options.push([c, v]);
    if (c === 53) type = v[0];
    o += 2 + l;
  }
  return {
    op: b[0], xid: dv.getUint32(4), secs: dv.getUint16(8), flags: dv.getUint16(10),
    ciaddr: [b[12], b[13], b[14], b[15]].join('.'), chaddr: b.slice(28, 34), type, options,
  };
}

export function option(m: ClientMessage, code: number): Uint8Array | undefined {
  const o = m.options.find((x) => x[0] === code);
  return o ? o[1] : undefined;
}

/**
 * A reply of `type` (2 OFFER, 5 ACK, 6 NAK) to `m`, with the parameters of `cfg`; `extra` options go
 * before END. NAK carries only the message type and the server identifier (§4.3.2 table 3).
 */
export function reply(cfg: ServerConfig, m: ClientMessage, type: number, extra: number[] = []): Uint8Array {
  const head = new Uint8Array(240);
  const dv = new DataView(head.buffer);
  head[0] = 2; head[1] = 1; head[2] = 6;
  dv.setUint32(4, m.xid);
  dv.setUint16(10, m.flags);
  if (type !== 6) head.set(ip4(cfg.offer), 16);
  head.set(m.chaddr, 28);
  dv.setUint32(236, 0x63825363);
  const opts: number[] = [53, 1, type, 54, 4, ...ip4(cfg.server)];
  if (type !== 6) {
    opts.push(51, 4, ...u32(cfg.lease));
    if (cfg.t1 !== undefined) opts.push(58, 4, ...u32(cfg.t1));
    if (cfg.t2 !== undefined) opts.push(59, 4, ...u32(cfg.t2));
    opts.push(1, 4, ...ip4(cfg.mask));
    opts.push(3, 4, ...ip4(cfg.router));
    opts.push(6, 4 * cfg.dns.length, ...cfg.dns.flatMap(ip4));
  }
  opts.push(...extra, 255);
  const out = new Uint8Array(240 + opts.length);
  out.set(head);
  out.set(opts, 240);
  return out;
}
