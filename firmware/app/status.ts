import type { CloseResult } from '../socket/types';

/** one connection the device serves, while it is open */
interface Open {
  s: number;
  service: string;
  peer: string;
  state: string;
  bytesIn: number;
  bytesOut: number;
}

/** how a connection ended */
interface Ended {
  service: string;
  peer: string;
  bytesIn: number;
  bytesOut: number;
  how: string;
}

const KEEP_ENDED = 8;

/**
 * What the status page shows: the connections the device serves, their state and bytes, and the last
 * teardowns with how each ended (closesocket's done: graceful, or the Winsock error, and the bytes unsent).
 */
export class StatusBook {
  private open: Open[] = [];
  private ended: Ended[] = [];
  private served = 0;

  opened(s: number, service: string, peer: string): void {
    this.served++;
    this.open.push({ s: s, service: service, peer: peer, state: 'ESTABLISHED', bytesIn: 0, bytesOut: 0 });
  }

  bytes(s: number, bytesIn: number, bytesOut: number): void {
    const c = this.find(s);
    if (!c) return;
    c.bytesIn += bytesIn;
    c.bytesOut += bytesOut;
  }

  state(s: number, state: string): void {
    const c = this.find(s);
    if (c) c.state = state;
  }

  /** closesocket's done for `s` */
  closed(s: number, r: CloseResult): void {
    const c = this.find(s);
    if (!c) return;
    this.open.splice(this.open.indexOf(c), 1);
    const how = (r.graceful ? 'graceful' : 'abortive, error ' + r.error) + ', ' + r.unsentBytes + ' bytes unsent';
    this.ended.push({ service: c.service, peer: c.peer, bytesIn: c.bytesIn, bytesOut: c.bytesOut, how: how });
    if (this.ended.length > KEEP_ENDED) this.ended.shift();
  }

  /** the page, as plain text */
  text(title: string, sockets: number, backgroundCloses: number): string {
    let t = title + '\n\nsockets: ' + sockets + ' handles open, ' + backgroundCloses + ' closing in the background; ' +
      this.served + ' connections served\n\nconnections:\n';
    if (this.open.length === 0) t += '  none\n';
    for (let i = 0; i < this.open.length; i++) {
      const c = this.open[i];
      t += '  s' + c.s + ' ' + c.service + ' ' + c.peer + ' ' + c.state + ', ' + c.bytesIn + ' bytes in, ' + c.bytesOut + ' out\n';
    }
    t += '\nlast teardowns:\n';
    if (this.ended.length === 0) t += '  none\n';
    for (let i = this.ended.length - 1; i >= 0; i--) {
      const e = this.ended[i];
      t += '  ' + e.service + ' ' + e.peer + ': ' + e.how + '; ' + e.bytesIn + ' bytes in, ' + e.bytesOut + ' out\n';
    }
    return t;
  }

  private find(s: number): Open | undefined {
    for (let i = 0; i < this.open.length; i++) if (this.open[i].s === s) return this.open[i];
    return undefined;
  }
}
