/**
 * The W5500 MACRAW frame driver (hal/w5500/macraw.ts) on the chip model and its virtual network, one
 * virtual clock: frames go in with `net.injectFrame` and come out in `net.framesOut`. For the driver's
 * tests and for anyone measuring it (tools import no tests).
 */
import { VirtualClock } from '../net/virtual-clock';
import { runUntil } from '../net/virtual-time';
import { runFrameDriver } from '../net/run-alone';
import type { ServiceLoop } from '../../hal/service-loop';
import { NodeSpiDevice } from '../../hal/node/spi';
import { NodePin } from '../../hal/node/pins';
import type { OutputPin } from '../../hal/pins';
import { W5500Macraw } from '../../hal/w5500/macraw';
import type { W5500MacrawOptions } from '../../hal/w5500/macraw';
import type { FrameHandler } from '../../hal/frame-driver';
import { W5500Model } from './model';
import type { W5500ModelOptions } from './model';
import { VirtualNet } from './virtual-net';

export const MACRAW_MAC = [0x02, 0x00, 0x00, 0x12, 0x34, 0x56];

export interface MacrawRigOptions {
  /** wire INTn (default true) */
  int?: boolean;
  /** wire RSTn (default false) */
  rst?: boolean;
  model?: Partial<W5500ModelOptions>;
  driver?: Partial<W5500MacrawOptions>;
}

class ResetPin implements OutputPin {
  level = true;
  constructor(private model: W5500Model) {}
  write(high: boolean): void {
    if (!high && this.level) this.model.hardReset();
    this.level = high;
  }
}

export class MacrawRig {
  readonly clock = new VirtualClock();
  readonly net: VirtualNet;
  readonly model: W5500Model;
  readonly driver: W5500Macraw;
  /** the one timer that runs the driver's service (what the event loop keeps on a board) */
  readonly loop: ServiceLoop;
  /** frames delivered to the handler (copies), in order */
  readonly frames: Uint8Array[] = [];
  /** "frame:<len>", "sent:<result>", "link:up|down", "failure:<err>" in delivery order */
  readonly events: string[] = [];

  constructor(o: MacrawRigOptions = {}) {
    const clock = this.clock;
    this.net = new VirtualNet({ now: () => clock.now(), latencyMs: 0 });
    this.model = new W5500Model(Object.assign({ net: this.net, now: () => clock.now() }, o.model || {}));
    const model = this.model;
    let int: NodePin | undefined;
    if (o.int !== false) {
      const pin = new NodePin(clock, model.intn);
      model.onIntn((high) => pin.write(high));
      int = pin;
    }
    this.driver = new W5500Macraw(Object.assign({
      spi: new NodeSpiDevice((mosi) => model.exchange(mosi)),
      clock,
      int,
      rst: o.rst ? new ResetPin(model) : undefined,
      mac: new Uint8Array(MACRAW_MAC),
    }, o.driver || {}));
    const self = this;
    const h: FrameHandler = {
      frame(f, len) { self.frames.push(f.slice(0, len)); self.events.push('frame:' + len); },
      sent(r) { self.events.push('sent:' + r); },
      link(up) { self.events.push('link:' + (up ? 'up' : 'down')); },
      failure(err) { self.events.push('failure:' + err); },
    };
    this.driver.setHandler(h);
    this.loop = runFrameDriver(clock, this.driver);
  }

  run(ms: number): void {
    runUntil(this.clock, [this.model], () => false, ms);
  }

  runUntil(done: () => boolean, ms: number): boolean {
    return runUntil(this.clock, [this.model], done, ms);
  }

  close(): void {
    this.loop.stop();
    this.driver.stop();
    this.model.close();
  }
}

/** an Ethernet frame of `len` bytes to `dst` from 02:00:00:00:00:09 with EtherType `type`, body bytes i & 0xff */
export function ethFrame(dst: number[], type: number, len: number): Uint8Array {
  const f = new Uint8Array(len);
  for (let i = 14; i < len; i++) f[i] = i & 0xff;
  f.set(dst, 0);
  f.set([2, 0, 0, 0, 0, 9], 6);
  f[12] = type >> 8;
  f[13] = type & 0xff;
  return f;
}
