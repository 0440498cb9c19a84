/**
 * The live timeline of `npm start`, for a person: the W5500 model's trace records (chip commands and what
 * went on the wire, with which side sent it) and the device's console lines (FD_* events) become one line
 * each, and every connection is followed from its SYN to its end for the summary printed at Ctrl-C.
 * Pure: records in, lines out.
 */

/** one record of the W5500 model's trace (sim/w5500/trace.ts), as JSON gives it back */
export interface TraceRecord {
  t: number;
  ev: string;
  sn?: number;
  cmd?: string;
  sr?: number;
  what?: string;
  from?: string;
  to?: string;
  at?: string;
  n?: number;
  data?: string;
  tries?: number;
  up?: boolean;
  how?: string;
}

/** one TCP connection as the wire saw it */
export interface Connection {
  sn: number;
  /** how the timeline names it: the W5500's socket (S0) or the connection's number on a frame-level wire (C1) */
  tag: string;
  /** the PC's end, ip:port */
  peer: string;
  /** the device's end, ip:port */
  device: string;
  /** who opened it: the PC (the device accepted) or the device (it connected) */
  openedBy: 'PC' | 'device';
  bytesIn: number;
  bytesOut: number;
  /** FINs in the order they went, e.g. ['device', 'PC'] */
  fins: Array<'PC' | 'device'>;
  /** how it ended, once it has: 'FIN both ways', 'RST from the PC', ... */
  end?: string;
}

const SR_NAMES: Record<number, string> = {
  0x00: 'SOCK_CLOSED', 0x13: 'SOCK_INIT', 0x14: 'SOCK_LISTEN', 0x15: 'SOCK_SYNSENT', 0x16: 'SOCK_SYNRECV',
  0x17: 'SOCK_ESTABLISHED', 0x18: 'SOCK_FIN_WAIT', 0x1a: 'SOCK_CLOSING', 0x1b: 'SOCK_TIME_WAIT',
  0x1c: 'SOCK_CLOSE_WAIT', 0x1d: 'SOCK_LAST_ACK', 0x22: 'SOCK_UDP', 0x42: 'SOCK_MACRAW',
};

/** Sn_SR values in which CLOSE drops a live connection without a word */
const LIVE = [0x17, 0x18, 0x1a, 0x1c, 0x1d, 0x15, 0x16];

export function srName(sr: number | undefined): string {
  return sr === undefined ? '?' : SR_NAMES[sr] ?? '0x' + sr.toString(16);
}

/** what the summary of `npm start` reads of the wire, whichever path saw it */
export interface WireView {
  /** every connection seen, oldest first */
  readonly connections: Connection[];
  /** connections still open on the wire */
  open(): Connection[];
  totals(): { connections: number; fins: number; rsts: number; bytesIn: number; bytesOut: number };
}

export class WireLog implements WireView {
  /** every connection seen, oldest first */
  readonly connections: Connection[] = [];
  private live: (Connection | undefined)[] = [];
  private fins = 0;
  private rsts = 0;

  /** the lines a record gives ('' when it is not worth a person's attention) */
  record(r: TraceRecord): string[] {
    if (r.ev === 'cmd') return [this.command(r)];
    if (r.ev === 'net') return this.wire(r);
    if (r.ev === 'link') return [`chip    link ${r.up ? 'up' : 'down'}`];
    if (r.ev === 'reset') return [`chip    reset (${r.how})`];
    return [];
  }

  /** connections still open on the wire */
  open(): Connection[] {
    return this.live.filter((c): c is Connection => c !== undefined);
  }

  /** counts for the summary */
  totals(): { connections: number; fins: number; rsts: number; bytesIn: number; bytesOut: number } {
    let bytesIn = 0, bytesOut = 0;
    for (const c of this.connections) { bytesIn += c.bytesIn; bytesOut += c.bytesOut; }
    return { connections: this.connections.length, fins: this.fins, rsts: this.rsts, bytesIn, bytesOut };
  }

  private command(r: TraceRecord): string {
    const sn = r.sn ?? -1;
    let note = '';
    if (r.cmd === 'CLOSE' && r.sr !== undefined && LIVE.includes(r.sr)) {
      note = ' — the chip sends nothing; the PC\'s next segment is answered by RST';
      this.ended(sn, 'device CLOSE (abortive)');
    }
    if (r.cmd === 'DISCON') note = ' — FIN after the data already handed over';
    return `chip    S${sn} ${r.cmd} (in ${srName(r.sr)})${note}`;
  }

  private wire(r: TraceRecord): string[] {
    const sn = r.sn ?? -1;
    const c = this.live[sn];
    const tag = `S${sn}`;
    switch (r.what) {
      case 'accepted': {
        const conn = this.begin(sn, r.from ?? '?', r.at ?? '?', 'PC');
        return [`wire    SYN   PC ${conn.peer} → device ${conn.device}; handshake done, the device accepts on ${tag}`];
      }
      case 'SYN': {
        const conn = this.begin(sn, r.to ?? '?', r.at ?? '?', 'device');
        return [`wire    SYN   device ${conn.device} → PC ${conn.peer} (${tag} connects)`];
      }
      case 'connected': return [`wire    SYN-ACK PC → device; ${tag} connected`];
      case 'refused (RST)': this.rsts++; this.ended(sn, 'refused by RST from the PC'); return [`wire    RST   PC → device: connection refused (${tag})`];
      case 'data in': if (c) c.bytesIn += r.n ?? 0; return [`wire    data  PC → device, ${r.n} bytes (${tag})`];
      case 'send': if (c) c.bytesOut += r.n ?? 0; return r.n ? [`wire    data  device → PC, ${r.n} bytes (${tag})`] : [];
      case 'FIN': this.fin(sn, 'device'); return [`wire    FIN   device → PC (${tag})`];
      case 'FIN in': this.fin(sn, 'PC'); return [`wire    FIN   PC → device (${tag})`];
      case 'RST in': this.rsts++; this.ended(sn, 'RST from the PC'); return [`wire    RST   PC → device (${tag})`];
      case 'TIMEOUT': this.ended(sn, 'timeout (the device gave up retransmitting)'); return [`wire    timeout: ${tag} gave up retransmitting`];
      case 'retransmit': return [`wire    retransmission ${r.tries} (${tag})`];
      case 'TIME_WAIT over': this.ended(sn, undefined); return [`chip    S${sn} TIME_WAIT over → SOCK_CLOSED`];
      case 'FIN acked': if (c && c.fins.length === 2) this.ended(sn, undefined); return [];
      default: return [];
    }
  }

  private begin(sn: number, peer: string, device: string, openedBy: 'PC' | 'device'): Connection {
    const conn: Connection = { sn, tag: `S${sn}`, peer, device, openedBy, bytesIn: 0, bytesOut: 0, fins: [] };
    this.connections.push(conn);
    this.live[sn] = conn;
    return conn;
  }

  private fin(sn: number, side: 'PC' | 'device'): void {
    this.fins++;
    const c = this.live[sn];
    if (c && !c.fins.includes(side)) c.fins.push(side);
  }

  /** the connection on `sn` is over; `how` undefined: say it from its FINs */
  private ended(sn: number, how: string | undefined): void {
    const c = this.live[sn];
    if (!c) return;
    c.end = how ?? (c.fins.length === 2 ? `FIN both ways, ${c.fins[0]} first` : `FIN from ${c.fins.join(', ') || 'nobody'}`);
    this.live[sn] = undefined;
  }
}

/** one timeline line: seconds since start, then the text */
export function stamp(ms: number, text: string): string {
  return `${(ms / 1000).toFixed(3).padStart(8)} s  ${text}`;
}

/**
 * Prints timeline lines in time order: the device's lines arrive at once, the chip's a poll later, so each line
 * waits `holdMs` for any earlier one still on its way.
 */
export class Timeline {
  private queue: Array<{ ms: number; seq: number; text: string }> = [];
  private seq = 0;
  private timer: NodeJS.Timeout;
  /** `origin`: the performance.now() the stamps count from */
  constructor(private print: (line: string) => void, private origin: number, private holdMs = 60) {
    this.timer = setInterval(() => this.flush(false), 20);
  }

  add(ms: number, text: string): void {
    this.queue.push({ ms, seq: this.seq++, text });
  }

  /** prints what is due (everything, when `all`) */
  flush(all: boolean): void {
    const due = all ? Infinity : performance.now() - this.origin - this.holdMs;
    this.queue.sort((a, b) => a.ms - b.ms || a.seq - b.seq);
    let n = 0;
    while (n < this.queue.length && this.queue[n].ms <= due) n++;
    for (const e of this.queue.splice(0, n)) this.print(stamp(e.ms, e.text));
  }

  close(): void {
    clearInterval(this.timer);
    this.flush(true);
  }
}
