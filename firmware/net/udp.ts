/**
 * UDP endpoints (RFC 768): a small fixed table of bound ports. Received datagrams go to the endpoint's
 * receiver during the call, in place in the frame; sends copy the payload once into the interface's
 * transmit frame. Broadcast works both ways (a DHCP client binds 68 and sends to 255.255.255.255).
 */
import { Drop, PASS } from './drop';
import { IpHeadroom, IpOutput, IpProto, IpSendError } from './ip-proto';
import { get16 } from './wire/bytes';
import { Udp, udpCheck, udpEmit } from './wire/udp';
import type { EphemeralPorts } from './ephemeral';

export interface UdpReceiver {
  /** one datagram: `len` payload bytes at `off` of `buf`, valid during the call only; must not throw */
  udpInput(src: number, sport: number, dst: number, buf: Uint8Array, off: number, len: number, now: number): void;
}

export const enum UdpError {
  /** a bad argument (same value as IpSendError.INVAL) */
  INVAL = -3,
  ADDRINUSE = -10,
  /** every endpoint is taken */
  NOBUFS = -11,
  /** not an open endpoint */
  BADHANDLE = -12,
}

export const enum UdpLimits {
  ENDPOINTS = 4,
  /** payload that fits one datagram without fragments */
  MAX_PAYLOAD = 1472,
  /** where the payload starts in a transmit frame */
  PAYLOAD_OFF = 42,
}

export class UdpLayer {
  port = new Uint16Array(UdpLimits.ENDPOINTS);
  bound = new Uint8Array(UdpLimits.ENDPOINTS);
  receiver: (UdpReceiver | null)[] = [];
  /** datagrams delivered, and sent (IP accepted or held them) */
  delivered = 0;
  sent = 0;
  /** where open(0) takes its port (RFC 6335), shared with TCP when the interface was given one */
  ports: EphemeralPorts;

  constructor(private ip: IpOutput, private tx: Uint8Array, ports: EphemeralPorts) {
    for (let i = 0; i < UdpLimits.ENDPOINTS; i++) this.receiver.push(null);
    this.ports = ports;
  }

  /** binds `port` (0: an ephemeral one); returns the endpoint handle (≥ 0) or a UdpError */
  open(port: number, rx: UdpReceiver): number {
    if (typeof port !== 'number' || Math.floor(port) !== port || port < 0 || port > 65535 || !rx || typeof rx.udpInput !== 'function') return UdpError.INVAL;
    if (port === 0) port = this.ephemeral();
    let free = -1;
    for (let i = 0; i < UdpLimits.ENDPOINTS; i++) {
      if (this.bound[i] && this.port[i] === port) return UdpError.ADDRINUSE;
      if (!this.bound[i] && free < 0) free = i;
    }
    if (free < 0) return UdpError.NOBUFS;
    this.bound[free] = 1;
    this.port[free] = port;
    this.receiver[free] = rx;
    return free;
  }

  close(h: number): number {
    if (!this.valid(h)) return UdpError.BADHANDLE;
    this.bound[h] = 0;
    this.receiver[h] = null;
    return 0;
  }

  /** the local port of an open endpoint, or BADHANDLE */
  localPort(h: number): number {
    return this.valid(h) ? this.port[h] : UdpError.BADHANDLE;
  }

  /**
   * Sends `len` bytes at `off` of `data` from endpoint `h` to `dst`:`dport`. Returns `len`, or
   * IpSendError.QUEUED (held for ARP; sent when resolved), or an error.
   */
  sendTo(h: number, dst: number, dport: number, data: Uint8Array, off: number, len: number, now: number): number {
    if (!this.valid(h)) return UdpError.BADHANDLE;
    if (!(data instanceof Uint8Array) || typeof dst !== 'number' || dst !== dst >>> 0 || typeof dport !== 'number' ||
      Math.floor(dport) !== dport || dport < 1 || dport > 65535 || typeof off !== 'number' || typeof len !== 'number' ||
      Math.floor(off) !== off || Math.floor(len) !== len || off < 0 || len < 0 || off + len > data.length ||
      len > UdpLimits.MAX_PAYLOAD) return UdpError.INVAL;
    const tx = this.tx;
    if (len > 0) tx.set(off === 0 && len === data.length ? data : data.subarray(off, off + len), UdpLimits.PAYLOAD_OFF);
    const at = IpHeadroom.BYTES;
    udpEmit(tx, at, this.port[h], dport, len, this.ip.localAddr(dst), dst);
    const r = this.ip.sendIp(dst, IpProto.UDP, tx, at, Udp.HEADER + len, now);
    if (r >= 0 || r === IpSendError.QUEUED) this.sent++;
    return r >= 0 ? len : r;
  }

  /**
   * One UDP datagram from IPv4 (`len` bytes at `off`): PASS when delivered, else the drop reason
   * (UDP_NO_PORT tells the interface to answer a unicast datagram with a port unreachable).
   */
  input(src: number, dst: number, buf: Uint8Array, off: number, len: number, now: number): number {
    const v = udpCheck(buf, off, len, src, dst);
    if (v !== PASS) return v;
    const dport = get16(buf, off + Udp.DST_PORT);
    for (let i = 0; i < UdpLimits.ENDPOINTS; i++) {
      if (this.bound[i] && this.port[i] === dport) {
        this.delivered++;
        (this.receiver[i] as UdpReceiver).udpInput(src, get16(buf, off + Udp.SRC_PORT), dst, buf, off + Udp.HEADER,
          get16(buf, off + Udp.LENGTH) - Udp.HEADER, now);
        return PASS;
      }
    }
    return Drop.UDP_NO_PORT;
  }

  private valid(h: number): boolean {
    return typeof h === 'number' && Math.floor(h) === h && h >= 0 && h < UdpLimits.ENDPOINTS && this.bound[h] === 1;
  }

  private ephemeral(): number {
    const self = this;
    return this.ports.pick(function (p) {
      for (let i = 0; i < UdpLimits.ENDPOINTS; i++) if (self.bound[i] && self.port[i] === p) return true;
      return false;
    });
  }
}
