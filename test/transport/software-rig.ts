/**
 * The software transport (firmware/transport/software) on the ENC28J60 driver and the chip model, on a
 * frame pipe to a scripted TCP/IP host (sim/software/enc28j60-world.ts), all on one virtual clock, with
 * a sink that records every event in order ("ended 3 Reset 0"). `MacrawRig` is the same on the W5500
 * MACRAW driver and the W5500 model (sim/software/w5500-macraw-world.ts).
 */
import { Enc28j60 } from '../../hal/enc28j60/driver';
import type { Enc28j60Options } from '../../hal/enc28j60/driver';
import { SoftwareTransport } from '../../firmware/transport/software/software';
import type { SoftwareOptions } from '../../firmware/transport/software/software';
import { recordingSink } from './recording-sink';
import { ServiceLoop } from '../../hal/service-loop';
import { DEVICE, DEVICE_MAC, Enc28j60World, MASK } from '../../sim/software/enc28j60-world';
import type { Enc28j60WorldOptions } from '../../sim/software/enc28j60-world';
import { MacrawWorld } from '../../sim/software/w5500-macraw-world';
import type { MacrawWorldOptions } from '../../sim/software/w5500-macraw-world';
import { W5500Macraw } from '../../hal/w5500/macraw';
import type { W5500MacrawOptions } from '../../hal/w5500/macraw';
import type { FrameDriver } from '../../hal/frame-driver';
import type { Clock } from '../../hal/clock';
import type { InputPin } from '../../hal/pins';

/** What both rigs share: a world on the virtual clock, a brought-up frame driver, the transport over it, its events. */
abstract class FrameRig<W extends { run(ms: number): void; runUntil(done: () => boolean, ms: number): boolean }, D extends FrameDriver> {
  abstract w: W;
  abstract driver: D;
  abstract t: SoftwareTransport;
  /** the event loop's one timer, pumping the transport (what the socket layer would keep) */
  loop: ServiceLoop | undefined;
  events: string[] = [];

  take(): string[] {
    return this.events.splice(0);
  }

  run(ms: number): void {
    this.w.run(ms);
  }

  runUntil(done: () => boolean, ms: number): boolean {
    return this.w.runUntil(done, ms);
  }

  close(): void {
    if (this.loop) this.loop.stop();
    this.t.stop();
    this.driver.stop();
  }
}

export interface SoftRigOptions extends Enc28j60WorldOptions {
  driver?: Partial<Enc28j60Options>;
  transport?: Partial<SoftwareOptions>;
}

export class SoftRig extends FrameRig<Enc28j60World, Enc28j60> {
  w: Enc28j60World;
  driver: Enc28j60;
  t: SoftwareTransport;

  constructor(o: SoftRigOptions = {}) {
    super();
    this.w = new Enc28j60World(o);
    const w = this.w;
    this.driver = new Enc28j60(Object.assign({ spi: w.spi, clock: w.clock, int: w.int, mac: DEVICE_MAC }, o.driver ?? {}));
    const err = this.driver.begin();
    if (err !== 0) throw new Error('bring-up failed: ' + err);
    this.t = transportOn(this.driver, w.clock, w.int, o.transport);
    this.loop = pumpLoop(this.t, w.clock, this.events);
  }
}

/** The software transport over a brought-up `driver`. */
function transportOn(driver: FrameDriver, clock: Clock, int: InputPin | undefined, o: Partial<SoftwareOptions> | undefined): SoftwareTransport {
  let seed = 0x9e3779b9;
  const t = new SoftwareTransport(Object.assign({
    driver, clock, ip: DEVICE, mask: MASK, gateway: 0, int,
    isn: () => { seed = (seed * 1664525 + 1013904223) >>> 0; return seed; },
  }, o ?? {}));
  return t;
}

/** the event loop's one timer, pumping `t` at its deadlines and wake requests; the sink records into `ev` */
function pumpLoop(t: SoftwareTransport, clock: Clock, ev: string[]): ServiceLoop {
  const loop = new ServiceLoop(clock, () => t.pump());
  t.setSink(recordingSink(ev, (at) => loop.at(at)));
  loop.at(clock.now());
  return loop;
}

export interface MacrawRigOptions extends MacrawWorldOptions {
  driver?: Partial<W5500MacrawOptions>;
  transport?: Partial<SoftwareOptions>;
}

/** SoftRig on the W5500 in MACRAW mode: the MACRAW driver and the W5500 model on the frame pipe */
export class MacrawSoftRig extends FrameRig<MacrawWorld, W5500Macraw> {
  w: MacrawWorld;
  driver: W5500Macraw;
  t: SoftwareTransport;

  constructor(o: MacrawRigOptions = {}) {
    super();
    this.w = new MacrawWorld(o);
    const w = this.w;
    this.driver = new W5500Macraw(Object.assign({ spi: w.spi, clock: w.clock, int: w.int, mac: DEVICE_MAC }, o.driver ?? {}));
    const err = this.driver.begin();
    if (err !== 0) throw new Error('bring-up failed: ' + err);
    this.t = transportOn(this.driver, w.clock, w.int, o.transport);
    this.loop = pumpLoop(this.t, w.clock, this.events);
  }
}
