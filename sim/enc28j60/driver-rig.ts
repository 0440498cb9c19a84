/**
 * For the driver tests and the bench (tools/bench-enc28j60.ts).
 * The ENC28J60 driver wired to the chip model on one virtual clock: SPI through NodeSpiDevice, INT into a
 * NodePin the driver watches, the model's wire on a frame pipe whose other end is a scripted frame peer.
 * The handler records what the driver delivers, in order.
 */
import { VirtualClock } from '../net/virtual-clock';
import { runUntil } from '../net/virtual-time';
import { runFrameDriver } from '../net/run-alone';
import type { ServiceLoop } from '../../hal/service-loop';
import { NodeSpiDevice } from '../../hal/node/spi';
import { NodePin } from '../../hal/node/pins';
import { Enc28j60 } from '../../hal/enc28j60/driver';
import type { Enc28j60Options } from '../../hal/enc28j60/driver';
import type { FrameHandler } from '../../hal/frame-driver';
import { Enc28j60Model } from './model';
import type { Enc28j60ModelOptions } from './model';
import { FramePipe } from '../net/frame-pipe';
import type { FramePipeOptions } from '../net/frame-pipe';
import { ScriptedFramePeer } from '../net/frame-peer';

export const CHIP_MAC = new Uint8Array([0x02, 0x00, 0x00, 0x12, 0x34, 0x56]);
export const PEER_MAC = new Uint8Array([0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc]);

export interface EncRigOptions {
  /** INT wired (default true) */
  int?: boolean;
  model?: Partial<Enc28j60ModelOptions>;
  driver?: Partial<Enc28j60Options>;
  pipe?: Partial<FramePipeOptions>;
}

/** An Ethernet II frame of `len` bytes: dst, src, type 0x88B5 (local experimental), then a seeded pattern with `tag`. */
export function frame(len: number, tag: number, dst: Uint8Array = CHIP_MAC, src: Uint8Array = PEER_MAC): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = 0x88;
  f[13] = 0xb5;
  f[14] = tag & 0xff;
  f[15] = (tag >> 8) & 0xff;
  for (let i = 16; i < len; i++) f[i] = (i * 7 + tag * 13) & 0xff;
  return f;
}

export class EncRig {
  clock = new VirtualClock();
  pipe: FramePipe;
  model: Enc28j60Model;
  peer: ScriptedFramePeer;
  spi: NodeSpiDevice;
  intPin: NodePin | undefined;
  driver: Enc28j60;
  /** the one timer that runs the driver's service (what the event loop keeps on a board) */
  loop: ServiceLoop;
  /** copies of delivered frames, in order */
  frames: Uint8Array[] = [];
  /** results of sent(), links, failures, in order, with everything else as "kind:value" */
  events: string[] = [];

  constructor(o: EncRigOptions = {}) {
    const clock = this.clock;
    this.pipe = new FramePipe(Object.assign({ now: () => clock.now() }, o.pipe || {}));
    this.model = new Enc28j60Model(Object.assign({ now: () => clock.now(), wire: this.pipe.a }, o.model || {}));
    this.peer = new ScriptedFramePeer(this.pipe.b, () => clock.now());
    const model = this.model;
    this.spi = new NodeSpiDevice((mosi) => model.exchange(mosi));
    if (o.int !== false) {
      const pin = new NodePin(clock, model.intn);
      model.onIntn((high) => pin.write(high));
      this.intPin = pin;
    }
    this.driver = new Enc28j60(Object.assign({ spi: this.spi, clock, int: this.intPin, mac: CHIP_MAC }, o.driver || {}));
    const self = this;
    const handler: FrameHandler = {
      frame(f: Uint8Array, len: number) { self.frames.push(new Uint8Array(f.subarray(0, len))); self.events.push('frame:' + len); },
      sent(result: number) { self.events.push('sent:' + result); },
      link(up: boolean) { self.events.push('link:' + (up ? 'up' : 'down')); },
      failure(err: number) { self.events.push('failure:' + err); },
    };
    this.driver.setHandler(handler);
    this.loop = runFrameDriver(clock, this.driver);
  }

  /** Runs firmware timers, the chip and the wire on the virtual clock until `done()` or `limitMs` passed. */
  runUntil(done: () => boolean, limitMs: number): boolean {
    return runUntil(this.clock, [this.model, this.pipe], done, limitMs);
  }

  run(ms: number): void {
    this.runUntil(() => false, ms);
  }

  /** Writes a chip register behind the driver's back (a test's fault), keeping the bank the driver believes in. */
  poke(id: number, value: number): void {
    const m = this.model;
    const x = (b: number[]) => m.exchange(new Uint8Array(b));
    const bank = m.peekRegister(0x1f) & 3;
    const want = (id >> 5) & 3;
    x([0xa0 | 0x1f, 3]);
    if (want) x([0x80 | 0x1f, want]);
    x([0x40 | (id & 0x1f), value]);
    x([0xa0 | 0x1f, 3]);
    if (bank) x([0x80 | 0x1f, bank]);
  }

  /** Model register by the driver's id (bank and address; the MAC/MII flag dropped). */
  reg(id: number): number {
    return this.model.peekRegister(id & 0x7f);
  }

  take(): string[] {
    return this.events.splice(0, this.events.length);
  }
}
