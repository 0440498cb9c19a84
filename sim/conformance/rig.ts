/**
 * What the conformance suite needs of a transport under test: the socket API, a way to let time pass,
 * peers on the other end of the wire, and the few NIC facts the contract lets differ. One rig per
 * transport and network side; the suite itself never names a chip.
 */
import type { SocketLayer } from '../../firmware/socket/layer';

/** One TCP connection as the peer sees it. */
export interface PeerConn {
  /** what this end saw and did, in order: "data" (consecutive chunks collapse), "end" (the device's FIN), "reset", "refused" (a SYN nothing listened for), and the actions of the test */
  readonly log: string[];
  /** every byte received so far */
  received(): Uint8Array;
  /** the device's FIN arrived */
  readonly ended: boolean;
  /** the device's end of the connection answered with RST (kernel: ECONNRESET/EPIPE, or ECONNREFUSED for a SYN nothing listened for) */
  readonly wasReset: boolean;
  send(bytes: Uint8Array): void;
  /** our FIN (half-close) */
  end(): void;
  /** abortive close: RST */
  reset(): void;
  /** the application lets go of its socket (after end(): once its FIN is out) */
  close(): void;
  /** called for every chunk received */
  onData: ((bytes: Uint8Array) => void) | undefined;
  /** called when the device's FIN arrives */
  onEnd: (() => void) | undefined;
}

export interface PeerListener {
  /** the port the device connects to */
  readonly port: number;
  readonly conns: PeerConn[];
  /** called when a connection from the device is accepted */
  onAccept: ((c: PeerConn) => void) | undefined;
  close(): void;
}

export interface Peers {
  /** the peer's address as the device names it */
  readonly ip: string;
  listen(): Promise<PeerListener>;
  /** connects to the device's listening `port` (resolves once the connection attempt is under way) */
  connect(port: number): Promise<PeerConn>;
  /** closes everything that is still open */
  closeAll(): void;
}

export interface ConformanceRig {
  readonly name: string;
  readonly api: SocketLayer;
  /** the device's own address */
  readonly deviceIp: string;
  readonly peers: Peers;
  /** abort() puts an RST on the wire (software stack); false on the W5500, whose CLOSE is silent */
  readonly canSendReset: boolean;
  /** peers can act while a blocking device call runs (virtual peers: yes; kernel peers on this thread: no) */
  readonly peersReactWhileBlocked: boolean;
  /** the rig runs on wall time */
  readonly realTime: boolean;
  /** hardware sockets (or endpoints) the transport has in all */
  readonly totalEndpoints: number;
  /** ms on the clock the socket layer reads */
  now(): number;
  run(ms: number): Promise<void>;
  runUntil(pred: () => boolean, ms: number): Promise<boolean>;
  /** endpoints free now; equals totalEndpoints when nothing leaked */
  freeEndpoints(): number;
  /** the NIC stops answering (chip failure) */
  failNic(): void;
  /** a fault was applied (failNic, silencePeer): the rig is not fit for another test */
  readonly tainted: boolean;
  /** `conn`'s peer stops answering, so the device's next segment ends in a retransmission timeout; undefined when the rig cannot */
  silencePeer: ((conn: PeerConn) => void) | undefined;
  /** faults on cue; undefined when the rig cannot inject them */
  faults?: RigFaults;
  close(): Promise<void>;
}

/** Faults a rig can inject on cue (the soak's --faults). */
export interface RigFaults {
  /** cable out / in */
  link(up: boolean): void;
  /** the NIC's 16-bit counters may change between their two bytes while on */
  tornReads(on: boolean): void;
  /** the NIC is reset under the firmware (RSTn pulse): it loses every register, the stack is down */
  chipReset(): void;
}

export type RigFactory = () => Promise<ConformanceRig>;

/** a rig that cannot be built here: in CI that is a failure, elsewhere a loud skip */
export class RigUnavailable extends Error {}
