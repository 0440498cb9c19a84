/**
 * DNS messages (RFC 1035 §4) for A lookups: a query is built into a buffer; a response is checked
 * against the query it answers (id, QR, opcode, the question byte for byte, case folded) and its
 * answer section walked for the CNAME chain from the name asked to an A record. Names in answers
 * may be compressed (§4.1.4); every pointer must point before the name part it continues, which
 * rules out loops, and a name longer than 255 bytes is refused. Anything malformed is a `DnsDrop`
 * reason, never an exception.
 */
import { get16, get32, put16 } from '../net/wire/bytes';

export const enum Dns {
  ID = 0,
  FLAGS = 2,
  QDCOUNT = 4,
  ANCOUNT = 6,
  HEADER = 12,
  PORT = 53,
  /** RFC 1035 §4.2.1: UDP messages are at most 512 bytes (no EDNS here) */
  MAX_UDP = 512,
  TYPE_A = 1,
  TYPE_CNAME = 5,
  CLASS_IN = 1,
  FLAG_QR = 0x8000,
  OPCODE_MASK = 0x7800,
  FLAG_TC = 0x0200,
  FLAG_RD = 0x0100,
  RCODE_MASK = 0x000f,
  MAX_NAME = 255,
  MAX_LABEL = 63,
  /** CNAME records followed in one answer */
  MAX_CHAIN = 8,
}

export const enum Rcode {
  NOERROR = 0,
  FORMERR = 1,
  SERVFAIL = 2,
  NXDOMAIN = 3,
  NOTIMP = 4,
  REFUSED = 5,
}

/** why a response was dropped (`DnsResolver.drops[DnsDrop.X]`) */
export const enum DnsDrop {
  /** shorter than the header and the question */
  SHORT = 0,
  /** larger than 512 bytes: dropped by the receive buffer */
  OVERSIZE,
  /** not from the server and port the query went to */
  SOURCE,
  /** not the id of the query in flight */
  ID,
  /** not a standard-query response (QR clear, another opcode) */
  NOT_RESPONSE,
  /** not the question asked (count, name, type or class) */
  QUESTION,
  /** a name that is malformed: a pointer loop or a forward pointer, too long, a reserved label type */
  NAME,
  /** a record that runs past the end, or an A record whose data is not 4 bytes */
  RECORD,
  /** TC set: the answer did not fit (no TCP fallback here) */
  TRUNCATED,
  COUNT,
}

export const DNS_PASS = -1;

/** a response's outcome */
export class DnsAnswer {
  rcode = 0;
  /** the A record at the end of the chain, 0 when none */
  ip = 0;
  /** the least TTL along the chain, seconds */
  ttl = 0;
  /** the last name of the chain when it ends in a CNAME without an A record ('' otherwise) */
  alias = '';
}

/** is `name` a host name this resolver can ask for (labels of letters, digits, '-' and '_', 1–63 each) */
export function nameOk(name: unknown): boolean {
  if (typeof name !== 'string') return false;
  let n = name.length;
  if (n > 0 && name.charCodeAt(n - 1) === 46) n--;
  if (n === 0 || n > 253) return false;
  let label = 0;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    if (c === 46) {
      if (label === 0) return false;
      label = 0;
      continue;
    }
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95)) return false;
    if (++label > Dns.MAX_LABEL) return false;
  }
  return true;
}

/** a standard query with RD for `name` (checked by nameOk), type A, class IN; returns its length */
export function dnsQuery(b: Uint8Array, id: number, name: string): number {
  put16(b, Dns.ID, id);
  put16(b, Dns.FLAGS, Dns.FLAG_RD);
  put16(b, Dns.QDCOUNT, 1);
  b.fill(0, 6, Dns.HEADER);
  let n = name.length;
  if (name.charCodeAt(n - 1) === 46) n--;
  let o = Dns.HEADER;
  let lenAt = o++;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    if (c === 46) {
      b[lenAt] = o - lenAt - 1;
      lenAt = o++;
    } else b[o++] = c;
  }
  b[lenAt] = o - lenAt - 1;
  b[o++] = 0;
  put16(b, o, Dns.TYPE_A);
  put16(b, o + 2, Dns.CLASS_IN);
  return o + 4;
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** where a name read by readName ended (the byte after it in place), or -1 when malformed */
let nameEnd = -1;

/**
 * The name at `o` as lower-case dotted text ('' for the root), or null when malformed; `nameEnd`
 * is set to the offset after the name where it sits. Each compression pointer must point before
 * the start of the part it continues, so the walk always moves backwards and ends.
 */
function readName(b: Uint8Array, len: number, o: number): string | null {
  let s = '';
  let total = 0;
  let start = o;
  nameEnd = -1;
  for (;;) {
    if (o >= len) return null;
    const l = b[o];
    if (l === 0) {
      if (nameEnd < 0) nameEnd = o + 1;
      return s;
    }
    if ((l & 0xc0) === 0xc0) {
      if (o + 1 >= len) return null;
      const p = ((l & 0x3f) << 8) | b[o + 1];
      if (nameEnd < 0) nameEnd = o + 2;
      if (p >= start) return null;
      start = p;
      o = p;
      continue;
    }
    if ((l & 0xc0) !== 0) return null;
    total += l + 1;
    if (total > Dns.MAX_NAME || o + 1 + l > len) return null;
    if (s.length > 0) s += '.';
    for (let i = o + 1; i <= o + l; i++) s += String.fromCharCode(lower(b[i]));
    o += 1 + l;
  }
}

/** the question of `q` (`qlen` bytes) equals the one at the same place in `b`, letters compared without case */
function sameQuestion(b: Uint8Array, q: Uint8Array, qlen: number): boolean {
  for (let i = Dns.HEADER; i < qlen; i++) if (lower(b[i]) !== lower(q[i])) return false;
  return true;
}

/**
 * Checks response `b` (`len` bytes) against query `q` (`qlen` bytes) and reads the outcome into
 * `a`: DNS_PASS, or the DnsDrop reason. `qname` is the name asked, lower case, no final dot.
 */
export function dnsParse(b: Uint8Array, len: number, q: Uint8Array, qlen: number, qname: string, a: DnsAnswer): number {
  a.rcode = 0;
  a.ip = 0;
  a.ttl = 0;
  a.alias = '';
  if (len < Dns.HEADER) return DnsDrop.SHORT;
  if (len > Dns.MAX_UDP) return DnsDrop.OVERSIZE;
  if (get16(b, Dns.ID) !== get16(q, Dns.ID)) return DnsDrop.ID;
  const flags = get16(b, Dns.FLAGS);
  if ((flags & Dns.FLAG_QR) === 0 || (flags & Dns.OPCODE_MASK) !== 0) return DnsDrop.NOT_RESPONSE;
  if (len < qlen) return DnsDrop.SHORT;
  if (get16(b, Dns.QDCOUNT) !== 1 || !sameQuestion(b, q, qlen)) return DnsDrop.QUESTION;
  if ((flags & Dns.FLAG_TC) !== 0) return DnsDrop.TRUNCATED;
  a.rcode = flags & Dns.RCODE_MASK;
  if (a.rcode !== Rcode.NOERROR) return DNS_PASS;
  // the answer section: owners and targets of CNAMEs, owners and addresses of A records, in order
  const count = get16(b, Dns.ANCOUNT);
  const owners: string[] = [];
  const targets: string[] = [];
  const ips: number[] = [];
  const ttls: number[] = [];
  let o = qlen;
  for (let k = 0; k < count; k++) {
    const owner = readName(b, len, o);
    if (owner === null) return DnsDrop.NAME;
    o = nameEnd;
    if (o + 10 > len) return DnsDrop.RECORD;
    const type = get16(b, o);
    const klass = get16(b, o + 2);
    const ttl = get32(b, o + 4);
    const rdlen = get16(b, o + 8);
    o += 10;
    if (o + rdlen > len) return DnsDrop.RECORD;
    if (klass === Dns.CLASS_IN && type === Dns.TYPE_A) {
      if (rdlen !== 4) return DnsDrop.RECORD;
      owners.push(owner);
      targets.push('');
      ips.push(get32(b, o));
      ttls.push(ttl);
    } else if (klass === Dns.CLASS_IN && type === Dns.TYPE_CNAME) {
      const target = readName(b, o + rdlen, o);
      if (target === null) return DnsDrop.NAME;
      owners.push(owner);
      targets.push(target);
      ips.push(0);
      ttls.push(ttl);
    }
    o += rdlen;
  }
  // follow the chain from the name asked; records for other names are ignored (RFC 5452 §9.1)
  let cur = qname;
  let least = 0x7fffffff;
  for (let step = 0; step <= Dns.MAX_CHAIN; step++) {
    let next = -1;
    for (let i = 0; i < owners.length; i++) {
      if (owners[i] !== cur) continue;
      if (targets[i] === '') {
        a.ip = ips[i];
        a.ttl = ttls[i] < least ? ttls[i] : least;
        return DNS_PASS;
      }
      if (next < 0) next = i;
    }
    if (next < 0) break;
    if (ttls[next] < least) least = ttls[next];
    cur = targets[next];
  }
  if (cur !== qname) {
    a.alias = cur;
    a.ttl = least;
  }
  return DNS_PASS;
}
