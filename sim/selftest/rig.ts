/**
 * The firmware over the W5500 model on the virtual network, in one thread on one virtual clock: what the
 * self-test runs its scenarios on. Espruino-compatible, like everything the self-test bundles.
 */
import { VirtualClock } from '../net/virtual-clock';
import { runUntil } from '../net/virtual-time';
import { VirtualNet } from '../w5500/virtual-net';
import { W5500Model } from '../w5500/model';
import { ModelIntPin } from '../w5500/model-int-pin';
import { NodeSpiDevice } from '../../hal/node/spi';
import { startNetwork } from '../../firmware/runtime';
import type { NetStack } from '../../firmware/runtime';
import type { SocketLayer } from '../../firmware/socket/layer';

export const DEVICE_IP = '192.168.1.20';
export const PEER_IP = '192.168.1.10';
const SOCKET_KB = [1, 1, 1, 1, 1, 1, 1, 1];

export class SelfRig {
  readonly clock: VirtualClock;
  readonly net: VirtualNet;
  readonly model: W5500Model;
  readonly stack: NetStack;
  readonly api: SocketLayer;
  readonly log: string[] = [];

  constructor() {
    const clock = new VirtualClock();
    this.clock = clock;
    this.net = new VirtualNet({ now: function () { return clock.now(); }, wireLog: false });
    const model = new W5500Model({ net: this.net, now: function () { return clock.now(); } });
    this.model = model;
    const lines = this.log;
    this.stack = startNetwork({
      board: 'selftest',
      nic: { name: 'w5500', hardResetStaleSockets: false },
      spi: new NodeSpiDevice(function (mosi: Uint8Array) { return model.exchange(mosi); }),
      int: new ModelIntPin(clock, model),
      rst: undefined,
      clock: clock,
      log: function (l: string) { lines.push(l); },
    }, {
      mac: new Uint8Array([0x02, 0x00, 0x00, 0x12, 0x34, 0x56]), ip: DEVICE_IP, subnet: '255.255.255.0', gateway: '192.168.1.1',
      // 1 KB per socket and direction: the model then backs 8 KB of each 16 KB memory (sim/w5500/buffers.ts)
      txBufKB: SOCKET_KB, rxBufKB: SOCKET_KB,
    });
    if (!this.stack.api) throw new Error('W5500 bring-up failed: ' + this.stack.error);
    this.api = this.stack.api;
  }

  /** lets `ms` of virtual time pass, firmware timers and chip deadlines in order */
  run(ms: number): void {
    runUntil(this.clock, [this.model], function () { return false; }, ms);
  }
  /** runs until `done()` holds or `ms` passed; returns whether it held */
  until(done: () => boolean, ms: number): boolean {
    return runUntil(this.clock, [this.model], done, ms);
  }
  /** the W5500's 8 hardware sockets less what the transport holds */
  freeHardwareSockets(): number {
    return this.stack.transport ? 8 - this.stack.transport.held() : -1;
  }
  close(): void {
    this.stack.stop();
    this.model.close();
  }
}
