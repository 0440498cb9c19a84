/**
 * DHCP messages (RFC 2131 §2, options RFC 2132) at fixed offsets: the client's messages are built
 * into one buffer, a server's reply is checked and its options read into a `DhcpReply`. A reply
 * that is not what the client may act on is dropped with one `DhcpDrop` reason; nothing throws.
 */
import { get16, get32, macEquals, put16, put32 } from '../net/wire/bytes';

export const enum Dhcp {
  OP = 0,
  HTYPE = 1,
  HLEN = 2,
  HOPS = 3,
  XID = 4,
  SECS = 8,
  FLAGS = 10,
  CIADDR = 12,
  YIADDR = 16,
  SIADDR = 20,
  GIADDR = 24,
  CHADDR = 28,
  SNAME = 44,
  FILE = 108,
  COOKIE = 236,
  OPTIONS = 240,
  BOOTREQUEST = 1,
  BOOTREPLY = 2,
  HTYPE_ETHERNET = 1,
  /** the server must broadcast its answers: the W5500 takes no unicast before its address is set */
  FLAG_BROADCAST = 0x8000,
  COOKIE_HI = 0x6382,
  COOKIE_LO = 0x5363,
  SERVER_PORT = 67,
  CLIENT_PORT = 68,
  /** RFC 2131 §2: every client takes messages of this size; a server sends no larger without option 57 */
  MAX_MESSAGE = 576,
  /** longest host name sent (option 12) */
  MAX_HOSTNAME = 32,
}

export const enum DhcpOpt {
  PAD = 0,
  SUBNET_MASK = 1,
  ROUTER = 3,
  DNS = 6,
  HOST_NAME = 12,
  REQUESTED_IP = 50,
  LEASE_TIME = 51,
  MESSAGE_TYPE = 53,
  SERVER_ID = 54,
  PARAM_LIST = 55,
  RENEWAL_T1 = 58,
  REBINDING_T2 = 59,
  END = 255,
}

export const enum DhcpType {
  DISCOVER = 1,
  OFFER = 2,
  REQUEST = 3,
  DECLINE = 4,
  ACK = 5,
  NAK = 6,
  RELEASE = 7,
}

/** why a reply was dropped (`DhcpClient.drops[DhcpDrop.X]`) */
export const enum DhcpDrop {
  /** shorter than the fixed part, the cookie and one option */
  SHORT = 0,
  /** larger than 576 bytes (RFC 2131 §2): dropped by the receive buffer */
  OVERSIZE,
  /** not a BOOTREPLY for an Ethernet address, or the cookie is wrong */
  FORMAT,
  /** not the transaction this client has open */
  XID,
  /** chaddr is not our MAC */
  CHADDR,
  /** an option runs past the end, or has a length its kind does not allow */
  OPTIONS,
  /** no message type, or one the client does not expect now */
  TYPE,
  /** not from the server the client is talking to (server identifier or source address), or not from port 67 */
  SERVER,
  /** an offered address, mask or lease the client cannot use */
  ADDRESS,
  COUNT,
}

export const PASS = -1;

/** what a reply carries; numbers are IPv4 addresses in host order, times in seconds (0 = absent) */
export class DhcpReply {
  type = 0;
  yiaddr = 0;
  serverId = 0;
  mask = 0;
  router = 0;
  /** up to three DNS servers, 0 where none */
  dns = new Uint32Array(3);
  lease = 0;
  t1 = 0;
  t2 = 0;

  clear(): void {
    this.type = 0;
    this.yiaddr = 0;
    this.serverId = 0;
    this.mask = 0;
    this.router = 0;
    this.dns.fill(0);
    this.lease = 0;
    this.t1 = 0;
    this.t2 = 0;
  }
}

/** the fields of a client message that change from one to the next */
export interface DhcpRequestFields {
  type: number;
  xid: number;
  secs: number;
  /** broadcast flag: true while the client has no address */
  broadcast: boolean;
  ciaddr: number;
  /** option 50, 0 = absent */
  requestedIp: number;
  /** option 54, 0 = absent */
  serverId: number;
  /** option 12, '' = absent */
  hostname: string;
}

/** the parameter request list (option 55): options 1, 3, 6, 51, 54, 58, 59 */
const PARAMS = [DhcpOpt.SUBNET_MASK, DhcpOpt.ROUTER, DhcpOpt.DNS, DhcpOpt.LEASE_TIME, DhcpOpt.SERVER_ID, DhcpOpt.RENEWAL_T1, DhcpOpt.REBINDING_T2];

function putIpOption(b: Uint8Array, o: number, code: number, ip: number): number {
  b[o] = code;
  b[o + 1] = 4;
  put32(b, o + 2, ip);
  return o + 6;
}

/** builds a client message into `b` (≥ 576 bytes); returns its length */
export function dhcpBuild(b: Uint8Array, mac: Uint8Array, f: DhcpRequestFields): number {
  b.fill(0, 0, Dhcp.OPTIONS);
  b[Dhcp.OP] = Dhcp.BOOTREQUEST;
  b[Dhcp.HTYPE] = Dhcp.HTYPE_ETHERNET;
  b[Dhcp.HLEN] = 6;
  put32(b, Dhcp.XID, f.xid);
  put16(b, Dhcp.SECS, f.secs > 0xffff ? 0xffff : f.secs);
  put16(b, Dhcp.FLAGS, f.broadcast ? Dhcp.FLAG_BROADCAST : 0);
  put32(b, Dhcp.CIADDR, f.ciaddr);
  b.set(mac, Dhcp.CHADDR);
  put16(b, Dhcp.COOKIE, Dhcp.COOKIE_HI);
  put16(b, Dhcp.COOKIE + 2, Dhcp.COOKIE_LO);
  let o = Dhcp.OPTIONS;
  b[o] = DhcpOpt.MESSAGE_TYPE;
  b[o + 1] = 1;
  b[o + 2] = f.type;
  o += 3;
  if (f.requestedIp !== 0) o = putIpOption(b, o, DhcpOpt.REQUESTED_IP, f.requestedIp);
  if (f.serverId !== 0) o = putIpOption(b, o, DhcpOpt.SERVER_ID, f.serverId);
  const n = f.hostname.length;
  if (n > 0 && f.type !== DhcpType.DECLINE && f.type !== DhcpType.RELEASE) {
    b[o] = DhcpOpt.HOST_NAME;
    b[o + 1] = n;
    for (let i = 0; i < n; i++) b[o + 2 + i] = f.hostname.charCodeAt(i);
    o += 2 + n;
  }
  if (f.type === DhcpType.DISCOVER || f.type === DhcpType.REQUEST) {
    b[o] = DhcpOpt.PARAM_LIST;
    b[o + 1] = PARAMS.length;
    b.set(PARAMS, o + 2);
    o += 2 + PARAMS.length;
  }
  b[o] = DhcpOpt.END;
  return o + 1;
}

/** an option of 4-byte addresses: at least one, a multiple of 4 */
function ipListOk(l: number): boolean {
  return l >= 4 && (l & 3) === 0;
}

/**
 * Checks a reply of `len` bytes for transaction `xid` and hardware address `mac` and reads its
 * options into `r`. Returns PASS, or the DhcpDrop reason. Only the fields the client uses are read.
 */
export function dhcpParse(b: Uint8Array, len: number, xid: number, mac: Uint8Array, r: DhcpReply): number {
  r.clear();
  if (len < Dhcp.OPTIONS + 1) return DhcpDrop.SHORT;
  if (len > Dhcp.MAX_MESSAGE) return DhcpDrop.OVERSIZE;
  if (b[Dhcp.OP] !== Dhcp.BOOTREPLY || b[Dhcp.HTYPE] !== Dhcp.HTYPE_ETHERNET || b[Dhcp.HLEN] !== 6 ||
    get16(b, Dhcp.COOKIE) !== Dhcp.COOKIE_HI || get16(b, Dhcp.COOKIE + 2) !== Dhcp.COOKIE_LO) return DhcpDrop.FORMAT;
  if (get32(b, Dhcp.XID) !== (xid >>> 0)) return DhcpDrop.XID;
  if (!macEquals(b, Dhcp.CHADDR, mac)) return DhcpDrop.CHADDR;
  r.yiaddr = get32(b, Dhcp.YIADDR);
  let o = Dhcp.OPTIONS;
  let ended = false;
  while (o < len) {
    const code = b[o];
    if (code === DhcpOpt.PAD) { o++; continue; }
    if (code === DhcpOpt.END) { ended = true; break; }
    if (o + 2 > len) return DhcpDrop.OPTIONS;
    const l = b[o + 1];
    const v = o + 2;
    if (v + l > len) return DhcpDrop.OPTIONS;
    switch (code) {
      case DhcpOpt.MESSAGE_TYPE:
        if (l !== 1) return DhcpDrop.OPTIONS;
        r.type = b[v];
        break;
      case DhcpOpt.SERVER_ID:
        if (l !== 4) return DhcpDrop.OPTIONS;
        r.serverId = get32(b, v);
        break;
      case DhcpOpt.SUBNET_MASK:
        if (l !== 4) return DhcpDrop.OPTIONS;
        r.mask = get32(b, v);
        break;
      case DhcpOpt.ROUTER:
        if (!ipListOk(l)) return DhcpDrop.OPTIONS;
        r.router = get32(b, v);
        break;
      case DhcpOpt.DNS:
        if (!ipListOk(l)) return DhcpDrop.OPTIONS;
        for (let i = 0; i < 3 && i * 4 < l; i++) r.dns[i] = get32(b, v + i * 4);
        break;
      case DhcpOpt.LEASE_TIME:
        if (l !== 4) return DhcpDrop.OPTIONS;
        r.lease = get32(b, v);
        break;
      case DhcpOpt.RENEWAL_T1:
        if (l !== 4) return DhcpDrop.OPTIONS;
        r.t1 = get32(b, v);
        break;
      case DhcpOpt.REBINDING_T2:
        if (l !== 4) return DhcpDrop.OPTIONS;
        r.t2 = get32(b, v);
        break;
    }
    o = v + l;
  }
  // RFC 2131 §4.1: options end with END; a message cut short of it is not trusted
  if (!ended) return DhcpDrop.OPTIONS;
  if (r.type < DhcpType.DISCOVER || r.type > DhcpType.RELEASE) return DhcpDrop.TYPE;
  return PASS;
}

/** a contiguous netmask other than 0 */
export function isMask(m: number): boolean {
  const inv = ~m >>> 0;
  return m !== 0 && (inv & (inv + 1)) === 0;
}

/** an address a host may take: not 0, not broadcast, not loopback, not multicast or reserved */
export function isHostAddress(ip: number): boolean {
  const top = ip >>> 24;
  return ip !== 0 && top !== 0 && top !== 127 && top < 224;
}
