/**
 * The TAP rigs of the conformance suite: the software transport (our own TCP/IP stack) over a MAC-level chip
 * model whose wire is a TAP device in a network namespace the rig creates, with the kernel of that namespace as
 * every peer (NamespacePeers). Real time. Two chips on the same TAP side:
 *  - the ENC28J60 model and the ENC28J60 driver;
 *  - the W5500 model with socket 0 in MACRAW (its frame-level network side) and the W5500 MACRAW driver.
 * The chip and its wire run in their own thread (Enc28j60Thread), so they go on while the firmware blocks; the
 * firmware is built by startNetwork from the NIC's name, as on a board. A TapSide (namespace, TAP, chip thread, peers)
 * serves rig after rig; closing it removes the namespace.
 */
import { RealClock } from '../../hal/node/real-clock';
import { NodeSpiDevice } from '../../hal/node/spi';
import { startNetwork } from '../../firmware/runtime';
import type { NetOptions } from '../../firmware/runtime';
import type { BoardHal } from '../../firmware/app/app';
import type { NicConfig } from '../../firmware/nic';
import { defaultTcpConfig } from '../../firmware/net/tcp/config';
import type { SoftwareTransport } from '../../firmware/transport/software/software';
import { Enc28j60Thread } from '../enc28j60/worker-client';
import { tapUnavailable } from '../net/tap-wire';
import type { ConformanceRig, RigFactory } from './rig';
import { RigUnavailable } from './rig';
import { NamespacePeers } from './ns-peers';

export type TapNic = 'enc28j60' | 'w5500-macraw';

export interface TapSideOptions {
  /** a pcap of every frame on the wire */
  pcapPath?: string;
}

/** a conformance rig through TAP, with the software transport under it (for tools and figures) */
export type TapStackRig = ConformanceRig & { readonly transport: SoftwareTransport };

/** endpoints the software transport is built with here (NetOptions.maxEndpoints) */
const ENDPOINTS = 16;

const SUBNET: Record<TapNic, number> = { 'enc28j60': 84, 'w5500-macraw': 85 };

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The TAP side of a rig, built once and used by rig after rig: the namespace with its TAP device, the chip model in
 * its thread, the kernel peers' agent. Each `rig()` is a fresh firmware (startNetwork, a new socket layer and
 * stack) on the same chip after a reset pulse with every fault cleared, so a test that broke its rig (a failed NIC,
 * a pulled cable) costs a firmware start, not a namespace, a thread and an agent.
 */
export class TapSide {
  /** the rig on this side now, if any (one at a time) */
  private current: TapStackRig | undefined;
  private used = false;

  private constructor(readonly nic: TapNic, readonly thread: Enc28j60Thread, readonly peers: NamespacePeers,
    readonly clock: RealClock, readonly deviceIp: string, readonly hostIp: string) {}

  /** namespace, TAP, chip thread and peers for `nic`; RigUnavailable when namespaces or the TAP cannot be made here */
  static async open(nic: TapNic, o: TapSideOptions = {}): Promise<TapSide> {
    const why = tapUnavailable();
    if (why) throw new RigUnavailable('the TAP rig needs a network namespace: ' + why);
    const net = SUBNET[nic];
    const hostIp = `10.${net}.0.1`;
    const deviceIp = `10.${net}.0.2`;
    const clock = new RealClock();
    const w5500 = nic === 'w5500-macraw';
    const ifname = w5500 ? 'cfw0' : 'cfe0';
    const thread = await Enc28j60Thread.start({
      clock,
      prefix: w5500 ? 'cfw' : 'cfe',
      hostAddress: hostIp + '/24',
      ifname,
      pcapPath: o.pcapPath,
      w5500: w5500 ? {} : undefined,
    });
    try {
      // The kernel peers acknowledge at once (no delayed ACK on the TAP's route): a test that lets the last ACK
      // reach the device before an abortive close then finds 0 bytes unacknowledged, as it does on the W5500 host
      // side, which counts bytes acknowledged when the kernel took them.
      thread.exec(['ip', 'route', 'replace', `10.${net}.0.0/24`, 'dev', ifname, 'src', hostIp, 'quickack', '1']);
      const peers = await NamespacePeers.start({ ns: thread.host().ns, ip: hostIp, deviceIp });
      return new TapSide(nic, thread, peers, clock, deviceIp, hostIp);
    } catch (e) {
      await thread.close();
      throw e;
    }
  }

  /** a fresh firmware on this side (the previous rig must be closed) */
  rig(stack: Partial<NetOptions> = {}): Promise<TapStackRig> {
    if (this.current) return Promise.reject(new Error('the previous rig on this TAP side is still open'));
    const w5500 = this.nic === 'w5500-macraw';
    const thread = this.thread;
    if (this.used) {
      // what the last rig's faults left: no chip on the bus, a pulled cable, torn reads; then an RST pulse
      thread.fault('chipAbsent', false);
      thread.fault('link', true);
      if (w5500) thread.fault('tornReads', false);
      thread.hardReset();
    }
    this.used = true;
    const clock = this.clock;
    const log: string[] = [];
    const nicConfig = (w5500 ? { name: 'w5500-macraw' } : { name: 'enc28j60' }) as NicConfig;
    const hal: BoardHal = { board: 'tap-rig', nic: nicConfig, spi: new NodeSpiDevice(thread.exchange), int: thread.intPin, rst: undefined, clock, log: (l) => { log.push(l); } };
    const opts = Object.assign({
      mac: new Uint8Array([0x02, 0x00, 0x00, 0x12, 0x34, 0x56]),
      ip: this.deviceIp,
      subnet: '255.255.255.0',
      gateway: this.hostIp,
      maxEndpoints: ENDPOINTS,
      // retransmissions from 100 ms, 5 of them: a silent peer times out after 6.3 s (as the W5500 host rig's RTR/RCR),
      // above the 4 s close bound and the lingers the suite measures, and within a test's time
      tcp: Object.assign(defaultTcpConfig(), { rtoInit: 100, rtoMin: 100, maxRetries: 5 }),
    }, stack) as NetOptions;
    const net = startNetwork(hal, opts);
    if (!net.api || !net.transport) return Promise.reject(new Error(`${this.nic} through TAP: ${net.reason}`));
    const api = net.api;
    const transport = net.transport as SoftwareTransport;
    const peers = this.peers;
    const state = { tainted: false, closed: false };
    const runUntil = async (pred: () => boolean, ms: number): Promise<boolean> => {
      const end = clock.now() + ms;
      while (!pred()) {
        if (clock.now() >= end) return false;
        await sleep(1);
      }
      return true;
    };
    const rig: TapStackRig = {
      name: (w5500 ? 'W5500 model in MACRAW + MACRAW driver' : 'ENC28J60 model + ENC28J60 driver') +
        ' + software transport, TAP into a namespace (kernel peers, real time)',
      api,
      deviceIp: this.deviceIp,
      peers,
      canSendReset: transport.caps.canSendReset,
      peersReactWhileBlocked: false,
      realTime: true,
      totalEndpoints: ENDPOINTS,
      transport,
      now: () => clock.now(),
      run: (ms) => sleep(ms),
      runUntil,
      freeEndpoints: () => ENDPOINTS - transport.held(),
      get tainted() { return state.tainted; },
      failNic: () => { state.tainted = true; thread.fault('chipAbsent', w5500 ? true : 0xff); },
      // a cable pulled: nothing crosses, so the device's retransmissions run out
      silencePeer: () => { state.tainted = true; thread.fault('link', false); },
      faults: {
        link: (up: boolean) => { state.tainted = true; thread.fault('link', up); },
        tornReads: (on: boolean) => { state.tainted = true; if (w5500) thread.fault('tornReads', on ? 'both' : false); },
        chipReset: () => { state.tainted = true; thread.hardReset(); },
      },
      close: () => {
        if (state.closed) return Promise.resolve();
        state.closed = true;
        net.stop();
        clock.clearAll();
        peers.closeAll();
        this.current = undefined;
        return Promise.resolve();
      },
    };
    this.current = rig;
    return Promise.resolve(rig);
  }

  /** removes the namespace, the thread and the agent (closing the open rig first) */
  async close(): Promise<void> {
    if (this.current) await this.current.close();
    await this.peers.stop();
    await this.thread.close();
  }
}

export interface TapRigs {
  /** opens the TAP side now (in a `before` hook: its build is the rig's, not a test's); a failure is kept for `factory` */
  open(): Promise<void>;
  /** the conformance suite's factory: a fresh firmware on the one TAP side; throws what opening the side threw */
  factory: RigFactory;
  /** removes the side (in the test file's `after`) */
  close(): Promise<void>;
}

/** Rigs for the conformance suite on one TAP side, opened once per test file. */
export function tapRigs(nic: TapNic, o: TapSideOptions = {}): TapRigs {
  let side: TapSide | undefined;
  let failed: unknown;
  const open = async (): Promise<void> => {
    if (side) return;
    try {
      side = await TapSide.open(nic, o);
      failed = undefined;
    } catch (e) {
      failed = e;
    }
  };
  return {
    open,
    factory: async () => {
      // a side that could not be built is not tried again test after test: each fails (or skips) with its reason
      if (!side && failed === undefined) await open();
      if (!side) throw failed;
      return side.rig();
    },
    async close() {
      const s = side;
      side = undefined;
      if (s) await s.close();
    },
  };
}
