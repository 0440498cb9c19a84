/**
 * The software transport: the transport contract (contract.ts) on our TCP/IP stack over the ENC28J60
 * driver and the chip model, the peer a scripted TCP/IP host on the frame pipe (virtual time).
 */
import { EndpointKind } from '../../firmware/transport/transport';
import { transportContract } from './contract';
import type { ContractPeer, ContractRig } from './contract';
import { MacrawSoftRig, SoftRig } from './software-rig';
import { PEER } from '../../sim/software/enc28j60-world';

const PEER_PORT = 5000;

/** the contract's rig over either MAC-level chip: the peer is the scripted host on the frame pipe */
function rigOn(name: string, r: SoftRig | MacrawSoftRig, failNic: () => void): ContractRig {
  const l = r.w.peer.listen(PEER_PORT);
  return {
    name,
    t: r.t,
    take: () => r.take(),
    run: (ms) => r.run(ms),
    now: () => r.w.clock.now(),
    connected() {
      const before = l.conns.length;
      const ep = r.t.open(EndpointKind.Stream);
      if (r.t.connect(ep, PEER, PEER_PORT) !== 0 || !r.runUntil(() => r.events.includes(`connectDone ${ep} None`), 100)) throw new Error('no connection: ' + r.events.join(', '));
      r.run(1);
      r.take();
      const p = l.conns[before];
      const peer: ContractPeer = {
        send: (b) => p.send(b),
        fin: () => p.fin(),
        rst: () => p.rst(),
        received: () => p.received(),
        get gotFin() { return p.gotFin; },
      };
      return { ep, peer };
    },
    bus: () => r.w.bus(),
    failNic,
    setLink: (up) => r.w.model.faults.link(up),
    linkDelayMs: 20,
    close: () => r.close(),
  };
}

function softwareRig(): ContractRig {
  const r = new SoftRig();
  return rigOn('software', r, () => { r.w.model.faults.chipAbsent = 0xff; });
}

/** the link is read every healthPollMs on the W5500 (it raises no interrupt for it) */
function macrawRig(): ContractRig {
  const r = new MacrawSoftRig({ driver: { healthPollMs: 10 } });
  return rigOn('software on W5500 MACRAW', r, () => { r.w.model.faults.chipAbsent = true; });
}

describe('transport contract: software transport (our TCP/IP stack) on the ENC28J60 model, frame pipe to a scripted host', () => {
  transportContract(softwareRig);
});

describe('transport contract: software transport (our TCP/IP stack) on the W5500 in MACRAW mode, frame pipe to a scripted host', () => {
  transportContract(macrawRig);
});
