/**
 * One Ethernet interface of the stack: frames and the time in (`input`, `poll`), frames out (the sink),
 * with ARP, IPv4, ICMP echo and UDP, and TCP (or any other protocol) plugged in as an `IpUpper`.
 * Pure: no timers, no I/O of its own; `poll(now)` says when it next needs the time.
 *
 * A received frame may be rewritten during `input` (an echo reply is built in place). Frames sent are
 * not padded to 60 bytes: the MAC does that (ENC28J60 MACON3.PADCFG, W5500 MACRAW). Addresses are
 * unsigned 32-bit numbers in host order; `now` is monotonic milliseconds.
 */
import { ArpCache, ArpState, ArpTiming } from './arp-cache';
import { Drop, PASS } from './drop';
import { IpHeadroom, IpOutput, IpProto, IpSendError, IpUpper } from './ip-proto';
import { UdpLayer } from './udp';
import { Ephemeral, EphemeralPorts } from './ephemeral';
import { Arp, ArpOper, arpCheck, arpEmit } from './wire/arp';
import { get16, get32, macCopy, macEquals, macIsBroadcast, put16 } from './wire/bytes';
import { Eth, EtherType, ethCheck, ethEmit } from './wire/ethernet';
import { Icmp, IcmpCode, IcmpType, icmpCheck, icmpEchoReply, icmpEmit } from './wire/icmp';
import { Ip4, ip4Check, ip4Emit } from './wire/ipv4';

/** where frames leave the stack: `len` bytes at `off` of `buf`, to be copied out before returning */
export interface FrameSink {
  sendFrame(buf: Uint8Array, off: number, len: number): void;
}

/** what happened, besides drops (`NetIf.stats[Stat.X]`) */
export const enum Stat {
  RX_FRAMES = 0,
  /** ARP packets acted on (a request answered, or a reply or request for us learnt) */
  RX_ARP,
  RX_ICMP_ECHO,
  RX_UDP,
  /** datagrams handed to a registered upper protocol (TCP) */
  RX_UPPER,
  TX_FRAMES,
  TX_ARP_REQUEST,
  TX_ARP_REPLY,
  TX_GRATUITOUS_ARP,
  TX_ICMP_UNREACH,
  /** datagrams held for ARP and sent once it resolved */
  TX_HELD_SENT,
  COUNT,
}

const BROADCAST = 0xffffffff;
const ZERO_MAC = new Uint8Array(6);
const BROADCAST_MAC = new Uint8Array([255, 255, 255, 255, 255, 255]);

function isU32(n: unknown): boolean {
  return typeof n === 'number' && n === n >>> 0;
}

/** a contiguous netmask: ones then zeros */
function isMask(m: number): boolean {
  const inv = ~m >>> 0;
  return (inv & (inv + 1)) === 0;
}

export class NetIf implements IpOutput {
  mac = new Uint8Array(6);
  addr = 0;
  mask = 0;
  gateway = 0;
  drops = new Uint32Array(Drop.COUNT);
  stats = new Uint32Array(Stat.COUNT);
  arp = new ArpCache();
  /** the transmit frame for ARP, ICMP errors and UDP */
  tx = new Uint8Array(IpHeadroom.FRAME);
  /** one datagram waiting for ARP, copied out (exactly its frame) only while it waits: `holdLen` bytes to next hop `holdHop` */
  hold: Uint8Array | null = null;
  holdLen = 0;
  holdHop = 0;
  udp: UdpLayer;
  /** the upper protocol for TCP (or another number): `upperProto` / `upper` */
  upperProto = -1;
  upper: IpUpper | null = null;
  sink: FrameSink | null = null;
  /** the address an ARP probe asked about (RFC 5227), and whether another host has claimed it since */
  probeIp = 0;
  probeHit = false;
  private ipId = 0;

  /** `ports`: the ephemeral port picker UDP shares (a transport's own), else one of its own */
  constructor(ports?: EphemeralPorts) {
    this.udp = new UdpLayer(this, this.tx, ports ? ports : new EphemeralPorts(Ephemeral.FIRST));
  }

  /** sets the hardware address (6 bytes, unicast); 0 or IpSendError.INVAL */
  setMac(mac: Uint8Array): number {
    if (!(mac instanceof Uint8Array) || mac.length !== 6 || (mac[0] & 1) !== 0) return IpSendError.INVAL;
    this.mac.set(mac);
    return 0;
  }

  /**
   * Sets address, netmask and gateway (0 for none; it must be on the subnet); address 0 means
   * unconfigured (DHCP). Clears the ARP cache; announces the address by gratuitous ARP when up.
   * 0 or IpSendError.INVAL (nothing changed).
   */
  setAddress(addr: number, mask: number, gateway: number, now: number): number {
    if (!isU32(addr) || !isU32(mask) || !isU32(gateway) || !isMask(mask) || addr === BROADCAST ||
      (gateway !== 0 && ((gateway ^ addr) & mask) !== 0) || typeof now !== 'number') return IpSendError.INVAL;
    this.addr = addr;
    this.mask = mask;
    this.gateway = gateway;
    this.arp.clear();
    this.dropHold(Drop.TX_ARP_FAILED);
    this.probeIp = 0;
    this.probeHit = false;
    if (this.sink) this.announce();
    return 0;
  }

  /**
   * One ARP probe for `ip` (RFC 5227 §2.1.1: a request with sender address 0.0.0.0), counted as a
   * request; the watch for a conflict starts with the first probe for an address. 0, or
   * IpSendError (NETDOWN, INVAL).
   */
  probe(ip: number): number {
    if (!this.sink) return IpSendError.NETDOWN;
    if (!isU32(ip) || ip === 0 || ip === BROADCAST) return IpSendError.INVAL;
    if (ip !== this.probeIp) {
      this.probeIp = ip;
      this.probeHit = false;
    }
    ethEmit(this.tx, 0, BROADCAST_MAC, 0, this.mac, EtherType.ARP);
    arpEmit(this.tx, Eth.HEADER, ArpOper.REQUEST, this.mac, 0, ZERO_MAC, 0, ip);
    this.stats[Stat.TX_ARP_REQUEST]++;
    this.out(this.tx, 0, Eth.HEADER + Arp.LEN);
    return 0;
  }

  /** whether, since the first probe for `ip`, another host has claimed it (RFC 5227 §2.1.1) */
  conflict(ip: number): boolean {
    return ip !== 0 && ip === this.probeIp && this.probeHit;
  }

  /** starts sending through `sink`: a gratuitous ARP goes out at once when an address is set */
  up(sink: FrameSink, now: number): number {
    if (!sink || typeof sink.sendFrame !== 'function' || typeof now !== 'number') return IpSendError.INVAL;
    this.sink = sink;
    this.announce();
    return 0;
  }

  down(): void {
    this.sink = null;
    this.dropHold(Drop.TX_ARP_FAILED);
  }

  /** registers the upper protocol for `proto` (not ICMP or UDP, which the interface handles) */
  attach(proto: number, upper: IpUpper): number {
    if (proto === IpProto.ICMP || proto === IpProto.UDP || !isU32(proto) || proto > 255 || !upper || typeof upper.input !== 'function') return IpSendError.INVAL;
    this.upperProto = proto;
    this.upper = upper;
    return 0;
  }

  /** the subnet broadcast address; BROADCAST when unconfigured or on a /31 or /32 (RFC 3021) */
  private subnetBroadcast(): number {
    return this.addr === 0 || this.mask >= 0xfffffffe ? BROADCAST : (this.addr | ~this.mask) >>> 0;
  }

  localAddr(dst: number): number {
    return this.addr;
  }

  /**
   * One received frame of `len` bytes (without FCS, or with it: trailing bytes are ignored).
   * Returns PASS when it was used, else the Drop reason it was counted under; IpSendError.INVAL
   * (nothing counted) for arguments that are not a frame.
   */
  input(frame: Uint8Array, len: number, now: number): number {
    if (!(frame instanceof Uint8Array) || typeof len !== 'number' || Math.floor(len) !== len || len < 0 ||
      len > frame.length || typeof now !== 'number') return IpSendError.INVAL;
    this.stats[Stat.RX_FRAMES]++;
    // the address filter first, as the MAC's own filter would: a frame not for us is not looked into
    let v = len < Eth.HEADER ? Drop.ETH_SHORT
      : !macEquals(frame, Eth.DST, this.mac) && !macIsBroadcast(frame, Eth.DST) ? Drop.ETH_NOT_US : ethCheck(frame, len);
    if (v === PASS) {
      v = get16(frame, Eth.TYPE) === EtherType.ARP ? this.arpInput(frame, len - Eth.HEADER, now)
        : this.ipInput(frame, len - Eth.HEADER, now);
    }
    if (v !== PASS) this.drops[v]++;
    return v;
  }

  private arpInput(f: Uint8Array, len: number, now: number): number {
    const o = Eth.HEADER;
    const v = arpCheck(f, o, len);
    if (v !== PASS) return v;
    const spa = get32(f, o + Arp.SPA);
    const tpa = get32(f, o + Arp.TPA);
    // RFC 5227 §2.1.1: the probed address is taken if another host sends from it, or probes for it too
    if (this.probeIp !== 0 && (spa === this.probeIp || (spa === 0 && tpa === this.probeIp && !macEquals(f, o + Arp.SHA, this.mac)))) {
      this.probeHit = true;
    }
    if ((f[o + Arp.SHA] & 1) !== 0 || macEquals(f, o + Arp.SHA, ZERO_MAC) ||
      (this.addr !== 0 && spa === this.addr) || spa === BROADCAST) return Drop.ARP_BOGUS;
    const forUs = this.addr !== 0 && tpa === this.addr;
    // RFC 826: refresh an entry we have; make one only when the packet is for us. A probe (spa 0) teaches nothing.
    if (spa !== 0) {
      const i = this.arp.learn(spa, f, o + Arp.SHA, now, forUs);
      if (i >= 0 && this.holdLen > 0 && this.holdHop === spa) this.sendHeld(i);
      this.holdLost();
    }
    if (!forUs) return Drop.ARP_NOT_US;
    this.stats[Stat.RX_ARP]++;
    if (get16(f, o + Arp.OPER) === ArpOper.REQUEST) {
      // answered unicast to the asker, whether the request came broadcast or unicast
      ethEmit(this.tx, 0, f, o + Arp.SHA, this.mac, EtherType.ARP);
      arpEmit(this.tx, Eth.HEADER, ArpOper.REPLY, this.mac, this.addr, f, o + Arp.SHA, spa);
      this.stats[Stat.TX_ARP_REPLY]++;
      this.out(this.tx, 0, Eth.HEADER + Arp.LEN);
    }
    return PASS;
  }

  private ipInput(f: Uint8Array, len: number, now: number): number {
    const o = Eth.HEADER;
    const v = ip4Check(f, o, len);
    if (v !== PASS) return v;
    const src = get32(f, o + Ip4.SRC);
    const dst = get32(f, o + Ip4.DST);
    const proto = f[o + Ip4.PROTO];
    const bcast = dst === BROADCAST || dst === this.subnetBroadcast();
    // unconfigured, UDP to any address passes: a DHCP server may unicast its offer to the offered address
    if (!bcast && (this.addr === 0 ? proto !== IpProto.UDP : dst !== this.addr)) return Drop.IP_NOT_US;
    if (src === BROADCAST || (src >>> 28) === 14 || (src === 0 && proto !== IpProto.UDP) ||
      (this.addr !== 0 && (src === this.addr || src === this.subnetBroadcast()))) return Drop.IP_SRC;
    const po = o + Ip4.HEADER;
    const plen = get16(f, o + Ip4.TOTAL_LEN) - Ip4.HEADER;
    if (proto === IpProto.UDP) {
      const r = this.udp.input(src, dst, f, po, plen, now);
      if (r === PASS) this.stats[Stat.RX_UDP]++;
      else if (r === Drop.UDP_NO_PORT && !bcast && this.addr !== 0) this.unreachable(f, src, IcmpCode.PORT_UNREACH, now);
      return r;
    }
    if (proto === IpProto.ICMP) return this.icmpInput(f, src, bcast, po, plen);
    if (proto !== this.upperProto || bcast) return Drop.IP_PROTO;
    this.stats[Stat.RX_UPPER]++;
    (this.upper as IpUpper).input(src, dst, f, po, plen, now);
    return PASS;
  }

  private icmpInput(f: Uint8Array, src: number, bcast: boolean, po: number, plen: number): number {
    const v = icmpCheck(f, po, plen);
    if (v !== PASS) return v;
    if (f[po + Icmp.TYPE] !== IcmpType.ECHO_REQUEST) return Drop.ICMP_TYPE;
    if (bcast) return Drop.ICMP_BROADCAST;
    // the reply is the request turned around in place, to the MAC it came from
    macCopy(f, Eth.DST, f, Eth.SRC);
    macCopy(f, Eth.SRC, this.mac, 0);
    ip4Emit(f, Eth.HEADER, 0, this.nextId(), Ip4.TTL_DEFAULT, IpProto.ICMP, this.addr, src, plen);
    icmpEchoReply(f, po);
    this.stats[Stat.RX_ICMP_ECHO]++;
    this.out(f, 0, po + plen);
    return PASS;
  }

  /**
   * destination unreachable to `src`, quoting as much of the datagram in `f` as keeps the error within
   * 576 bytes (RFC 1812 §4.3.2.3, as Linux does; RFC 792's minimum is the header + 8 bytes)
   */
  private unreachable(f: Uint8Array, src: number, code: number, now: number): void {
    const at = IpHeadroom.BYTES;
    const q = Icmp.MAX_ERROR - Ip4.HEADER - Icmp.HEADER;
    const have = get16(f, Eth.HEADER + Ip4.TOTAL_LEN);
    const n = have < q ? have : q;
    put16(this.tx, at + Icmp.ID, 0);
    put16(this.tx, at + Icmp.SEQ, 0);
    this.tx.set(f.subarray(Eth.HEADER, Eth.HEADER + n), at + Icmp.HEADER);
    icmpEmit(this.tx, at, Icmp.HEADER + n, IcmpType.DEST_UNREACH, code);
    this.stats[Stat.TX_ICMP_UNREACH]++;
    this.sendIp(src, IpProto.ICMP, this.tx, at, Icmp.HEADER + n, now);
  }

  sendIp(dst: number, proto: number, buf: Uint8Array, off: number, len: number, now: number): number {
    if (!this.sink) return IpSendError.NETDOWN;
    if (!isU32(dst) || !isU32(proto) || proto > 255 || !(buf instanceof Uint8Array) || !isU32(off) || !isU32(len) ||
      off < IpHeadroom.BYTES || off + len > buf.length || len > IpHeadroom.MAX_PAYLOAD || typeof now !== 'number') return IpSendError.INVAL;
    const bcast = dst === BROADCAST || dst === this.subnetBroadcast();
    if (!bcast && (this.addr === 0 || dst === this.addr)) return IpSendError.NOROUTE;
    const hop = bcast || ((dst ^ this.addr) & this.mask) === 0 ? dst : this.gateway;
    if (hop === 0) return IpSendError.NOROUTE;
    const base = off - IpHeadroom.BYTES;
    const flen = IpHeadroom.BYTES + len;
    ip4Emit(buf, base + Eth.HEADER, 0, this.nextId(), Ip4.TTL_DEFAULT, proto, this.addr, dst, len);
    if (bcast) {
      ethEmit(buf, base, BROADCAST_MAC, 0, this.mac, EtherType.IPV4);
      this.out(buf, base, flen);
      return len;
    }
    const i = this.arp.lookup(hop, now);
    if (i >= 0) {
      ethEmit(buf, base, this.arp.mac, i * 6, this.mac, EtherType.IPV4);
      this.out(buf, base, flen);
      return len;
    }
    // hold the newest datagram for this hop until ARP answers
    ethEmit(buf, base, ZERO_MAC, 0, this.mac, EtherType.IPV4);
    if (this.holdLen > 0) this.drops[Drop.TX_ARP_REPLACED]++;
    this.hold = new Uint8Array(buf.subarray(base, base + flen));
    this.holdLen = flen;
    this.holdHop = hop;
    if (this.arp.find(hop) < 0) {
      this.arp.pend(hop, now);
      this.request(hop, Stat.TX_ARP_REQUEST);
    }
    this.holdLost();
    return IpSendError.QUEUED;
  }

  /**
   * Retries and gives up ARP requests whose time has come; returns the next time (ms) the interface
   * needs `poll` again, or -1 when nothing is pending.
   */
  poll(now: number): number {
    if (typeof now !== 'number') return IpSendError.INVAL;
    const a = this.arp;
    let next = -1;
    for (let i = 0; i < ArpTiming.ENTRIES; i++) {
      if (a.state[i] !== ArpState.PENDING) continue;
      if (now >= a.due[i]) {
        if (a.tries[i] >= ArpTiming.TRIES) {
          a.state[i] = ArpState.FREE;
          if (this.holdLen > 0 && this.holdHop === a.ip[i]) this.dropHold(Drop.TX_ARP_FAILED);
          continue;
        }
        a.tries[i]++;
        a.due[i] = now + ArpTiming.RETRY_MS;
        this.request(a.ip[i], Stat.TX_ARP_REQUEST);
      }
      if (next < 0 || a.due[i] < next) next = a.due[i];
    }
    return next;
  }

  /** a broadcast request for `ip`, counted under `stat` */
  private request(ip: number, stat: number): void {
    ethEmit(this.tx, 0, BROADCAST_MAC, 0, this.mac, EtherType.ARP);
    arpEmit(this.tx, Eth.HEADER, ArpOper.REQUEST, this.mac, this.addr, ZERO_MAC, 0, ip);
    this.stats[stat]++;
    this.out(this.tx, 0, Eth.HEADER + Arp.LEN);
  }

  /** gratuitous ARP (RFC 5227 §2.3 announcement): a request for our own address */
  private announce(): void {
    if (this.addr !== 0 && this.sink) this.request(this.addr, Stat.TX_GRATUITOUS_ARP);
  }

  private sendHeld(i: number): void {
    const h = this.hold as Uint8Array;
    macCopy(h, Eth.DST, this.arp.mac, i * 6);
    this.hold = null;
    this.holdLen = 0;
    this.stats[Stat.TX_HELD_SENT]++;
    this.out(h, 0, h.length);
  }

  /** a new entry may have taken the slot of the one the held datagram waits for */
  private holdLost(): void {
    if (this.holdLen > 0 && this.arp.find(this.holdHop) < 0) this.dropHold(Drop.TX_ARP_FAILED);
  }

  private dropHold(why: number): void {
    if (this.holdLen > 0) this.drops[why]++;
    this.hold = null;
    this.holdLen = 0;
  }

  private nextId(): number {
    this.ipId = (this.ipId + 1) & 0xffff;
    return this.ipId;
  }

  private out(buf: Uint8Array, off: number, len: number): void {
    if (!this.sink) return;
    this.stats[Stat.TX_FRAMES]++;
    this.sink.sendFrame(buf, off, len);
  }
}
