/**
 * The W5500 model with socket 0 in MACRAW mode on a frame pipe (its frame-level network side,
 * sim/w5500/frame-net.ts), in virtual time, with the scripted TCP/IP host (sim/net/stack-peer.ts) at the
 * pipe's other end: the ENC28J60 world (enc28j60-world.ts) with the other MAC-level chip, so the software
 * transport's rigs run on the W5500 MACRAW driver the same way. The chip, the wire and the peer catch up on
 * every SPI window and every read of the INT line, so they go on while the firmware blocks.
 */
import { VirtualClock } from '../net/virtual-clock';
import { runUntil } from '../net/virtual-time';
import type { TimedDevice } from '../net/virtual-time';
import { FramePipe } from '../net/frame-pipe';
import { StackPeer } from '../net/stack-peer';
import { NodeSpiDevice } from '../../hal/node/spi';
import { NodePin } from '../../hal/node/pins';
import type { InputPin } from '../../hal/pins';
import { Edge } from '../../hal/pins';
import { W5500Model } from '../w5500/model';
import type { W5500ModelOptions } from '../w5500/model';
import { FrameNet } from '../w5500/frame-net';
import type { BoardHal } from '../../firmware/app/app';
import type { NicConfig } from '../../firmware/nic';
import { MASK, PEER, PEER_MAC } from './enc28j60-world';
import type { Enc28j60WorldOptions } from './enc28j60-world';

export interface MacrawWorldOptions extends Omit<Enc28j60WorldOptions, 'model'> {
  model?: Partial<W5500ModelOptions>;
}

export class MacrawWorld {
  readonly clock = new VirtualClock();
  readonly pipe: FramePipe;
  readonly net: FrameNet;
  readonly model: W5500Model;
  readonly peer: StackPeer;
  readonly spi: NodeSpiDevice;
  readonly int: InputPin | undefined;
  readonly devices: TimedDevice[];

  constructor(o: MacrawWorldOptions = {}) {
    const clock = this.clock;
    const now = (): number => clock.now();
    this.pipe = new FramePipe(Object.assign({ now, seed: o.seed ?? 1, delayMs: 0.1 }, o.impair ?? {}));
    this.net = new FrameNet(this.pipe.a, { now });
    this.model = new W5500Model(Object.assign({ now, net: this.net }, o.model ?? {}));
    this.peer = new StackPeer({ now, port: this.pipe.b, mac: PEER_MAC, ip: PEER, mask: MASK, tcp: o.peerTcp });
    this.devices = [this.pipe, this.peer, this.model];
    const devices = this.devices;
    const catchUp = (): void => { for (const d of devices) d.advance(); };
    const model = this.model;
    this.spi = new NodeSpiDevice((mosi) => { catchUp(); return model.exchange(mosi); });
    if (o.int !== false) {
      const pin = new NodePin(clock, model.intn);
      model.onIntn((high) => pin.write(high));
      this.int = {
        read(): boolean { catchUp(); return pin.read(); },
        watch(edge: Edge, fn: (high: boolean) => void): number { return pin.watch(edge, fn); },
        unwatch(h: number): void { pin.unwatch(h); },
      };
    }
  }

  /** what a board hands the firmware: this world's SPI device, INT line and clock */
  hal(nic: NicConfig = { name: 'w5500-macraw' }, log: (line: string) => void = () => undefined): BoardHal {
    return { board: 'virtual', nic, spi: this.spi, int: this.int, rst: undefined, clock: this.clock, log };
  }

  run(ms: number): void {
    runUntil(this.clock, this.devices, () => false, ms);
  }

  runUntil(done: () => boolean, ms: number): boolean {
    return runUntil(this.clock, this.devices, done, ms);
  }

  /** SPI windows so far */
  bus(): number {
    return this.model.trace.counters.transactions;
  }
}
