/**
 * DHCP client (RFC 2131) on the socket layer's UDP, so it serves every NIC: DISCOVER → OFFER →
 * REQUEST → ACK with the §4.1 retransmission schedule (4, 8, 16, 32, 64, 64 … s, each ±1 s at
 * random), an ARP check of the offered address where the transport can probe (DECLINE on a
 * conflict, then INIT after 10 s), BOUND → RENEWING at T1 (unicast to the server) → REBINDING
 * at T2 (broadcast) → the address removed at the end of the lease; NAK restarts; INIT-REBOOT
 * after a link returns (`restart`); RELEASE on `release`. The address goes to the interface
 * through `Transport.setAddress`; applications hear of it through `onEvent`.
 *
 *   const dhcp = new DhcpClient(api, transport, clock, { mac, hostname: 'sensor-7', onEvent: fn });
 *   dhcp.start();      // 0, or a WSA error code (port 68 taken, no socket)
 *   fn(DhcpEvent.BOUND, lease) … RENEWED, LOST (the address was removed), TIMEOUT (no answer yet)
 *   dhcp.restart();    // the link came back: confirm the lease (INIT-REBOOT), or start over
 *   dhcp.release();    // DHCPRELEASE to the server; the address is dropped shortly after
 *   dhcp.stop();       // timers and socket gone; the address stays as it is
 *
 * Nothing here blocks or throws; a reply the client cannot act on is dropped and counted in
 * `drops[DhcpDrop.X]`, with the lease left as it was.
 */
import type { Clock } from '../../hal/clock';
import type { Transport } from '../transport/transport';
import type { SocketLayer } from '../socket/layer';
import { WSAError } from '../socket/errors';
import { Dhcp, DhcpDrop, DhcpReply, DhcpType, PASS, dhcpBuild, dhcpParse, isHostAddress } from './dhcp-wire';
import type { DhcpRequestFields } from './dhcp-wire';
import { DhcpLease } from './dhcp-lease';
import { UdpPort } from './udp-port';
import { defaultRandom, randomIn } from './random';
import type { Random32 } from './random';
import { loopTimers } from '../socket/timers';

export const enum DhcpState {
  STOPPED = 0,
  /** about to DISCOVER (after a DECLINE it waits 10 s here) */
  INIT = 1,
  SELECTING = 2,
  REQUESTING = 3,
  /** ARP probes for the address an ACK gave */
  CHECKING = 4,
  BOUND = 5,
  RENEWING = 6,
  REBINDING = 7,
  /** INIT-REBOOT: confirming a lease still held after the link returned */
  REBOOTING = 8,
  /** RELEASE sent; the address goes when the datagram has had time to leave */
  RELEASING = 9,
}

export const enum DhcpEvent {
  /** an address is on the interface (first lease, or a different one) */
  BOUND = 1,
  /** the lease was extended (RENEWING, REBINDING, INIT-REBOOT) */
  RENEWED = 2,
  /** the lease ended or a NAK took it: the address was removed; the client starts over */
  LOST = 3,
  /** `discoverTries` DISCOVERs went unanswered (reported once per attempt; the client goes on) */
  TIMEOUT = 4,
}

export const enum DhcpTiming {
  /** §4.1: first retransmission after 4 s, doubling up to 64 s, each ±1 s */
  FIRST_RETRY_MS = 4000,
  MAX_RETRY_MS = 64000,
  JITTER_MS = 1000,
  /** REQUESTs (SELECTING, INIT-REBOOT) before going back to INIT */
  REQUEST_TRIES = 4,
  /** §4.4.5: RENEWING/REBINDING retransmit after half the time left, at least 60 s apart */
  MIN_RENEW_RETRY_MS = 60000,
  /** §3.1 step 5: after a DECLINE, wait at least 10 s */
  DECLINE_WAIT_MS = 10000,
  /** ARP probes of an offered address, this far apart; the check ends one interval after the last */
  PROBES = 2,
  PROBE_INTERVAL_MS = 500,
  /** after RELEASE the address stays this long, so the datagram can leave from it */
  RELEASE_HOLD_MS = 200,
  /** no single timer longer than this (leases of days outrun a 32-bit ms timer) */
  MAX_TIMER_MS = 3600000,
}

export interface DhcpOptions {
  /** the interface's MAC (chaddr), 6 bytes */
  mac: Uint8Array;
  /** option 12, letters, digits and '-', at most 32 characters */
  hostname?: string;
  /** called from the event loop on BOUND, RENEWED, LOST, TIMEOUT */
  onEvent?: (ev: number, lease: DhcpLease) => void;
  /** DISCOVERs without an offer before TIMEOUT is reported; default 4 (about a minute) */
  discoverTries?: number;
  /** for tests against a server on other ports; default 67 and 68 */
  serverPort?: number;
  clientPort?: number;
  /** transaction ids; default E.hwRand or Math.random */
  random?: Random32;
  log?: (line: string) => void;
}

function hostnameOk(h: unknown): boolean {
  if (typeof h !== 'string' || h.length > Dhcp.MAX_HOSTNAME) return false;
  for (let i = 0; i < h.length; i++) {
    const c = h.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45)) return false;
  }
  return true;
}

export class DhcpClient {
  state = DhcpState.STOPPED;
  /** the lease held (ip 0 when none) */
  readonly lease = new DhcpLease();
  /** replies dropped, by DhcpDrop */
  readonly drops = new Uint16Array(DhcpDrop.COUNT);
  /** messages sent and replies taken, by DhcpType */
  readonly sent = new Uint16Array(8);
  readonly received = new Uint16Array(8);
  /** ARP conflicts found (each answered by a DECLINE) */
  conflicts = 0;
  private api: SocketLayer;
  private transport: Transport;
  private clock: Clock;
  private mac = new Uint8Array(6);
  private hostname = '';
  private onEvent: ((ev: number, lease: DhcpLease) => void) | null;
  private log: ((line: string) => void) | null;
  private rnd: Random32;
  private serverPort: number;
  private clientPort: number;
  private discoverTries: number;
  private port: UdpPort;
  private tx = new Uint8Array(Dhcp.MAX_MESSAGE);
  private reply = new DhcpReply();
  private fields: DhcpRequestFields = { type: 0, xid: 0, secs: 0, broadcast: true, ciaddr: 0, requestedIp: 0, serverId: 0, hostname: '' };
  /** the transaction open now */
  private xid = 0;
  /** retransmissions of the message in flight */
  private tries = 0;
  /** clock ms: start of the exchange (the secs field), and when the first REQUEST of this transaction went out */
  private began = 0;
  private requestAt = 0;
  private requestXid = -1;
  /** SELECTING → REQUESTING: the offer taken */
  private offered = 0;
  private offerServer = 0;
  private timer = 0;
  private due = 0;
  private timedOut = false;

  constructor(api: SocketLayer, transport: Transport, clock: Clock, options: DhcpOptions) {
    this.api = api;
    this.transport = transport;
    this.clock = clock;
    const o = options || ({} as DhcpOptions);
    if (o.mac instanceof Uint8Array && o.mac.length === 6) this.mac.set(o.mac);
    if (hostnameOk(o.hostname)) this.hostname = o.hostname as string;
    this.onEvent = typeof o.onEvent === 'function' ? o.onEvent : null;
    this.log = typeof o.log === 'function' ? o.log : null;
    this.rnd = typeof o.random === 'function' ? o.random : defaultRandom;
    this.serverPort = o.serverPort ? o.serverPort : Dhcp.SERVER_PORT;
    this.clientPort = o.clientPort ? o.clientPort : Dhcp.CLIENT_PORT;
    this.discoverTries = o.discoverTries && o.discoverTries > 0 ? o.discoverTries : 4;
    const self = this;
    this.port = new UdpPort(api, Dhcp.MAX_MESSAGE, function (b, n, ip, p) { self.input(b, n, ip, p); },
      function () { self.drops[DhcpDrop.OVERSIZE]++; });
  }

  /** starts from INIT; 0, or WSAEINVAL (running, or no MAC given) or the socket layer's error */
  start(): number {
    if (this.state !== DhcpState.STOPPED || (this.mac[0] | this.mac[1] | this.mac[2] | this.mac[3] | this.mac[4] | this.mac[5]) === 0) return WSAError.WSAEINVAL;
    const r = this.port.open(this.clientPort);
    if (r !== 0) return r;
    this.enter(DhcpState.INIT, this.clock.now());
    return 0;
  }

  /** sets option 12 for the next messages; false (nothing changed) when not a valid host name */
  setHostname(name: string): boolean {
    if (!hostnameOk(name)) return false;
    this.hostname = name;
    return true;
  }

  getHostname(): string {
    return this.hostname;
  }

  /** the link came back: INIT-REBOOT while a lease is still valid, else INIT. 0 or WSAEINVAL (stopped) */
  restart(): number {
    if (this.state === DhcpState.STOPPED || this.state === DhcpState.RELEASING) return WSAError.WSAEINVAL;
    const now = this.clock.now();
    if (this.lease.ip !== 0 && now < this.lease.endAt()) {
      this.xid = this.rnd() >>> 0;
      this.began = now;
      this.tries = 0;
      this.state = DhcpState.REBOOTING;
      this.sendRequest(now);
    } else this.enter(DhcpState.INIT, now);
    return 0;
  }

  /** DHCPRELEASE to the server when a lease is held; the address is removed shortly after. 0 or WSAEINVAL */
  release(): number {
    if (this.state === DhcpState.STOPPED || this.state === DhcpState.RELEASING) return WSAError.WSAEINVAL;
    const l = this.lease;
    if (l.ip !== 0 && l.server !== 0) {
      this.xid = this.rnd() >>> 0;
      this.transmit(DhcpType.RELEASE, l.ip, 0, l.server, false, l.server, 0);
    }
    l.clear();
    this.state = DhcpState.RELEASING;
    this.arm(this.clock.now() + DhcpTiming.RELEASE_HOLD_MS);
    return 0;
  }

  /** stops timers and closes the socket; the interface keeps its address */
  stop(): void {
    this.disarm();
    this.port.close();
    this.state = DhcpState.STOPPED;
  }

  // ---------------------------------------------------------------- time

  private arm(at: number): void {
    this.disarm();
    this.due = at;
    if (at === Infinity) return;
    let ms = at - this.clock.now();
    if (ms < 0) ms = 0;
    if (ms > DhcpTiming.MAX_TIMER_MS) ms = DhcpTiming.MAX_TIMER_MS;
    const self = this;
    // a deadline of the event loop's one timer, not a timer of its own
    this.timer = loopTimers(this.api).set(ms, function () { self.timer = 0; self.tick(); });
  }

  private disarm(): void {
    if (this.timer) loopTimers(this.api).clear(this.timer);
    this.timer = 0;
  }

  /** §4.1: 4 s doubling to 64 s, ±1 s */
  private backoff(): number {
    let d = DhcpTiming.FIRST_RETRY_MS;
    for (let i = 0; i < this.tries && d < DhcpTiming.MAX_RETRY_MS; i++) d *= 2;
    if (d > DhcpTiming.MAX_RETRY_MS) d = DhcpTiming.MAX_RETRY_MS;
    return d + randomIn(this.rnd, 0, 2 * DhcpTiming.JITTER_MS) - DhcpTiming.JITTER_MS;
  }

  /** §4.4.5: half of what is left until `until`, at least 60 s, never past `until` */
  private halfway(now: number, until: number): number {
    let next = now + (until - now) / 2;
    if (next < now + DhcpTiming.MIN_RENEW_RETRY_MS) next = now + DhcpTiming.MIN_RENEW_RETRY_MS;
    return next < until ? Math.floor(next) : until;
  }

  private tick(): void {
    const now = this.clock.now();
    if (now < this.due) { this.arm(this.due); return; }
    const l = this.lease;
    switch (this.state) {
      case DhcpState.INIT:
        this.xid = this.rnd() >>> 0;
        this.began = now;
        this.tries = 0;
        this.timedOut = false;
        this.state = DhcpState.SELECTING;
        this.sendDiscover(now);
        break;
      case DhcpState.SELECTING:
        this.tries++;
        if (this.tries >= this.discoverTries && !this.timedOut) {
          this.timedOut = true;
          this.emit(DhcpEvent.TIMEOUT);
          if (this.state !== DhcpState.SELECTING) return;
        }
        this.sendDiscover(now);
        break;
      case DhcpState.REQUESTING:
      case DhcpState.REBOOTING:
        this.tries++;
        if (this.tries < DhcpTiming.REQUEST_TRIES) this.sendRequest(now);
        else if (this.state === DhcpState.REBOOTING) {
          // §3.2: no answer — keep the lease for what is left of it
          this.state = DhcpState.BOUND;
          this.armBound(now);
        } else this.enter(DhcpState.INIT, now);
        break;
      case DhcpState.CHECKING:
        this.check(now);
        break;
      case DhcpState.BOUND:
      case DhcpState.RENEWING:
      case DhcpState.REBINDING:
        if (now >= l.endAt()) { this.lose(now); return; }
        if (now >= l.t2At()) {
          if (this.state !== DhcpState.REBINDING) { this.state = DhcpState.REBINDING; this.xid = this.rnd() >>> 0; this.began = now; }
        } else if (now >= l.t1At()) {
          if (this.state !== DhcpState.RENEWING) { this.state = DhcpState.RENEWING; this.xid = this.rnd() >>> 0; this.began = now; }
        }
        if (this.state === DhcpState.BOUND) { this.armBound(now); return; }
        this.sendRequest(now);
        break;
      case DhcpState.RELEASING:
        this.stop();
        this.transport.setAddress(0, 0, 0);
        break;
    }
  }

  /** enters `state` and runs its tick at once, or `wait` ms later */
  private enter(state: number, now: number, wait?: number): void {
    this.state = state;
    this.arm(now + (wait ? wait : 0));
  }

  private armBound(now: number): void {
    const l = this.lease;
    const t1 = l.t1At();
    // past T1 already (INIT-REBOOT gave up late): the tick moves on to RENEWING or REBINDING
    this.arm(now < t1 ? t1 : now);
  }

  // ---------------------------------------------------------------- sending

  private secs(now: number): number {
    return Math.floor((now - this.began) / 1000);
  }

  private sendDiscover(now: number): void {
    this.transmit(DhcpType.DISCOVER, 0, 0, 0, true, 0xffffffff, now);
    this.arm(now + this.backoff());
  }

  /** the REQUEST of the state: SELECTING's, INIT-REBOOT's, RENEWING's (unicast) or REBINDING's (broadcast) */
  private sendRequest(now: number): void {
    const l = this.lease;
    // §4.4.1: the lease counts from the original REQUEST, not from a retransmission
    if (this.requestXid !== this.xid) {
      this.requestXid = this.xid;
      this.requestAt = now;
    }
    switch (this.state) {
      case DhcpState.REQUESTING:
        this.transmit(DhcpType.REQUEST, 0, this.offered, this.offerServer, true, 0xffffffff, now);
        this.arm(now + this.backoff());
        break;
      case DhcpState.REBOOTING:
        this.transmit(DhcpType.REQUEST, 0, l.ip, 0, true, 0xffffffff, now);
        this.arm(now + this.backoff());
        break;
      case DhcpState.RENEWING:
        this.transmit(DhcpType.REQUEST, l.ip, 0, 0, false, l.server, now);
        this.arm(this.halfway(now, l.t2At()));
        break;
      case DhcpState.REBINDING:
        this.transmit(DhcpType.REQUEST, l.ip, 0, 0, false, 0xffffffff, now);
        this.arm(this.halfway(now, l.endAt()));
        break;
    }
  }

  private transmit(type: number, ciaddr: number, requestedIp: number, serverId: number, broadcast: boolean, to: number, now: number): void {
    const f = this.fields;
    f.type = type;
    f.xid = this.xid;
    f.secs = type === DhcpType.RELEASE || type === DhcpType.DECLINE ? 0 : this.secs(now);
    f.broadcast = broadcast;
    f.ciaddr = ciaddr;
    f.requestedIp = requestedIp;
    f.serverId = serverId;
    f.hostname = this.hostname;
    const n = dhcpBuild(this.tx, this.mac, f);
    const r = this.port.send(this.tx, n, to, this.serverPort);
    if (r !== 0) {
      if (this.log) this.log('dhcp: send failed ' + r);
      return;
    }
    this.sent[type]++;
  }

  // ---------------------------------------------------------------- receiving

  private drop(why: number): void {
    this.drops[why]++;
  }

  private input(b: Uint8Array, len: number, fromIp: number, fromPort: number): void {
    const st = this.state;
    if (st === DhcpState.STOPPED || st === DhcpState.RELEASING) return;
    const r = this.reply;
    const v = dhcpParse(b, len, this.xid, this.mac, r);
    if (v !== PASS) { this.drop(v); return; }
    if (fromPort !== this.serverPort) { this.drop(DhcpDrop.SERVER); return; }
    const now = this.clock.now();
    const l = this.lease;
    if (st === DhcpState.SELECTING) {
      if (r.type !== DhcpType.OFFER) { this.drop(DhcpDrop.TYPE); return; }
      if (r.serverId === 0) { this.drop(DhcpDrop.SERVER); return; }
      if (!isHostAddress(r.yiaddr)) { this.drop(DhcpDrop.ADDRESS); return; }
      this.received[DhcpType.OFFER]++;
      this.offered = r.yiaddr;
      this.offerServer = r.serverId;
      this.state = DhcpState.REQUESTING;
      this.tries = 0;
      this.sendRequest(now);
      return;
    }
    if (st !== DhcpState.REQUESTING && st !== DhcpState.REBOOTING && st !== DhcpState.RENEWING && st !== DhcpState.REBINDING) {
      this.drop(DhcpDrop.TYPE);
      return;
    }
    if (r.type !== DhcpType.ACK && r.type !== DhcpType.NAK) { this.drop(DhcpDrop.TYPE); return; }
    // the server this transaction went to must be the one answering; in REBINDING and INIT-REBOOT any server may
    const mustBe = st === DhcpState.REQUESTING ? this.offerServer : st === DhcpState.RENEWING ? l.server : 0;
    if (mustBe !== 0 && r.serverId !== mustBe) { this.drop(DhcpDrop.SERVER); return; }
    if (r.type === DhcpType.NAK) {
      this.received[DhcpType.NAK]++;
      if (l.ip !== 0) this.lose(now);
      else this.enter(DhcpState.INIT, now);
      return;
    }
    const want = st === DhcpState.REQUESTING ? this.offered : l.ip;
    if (r.yiaddr !== want || r.lease === 0 || (r.serverId === 0 && l.server === 0)) { this.drop(DhcpDrop.ADDRESS); return; }
    this.received[DhcpType.ACK]++;
    const before = l.ip;
    const mask = l.mask;
    const gw = l.gateway;
    l.take(r, this.requestAt);
    if (st === DhcpState.REQUESTING) {
      if (this.transport.probeAddress && this.transport.addressConflict) {
        this.tries = 0;
        this.state = DhcpState.CHECKING;
        this.check(now);
        return;
      }
      this.bind(now, DhcpEvent.BOUND);
      return;
    }
    if (l.mask !== mask || l.gateway !== gw || before !== l.ip) this.transport.setAddress(l.ip, l.mask, l.gateway);
    this.state = DhcpState.BOUND;
    this.armBound(now);
    this.emit(DhcpEvent.RENEWED);
  }

  /** CHECKING: one probe per interval; after the last, DECLINE on a conflict, else bind */
  private check(now: number): void {
    const t = this.transport;
    const ip = this.lease.ip;
    const conflict = (t.addressConflict as (ip: number) => boolean).call(t, ip);
    if (!conflict && this.tries < DhcpTiming.PROBES) {
      this.tries++;
      (t.probeAddress as (ip: number) => number).call(t, ip);
      this.arm(now + DhcpTiming.PROBE_INTERVAL_MS);
      return;
    }
    if (!conflict) { this.bind(now, DhcpEvent.BOUND); return; }
    this.conflicts++;
    if (this.log) this.log('dhcp: address in use, declined');
    this.transmit(DhcpType.DECLINE, 0, ip, this.lease.server, true, 0xffffffff, now);
    this.lease.clear();
    this.enter(DhcpState.INIT, now, DhcpTiming.DECLINE_WAIT_MS);
  }

  private bind(now: number, ev: number): void {
    const l = this.lease;
    const r = this.transport.setAddress(l.ip, l.mask, l.gateway);
    if (r < 0 && this.log) this.log('dhcp: setAddress failed ' + r);
    this.state = DhcpState.BOUND;
    this.armBound(now);
    this.emit(ev);
  }

  /** the lease is gone (end, NAK): the address comes off the interface, and the client starts over */
  private lose(now: number): void {
    this.lease.clear();
    this.transport.setAddress(0, 0, 0);
    this.enter(DhcpState.INIT, now);
    this.emit(DhcpEvent.LOST);
  }

  private emit(ev: number): void {
    const fn = this.onEvent;
    if (!fn) return;
    try {
      fn(ev, this.lease);
    } catch (e) {
      if (this.log) this.log('dhcp: event handler threw: ' + String(e));
    }
  }
}

