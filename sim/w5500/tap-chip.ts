/**
 * The W5500 model on a TAP wire in a namespace of its own, in real time, for a MACRAW driver whose peer is the
 * Linux kernel: the model's frame-level network side (frame-net.ts) connects socket 0 in MACRAW mode to the TAP
 * device the ENC28J60 rig uses too (sim/net/tap.ts, tools/tap-bridge.py). `createW5500TapChip()` makes the
 * namespace, the TAP with the kernel's private address, the model on it, and optionally a pcap; `close()` removes
 * all of it (also at process exit or on SIGINT/SIGTERM). The model's timers and the frames from the kernel run
 * from Node timers at their deadlines.
 */
import { W5500Model, type W5500ModelOptions } from './model';
import { FrameNet } from './frame-net';
import type { NetNamespace } from '../net/netns';
import type { PcapWriter } from '../net/pcap';
import type { TapPort } from '../net/tap';
import { openTapWire } from '../net/tap-wire';

export interface W5500TapChipOptions {
  /** namespace name prefix, ≤ 8 lowercase letters/digits (default 'w5m'); the name adds the pid and a counter */
  prefix?: string;
  /** the kernel's address on the TAP, private, with prefix (default 10.79.0.1/24) */
  hostAddress?: string;
  /** TAP device name inside the namespace (default w5m0) */
  ifname?: string;
  /** write every frame on the wire (both directions) to this pcap file */
  pcapPath?: string;
  /** model options (trace, …); `now` and `net` are the rig's */
  model?: Partial<W5500ModelOptions>;
}

export interface W5500TapChip {
  readonly chip: W5500Model;
  readonly net: FrameNet;
  readonly ns: NetNamespace;
  readonly tap: TapPort;
  /** the kernel's IPv4 address on the TAP (without prefix) */
  readonly hostIp: string;
  readonly pcap: PcapWriter | undefined;
  /** one chip-select window (advances the model and re-arms its timer) */
  exchange(mosi: Uint8Array): Uint8Array;
  /** ms since the rig started (the model's clock) */
  now(): number;
  close(): Promise<void>;
}

export async function createW5500TapChip(opts: W5500TapChipOptions = {}): Promise<W5500TapChip> {
  const wire = await openTapWire({ prefix: opts.prefix || 'w5m', hostAddress: opts.hostAddress || '10.79.0.1/24', ifname: opts.ifname || 'w5m0', pcapPath: opts.pcapPath });
  const port = wire.tap;
  // every frame from the kernel re-arms the timer: the model takes it at its next poll, due now
  const net = new FrameNet({
    send(frame, fcsBad) { port.send(frame, fcsBad); },
    setReceiver(rx) { port.setReceiver(rx ? (f, bad) => { rx(f, bad); rearm(); } : undefined); },
  }, { now: wire.now });
  const chip = new W5500Model(Object.assign({}, opts.model || {}, { now: wire.now, net }));
  const rearm = wire.drive(chip);
  return {
    chip, net, ns: wire.ns, tap: port, pcap: wire.pcap, now: wire.now, hostIp: wire.hostIp,
    exchange(mosi: Uint8Array): Uint8Array {
      const miso = chip.exchange(mosi);
      rearm();
      return miso;
    },
    async close(): Promise<void> {
      chip.close();
      await wire.close();
    },
  };
}
