/**
 * The offload transport on the W5500 driver and the chip model with the scripted virtual network,
 * on one virtual clock, with a sink that records every event in order ("ended 3 Reset 0").
 */
import { VirtualClock } from '../../sim/net/virtual-clock';
import { NodeSpiDevice } from '../../hal/node/spi';
import { ModelIntPin } from '../../sim/w5500/model-int-pin';
import { W5500 } from '../../hal/w5500/driver';
import type { W5500Options } from '../../hal/w5500/driver';
import { W5500Model } from '../../sim/w5500/model';
import type { W5500ModelOptions } from '../../sim/w5500/model';
import { VirtualNet } from '../../sim/w5500/virtual-net';
import { runUntil } from '../../sim/net/virtual-time';
import { OffloadTransport } from '../../firmware/transport/offload/offload';
import type { OffloadOptions } from '../../firmware/transport/offload/offload';
import { recordingSink } from './recording-sink';
import { ServiceLoop } from '../../hal/service-loop';
import { parseIPv4 } from '../../firmware/socket/address';
import { ip4 } from '../../sim/w5500/driver-rig';

export const CHIP_IP = '192.168.1.20';
export const PEER_IP = '192.168.1.10';
export const CHIP = parseIPv4(CHIP_IP);
export const PEER = parseIPv4(PEER_IP);

export { causeName } from './recording-sink';

export interface TRigOptions {
  int?: boolean;
  latencyMs?: number;
  model?: Partial<W5500ModelOptions>;
  driver?: Partial<W5500Options>;
  transport?: Partial<OffloadOptions>;
}

export class TRig {
  clock = new VirtualClock();
  net: VirtualNet;
  model: W5500Model;
  driver: W5500;
  t: OffloadTransport;
  /** the event loop's one timer, pumping the transport (what the socket layer would keep) */
  loop: ServiceLoop;
  events: string[] = [];

  constructor(o: TRigOptions = {}) {
    const clock = this.clock;
    this.net = new VirtualNet({ now: () => clock.now(), latencyMs: o.latencyMs !== undefined ? o.latencyMs : 0.5 });
    this.model = new W5500Model(Object.assign({ net: this.net, now: () => clock.now() }, o.model || {}));
    const model = this.model;
    const spi = new NodeSpiDevice((mosi) => model.exchange(mosi));
    const int = o.int === false ? undefined : new ModelIntPin(clock, model);
    this.driver = new W5500(Object.assign({
      spi,
      clock,
      int,
      mac: new Uint8Array([0x02, 0x00, 0x00, 0x12, 0x34, 0x56]),
      ip: ip4(CHIP_IP),
      subnet: ip4('255.255.255.0'),
      gateway: ip4('192.168.1.1'),
    }, o.driver || {}));
    const err = this.driver.begin();
    if (err !== 0) throw new Error('bring-up failed: ' + err);
    this.t = new OffloadTransport(Object.assign({ driver: this.driver, clock, ip: CHIP, int }, o.transport || {}));
    const t = this.t;
    const loop = new ServiceLoop(clock, () => t.pump());
    this.loop = loop;
    t.setSink(recordingSink(this.events, (at) => loop.at(at)));
    loop.at(clock.now());
  }

  /** returns and forgets the events so far */
  take(): string[] {
    return this.events.splice(0);
  }

  run(ms: number): void {
    this.until(() => false, ms);
  }

  runUntil(done: () => boolean, ms: number): boolean {
    return this.until(done, ms);
  }

  private until(done: () => boolean, ms: number): boolean {
    return runUntil(this.clock, [this.model], done, ms);
  }

  /** the chip→peer and peer→chip segments logged by the virtual wire since `from` */
  wire(from = 0): string[] {
    return this.net.wire.slice(from).map((w) => `${w.dir} ${w.what}${w.n !== undefined ? ' ' + w.n : ''}`);
  }

  close(): void {
    this.loop.stop();
    this.t.stop();
    this.driver.stop();
    this.model.close();
  }
}

export function bytes(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed) & 0xff;
  return b;
}
