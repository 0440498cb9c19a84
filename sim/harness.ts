/**
 * One call that builds a ready socket layer over the W5500 model: model → driver → offload
 * transport → Winsock API, with the same composition the firmware uses (firmware/runtime.ts).
 *
 *   network 'virtual' + time 'virtual': model, scripted peers and firmware in this thread on one
 *     VirtualClock; `run`/`runUntil` move the clock to the next firmware timer or chip/peer deadline.
 *     Peers react inside blocking calls too (the pause moves the clock, the next SPI frame lets the
 *     chip and the peers catch up). Deterministic: the conformance suite's default.
 *   network 'virtual' + time 'real': the same in this thread on a RealClock (a timer keeps the chip's
 *     deadlines); `run`/`runUntil` wait wall time.
 *   network 'host' + time 'real': the model in its worker thread (W5500Thread) with kernel peers on
 *     loopback, the firmware on a RealClock in this thread; the chip keeps running while the firmware
 *     blocks. Peers written in this thread (node:net) do not run during a blocking call — only the
 *     kernel does (ACKs, a FIN already queued) — so tests whose peer must act during a blocking call
 *     use the virtual network, or run the peer in a child process.
 *   network 'host' + time 'virtual' is refused: a kernel peer cannot follow a clock that jumps.
 */
import { runUntil } from './net/virtual-time';
import type { Clock } from '../hal/clock';
import { VirtualClock } from './net/virtual-clock';
import { RealClock } from '../hal/node/real-clock';
import { NodeSpiDevice } from '../hal/node/spi';
import { NodePin } from '../hal/node/pins';
import { startNetwork } from '../firmware/runtime';
import type { NetOptions } from '../firmware/runtime';
import type { SocketLayer } from '../firmware/socket/layer';
import type { Transport } from '../firmware/transport/transport';
import type { BoardHal } from '../firmware/app/app';
import { W5500Model } from './w5500/model';
import type { W5500ModelOptions } from './w5500/model';
import { VirtualNet } from './w5500/virtual-net';
import { ModelIntPin } from './w5500/model-int-pin';
import { W5500Thread } from './w5500/worker-client';
import { HostRoutes } from './w5500/host-routes';
import type { HostRoute } from './w5500/host-routes';
import type { TraceCounters } from './w5500/host-chip';
import type { HostBinding } from './w5500/host-net';

export type HarnessNetwork = 'virtual' | 'host';
export type HarnessTime = 'virtual' | 'real';

export interface HarnessOptions {
  /** default 'virtual' */
  network?: HarnessNetwork;
  /** default 'virtual' ('host' needs 'real') */
  time?: HarnessTime;
  /** the device's IPv4 address (default 192.168.1.20) */
  ip?: string;
  /** wire the chip's INTn to the driver (default true; false: the driver polls) */
  int?: boolean;
  /** socket buffer sizes, closeTimeoutMs, maxSockets, RTR/RCR … (firmware/runtime.ts NetOptions) */
  stack?: Partial<NetOptions>;
  /** extra W5500 model options (timeWaitMs, finWait2, sendOkOn, …) */
  model?: Partial<W5500ModelOptions>;
  /** keep the model's JSON-lines trace (default false; counters are always kept) */
  trace?: boolean;
  /** virtual network: one-way latency, ms (default 0.5) */
  latencyMs?: number;
  /** host network: OS ports for the chip's ports (default 'ephemeral': see net.hostAddress) */
  hostPorts?: 'same' | 'ephemeral' | Record<string, number>;
  /** host network: virtual ↔ loopback routes (default 192.168.1.0/24 ↔ 127.0.0.0/24) */
  routes?: HostRoute[];
  /** where the socket layer's own log lines go (default: kept in `log`) */
  log?: (line: string) => void;
}

/** The model's fault hooks, the same in every mode (in the worker they cross by message). */
export interface HarnessFaults {
  /** cable in/out: PHYCFGR.LNK follows; nothing moves on the wire while down */
  link(up: boolean): void;
  /** TCP data that does not fit socket `sn`'s RX buffer is dropped instead of held back */
  rxOverflow(sn: number, drop: boolean): void;
  /** a plain switch of W5500Faults: 'tornReads', 'slowCommandMs', 'withholdSendOk', 'chipAbsent' */
  set(name: 'tornReads' | 'slowCommandMs' | 'withholdSendOk' | 'chipAbsent', value: unknown): void;
  /** an RSTn pulse: the chip loses every register (the driver reports the failure as NetDown) */
  hardReset(): void;
}

export interface HarnessTrace {
  /** SPI transactions, bytes and payload bytes since the start (or the last reset) */
  counters(): TraceCounters;
  /** JSON lines (with `trace: true`) */
  lines(): string[];
  reset(): void;
}

/** The host side's address mapping. */
export interface HostNetInfo {
  kind: 'host';
  /** the device's address as the firmware knows it, e.g. 192.168.1.20 */
  deviceIp: string;
  /** a virtual address as a loopback address (where a kernel peer must listen for the device to reach it) */
  toHost(virtualIp: string): string | undefined;
  /** a loopback address as the device sees it (what getpeername gives for a kernel peer) */
  toVirtual(hostIp: string): string;
  /** where a kernel peer connects to reach the device's port `chipPort` (it must be listening) */
  hostAddress(chipPort: number, proto?: 'tcp' | 'udp'): HostBinding | undefined;
  /** OS ports the chip has open */
  bound(): HostBinding[];
}

export interface Harness {
  /** the Winsock API */
  api: SocketLayer;
  clock: Clock;
  faults: HarnessFaults;
  trace: HarnessTrace;
  /** virtual network: the peer script handle (VirtualNet); host network: the address mapping */
  net: VirtualNet | HostNetInfo;
  /** the same as `net` when the network is virtual (typed), else undefined */
  vnet: VirtualNet | undefined;
  /** the same as `net` when the network is host (typed), else undefined */
  host: HostNetInfo | undefined;
  network: HarnessNetwork;
  time: HarnessTime;
  /** the transport the socket layer runs on (typed by the interface: the harness's tests hold on every transport) */
  transport: Transport;
  /** the model, when it runs in this thread (not with the host network) */
  model: W5500Model | undefined;
  /** the socket layer's log lines */
  log: string[];
  /** lets `ms` pass (virtual: done when the call returns; real: resolves after `ms`) */
  run(ms: number): Promise<void>;
  /** runs until `pred()` holds or `ms` passed; resolves whether it held */
  runUntil(pred: () => boolean, ms: number): Promise<boolean>;
  /** hardware sockets held by nobody (8 when everything has been given back) */
  freeHardwareSockets(): number;
  /** NIC resources held (transport.held(): 0 when everything has been given back) */
  held(): number;
  /** stops the stack and the model; closes the worker and every OS socket */
  close(): Promise<void>;
}

const DEFAULT_IP = '192.168.1.20';
/** the W5500's hardware sockets */
const HW_SOCKETS = 8;

function modelFaults(model: W5500Model): HarnessFaults {
  return {
    link(up) { model.faults.link(up); },
    rxOverflow(sn, drop) { model.faults.rxOverflow(sn, drop); },
    set(name, value) { (model.faults as unknown as Record<string, unknown>)[name] = value; },
    hardReset() { model.hardReset(); },
  };
}

function modelTrace(model: W5500Model): HarnessTrace {
  return {
    counters() { const c = model.trace.counters; return { transactions: c.transactions, bytes: c.bytes, payloadBytes: c.payloadBytes }; },
    lines() { return model.trace.lines(); },
    reset() { model.trace.reset(); },
  };
}

function netOptions(o: HarnessOptions): NetOptions {
  return Object.assign({
    mac: new Uint8Array([0x02, 0x00, 0x00, 0x12, 0x34, 0x56]),
    ip: o.ip ?? DEFAULT_IP,
    subnet: '255.255.255.0',
    gateway: '192.168.1.1',
  }, o.stack ?? {}) as NetOptions;
}

function boardHal(clock: Clock, spi: NodeSpiDevice, int: NodePin | undefined, log: (l: string) => void): BoardHal {
  return { board: 'harness', nic: { name: 'w5500', hardResetStaleSockets: false }, spi, int, rst: undefined, clock, log };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Builds the stack; see the file comment for the modes. Throws if the chip does not come up. */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const network = options.network ?? 'virtual';
  const time = options.time ?? 'virtual';
  if (network === 'host' && time === 'virtual') {
    throw new Error("createHarness: the host network runs in real time only (time: 'real'); kernel peers cannot follow a virtual clock");
  }
  const lines: string[] = [];
  const log = options.log ?? ((l: string) => { lines.push(l); });
  return network === 'host' ? hostHarness(options, log, lines) : virtualHarness(options, time, log, lines);
}

function virtualHarness(o: HarnessOptions, time: HarnessTime, log: (l: string) => void, lines: string[]): Harness {
  const vclock = time === 'virtual' ? new VirtualClock() : undefined;
  const rclock = time === 'real' ? new RealClock() : undefined;
  const clock: Clock = (vclock ?? rclock) as Clock;
  const net = new VirtualNet({ now: () => clock.now(), latencyMs: o.latencyMs });
  const model = new W5500Model(Object.assign({ net, now: () => clock.now(), trace: !!o.trace }, o.model ?? {}));
  const spi = new NodeSpiDevice((mosi) => model.exchange(mosi));
  const int = o.int === false ? undefined : new ModelIntPin(clock, model);
  const stack = startNetwork(boardHal(clock, spi, int, log), netOptions(o));
  if (!stack.api || !stack.transport) {
    model.close();
    throw new Error('createHarness: ' + stack.reason);
  }
  const transport = stack.transport;

  // Real time: the chip's own deadlines (retransmission, TIME_WAIT, peers' latency) fire on a timer.
  let ticker: NodeJS.Timeout | undefined;
  let closed = false;
  const tick = (): void => {
    ticker = undefined;
    if (closed) return;
    model.advance();
    const due = model.nextDeadline();
    const wait = due === undefined ? 5 : Math.max(0, Math.min(5, due - clock.now()));
    ticker = setTimeout(tick, wait);
  };
  if (rclock) tick();

  const until = (pred: () => boolean, ms: number): boolean => runUntil(vclock as VirtualClock, [model], pred, ms);

  const h: Harness = {
    api: stack.api,
    clock,
    faults: modelFaults(model),
    trace: modelTrace(model),
    net,
    vnet: net,
    host: undefined,
    network: 'virtual',
    time,
    transport,
    model,
    log: lines,
    run(ms) {
      if (vclock) { until(() => false, ms); return Promise.resolve(); }
      return sleep(ms);
    },
    async runUntil(pred, ms) {
      if (vclock) return until(pred, ms);
      const end = clock.now() + ms;
      while (!pred()) {
        if (clock.now() >= end) return false;
        await sleep(1);
      }
      return true;
    },
    freeHardwareSockets() { return HW_SOCKETS - transport.held(); },
    held() { return transport.held(); },
    close() {
      closed = true;
      if (ticker) clearTimeout(ticker);
      stack.stop();
      model.close();
      if (rclock) rclock.clearAll();
      return Promise.resolve();
    },
  };
  return h;
}

async function hostHarness(o: HarnessOptions, log: (l: string) => void, lines: string[]): Promise<Harness> {
  const clock = new RealClock();
  const thread = await W5500Thread.start({
    clock,
    hostPorts: o.hostPorts ?? 'ephemeral',
    routes: o.routes,
    model: Object.assign({ trace: !!o.trace }, o.model ?? {}) as Record<string, unknown>,
  });
  const spi = new NodeSpiDevice(thread.exchange);
  const stack = startNetwork(boardHal(clock, spi, o.int === false ? undefined : thread.intPin, log), netOptions(o));
  if (!stack.api || !stack.transport) {
    await thread.close();
    throw new Error('createHarness: ' + stack.reason);
  }
  const transport = stack.transport;
  const routes = new HostRoutes(o.routes);
  const deviceIp = o.ip ?? DEFAULT_IP;
  const info: HostNetInfo = {
    kind: 'host',
    deviceIp,
    toHost: (ip) => routes.toHost(ip),
    toVirtual: (ip) => routes.toVirtual(ip),
    hostAddress: (chipPort, proto = 'tcp') => thread.bound().find((b) => b.proto === proto && b.chipPort === chipPort),
    bound: () => thread.bound(),
  };
  const faults: HarnessFaults = {
    link(up) { thread.fault('link', up); },
    rxOverflow(sn, drop) { thread.fault('rxOverflow', sn, drop); },
    set(name, value) { thread.fault(name, value); },
    hardReset() { thread.hardReset(); },
  };
  let traceBase: TraceCounters = { transactions: 0, bytes: 0, payloadBytes: 0 };
  const trace: HarnessTrace = {
    counters() {
      const c = thread.trace();
      return { transactions: c.transactions - traceBase.transactions, bytes: c.bytes - traceBase.bytes, payloadBytes: c.payloadBytes - traceBase.payloadBytes };
    },
    lines() { return thread.traceLines(); },
    reset() { traceBase = thread.trace(); },
  };
  return {
    api: stack.api,
    clock,
    faults,
    trace,
    net: info,
    vnet: undefined,
    host: info,
    network: 'host',
    time: 'real',
    transport,
    model: undefined,
    log: lines,
    run: (ms) => sleep(ms),
    async runUntil(pred, ms) {
      const end = clock.now() + ms;
      while (!pred()) {
        if (clock.now() >= end) return false;
        await sleep(1);
      }
      return true;
    },
    freeHardwareSockets: () => HW_SOCKETS - transport.held(),
    held: () => transport.held(),
    async close() {
      stack.stop();
      clock.clearAll();
      await thread.close();
    },
  };
}
