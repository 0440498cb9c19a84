/**
 * What the W5500's sockets do: commands written to Sn_CR, events from the network side, the retry, ARP,
 * TIME_WAIT and keep-alive timers, and the counters the host reads (Sn_TX_FSR, Sn_RX_RSR). The SPI front
 * and the interrupt pin live in model.ts; behaviour and sources are listed in README.md.
 */
import type { Endpoint, NetSide, TcpConn, TcpEvents } from './network';
import { Chip, CommonReg, IR, SnReg, Sn_CR, Sn_IR, Sn_MR, Sn_SR } from '../../hal/w5500/registers';
import { Sock } from './socket-state';
import type { BufferMemory } from './buffers';
import type { W5500Faults } from './faults';
import { hex } from './trace';
import type { W5500Trace } from './trace';
import { retryWaitUnits } from './timing';
import { formatIPv4, parseIPv4 } from '../../firmware/socket/address';
import { bytesToIp, ipToBytes } from '../../firmware/transport/offload/ip';

/** Sn_MSSR 0 means the mode's default (DS1.0 p.53) */
const TCP_MSS = 1460;
/** how long a torn counter change waits for the read that tears it (real-time runs always move time between frames) */
const TORN_HOLD_MS = 1;

/** What the socket engine needs of the chip around it. */
export interface ChipCore {
  readonly net: NetSide;
  readonly trace: W5500Trace;
  readonly faults: W5500Faults;
  readonly mem: BufferMemory;
  /** the common register block (RTR, RCR, SIPR, SHAR, IR, UIPR, UPORTR) */
  readonly common: Uint8Array;
  /** chip time */
  time(): number;
  linkUp(): boolean;
  /** run `fn` now, or once the link is back */
  onWire(fn: () => void): void;
  closed(): boolean;
}

/** the behaviour switches of W5500ModelOptions that concern sockets (see there) */
export interface SocketOptions {
  rstIr: number;
  timeWaitMs: number;
  finWait2: FinWait2;
  sendOkOn: 'ack' | 'send';
  imrGates: boolean;
  pointerBase: number;
  kaNeedsData: boolean;
}

/**
 * What the chip does in FIN_WAIT once our FIN is acknowledged and the peer's FIN does not come:
 * 'tcpto' (default) the disconnect-process is still unfinished, so its retry clock runs on and ends in
 * TIMEOUT + CLOSED at TCP_TO; 'forever' stays in FIN_WAIT; a number: TIMEOUT + CLOSED that many ms after the ACK.
 */
export type FinWait2 = 'tcpto' | 'forever' | number;

function ipOf(b: Uint8Array, off: number): string {
  return formatIPv4(bytesToIp(b, off));
}
/** a network side's dotted address as register bytes (0.0.0.0 if it is not one) */
function ipBytes(ip: string): Uint8Array {
  const n = parseIPv4(ip);
  return ipToBytes(n < 0 ? 0 : n, new Uint8Array(4), 0);
}

export class SocketEngine {
  readonly socks: Sock[] = [];
  private core: ChipCore;
  private rstIr: number;
  private timeWaitMs: number;
  private finWait2: FinWait2;
  private sendOkOn: 'ack' | 'send';
  private imrGates: boolean;
  private pointerBase: number;
  private kaNeedsData: boolean;

  constructor(core: ChipCore, o: SocketOptions, count: number) {
    this.core = core;
    this.rstIr = o.rstIr;
    this.timeWaitMs = o.timeWaitMs;
    this.finWait2 = o.finWait2;
    this.sendOkOn = o.sendOkOn;
    this.imrGates = o.imrGates;
    this.pointerBase = o.pointerBase;
    this.kaNeedsData = o.kaNeedsData;
    for (let n = 0; n < count; n++) this.socks.push(new Sock(n));
  }

  private get cur(): number { return this.core.time(); }
  private get net(): NetSide { return this.core.net; }
  private get trace(): W5500Trace { return this.core.trace; }
  private get faults(): W5500Faults { return this.core.faults; }
  private get common(): Uint8Array { return this.core.common; }
  private linkUp(): boolean { return this.core.linkUp(); }
  private tearing(): boolean { return this.core.faults.tornReads !== false; }
  private bufSize(tx: boolean, n: number): number { return this.core.mem.size(tx, n); }

  /** the earliest socket timer, or undefined */
  nextTimer(): number | undefined {
    let best: number | undefined;
    const pick = (t: number | undefined) => { if (t !== undefined && (best === undefined || t < best)) best = t; };
    for (const s of this.socks) { pick(s.cmdDue); pick(s.rtxDue); pick(s.arpDue); pick(s.twDue); pick(s.fw2Due); pick(s.kaDue); }
    return best;
  }

  /** runs every socket timer due at the current chip time */
  fireTimers(): void {
    const t = this.cur;
    for (const s of this.socks) {
      if (s.cmdDue !== undefined && s.cmdDue <= t) { s.cmdDue = undefined; const cmd = s.cmdPending; s.cmdPending = 0; this.command(s, cmd); }
      if (s.arpDue !== undefined && s.arpDue <= t) this.arpTick(s);
      if (s.rtxDue !== undefined && s.rtxDue <= t) this.rtxTick(s);
      if (s.twDue !== undefined && s.twDue <= t) { s.twDue = undefined; this.netLog(s, 'TIME_WAIT over'); this.toClosed(s); }
      if (s.fw2Due !== undefined && s.fw2Due <= t) { s.fw2Due = undefined; this.timeout(s); }
      if (s.kaDue !== undefined && s.kaDue <= t) { s.kaDue = undefined; this.kaFire(s); }
    }
  }

  /** chip reset: every socket forgets its connection and its registers go back to reset values */
  resetAll(reset: Uint8Array): void {
    for (const s of this.socks) {
      this.forget(s, true);
      s.regs.set(reset);
      s.sr = Sn_SR.SOCK_CLOSED;
      s.ir = 0;
      s.cmdPending = 0;
      s.cmdDue = undefined;
      s.txRd = s.txAck = s.txLatched = s.rxWr = s.rxRdLatched = 0;
      s.rxHeld = s.ackHeld = s.txSent = s.txAcked = 0;
      s.sendEnds = [];
      s.finSent = s.finAcked = s.exchanged = false;
    }
  }

  private rtr(): number {
    return (this.common[CommonReg.RTR] << 8) | this.common[CommonReg.RTR + 1];
  }

  private rcr(): number {
    return this.common[CommonReg.RCR];
  }

  private outstanding(s: Sock): boolean {
    return s.syn || s.probe || s.txSent > s.txAcked || (s.finSent && !s.finAcked) || this.awaitingPeerFin(s);
  }

  /** FIN_WAIT_2 under 'tcpto': our FIN is acknowledged but the disconnect-process waits for the peer's FIN/ACK */
  private awaitingPeerFin(s: Sock): boolean {
    return this.finWait2 === 'tcpto' && s.sr === Sn_SR.SOCK_FIN_WAIT && s.finAcked;
  }

  /** something new waits for the peer: start the retransmission clock unless it already runs */
  private rtxStart(s: Sock): void {
    if (s.rtxDue === undefined) { s.rtxTries = 0; s.rtxDue = this.cur + retryWaitUnits(this.rtr(), 0) / 10; }
  }

  /** the peer answered: back-off starts over, or stops when nothing is outstanding */
  private rtxProgress(s: Sock): void {
    // an ACK without the peer's FIN does not finish the disconnect-process: its retry clock runs on
    if (s.rtxDue !== undefined && this.awaitingPeerFin(s) && !s.syn && !s.probe && s.txSent === s.txAcked) return;
    s.rtxDue = undefined;
    if (this.outstanding(s)) this.rtxStart(s);
  }

  private rtxTick(s: Sock): void {
    s.rtxDue = undefined;
    if (!this.outstanding(s)) return;
    if (s.rtxTries >= this.rcr()) { this.timeout(s); return; }
    s.rtxTries++;
    s.rtxDue = this.cur + retryWaitUnits(this.rtr(), s.rtxTries) / 10;
    const conn = s.conn;
    this.netLog(s, 'retransmit', { tries: s.rtxTries }); // not 'try': a keyword cannot be a member name on Espruino
    if (conn && conn.retransmit) this.wire(s, () => { if (conn.retransmit) conn.retransmit(); });
  }

  /** ARP for the destination: 0.0.0.0 never answers; 255.255.255.255 needs no ARP */
  private resolves(ip: string): boolean {
    if (!this.linkUp() || ip === '0.0.0.0') return false;
    return ip === '255.255.255.255' || this.net.resolves(ip);
  }

  private arpStart(s: Sock, kind: 'tcp' | 'udp'): void {
    s.arpFor = kind;
    s.arpTries = 0;
    s.arpDue = this.cur + this.rtr() / 10;
    this.netLog(s, 'ARP request', { ip: ipOf(s.regs, SnReg.Sn_DIPR) });
  }

  /** ARP retries every RTR, RCR+1 requests in all, then TIMEOUT (ARP_TO = RTR·(RCR+1)) */
  private arpTick(s: Sock): void {
    s.arpDue = undefined;
    const ip = ipOf(s.regs, SnReg.Sn_DIPR);
    if (this.resolves(ip)) { this.arpDone(s); return; }
    if (s.arpTries >= this.rcr()) {
      const kind = s.arpFor;
      s.arpFor = undefined;
      this.netLog(s, 'ARP timeout', { ip });
      if (kind === 'tcp') { this.timeout(s); return; }
      // UDP: the datagram is dropped, the socket stays open (W5200 DS p.32)
      s.udpPending = undefined;
      s.txAck = s.txRd;
      this.raise(s, Sn_IR.TIMEOUT);
      return;
    }
    s.arpTries++;
    s.arpDue = this.cur + this.rtr() / 10;
  }

  private arpDone(s: Sock): void {
    const kind = s.arpFor;
    s.arpFor = undefined;
    this.fillDhar(s);
    if (kind === 'tcp') this.tcpStartConnect(s);
    else if (kind === 'udp' && s.udpPending) {
      const p = s.udpPending;
      s.udpPending = undefined;
      this.udpTransmit(s, p.to, p.bytes);
    }
  }

  private fillDhar(s: Sock): void {
    // the virtual network has no MACs; a locally administered address derived from the IP stands in for ARP's answer
    s.regs[SnReg.Sn_DHAR] = 0x02;
    s.regs[SnReg.Sn_DHAR + 1] = 0x00;
    s.regs.set(s.regs.subarray(SnReg.Sn_DIPR, SnReg.Sn_DIPR + 4), SnReg.Sn_DHAR + 2);
  }

  writeCr(s: Sock, v: number): void {
    if (s.cmdPending !== 0 || v === 0) return; // busy, or nothing to do
    const slow = this.faults.slowCommandMs;
    if (slow > 0) {
      s.cmdPending = v;
      s.cmdDue = this.cur + slow;
      return;
    }
    this.command(s, v);
  }

  private command(s: Sock, cmd: number): void {
    this.trace.record({ t: this.cur, ev: 'cmd', sn: s.n, cmd: cmdName(cmd), sr: s.sr });
    const proto = s.regs[SnReg.Sn_MR] & Sn_MR.P_MASK;
    switch (cmd) {
      case Sn_CR.OPEN: this.cmdOpen(s, proto); break;
      case Sn_CR.LISTEN: this.cmdListen(s); break;
      case Sn_CR.CONNECT: this.cmdConnect(s); break;
      case Sn_CR.DISCON: this.cmdDiscon(s); break;
      case Sn_CR.CLOSE: this.toClosed(s); break;
      case Sn_CR.SEND: this.cmdSend(s, false); break;
      case Sn_CR.SEND_MAC: this.cmdSend(s, true); break;
      case Sn_CR.SEND_KEEP: this.cmdSendKeep(s); break;
      case Sn_CR.RECV: this.cmdRecv(s); break;
      default: break; // unknown codes are accepted and do nothing (inferred)
    }
  }

  private local(s: Sock): Endpoint {
    return { ip: ipOf(this.common, CommonReg.SIPR), port: s.reg16(SnReg.Sn_PORT) };
  }

  private remote(s: Sock): Endpoint {
    return { ip: ipOf(s.regs, SnReg.Sn_DIPR), port: s.reg16(SnReg.Sn_DPORT) };
  }

  private cmdOpen(s: Sock, proto: number): void {
    if (s.sr !== Sn_SR.SOCK_CLOSED) this.toClosed(s);
    const b = this.pointerBase;
    s.txRd = s.txAck = s.txLatched = b;
    s.rxWr = s.rxRdLatched = b;
    s.set16(SnReg.Sn_TX_WR, b);
    s.set16(SnReg.Sn_RX_RD, b);
    s.rxHeld = s.ackHeld = 0;
    s.txSent = s.txAcked = 0;
    s.sendEnds = [];
    s.pendingRx = [];
    s.syn = s.finSent = s.finAcked = s.probe = s.exchanged = false;
    if (proto === Sn_MR.TCP) {
      s.sr = Sn_SR.SOCK_INIT;
    } else if (proto === Sn_MR.UDP) {
      s.sr = Sn_SR.SOCK_UDP;
      const gen = s.gen;
      const self = this;
      s.udp = this.net.udpOpen(this.local(s), {
        datagram(from: Endpoint, bytes: Uint8Array) { if (s.gen === gen) self.onDatagram(s, from, bytes); },
        unreachable(to: Endpoint) { if (s.gen === gen) self.onUnreachable(s, to); },
      });
    } else if (proto === Sn_MR.MACRAW && s.n === 0) {
      s.sr = Sn_SR.SOCK_MACRAW;
      const gen = s.gen;
      const self = this;
      if (this.net.macrawOpen) s.mac = this.net.macrawOpen({ frame(bytes: Uint8Array) { if (s.gen === gen) self.onFrame(s, bytes); } });
    }
    // any other Sn_MR protocol: OPEN is accepted and the socket stays CLOSED (inferred)
    this.netLog(s, 'open', { sr: s.sr });
  }

  private cmdListen(s: Sock): void {
    if (s.sr !== Sn_SR.SOCK_INIT) return;
    s.sr = Sn_SR.SOCK_LISTEN;
    const gen = s.gen;
    const self = this;
    s.listener = this.net.tcpListen(this.local(s), (conn: TcpConn) => {
      if (s.gen !== gen || s.sr !== Sn_SR.SOCK_LISTEN) return undefined;
      return self.accept(s, conn);
    });
  }

  private accept(s: Sock, conn: TcpConn): TcpEvents {
    // a W5500 socket serves one connection; further SYNs to the port find no listener
    const l = s.listener;
    s.listener = undefined;
    if (l) l.close();
    s.gen++;
    const ev = this.tcpEvents(s);
    s.conn = conn;
    s.regs.set(ipBytes(conn.remote.ip), SnReg.Sn_DIPR);
    s.set16(SnReg.Sn_DPORT, conn.remote.port);
    this.fillDhar(s);
    s.sr = Sn_SR.SOCK_ESTABLISHED;
    this.raise(s, Sn_IR.CON);
    const at = this.local(s);
    this.netLog(s, 'accepted', { from: conn.remote.ip + ':' + conn.remote.port, at: at.ip + ':' + at.port });
    this.kaArm(s);
    return ev;
  }

  private cmdConnect(s: Sock): void {
    if (s.sr !== Sn_SR.SOCK_INIT) return;
    s.sr = Sn_SR.SOCK_SYNSENT;
    const ip = ipOf(s.regs, SnReg.Sn_DIPR);
    if (this.resolves(ip)) { this.fillDhar(s); this.tcpStartConnect(s); }
    else this.arpStart(s, 'tcp');
  }

  private tcpStartConnect(s: Sock): void {
    s.gen++;
    const ev = this.tcpEvents(s);
    s.syn = true;
    const local = this.local(s);
    const remote = this.remote(s);
    this.netLog(s, 'SYN', { to: remote.ip + ':' + remote.port, at: local.ip + ':' + local.port });
    s.conn = this.net.tcpConnect(local, remote, ev);
    this.rtxStart(s);
  }

  private cmdDiscon(s: Sock): void {
    switch (s.sr) {
      case Sn_SR.SOCK_ESTABLISHED:
      case Sn_SR.SOCK_CLOSE_WAIT: {
        s.sr = s.sr === Sn_SR.SOCK_ESTABLISHED ? Sn_SR.SOCK_FIN_WAIT : Sn_SR.SOCK_LAST_ACK;
        s.finSent = true;
        s.kaDue = undefined;
        const conn = s.conn;
        this.netLog(s, 'FIN');
        if (conn) this.wire(s, () => conn.fin());
        this.rtxStart(s);
        return;
      }
      case Sn_SR.SOCK_INIT:
      case Sn_SR.SOCK_LISTEN:
      case Sn_SR.SOCK_SYNSENT:
      case Sn_SR.SOCK_SYNRECV:
        // nothing to finish yet: the chip drops the attempt (inferred)
        this.toClosed(s);
        return;
      default:
        return;
    }
  }

  private cmdSend(s: Sock, mac: boolean): void {
    const tcp = s.sr === Sn_SR.SOCK_ESTABLISHED || s.sr === Sn_SR.SOCK_CLOSE_WAIT;
    const udp = s.sr === Sn_SR.SOCK_UDP;
    const raw = s.sr === Sn_SR.SOCK_MACRAW;
    if (!tcp && !udp && !raw) return;
    if (mac && !udp) return;
    if (udp && s.arpFor) return; // still resolving the previous datagram's destination
    const size = this.bufSize(true, s.n);
    const wr = s.reg16(SnReg.Sn_TX_WR);
    let len = (wr - s.txRd) & 0xffff;
    if (len > size) len = size; // more than the buffer holds: the overwritten part is lost (inferred)
    const bytes = this.core.mem.read(true, s.n, s.txRd, len);
    s.txRd = (s.txRd + len) & 0xffff;
    s.txLatched = s.txRd;
    if (tcp) {
      s.txSent += len;
      s.sendEnds.push(s.txSent);
      s.exchanged = true;
      const conn = s.conn;
      this.netLog(s, 'send', this.trace.wants('payload') ? { n: len, data: hex(bytes) } : { n: len });
      // one segment per MSS: the peer acknowledges them one by one, so Sn_TX_FSR grows back in steps
      const mss = s.reg16(SnReg.Sn_MSSR) || TCP_MSS;
      // subarray ends clamped by hand: Espruino does not clamp them
      if (len > 0 && conn) this.wire(s, () => { for (let i = 0; i < bytes.length; i += mss) conn.send(bytes.subarray(i, Math.min(i + mss, bytes.length))); });
      if (len > 0) this.rtxStart(s);
      if (this.sendOkOn === 'send' || len === 0) { s.sendEnds.pop(); this.sendOk(s); }
      this.kaArm(s);
      return;
    }
    if (raw) {
      const port = s.mac;
      this.netLog(s, 'frame out', { n: len });
      this.wire(s, () => { if (port) port.send(bytes); s.txAck = s.txRd; this.sendOk(s); });
      return;
    }
    const to = this.remote(s);
    if (mac || this.resolves(to.ip)) {
      if (!mac && to.ip !== '255.255.255.255') this.fillDhar(s);
      this.udpTransmit(s, to, bytes);
    } else {
      s.udpPending = { to, bytes };
      this.arpStart(s, 'udp');
    }
  }

  private udpTransmit(s: Sock, to: Endpoint, bytes: Uint8Array): void {
    const udp = s.udp;
    this.netLog(s, 'datagram out', { to: to.ip + ':' + to.port, n: bytes.length });
    this.wire(s, () => { if (udp) udp.sendTo(to, bytes); s.txAck = s.txRd; this.sendOk(s); });
  }

  private sendOk(s: Sock): void {
    if (!this.faults.withholdSendOk) this.raise(s, Sn_IR.SEND_OK);
  }

  private cmdSendKeep(s: Sock): void {
    if (s.sr !== Sn_SR.SOCK_ESTABLISHED && s.sr !== Sn_SR.SOCK_CLOSE_WAIT) return;
    if (s.regs[SnReg.Sn_KPALVTR] !== 0) return; // the automatic process owns keep-alive then
    if (this.kaNeedsData && !s.exchanged) return;
    this.sendProbe(s);
  }

  private sendProbe(s: Sock): void {
    s.probe = true;
    const conn = s.conn;
    this.netLog(s, 'keep-alive');
    if (conn) this.wire(s, () => conn.keepAlive());
    this.rtxStart(s);
  }

  kaArm(s: Sock): void {
    const kp = s.regs[SnReg.Sn_KPALVTR];
    const on = kp > 0 && (s.sr === Sn_SR.SOCK_ESTABLISHED || s.sr === Sn_SR.SOCK_CLOSE_WAIT) && (s.exchanged || !this.kaNeedsData);
    s.kaDue = on && !s.probe ? this.cur + kp * 5000 : undefined;
  }

  private kaFire(s: Sock): void {
    const kp = s.regs[SnReg.Sn_KPALVTR];
    if (kp === 0 || (s.sr !== Sn_SR.SOCK_ESTABLISHED && s.sr !== Sn_SR.SOCK_CLOSE_WAIT)) return;
    if (this.outstanding(s)) { this.kaArm(s); return; } // retransmission already watches the peer
    this.sendProbe(s);
  }

  private cmdRecv(s: Sock): void {
    s.rxRdLatched = s.reg16(SnReg.Sn_RX_RD);
    if (s.pendingRx.length === 0) { this.tellWindow(s); return; }
    const held = s.pendingRx;
    s.pendingRx = [];
    for (const b of held) this.rxTcp(s, b);
    if (s.finHeld && s.pendingRx.length === 0) { s.finHeld = false; this.onFin(s); }
  }

  private tellWindow(s: Sock): void {
    const conn = s.conn;
    if (conn && conn.window) conn.window(this.rxFree(s));
  }

  private tcpEvents(s: Sock): TcpEvents {
    const gen = s.gen;
    const self = this;
    const live = () => s.gen === gen && !self.core.closed();
    return {
      connected() { if (live()) self.onConnected(s); },
      refused() { if (live()) self.onReset(s, 'refused'); },
      data(bytes: Uint8Array) { if (live()) self.onData(s, bytes); },
      acked(n: number) { if (live()) self.onAcked(s, n); },
      fin() { if (live()) self.onFin(s); },
      finAcked() { if (live()) self.onFinAcked(s); },
      reset() { if (live()) self.onReset(s, 'reset'); },
    };
  }

  private onConnected(s: Sock): void {
    if (s.sr !== Sn_SR.SOCK_SYNSENT) return;
    s.syn = false;
    s.sr = Sn_SR.SOCK_ESTABLISHED;
    this.raise(s, Sn_IR.CON);
    this.netLog(s, 'connected');
    this.rtxProgress(s);
    this.kaArm(s);
  }

  private onData(s: Sock, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.netLog(s, 'data in', this.trace.wants('payload') ? { n: bytes.length, data: hex(bytes) } : { n: bytes.length });
    s.exchanged = true;
    this.rxTcp(s, bytes);
    if (s.sr === Sn_SR.SOCK_ESTABLISHED || s.sr === Sn_SR.SOCK_CLOSE_WAIT) this.kaArm(s);
  }

  private rxTcp(s: Sock, bytes: Uint8Array): void {
    if (s.pendingRx.length > 0) { s.pendingRx.push(bytes); return; }
    const free = this.rxFree(s);
    const fit = Math.min(free, bytes.length);
    if (fit > 0) {
      this.storeRx(s, [bytes.subarray(0, fit)]);
      this.raise(s, Sn_IR.RECV);
    }
    if (fit < bytes.length) {
      const rest = bytes.subarray(fit);
      if (s.dropOverflow) { this.faults.rxDropped += rest.length; this.netLog(s, 'rx overflow dropped', { n: rest.length }); }
      else s.pendingRx.push(new Uint8Array(rest));
    }
    this.tellWindow(s);
  }

  private onAcked(s: Sock, n: number): void {
    if (s.sr === Sn_SR.SOCK_SYNSENT) return;
    const ackable = s.txSent - s.txAcked;
    const k = Math.max(0, Math.min(n, ackable));
    this.netLog(s, 'acked', { n: k });
    if (k > 0) {
      const before = this.fsr(s);
      s.txAcked += k;
      s.txAck = (s.txAck + k) & 0xffff;
      if (this.tearing()) {
        const full = before + s.ackHeld + k;
        const shown = before >> 8 === full >> 8 ? full : before | 0xff;
        s.ackHeld = full - shown;
        if (s.ackHeld) s.heldSince = this.cur;
      }
      while (s.sendEnds.length > 0 && s.sendEnds[0] <= s.txAcked) { s.sendEnds.shift(); this.sendOk(s); }
    }
    if (s.probe) s.probe = false;
    this.rtxProgress(s);
    this.kaArm(s);
  }

  private onFin(s: Sock): void {
    this.netLog(s, 'FIN in');
    // the FIN follows the peer's data in sequence: while data waits for RX space, so does the FIN
    if (s.pendingRx.length > 0) { s.finHeld = true; return; }
    if (s.sr === Sn_SR.SOCK_ESTABLISHED) {
      s.sr = Sn_SR.SOCK_CLOSE_WAIT;
      this.raise(s, Sn_IR.DISCON);
    } else if (s.sr === Sn_SR.SOCK_FIN_WAIT) {
      this.raise(s, Sn_IR.DISCON);
      s.fw2Due = undefined;
      if (s.finAcked) this.enterTimeWait(s);
      else s.sr = Sn_SR.SOCK_CLOSING;
    }
  }

  private onFinAcked(s: Sock): void {
    if (!s.finSent || s.finAcked) return;
    s.finAcked = true;
    this.netLog(s, 'FIN acked');
    this.rtxProgress(s);
    if (s.sr === Sn_SR.SOCK_CLOSING) this.enterTimeWait(s);
    else if (s.sr === Sn_SR.SOCK_LAST_ACK) this.toClosed(s);
    else if (s.sr === Sn_SR.SOCK_FIN_WAIT && typeof this.finWait2 === 'number') s.fw2Due = this.cur + this.finWait2;
  }

  private enterTimeWait(s: Sock): void {
    s.sr = Sn_SR.SOCK_TIME_WAIT;
    s.rtxDue = undefined;
    s.twDue = this.cur + this.timeWaitMs;
  }

  private onReset(s: Sock, why: string): void {
    this.netLog(s, why === 'refused' ? 'refused (RST)' : 'RST in');
    if (s.sr === Sn_SR.SOCK_CLOSED) return;
    this.forget(s, false);
    s.sr = Sn_SR.SOCK_CLOSED;
    this.raise(s, this.rstIr);
  }

  private onDatagram(s: Sock, from: Endpoint, bytes: Uint8Array): void {
    if (s.sr !== Sn_SR.SOCK_UDP) return;
    this.netLog(s, 'datagram in', { from: from.ip + ':' + from.port, n: bytes.length });
    const need = Chip.UDP_HEADER + bytes.length;
    if (need > this.rxFree(s)) { this.faults.rxDropped += bytes.length; return; } // a datagram that does not fit is dropped whole (inferred)
    const ip = ipBytes(from.ip);
    const h = new Uint8Array([ip[0], ip[1], ip[2], ip[3], from.port >> 8, from.port & 0xff, bytes.length >> 8, bytes.length & 0xff]);
    this.storeRx(s, [h, bytes]);
    this.raise(s, Sn_IR.RECV);
  }

  /** ICMP port unreachable: a chip-wide event, IR.UNREACH with the address in UIPR/UPORTR (IR bits are not masked by IMR) */
  private onUnreachable(s: Sock, to: Endpoint): void {
    this.netLog(s, 'ICMP unreachable', { to: to.ip + ':' + to.port });
    this.common.set(ipBytes(to.ip), CommonReg.UIPR);
    this.common[CommonReg.UPORTR] = (to.port >> 8) & 0xff;
    this.common[CommonReg.UPORTR + 1] = to.port & 0xff;
    this.common[CommonReg.IR] |= IR.UNREACH;
  }

  private onFrame(s: Sock, frame: Uint8Array): void {
    if (s.sr !== Sn_SR.SOCK_MACRAW || frame.length < 14) return;
    if (!this.macrawAccepts(s, frame)) return;
    const need = Chip.MACRAW_HEADER + frame.length;
    if (need > this.rxFree(s)) { this.faults.rxDropped += frame.length; return; }
    // the length field counts itself (esp-idf W5500 MAC driver subtracts 2)
    this.storeRx(s, [new Uint8Array([need >> 8, need & 0xff]), frame]);
    this.netLog(s, 'frame in', { n: frame.length });
    this.raise(s, Sn_IR.RECV);
  }

  private macrawAccepts(s: Sock, f: Uint8Array): boolean {
    const mr = s.regs[SnReg.Sn_MR];
    const bcast = f[0] === 0xff && f[1] === 0xff && f[2] === 0xff && f[3] === 0xff && f[4] === 0xff && f[5] === 0xff;
    const mcast = !bcast && (f[0] & 1) === 1;
    if (bcast && (mr & Sn_MR.BCASTB)) return false;
    if (mcast && (mr & Sn_MR.MMB)) return false;
    if ((mr & Sn_MR.MIP6B) && f[12] === 0x86 && f[13] === 0xdd) return false;
    if (mr & Sn_MR.MFEN) {
      if (bcast || mcast) return true;
      for (let i = 0; i < 6; i++) if (f[i] !== this.common[CommonReg.SHAR + i]) return false;
    }
    return true;
  }

  private timeout(s: Sock): void {
    this.netLog(s, 'TIMEOUT');
    this.forget(s, true);
    s.sr = Sn_SR.SOCK_CLOSED;
    this.raise(s, Sn_IR.TIMEOUT);
  }

  /**
   * to SOCK_CLOSED, forgetting the connection (`silence()`): after CLOSE or a dropped attempt the peer is not told
   * and its next segment meets a RST; after TIME_WAIT or LAST_ACK both FINs are through and nothing more comes
   */
  private toClosed(s: Sock): void {
    this.forget(s, true);
    s.sr = Sn_SR.SOCK_CLOSED;
  }

  /** drop every tie to the network; RX bytes and pointers stay until the next OPEN */
  private forget(s: Sock, silence: boolean): void {
    const conn = s.conn;
    if (conn && silence) conn.silence();
    if (s.listener) s.listener.close();
    if (s.udp) s.udp.close();
    if (s.mac) s.mac.close();
    s.conn = undefined;
    s.listener = undefined;
    s.udp = undefined;
    s.mac = undefined;
    s.gen++;
    s.rtxDue = s.arpDue = s.twDue = s.fw2Due = s.kaDue = undefined;
    s.arpFor = undefined;
    s.udpPending = undefined;
    s.syn = s.probe = false;
    s.pendingRx = [];
    s.finHeld = false;
  }

  private netLog(s: Sock, what: string, extra?: Record<string, unknown>): void {
    if (!this.trace.enabled) return;
    const rec: Record<string, unknown> = { t: this.cur, ev: 'net', sn: s.n, what };
    if (extra) for (const k of Object.keys(extra)) rec[k] = extra[k];
    this.trace.record(rec);
  }

  fsr(s: Sock): number {
    const size = this.bufSize(true, s.n);
    const used = (s.txLatched - ((s.txAck - s.ackHeld) & 0xffff)) & 0xffff;
    return used >= size ? 0 : size - used;
  }

  rxWrPub(s: Sock): number {
    return (s.rxWr - s.rxHeld) & 0xffff;
  }

  rsr(s: Sock): number {
    return (this.rxWrPub(s) - s.rxRdLatched) & 0xffff;
  }

  private rxFree(s: Sock): number {
    const used = (s.rxWr - s.rxRdLatched) & 0xffff;
    const size = this.bufSize(false, s.n);
    return used >= size ? 0 : size - used;
  }

  /** bytes into the RX buffer at RX_WR; with the torn-read fault part of the RSR change stays hidden until the next read */
  private storeRx(s: Sock, chunks: Uint8Array[]): void {
    const before = this.rsr(s);
    let n = 0;
    for (const c of chunks) {
      this.core.mem.write(false, s.n, s.rxWr, c);
      s.rxWr = (s.rxWr + c.length) & 0xffff;
      n += c.length;
    }
    if (this.tearing()) {
      const full = before + s.rxHeld + n;
      const shown = before >> 8 === full >> 8 ? full : before | 0xff;
      s.rxHeld = full - shown;
      if (s.rxHeld) s.heldSince = this.cur;
    }
  }

  landHeld(s: Sock): void {
    s.rxHeld = 0;
    s.ackHeld = 0;
  }

  /** a held counter change lands by itself once TORN_HOLD_MS of chip time has passed without the read that tears it */
  landStale(t: number): void {
    for (const s of this.socks) if ((s.rxHeld || s.ackHeld) && t >= s.heldSince + TORN_HOLD_MS) this.landHeld(s);
  }

  private raise(s: Sock, bits: number): void {
    if (this.imrGates) bits &= s.regs[SnReg.Sn_IMR];
    s.ir |= bits;
  }

  sir(): number {
    let v = 0;
    for (let n = 0; n < Chip.SOCKETS; n++) {
      const s = this.socks[n];
      if ((s.ir & (this.imrGates ? 0xff : s.regs[SnReg.Sn_IMR])) !== 0) v |= 1 << n;
    }
    return v;
  }

  /** chip → network: happens now, or when the link comes back, unless the socket has moved on by then */
  private wire(s: Sock, fn: () => void): void {
    const gen = s.gen;
    this.core.onWire(() => { if (s.gen === gen) fn(); });
  }
}

function cmdName(cmd: number): string {
  switch (cmd) {
    case Sn_CR.OPEN: return 'OPEN';
    case Sn_CR.LISTEN: return 'LISTEN';
    case Sn_CR.CONNECT: return 'CONNECT';
    case Sn_CR.DISCON: return 'DISCON';
    case Sn_CR.CLOSE: return 'CLOSE';
    case Sn_CR.SEND: return 'SEND';
    case Sn_CR.SEND_MAC: return 'SEND_MAC';
    case Sn_CR.SEND_KEEP: return 'SEND_KEEP';
    case Sn_CR.RECV: return 'RECV';
    default: return '0x' + cmd.toString(16);
  }
}
