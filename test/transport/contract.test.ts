/**
 * The transport contract (contract.ts) on every transport there is: the offload transport on the
 * W5500 model, and the socket layer's in-memory double (so tests built on the double stay honest).
 */
import { ServiceLoop } from '../../hal/service-loop';
import { EndpointKind } from '../../firmware/transport/transport';
import { transportContract } from './contract';
import type { ContractPeer, ContractRig } from './contract';
import { PEER, PEER_IP, TRig } from './rig';
import { VirtualClock } from '../../sim/net/virtual-clock';
import { LoopbackTransport } from '../socket/loopback-transport';
import type { RawPeer } from '../socket/loopback-transport';
import { recordingSink } from './recording-sink';

const PEER_PORT = 5000;

function offloadRig(): ContractRig {
  // health poll every 10 ms: the chip's link and presence reach the transport within the rig's linkDelayMs
  const r = new TRig({ driver: { healthPollMs: 10 } });
  const l = r.net.listen({ ip: PEER_IP, port: PEER_PORT });
  return {
    name: 'offload',
    t: r.t,
    take: () => r.take(),
    run: (ms) => r.run(ms),
    now: () => r.clock.now(),
    connected() {
      const before = l.accepted.length;
      const ep = r.t.open(EndpointKind.Stream);
      if (r.t.connect(ep, PEER, PEER_PORT) !== 0 || !r.runUntil(() => r.events.includes(`connectDone ${ep} None`), 100)) throw new Error('no connection');
      r.take();
      const p = l.accepted[before];
      const peer: ContractPeer = {
        send: (b) => p.send(b),
        fin: () => p.fin(),
        rst: () => p.rst(),
        received: () => p.received,
        get gotFin() { return p.gotFin; },
      };
      return { ep, peer };
    },
    bus: () => r.model.trace.counters.transactions,
    failNic: () => { r.model.faults.chipAbsent = true; },
    setLink: (up) => r.model.faults.link(up),
    linkDelayMs: 20,
    close: () => r.close(),
  };
}

function loopbackRig(): ContractRig {
  const clock = new VirtualClock();
  const t = new LoopbackTransport(clock, { ip: 0x0a000001 });
  const ev: string[] = [];
  // the event loop's one timer, as the socket layer keeps it
  const loop = new ServiceLoop(clock, () => t.pump());
  t.setSink(recordingSink(ev, (at) => loop.at(at)));
  const accepted = t.rawListen(PEER_PORT);
  return {
    name: 'loopback double',
    t,
    take: () => ev.splice(0),
    run: (ms) => clock.advance(ms),
    now: () => clock.now(),
    connected() {
      const ep = t.open(EndpointKind.Stream);
      const before = accepted.length;
      if (t.connect(ep, 0x0a000001, PEER_PORT) !== 0) throw new Error('connect failed');
      clock.runUntil(() => ev.includes(`connectDone ${ep} None`), 100);
      if (!ev.includes(`connectDone ${ep} None`)) throw new Error('no connection');
      ev.length = 0;
      const p: RawPeer = accepted[before];
      let got: number[] = [];
      const peer: ContractPeer = {
        send: (b) => p.send(b),
        fin: () => p.fin(),
        rst: () => p.reset(),
        received: () => { got = got.concat(Array.from(p.read())); return new Uint8Array(got); },
        get gotFin() { return p.gotFin; },
      };
      return { ep, peer };
    },
    bus: () => 0,
    failNic: () => t.failNic(),
    setLink: (up) => t.setLink(up),
    linkDelayMs: 1,
    close: () => undefined,
  };
}

describe('transport contract: offload transport on the W5500 model (virtual network)', () => {
  transportContract(offloadRig);
});

describe('transport contract: the socket layer\'s in-memory double', () => {
  transportContract(loopbackRig);
});
