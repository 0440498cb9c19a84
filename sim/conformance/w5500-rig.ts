/**
 * The W5500 rigs of the conformance suite, built with sim/harness.ts (the firmware's own composition:
 * driver → offload transport → socket layer over the chip model), either
 *  - on the virtual network, in virtual time, with scripted peers, or
 *  - on the host network, in real time, the model in its own thread, with the kernel's TCP as peers.
 * Everything W5500-specific the suite may need lives here.
 */
import * as net from 'node:net';
import { createHarness } from '../harness';
import type { Harness, HarnessOptions } from '../harness';
import type { ConformanceRig, PeerConn } from './rig';
import { RigUnavailable } from './rig';
import { KernelPeers } from './kernel-peers';
import { VirtualPeers, VirtualPeerConn } from './virtual-peers';

export const DEVICE_IP = '192.168.1.20';
export const PEER_IP = '192.168.1.10';
const HW_SOCKETS = 8;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function common(h: Harness, name: string, peers: ConformanceRig['peers'], state: { tainted: boolean }): Omit<ConformanceRig, 'silencePeer' | 'peersReactWhileBlocked'> {
  return {
    name,
    api: h.api,
    deviceIp: DEVICE_IP,
    peers,
    canSendReset: h.transport.caps.canSendReset,
    realTime: h.time === 'real',
    totalEndpoints: HW_SOCKETS,
    now: () => h.clock.now(),
    run: (ms) => h.run(ms),
    runUntil: (pred, ms) => h.runUntil(pred, ms),
    freeEndpoints: () => h.freeHardwareSockets(),
    get tainted() { return state.tainted; },
    failNic: () => { state.tainted = true; h.faults.set('chipAbsent', true); },
    faults: {
      link: (up: boolean) => { state.tainted = true; h.faults.link(up); },
      tornReads: (on: boolean) => { state.tainted = true; h.faults.set('tornReads', on ? 'both' : false); },
      chipReset: () => { state.tainted = true; h.faults.hardReset(); },
    },
    async close() {
      peers.closeAll();
      await h.close();
    },
  };
}

/** the chip model on the virtual network, one virtual clock for model, firmware and peers */
export async function w5500VirtualRig(): Promise<ConformanceRig> {
  const h = await createHarness({ network: 'virtual', time: 'virtual', ip: DEVICE_IP });
  const peers = new VirtualPeers(PEER_IP, DEVICE_IP, h.vnet!);
  const state = { tainted: false };
  return Object.assign(common(h, 'W5500 model, virtual network (scripted peers, virtual time)', peers, state), {
    peersReactWhileBlocked: true,
    silencePeer: (c: PeerConn) => { state.tainted = true; (c as VirtualPeerConn).peer.setSilent(true); },
  });
}

/** the chip model in its own thread on the host network: every peer is the kernel's TCP on loopback (`harness`: for figures) */
export async function w5500HostRig(extra: Partial<HarnessOptions> = {}): Promise<ConformanceRig & { readonly harness: Harness }> {
  let h: Harness;
  try {
    // RTR 100 ms, RCR 5: TCP_TO 6.3 s instead of the chip default's 31.8 s, yet above the 4 s close bound and the
    // lingers the suite measures (the chip ends an unanswered FIN_WAIT_2 itself at TCP_TO)
    h = await createHarness(Object.assign({ network: 'host', time: 'real', ip: DEVICE_IP, stack: { rtr: 1000, rcr: 5 } }, extra) as HarnessOptions);
  } catch (e) {
    throw new RigUnavailable('the W5500 model with the host network side did not start: ' + (e as Error).message);
  }
  const host = h.host!;
  const hostIp = host.toHost(PEER_IP);
  if (hostIp === undefined) {
    await h.close();
    throw new Error(`no loopback route for ${PEER_IP}`);
  }
  // a kernel peer must be able to listen on the peer's loopback address
  const probe = net.createServer();
  const probed = await new Promise<string | undefined>((resolve) => {
    probe.once('error', (e) => resolve(e.message));
    probe.listen(0, hostIp, () => probe.close(() => resolve(undefined)));
  });
  if (probed !== undefined) {
    await h.close();
    throw new RigUnavailable(`no kernel peer can listen on ${hostIp}: ${probed}`);
  }
  const peers = new KernelPeers({
    ip: PEER_IP,
    hostIp,
    async deviceAddress(port: number) {
      for (let i = 0; i < 1000; i++) {
        const b = host.hostAddress(port, 'tcp');
        if (b) return { host: b.address, port: b.port };
        await sleep(2);
      }
      throw new Error(`the chip's TCP port ${port} never opened on the host`);
    },
  });
  const state = { tainted: false };
  return Object.assign(common(h, 'W5500 model, host network (kernel peers on loopback, real time)', peers, state), {
    peersReactWhileBlocked: false,
    // A cable pulled: nothing crosses, so the chip's retransmission timer runs out.
    silencePeer: () => { state.tainted = true; h.faults.link(false); },
    harness: h,
  });
}
