/**
 * The ENC28J60 model on a frame pipe, in virtual time, with a scripted TCP/IP host (sim/net/stack-peer.ts)
 * at the pipe's other end: everything the software transport's rigs stand on. One virtual clock for
 * the firmware, the chip, the wire and the peer. The chip, the wire and the peer also catch up on
 * every SPI window and every read of the INT line, so they go on while the firmware blocks (a
 * blocking call pauses the clock and runs no timer, as on a board).
 *
 * The firmware side is built by the rig: through startNetwork (`hal()`: the firmware's own
 * composition) or as a bare transport over a driver on `spi`/`int`.
 */
import { VirtualClock } from '../net/virtual-clock';
import { runUntil } from '../net/virtual-time';
import type { TimedDevice } from '../net/virtual-time';
import { FramePipe } from '../net/frame-pipe';
import type { Impairments } from '../net/frame-pipe';
import { StackPeer } from '../net/stack-peer';
import type { TcpConfig } from '../../firmware/net/tcp/config';
import { NodeSpiDevice } from '../../hal/node/spi';
import { NodePin } from '../../hal/node/pins';
import type { InputPin } from '../../hal/pins';
import { Edge } from '../../hal/pins';
import { Enc28j60Model } from '../enc28j60/model';
import type { Enc28j60ModelOptions } from '../enc28j60/model';
import type { BoardHal } from '../../firmware/app/app';
import type { NicConfig } from '../../firmware/nic';

export const DEVICE_IP = '192.168.1.20';
export const PEER_IP = '192.168.1.10';
export const DEVICE = 0xc0a80114;
export const PEER = 0xc0a8010a;
export const MASK = 0xffffff00;
export const DEVICE_MAC = new Uint8Array([0x02, 0x00, 0x00, 0x12, 0x34, 0x56]);
export const PEER_MAC = new Uint8Array([0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc]);

export interface Enc28j60WorldOptions {
  /** seed of the pipe's impairments (default 1) */
  seed?: number;
  /** impairments of both directions (default: 0.1 ms one way, nothing else) */
  impair?: Impairments;
  /** the INT line wired (default true) */
  int?: boolean;
  model?: Partial<Enc28j60ModelOptions>;
  /** the peer's TCP settings (default: StackPeer's) */
  peerTcp?: TcpConfig;
}

export class Enc28j60World {
  readonly clock = new VirtualClock();
  readonly pipe: FramePipe;
  readonly model: Enc28j60Model;
  readonly peer: StackPeer;
  readonly spi: NodeSpiDevice;
  readonly int: InputPin | undefined;
  readonly devices: TimedDevice[];

  constructor(o: Enc28j60WorldOptions = {}) {
    const clock = this.clock;
    const now = (): number => clock.now();
    this.pipe = new FramePipe(Object.assign({ now, seed: o.seed ?? 1, delayMs: 0.1 }, o.impair ?? {}));
    this.model = new Enc28j60Model(Object.assign({ now, wire: this.pipe.a }, o.model ?? {}));
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
  hal(nic: NicConfig = { name: 'enc28j60' }, log: (line: string) => void = () => undefined): BoardHal {
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
