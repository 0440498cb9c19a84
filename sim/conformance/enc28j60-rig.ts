/**
 * The conformance rig of the software transport on frame pipes: the firmware's own composition
 * (startNetwork: ENC28J60 driver → software transport → socket layer) over the ENC28J60 model, a frame
 * pipe with seeded impairments (loss, reordering) and scripted TCP/IP hosts as peers, all in virtual
 * time (sim/software/enc28j60-world.ts). The peers misbehave on cue: silent (the retransmission
 * timeout), zero window, RST.
 */
import { startNetwork } from '../../firmware/runtime';
import type { NetOptions } from '../../firmware/runtime';
import { defaultTcpConfig } from '../../firmware/net/tcp/config';
import { Enc28j60World, DEVICE_IP, PEER_IP } from '../software/enc28j60-world';
import type { Enc28j60WorldOptions } from '../software/enc28j60-world';
import type { ConformanceRig, PeerConn } from './rig';
import { StackPeers, StackPeerConn } from './stack-peers';

export interface Enc28j60FrameRigOptions extends Enc28j60WorldOptions {
  /** over the bench network's settings */
  stack?: Partial<NetOptions>;
}

export type Enc28j60FrameRig = ConformanceRig & { readonly world: Enc28j60World };

export function enc28j60FrameRig(o: Enc28j60FrameRigOptions = {}): Promise<Enc28j60FrameRig> {
  const w = new Enc28j60World(o);
  const log: string[] = [];
  // RTO floor 200 ms (as Linux) and 6 retransmissions: an unanswered segment times out after about
  // 25 s instead of the RFC defaults' minutes, yet above the 4 s close bound and the lingers the suite measures
  const tcp = Object.assign(defaultTcpConfig(), { rtoMin: 200, maxRetries: 6 });
  const net = startNetwork(w.hal({ name: 'enc28j60' }, (l) => log.push(l)), Object.assign({
    mac: new Uint8Array([0x02, 0x00, 0x00, 0x12, 0x34, 0x56]),
    ip: DEVICE_IP,
    subnet: '255.255.255.0',
    gateway: '192.168.1.1',
    tcp,
  }, o.stack ?? {}));
  if (!net.api || !net.transport) throw new Error('the software stack did not start: ' + net.reason);
  const api = net.api;
  const t = net.transport;
  const peers = new StackPeers(PEER_IP, DEVICE_IP, w.peer);
  const state = { tainted: false };
  const total = t.available();
  const rig: Enc28j60FrameRig = {
    world: w,
    name: 'ENC28J60 model, software transport, frame pipe (scripted TCP/IP peers, virtual time)',
    api,
    deviceIp: DEVICE_IP,
    peers,
    canSendReset: t.caps.canSendReset,
    peersReactWhileBlocked: true,
    realTime: false,
    totalEndpoints: total,
    now: () => w.clock.now(),
    run: (ms) => { w.run(ms); return Promise.resolve(); },
    runUntil: (pred, ms) => Promise.resolve(w.runUntil(pred, ms)),
    freeEndpoints: () => t.available(),
    get tainted() { return state.tainted; },
    failNic: () => { state.tainted = true; w.model.faults.chipAbsent = 0xff; },
    silencePeer: (c: PeerConn) => { state.tainted = true; (c as StackPeerConn).p.setSilent(true); },
    faults: {
      link: (up: boolean) => { state.tainted = true; w.model.faults.link(up); },
      // the ENC28J60 has no multi-byte counters read in two halves: a window cut short is its torn read
      tornReads: (on: boolean) => { state.tainted = true; if (on) w.model.faults.tearNext(2); },
      chipReset: () => { state.tainted = true; w.model.faults.reset(); },
    },
    close() {
      peers.closeAll();
      net.stop();
      return Promise.resolve();
    },
  };
  return Promise.resolve(rig);
}
