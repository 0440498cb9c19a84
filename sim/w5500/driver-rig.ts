/**
 * A W5500 driver wired to the chip model on one virtual clock: SPI through NodeSpiDevice, INTn into
 * a NodePin the driver watches, RSTn out of a pin whose falling edge resets the model.
 */
import { VirtualClock } from '../net/virtual-clock';
import { NodeSpiDevice } from '../../hal/node/spi';
import { NodePin } from '../../hal/node/pins';
import type { OutputPin } from '../../hal/pins';
import { W5500 } from '../../hal/w5500/driver';
import type { W5500Options } from '../../hal/w5500/driver';
import type { W5500Handler } from '../../hal/w5500/events';
import { W5500Model } from './model';
import type { W5500ModelOptions } from './model';
import { VirtualNet } from './virtual-net';
import { runUntil } from '../net/virtual-time';
import { runW5500 } from '../net/run-alone';
import type { ServiceLoop } from '../../hal/service-loop';
import { parseIPv4 } from '../../firmware/socket/address';
import { ipToBytes } from '../../firmware/transport/offload/ip';

export const CHIP_IP = '192.168.1.20';
export const PEER_IP = '192.168.1.10';

export interface RigOptions {
  int?: boolean;
  rst?: boolean;
  latencyMs?: number;
  model?: Partial<W5500ModelOptions>;
  driver?: Partial<W5500Options>;
  /** reuse a chip (an MCU reset: new driver, same chip and network) */
  chip?: { model: W5500Model; net: VirtualNet; clock: VirtualClock };
}

const EVENT_NAMES = ['', 'CON', 'DISCON', 'RECV', 'SEND_OK', 'TIMEOUT', 'RESET', 'CLOSED', 'WRITABLE', 'SEND_STALLED'];

export function ip4(s: string): Uint8Array {
  return ipToBytes(parseIPv4(s), new Uint8Array(4), 0);
}

class ResetPin implements OutputPin {
  level = true;
  pulses = 0;
  constructor(private model: W5500Model) {}
  write(high: boolean): void {
    if (!high && this.level) { this.pulses++; this.model.hardReset(); }
    this.level = high;
  }
}

export class Rig {
  clock: VirtualClock;
  net: VirtualNet;
  model: W5500Model;
  spi: NodeSpiDevice;
  intPin: NodePin | undefined;
  rstPin: ResetPin | undefined;
  driver: W5500;
  /** the one timer that runs the driver's poll (what the event loop keeps on a board) */
  loop: ServiceLoop;
  /** "sn:EVENT", "link:up", "failure:-9" in delivery order, with the virtual time of delivery */
  events: string[] = [];
  times: number[] = [];
  /** what a handler callback should do besides recording (e.g. send on SEND_OK) */
  onEvent: ((sn: number, ev: number) => void) | undefined;

  constructor(o: RigOptions = {}) {
    if (o.chip) {
      this.clock = o.chip.clock;
      this.net = o.chip.net;
      this.model = o.chip.model;
    } else {
      this.clock = new VirtualClock();
      const clock = this.clock;
      this.net = new VirtualNet({ now: () => clock.now(), latencyMs: o.latencyMs !== undefined ? o.latencyMs : 0 });
      this.model = new W5500Model(Object.assign({ net: this.net, now: () => clock.now() }, o.model || {}));
    }
    const model = this.model;
    this.spi = new NodeSpiDevice((mosi) => model.exchange(mosi));
    if (o.int !== false) {
      const pin = new NodePin(this.clock, model.intn);
      model.onIntn((high) => pin.write(high));
      this.intPin = pin;
    }
    if (o.rst) this.rstPin = new ResetPin(model);
    const opts: W5500Options = Object.assign({
      spi: this.spi,
      clock: this.clock,
      int: this.intPin,
      rst: this.rstPin,
      mac: new Uint8Array([0x02, 0x00, 0x00, 0x12, 0x34, 0x56]),
      ip: ip4(CHIP_IP),
      subnet: ip4('255.255.255.0'),
      gateway: ip4('192.168.1.1'),
    }, o.driver || {});
    this.driver = new W5500(opts);
    this.loop = runW5500(this.clock, this.driver);
    const self = this;
    const h: W5500Handler = {
      socket(sn, ev) { self.record(sn + ':' + EVENT_NAMES[ev]); if (self.onEvent) self.onEvent(sn, ev); },
      link(up) { self.record('link:' + (up ? 'up' : 'down')); },
      failure(err) { self.record('failure:' + err); },
    };
    this.driver.setHandler(h);
  }

  private record(s: string): void {
    this.events.push(s);
    this.times.push(this.clock.now());
  }

  /** returns and forgets the events so far */
  take(): string[] {
    const e = this.events;
    this.events = [];
    this.times = [];
    return e;
  }

  /** lets `ms` of virtual time pass: firmware timers and the chip's own deadlines, in time order */
  run(ms: number): void {
    runUntil(this.clock, [this.model], () => false, ms);
  }

  /** runs until `done()` holds or `limitMs` passed; returns whether it held */
  runUntil(done: () => boolean, limitMs: number): boolean {
    return runUntil(this.clock, [this.model], done, limitMs);
  }

  /** counters of the model's SPI trace since the last call */
  spiSince(keep = false): { transactions: number; bytes: number; payloadBytes: number } {
    const c = this.model.trace.counters;
    const r = { transactions: c.transactions, bytes: c.bytes, payloadBytes: c.payloadBytes };
    if (!keep) this.model.trace.reset();
    else { c.transactions = 0; c.bytes = 0; c.payloadBytes = 0; }
    return r;
  }

  /**
   * The SPI frames recorded by the model's trace (model option trace: true), compactly:
   * "W S0 0024 00 40" for a write, "R S0 0026 4" for a read of 4 bytes.
   */
  frames(): string[] {
    const out: string[] = [];
    for (const rec of this.model.trace.records()) {
      if (rec.ev !== 'spi') continue;
      const mosi = String(rec.mosi).split(' ');
      const addr = Number(rec.addr).toString(16).padStart(4, '0');
      if (rec.op === 'W') out.push(`W ${rec.block} ${addr} ${mosi.slice(3).join(' ')}`);
      else out.push(`R ${rec.block} ${addr} ${mosi.length - 3}`);
    }
    return out;
  }

  close(): void {
    this.loop.stop();
    this.driver.stop();
    this.model.close();
  }
}
