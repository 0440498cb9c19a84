/**
 * The TAP rigs of the conformance suite: the software transport (our own TCP/IP stack) over a MAC-level chip
 * model whose wire is a TAP device in a network namespace the rig creates, with the kernel of that namespace as
 * every peer (NamespacePeers). Real time. Two chips on the same TAP side:
 *  - the ENC28J60 model and the ENC28J60 driver;
 *  - the W5500 model with socket 0 in MACRAW (its frame-level network side) and the W5500 MACRAW driver.
 * The chip and its wire run in their own thread (Enc28j60Thread), so they go on while the firmware blocks; the
 * firmware is built by startNetwork from the NIC's name, as on a board. close() removes the namespace.
 */
import { RealClock } from '../../hal/node/real-clock';
import { NodeSpiDevice } from '../../hal/node/spi';
import { startNetwork } from '../../firmware/runtime';
import type { NetOptions } from '../../firmware/runtime';
import type { BoardHal } from '../../firmware/app/app';
import type { NicConfig } from '../../firmware/nic';
import { defaultTcpConfig } from '../../firmware/net/tcp/config';
import { Enc28j60Thread } from '../enc28j60/worker-client';
import { tapUnavailable } from '../net/tap-wire';
import type { ConformanceRig } from './rig';
import { RigUnavailable } from './rig';
import { NamespacePeers } from './ns-peers';

export type TapNic = 'enc28j60' | 'w5500-macraw';

export interface TapRigOptions {
  /** extra stack options (closeTimeoutMs, tcp, …) */
  stack?: Partial<NetOptions>;
  /** a pcap of every frame on the wire */
  pcapPath?: string;
}

/** endpoints the software transport is built with here (NetOptions.maxEndpoints) */
const ENDPOINTS = 16;

const SUBNET: Record<TapNic, number> = { 'enc28j60': 84, 'w5500-macraw': 85 };

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Builds a rig for `nic`; RigUnavailable when namespaces or the TAP cannot be made here. */
export async function tapRig(nic: TapNic, o: TapRigOptions = {}): Promise<ConformanceRig> {
  const why = tapUnavailable();
  if (why) throw new RigUnavailable('the TAP rig needs a network namespace: ' + why);
  const net = SUBNET[nic];
  const hostIp = `10.${net}.0.1`;
  const deviceIp = `10.${net}.0.2`;
  const clock = new RealClock();
  const w5500 = nic === 'w5500-macraw';
  const thread = await Enc28j60Thread.start({
    clock,
    prefix: w5500 ? 'cfw' : 'cfe',
    hostAddress: hostIp + '/24',
    ifname: w5500 ? 'cfw0' : 'cfe0',
    pcapPath: o.pcapPath,
    w5500: w5500 ? {} : undefined,
  });
  let peers: NamespacePeers;
  try {
    // The kernel peers acknowledge at once (no delayed ACK on the TAP's route): a test that lets the last ACK
    // reach the device before an abortive close then finds 0 bytes unacknowledged, as it does on the W5500 host
    // side, which counts bytes acknowledged when the kernel took them.
    thread.exec(['ip', 'route', 'replace', `10.${net}.0.0/24`, 'dev', w5500 ? 'cfw0' : 'cfe0', 'src', hostIp, 'quickack', '1']);
    peers = await NamespacePeers.start({ ns: thread.host().ns, ip: hostIp, deviceIp });
  } catch (e) {
    await thread.close();
    throw e;
  }
  const log: string[] = [];
  const nicConfig = (w5500 ? { name: 'w5500-macraw' } : { name: 'enc28j60' }) as NicConfig;
  const hal: BoardHal = { board: 'tap-rig', nic: nicConfig, spi: new NodeSpiDevice(thread.exchange), int: thread.intPin, rst: undefined, clock, log: (l) => { log.push(l); } };
  const opts = Object.assign({
    mac: new Uint8Array([0x02, 0x00, 0x00, 0x12, 0x34, 0x56]),
    ip: deviceIp,
    subnet: '255.255.255.0',
    gateway: hostIp,
    maxEndpoints: ENDPOINTS,
    // retransmissions from 100 ms, 5 of them: a silent peer times out after 6.3 s (as the W5500 host rig's RTR/RCR),
    // above the 4 s close bound and the lingers the suite measures, and within a test's time
    tcp: Object.assign(defaultTcpConfig(), { rtoInit: 100, rtoMin: 100, maxRetries: 5 }),
  }, o.stack || {}) as NetOptions;
  const stack = startNetwork(hal, opts);
  if (!stack.api || !stack.transport) {
    await peers.stop();
    await thread.close();
    throw new Error(`${nic} through TAP: ${stack.reason}`);
  }
  const api = stack.api;
  const transport = stack.transport;
  const state = { tainted: false };
  const runUntil = async (pred: () => boolean, ms: number): Promise<boolean> => {
    const end = clock.now() + ms;
    while (!pred()) {
      if (clock.now() >= end) return false;
      await sleep(1);
    }
    return true;
  };
  return {
    name: (w5500 ? 'W5500 model in MACRAW + MACRAW driver' : 'ENC28J60 model + ENC28J60 driver') +
      ' + software transport, TAP into a namespace (kernel peers, real time)',
    api,
    deviceIp,
    peers,
    canSendReset: transport.caps.canSendReset,
    peersReactWhileBlocked: false,
    realTime: true,
    totalEndpoints: ENDPOINTS,
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
    async close() {
      stack.stop();
      clock.clearAll();
      await peers.stop();
      await thread.close();
    },
  };
}

export const enc28j60TapRig = (): Promise<ConformanceRig> => tapRig('enc28j60');
export const w5500MacrawTapRig = (): Promise<ConformanceRig> => tapRig('w5500-macraw');
