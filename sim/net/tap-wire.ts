/**
 * What every chip model on a TAP wire stands on, in real time: a namespace of its own with a TAP device whose
 * kernel side has a private address (tap.ts), an optional pcap of the wire, the rig's ms clock, and a timer that
 * runs the model at its next deadline. `openTapWire()` makes them; `close()` removes them (the namespace also goes
 * at process exit or on SIGINT/SIGTERM). Used by sim/enc28j60/tap-chip.ts and sim/w5500/tap-chip.ts.
 */
import { existsSync } from 'node:fs';
import { NetNamespace, netnsUnavailable } from './netns';
import { PcapWriter } from './pcap';
import { TapPort } from './tap';
import type { TimedDevice } from './virtual-time';

export interface TapWireOptions {
  /** namespace name prefix, ≤ 8 lowercase letters/digits; the name adds the pid and a counter */
  prefix: string;
  /** the kernel's address on the TAP, private, with prefix, e.g. 10.77.0.1/24 */
  hostAddress: string;
  /** TAP device name inside the namespace */
  ifname: string;
  /** write every frame on the wire (both directions) to this pcap file */
  pcapPath?: string;
}

export interface TapWire {
  readonly ns: NetNamespace;
  readonly tap: TapPort;
  readonly pcap: PcapWriter | undefined;
  /** the kernel's IPv4 address on the TAP (without prefix) */
  readonly hostIp: string;
  /** ms since the wire was opened (the model's clock) */
  now(): number;
  /** runs `device` at its next deadline, on a Node timer; call after anything that may move the deadline */
  drive(device: TimedDevice): () => void;
  close(): Promise<void>;
}

/** why a TAP wire cannot be made here (namespaces, python3 for the bridge, /dev/net/tun), or undefined */
export function tapUnavailable(): string | undefined {
  const why = netnsUnavailable();
  if (why) return why;
  if (!existsSync('/usr/bin/python3')) return '/usr/bin/python3 is missing (tools/install-system-deps.sh)';
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun is missing';
  return undefined;
}

export async function openTapWire(opts: TapWireOptions): Promise<TapWire> {
  const origin = performance.now();
  const now = () => performance.now() - origin;
  const ns = NetNamespace.create(opts.prefix);
  let tap: TapPort;
  let pcap: PcapWriter | undefined;
  try {
    pcap = opts.pcapPath ? new PcapWriter(opts.pcapPath, Date.now()) : undefined;
    tap = await TapPort.open({ ns, name: opts.ifname, address: opts.hostAddress, pcap, now });
  } catch (e) {
    if (pcap) pcap.close();
    ns.close();
    throw e;
  }
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  return {
    ns, tap, pcap, now,
    hostIp: opts.hostAddress.split('/')[0],
    drive(device: TimedDevice): () => void {
      const rearm = (): void => {
        if (closed) return;
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        const at = device.nextDeadline();
        if (at === undefined) return;
        // +0.05 ms so the timer does not fire a hair before the deadline and spin
        timer = setTimeout(() => { timer = undefined; device.advance(); rearm(); }, Math.max(0, at - now() + 0.05));
      };
      return rearm;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      await tap.close();
      ns.close();
      if (pcap) pcap.close();
    },
  };
}
