/**
 * The W5500 rigs of the conformance suite: the whole stack as a board runs it (driver → offload
 * transport → socket layer, composed by firmware/runtime.ts) over the chip model, either
 *  - on the virtual network, in virtual time, with scripted peers, or
 *  - on the host network, in real time, the model in its own thread, with the kernel's TCP as peers.
 * Everything W5500-specific the suite may need lives here.
 */
import type { BoardHal } from '../../firmware/app/app';
import { startNetwork } from '../../firmware/runtime';
import type { NetStack } from '../../firmware/runtime';
import { VirtualClock } from '../../hal/node/virtual-clock';
import { RealClock } from '../../hal/node/real-clock';
import { NodeSpiDevice } from '../../hal/node/spi';
import { NodePin } from '../../hal/node/pins';
import { W5500Model } from '../../sim/w5500/model';
import { VirtualNet } from '../../sim/w5500/virtual-net';
import { W5500Thread } from '../../sim/w5500/worker-client';
import type { ConformanceRig, PeerConn } from './rig';
import { RigUnavailable } from './rig';
import { KernelPeers } from './kernel-peers';
import { VirtualPeers, VirtualPeerConn } from './virtual-peers';

export const DEVICE_IP = '192.168.1.20';
export const PEER_IP = '192.168.1.10';
/** what PEER_IP stands for on this machine (the host side's default route 192.168.1.0/24 → 127.0.0.0/24) */
export const PEER_HOST_IP = '127.0.0.10';
const MAC = new Uint8Array([0x02, 0x00, 0x00, 0x12, 0x34, 0x56]);
const HW_SOCKETS = 8;

/**
 * INTn in virtual time: the chip keeps working while the firmware busy-waits, so reading the pin
 * first lets the model catch up with the clock (a blocking call reads INTn between pauses).
 */
class VirtualIntPin extends NodePin {
  constructor(clock: VirtualClock, private model: W5500Model) {
    super(clock, model.intn);
  }
  read(): boolean {
    this.model.advance();
    return super.read();
  }
}

function hal(spi: NodeSpiDevice, int: NodePin, clock: VirtualClock | RealClock, log: string[]): BoardHal {
  return { board: 'conformance', spi, int, rst: undefined, clock, log: (l) => { log.push(l); }, hardResetStaleSockets: false };
}

function up(stack: NetStack): NonNullable<NetStack['api']> {
  if (stack.error !== 0 || !stack.api) throw new Error('W5500 bring-up failed: ' + stack.error);
  return stack.api;
}

/** the chip model on the virtual network, one virtual clock for model, firmware and peers */
export async function w5500VirtualRig(): Promise<ConformanceRig> {
  const clock = new VirtualClock();
  const net = new VirtualNet({ now: () => clock.now(), latencyMs: 0.5 });
  const model = new W5500Model({ net, now: () => clock.now() });
  const spi = new NodeSpiDevice((mosi) => model.exchange(mosi));
  const int = new VirtualIntPin(clock, model);
  model.onIntn((high) => int.write(high));
  const log: string[] = [];
  const stack = startNetwork(hal(spi, int, clock, log), { mac: MAC, ip: DEVICE_IP, subnet: '255.255.255.0', gateway: '192.168.1.1' });
  const api = up(stack);
  const peers = new VirtualPeers(PEER_IP, DEVICE_IP, net);
  let tainted = false;

  function until(done: () => boolean, limitMs: number): boolean {
    const end = clock.now() + limitMs;
    for (let guard = 0; guard < 1000000; guard++) {
      clock.runDue();
      model.advance();
      clock.runDue();
      if (done()) return true;
      let next = clock.nextDue();
      const b = model.nextDeadline();
      if (b !== undefined && (next === undefined || b < next)) next = b;
      if (next === undefined || next > end) break;
      const now = clock.now();
      clock.pause(next <= now ? 0.001 : next - now);
    }
    if (clock.now() < end) clock.pause(end - clock.now());
    clock.runDue();
    model.advance();
    clock.runDue();
    return done();
  }

  return {
    name: 'W5500 model, virtual network (scripted peers, virtual time)',
    api,
    deviceIp: DEVICE_IP,
    peers,
    canSendReset: stack.transport!.caps.canSendReset,
    peersReactWhileBlocked: true,
    realTime: false,
    totalEndpoints: HW_SOCKETS,
    now: () => clock.now(),
    run: (ms) => { until(() => false, ms); return Promise.resolve(); },
    runUntil: (pred, ms) => Promise.resolve(until(pred, ms)),
    freeEndpoints: () => stack.transport!.freeHardwareSockets(),
    get tainted() { return tainted; },
    failNic: () => { tainted = true; model.faults.chipAbsent = true; },
    silencePeer: (c: PeerConn) => { tainted = true; (c as VirtualPeerConn).peer.setSilent(true); },
    close: () => { stack.stop(); model.close(); return Promise.resolve(); },
  };
}

/** the chip model in its own thread on the host network: every peer is the kernel's TCP on loopback */
export async function w5500HostRig(): Promise<ConformanceRig> {
  const clock = new RealClock();
  let thread: W5500Thread;
  try {
    thread = await W5500Thread.start({ clock, hostPorts: 'ephemeral' });
  } catch (e) {
    throw new RigUnavailable('the W5500 model thread with the host network side did not start: ' + (e as Error).message);
  }
  const spi = new NodeSpiDevice(thread.exchange);
  const log: string[] = [];
  // RTR 100 ms, RCR 3: a silent peer costs a connection about 1.5 s instead of the chip default's 31.8 s
  const stack = startNetwork(hal(spi, thread.intPin, clock, log), {
    mac: MAC, ip: DEVICE_IP, subnet: '255.255.255.0', gateway: '192.168.1.1', rtr: 1000, rcr: 3,
  });
  let api;
  try {
    api = up(stack);
  } catch (e) {
    await thread.close();
    throw e;
  }
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const peers = new KernelPeers({
    ip: PEER_IP,
    hostIp: PEER_HOST_IP,
    async deviceAddress(port: number) {
      for (let i = 0; i < 500; i++) {
        const b = thread.bound().find((x) => x.proto === 'tcp' && x.chipPort === port);
        if (b) return { host: b.address, port: b.port };
        await sleep(2);
      }
      throw new Error(`the chip's TCP port ${port} never opened on the host`);
    },
  });
  let tainted = false;
  return {
    name: 'W5500 model, host network (kernel peers on loopback, real time)',
    api,
    deviceIp: DEVICE_IP,
    peers,
    canSendReset: stack.transport!.caps.canSendReset,
    peersReactWhileBlocked: false,
    realTime: true,
    totalEndpoints: HW_SOCKETS,
    now: () => clock.now(),
    run: (ms) => sleep(ms),
    async runUntil(pred, ms) {
      const end = clock.now() + ms;
      for (;;) {
        if (pred()) return true;
        if (clock.now() >= end) return pred();
        await sleep(1);
      }
    },
    freeEndpoints: () => stack.transport!.freeHardwareSockets(),
    get tainted() { return tainted; },
    failNic: () => { tainted = true; thread.fault('chipAbsent', true); },
    // A cable pulled: nothing crosses, so the chip's retransmission timer runs out.
    silencePeer: () => { tainted = true; thread.fault('link', false); },
    async close() {
      stack.stop();
      peers.closeAll();
      await thread.close();
    },
  };
}
