/**
 * The DHCP client on the W5500 model's virtual network, on one virtual clock: the in-process server
 * (dhcp-server.ts) is a UDP peer at 192.168.1.1:67; what the chip sends is read off the peer's
 * inbox, byte for byte, with the virtual time it arrived.
 */
import { createHarness, type Harness } from '../../sim/harness';
import { DhcpClient, type DhcpOptions } from '../../firmware/services/dhcp';
import type { DhcpLease } from '../../firmware/services/dhcp-lease';
import type { VUdpPeer } from '../../sim/w5500/virtual-net';

export const MAC = new Uint8Array([0x02, 0x00, 0x00, 0x12, 0x34, 0x56]);
export const SERVER = { ip: '192.168.1.1', port: 67 };
export const CLIENT_BCAST = { ip: '255.255.255.255', port: 68 };

/** a random source that hands out the numbers given, in order, then fails the test */
export function scripted(values: number[]): () => number {
  const q = values.slice();
  return () => {
    const v = q.shift();
    if (v === undefined) throw new Error('the scripted random numbers ran out');
    return v;
  };
}

export interface DhcpRig {
  h: Harness;
  server: VUdpPeer;
  dhcp: DhcpClient;
  events: { ev: number; at: number; ip: number }[];
  /** datagrams the server got, with their arrival time */
  inbox: { at: number; bytes: Uint8Array; from: string }[];
  /** runs until the server has `n` datagrams (or `ms` passed) */
  waitFor(n: number, ms: number): Promise<boolean>;
  close(): Promise<void>;
}

/** `quiet`: no chip health poll, so days of virtual time pass in few steps */
export async function dhcpRig(random: number[], opts: Partial<DhcpOptions> = {}, quiet = false): Promise<DhcpRig> {
  const h = await createHarness({ stack: { ip: '0.0.0.0', subnet: '0.0.0.0', gateway: '0.0.0.0', healthPollMs: quiet ? 0 : undefined } });
  const vnet = h.vnet!;
  const server = vnet.udpPeer(SERVER);
  const events: { ev: number; at: number; ip: number }[] = [];
  const dhcp = new DhcpClient(h.api, h.transport, h.clock, Object.assign({
    mac: MAC,
    random: scripted(random),
    onEvent: (ev: number, l: DhcpLease) => { events.push({ ev, at: h.clock.now(), ip: l.ip }); },
  }, opts));
  const inbox: { at: number; bytes: Uint8Array; from: string }[] = [];
  const take = (): void => {
    while (server.received.length > 0) {
      const d = server.received.shift()!;
      inbox.push({ at: h.clock.now(), bytes: d.bytes, from: d.from.ip + ':' + d.from.port });
    }
  };
  return {
    h, server, dhcp, events, inbox,
    async waitFor(n, ms) {
      const ok = await h.runUntil(() => { take(); return inbox.length >= n; }, ms);
      return ok;
    },
    async close() {
      dhcp.stop();
      await h.close();
    },
  };
}
