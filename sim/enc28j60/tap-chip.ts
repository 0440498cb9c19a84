/**
 * The ENC28J60 model on a TAP wire in a namespace of its own, in real time: the rig for tests whose peer is the
 * Linux kernel (ARP, ICMP, UDP, TCP). `createTapChip()` makes the namespace, the TAP device with the kernel's
 * private address, the model attached to it, and optionally a pcap of every frame; `close()` removes all of it
 * (also done at process exit or on SIGINT/SIGTERM). The model's own timers (a frame leaving the transmitter, MII,
 * a link flap) run from Node timers at their deadlines.
 */
import { Enc28j60Model, type Enc28j60ModelOptions } from './model';
import type { FramePort, FrameReceiver } from '../net/frame-port';
import type { NetNamespace } from '../net/netns';
import type { PcapWriter } from '../net/pcap';
import type { TapPort } from '../net/tap';
import { openTapWire } from '../net/tap-wire';

export interface TapChipOptions {
  /** namespace name prefix, ≤ 8 lowercase letters/digits (default 'encm'); the name adds the pid and a counter */
  prefix?: string;
  /** the kernel's address on the TAP, private, with prefix (default 10.77.0.1/24) */
  hostAddress?: string;
  /** TAP device name inside the namespace (default enc0) */
  ifname?: string;
  /** write every frame on the wire (both directions) to this pcap file */
  pcapPath?: string;
  /** model options (trace, errata, …); `now` and `wire` are the rig's */
  model?: Partial<Enc28j60ModelOptions>;
}

export interface TapChip {
  readonly chip: Enc28j60Model;
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

export async function createTapChip(opts: TapChipOptions = {}): Promise<TapChip> {
  const wire = await openTapWire({ prefix: opts.prefix || 'encm', hostAddress: opts.hostAddress || '10.77.0.1/24', ifname: opts.ifname || 'enc0', pcapPath: opts.pcapPath });
  const port = wire.tap;
  // the model's wire, with a re-arm of its timer after every frame from the kernel
  const modelWire: FramePort = {
    send(frame, fcsBad) { port.send(frame, fcsBad); },
    setReceiver(rx: FrameReceiver | undefined) {
      port.setReceiver(rx ? (f, bad) => { rx(f, bad); rearm(); } : undefined);
    },
  };
  const chip = new Enc28j60Model(Object.assign({}, opts.model || {}, { now: wire.now, wire: modelWire }));
  const rearm = wire.drive(chip);
  return {
    chip, ns: wire.ns, tap: port, pcap: wire.pcap, now: wire.now, hostIp: wire.hostIp,
    exchange(mosi: Uint8Array): Uint8Array {
      const miso = chip.exchange(mosi);
      rearm();
      return miso;
    },
    close: () => wire.close(),
  };
}
