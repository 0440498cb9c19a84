/**
 * A DHCP lease as the client holds it and tells applications of it, and the lease arithmetic of
 * RFC 2131 §4.4.5: T1 and T2 from options 58/59 when they make sense, else 0.5 and 0.875 of the
 * lease, all counted from the moment the REQUEST went out. Addresses are IPv4 numbers in host
 * order (socket/address.ts formatIPv4 gives the dotted form).
 */
import { DhcpReply, isMask } from './dhcp-wire';

/** option 51's "infinite" */
export const INFINITE_LEASE = 0xffffffff;

export class DhcpLease {
  ip = 0;
  mask = 0;
  /** the router (option 3) when it is on the subnet, else 0 */
  gateway = 0;
  /** DNS servers (option 6), 0 where none */
  dns = new Uint32Array(3);
  /** the server identifier (option 54): where RENEWING and RELEASE go */
  server = 0;
  /** seconds, as granted (INFINITE_LEASE: never ends) */
  leaseSec = 0;
  t1Sec = 0;
  t2Sec = 0;
  /** clock ms: when the REQUEST that got the ACK was sent; T1, T2 and the end count from here */
  start = 0;

  /** clock ms of T1, T2 and the end of the lease; Infinity for an infinite lease */
  t1At(): number {
    return this.leaseSec === INFINITE_LEASE ? Infinity : this.start + this.t1Sec * 1000;
  }
  t2At(): number {
    return this.leaseSec === INFINITE_LEASE ? Infinity : this.start + this.t2Sec * 1000;
  }
  endAt(): number {
    return this.leaseSec === INFINITE_LEASE ? Infinity : this.start + this.leaseSec * 1000;
  }

  /** takes an ACK's parameters (checked by the caller: host address, lease > 0) */
  take(r: DhcpReply, start: number): void {
    this.ip = r.yiaddr;
    this.mask = isMask(r.mask) ? r.mask : classfulMask(r.yiaddr);
    this.gateway = r.router !== 0 && ((r.router ^ r.yiaddr) & this.mask) === 0 && r.router !== r.yiaddr ? r.router : 0;
    this.dns.set(r.dns);
    if (r.serverId !== 0) this.server = r.serverId;
    this.leaseSec = r.lease;
    const l = r.lease;
    this.t1Sec = r.t1 > 0 && r.t1 < l ? r.t1 : Math.floor(l * 0.5);
    this.t2Sec = r.t2 > this.t1Sec && r.t2 < l ? r.t2 : Math.floor(l * 0.875);
    if (this.t2Sec <= this.t1Sec) this.t2Sec = this.t1Sec;
    this.start = start;
  }

  clear(): void {
    this.ip = 0;
    this.mask = 0;
    this.gateway = 0;
    this.dns.fill(0);
    this.server = 0;
    this.leaseSec = 0;
    this.t1Sec = 0;
    this.t2Sec = 0;
    this.start = 0;
  }
}

/** the mask of the address's class (RFC 1122 §3.3.1.3 fallback when a server sends no option 1) */
function classfulMask(ip: number): number {
  const top = ip >>> 24;
  return top < 128 ? 0xff000000 : top < 192 ? 0xffff0000 : 0xffffff00;
}
