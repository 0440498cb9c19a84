import vm from 'node:vm';
import type { Clock } from '../../hal/clock';
import { VirtualClock } from '../net/virtual-clock';
import type { SpiChip, PinSource } from './chip';
import { ENV_SOURCE, ALLOWED_GLOBALS, EXTRA_TRAPPED_GLOBALS, TRAPPED_MEMBERS, DISPATCH_GLOBAL } from './espruino-env';
import type { EnvHost } from './espruino-env';
import { varLayout } from './memory';
import { VariableCounter, countLayout, reachable, BASE_VARIABLES, TIMER_VARIABLES } from './variables';
import { profileFor } from './profiles';
import type { BoardProfile } from './profiles';
import { readWiring } from './wiring';
import type { BoardWiring } from './wiring';
import { espruinoNet } from '../espruino/modules';
import type { EspruinoNet } from '../espruino/modules';

export interface VirtualBoardOptions {
  /** VirtualClock for deterministic runs (runFor/runUntil), RealClock for wall time (wait) */
  clock: Clock;
  /** a file name in boards/ (e.g. "espruino-pico"); gives the wiring, the pins and process.env.BOARD */
  boardName?: string;
  /** the Espruino board id when no board file is named; default PICO_R1_3 */
  espruinoBoard?: string;
  /** wall-clock limit for one callback or one load(); a runaway loop becomes an error. Default 10000, 0 = none */
  callbackTimeoutMs?: number;
  /**
   * Virtual time that one getTime() call costs (default 0.01 ms, about a Pico's). It lets a busy
   * wait on getTime() end on a virtual clock. Ignored on other clocks.
   */
  getTimeCostMs?: number;
  /** how many SPI transactions log.spi keeps (the newest); log.spiCount counts them all. Default 1000 */
  spiLogLimit?: number;
  /** called with each console line as the board prints it (log.console keeps them too) */
  onConsole?: (line: string) => void;
  /** how often the idle loop polls the NetworkJS driver (accept, recv, send) while it is online, ms; default 2 */
  netPollMs?: number;
}

export interface SpiRecord {
  port: string;
  /** the chip select pin: nss given to send/write, or the pin that was low; undefined when none */
  cs: string | undefined;
  mosi: Uint8Array;
  miso: Uint8Array;
  /** board time in ms */
  time: number;
}

export interface PinWriteRecord { pin: string; high: boolean; time: number }

export interface BoardLog {
  /** console.log / print lines, and "Uncaught …" lines for errors, as the board's console shows them */
  console: string[];
  spi: SpiRecord[];
  spiCount: number;
  pinWrites: PinWriteRecord[];
  spiSetups: Array<{ port: string; options: Record<string, unknown> }>;
}

export type ErrorSource = 'load' | 'timeout' | 'interval' | 'watch' | 'init' | 'kill' | 'chip' | 'net' | 'memory';

export interface BoardError {
  where: ErrorSource;
  name: string;
  message: string;
  /** board time in ms */
  time: number;
}

const TIMER_MIN_INTERVAL_MS = 0.1;
/** board time between two counts of the variables in use while the loop runs */
const MEMORY_CHECK_MS = 5000;
const PIN_MODES = ['analog', 'input', 'input_pullup', 'input_pulldown', 'output', 'opendrain', 'af_output', 'af_opendrain', 'opendrain_pullup', 'auto'];

interface PinState {
  out: boolean | undefined;
  mode: string;
  source: PinSource | undefined;
  /** last level seen from the source, for edge detection */
  level: boolean;
  /** board time (s) of the last change seen */
  lastChange: number;
  writeListeners: Array<(high: boolean) => void>;
}

interface TimerEntry { fn: unknown; args: unknown[]; ms: number; repeat: boolean; handle: number }
interface WatchEntry { fn: unknown; pin: string; repeat: boolean; edge: number; debounce: number; lastState: boolean }
interface Dispatch { kind: 'timer' | 'watch' | 'event'; fn: unknown; self?: unknown; args?: unknown[]; state?: boolean; time?: number; lastTime?: number }

/**
 * A sandbox that runs a dist/<board>.js bundle with only the Espruino globals it may use, SPI
 * chips and pin levels supplied by models, and an event loop on a Clock. Errors inside callbacks
 * are caught, logged and counted (Espruino's CALLBACK flag), never thrown out of the loop.
 *
 *   const board = new VirtualBoard({ clock: new VirtualClock(), boardName: 'espruino-pico' });
 *   board.attachSpi('SPI2', 'B10', new W5500RegisterStub());
 *   board.load(code, 'dist/espruino-pico.js');
 *   board.runFor(1000);
 *   board.log.console; board.errors;
 */
export class VirtualBoard {
  readonly clock: Clock;
  readonly profile: BoardProfile;
  readonly wiring: BoardWiring | undefined;
  readonly log: BoardLog = { console: [], spi: [], spiCount: 0, pinWrites: [], spiSetups: [] };
  readonly errors: BoardError[] = [];

  private readonly context: vm.Context;
  private readonly dispatchScript = new vm.Script(`${DISPATCH_GLOBAL}()`, { filename: 'virtual-board-loop' });
  private readonly timeoutMs: number;
  private readonly getTimeCost: number;
  private readonly spiLogLimit: number;
  private readonly onConsole: ((line: string) => void) | undefined;
  private readonly pins = new Map<string, PinState>();
  private readonly chips = new Map<string, SpiChip>();
  private readonly timers = new Map<number, TimerEntry>();
  private readonly watches = new Map<number, WatchEntry>();
  private readonly listeners = new Map<string, unknown[]>();
  /** clock handles of queued watch deliveries and debounce checks, dropped by reset() */
  private readonly queued = new Set<number>();
  private readonly errorFlags = new Set<string>();
  private nextTimerId = 1;
  private nextWatchId = 1;
  private pending: Dispatch | undefined;
  /** Espruino's net, http, dgram and NetworkJS (sim/espruino/), polled while a NetworkJS driver is online */
  readonly net: EspruinoNet;
  /** what E.getTemperature() reads, °C */
  temperature = 25;
  /** how often the network idle pass runs, ms (a test may slow it down to line events up) */
  netPollMs: number;
  private netTimer = 0;
  private readonly counter: VariableCounter;
  private readonly globalsBefore: Set<string>;
  private lastCheck = 0;
  private outOfMemory = false;

  constructor(options: VirtualBoardOptions) {
    this.clock = options.clock;
    this.wiring = options.boardName ? readWiring(options.boardName) : undefined;
    this.profile = profileFor(this.wiring ? this.wiring.espruinoBoard : options.espruinoBoard ?? 'PICO_R1_3');
    this.timeoutMs = options.callbackTimeoutMs ?? 10000;
    this.getTimeCost = options.getTimeCostMs ?? 0.01;
    this.spiLogLimit = options.spiLogLimit ?? 1000;
    this.onConsole = options.onConsole;
    this.netPollMs = options.netPollMs ?? 2;
    this.net = espruinoNet(
      (fn, self, args) => this.dispatch('net', { kind: 'event', fn, self, args }),
      (msg) => { this.recordError('net', new Error(msg), true); });
    for (const name of this.profile.pins) {
      this.pins.set(name, { out: undefined, mode: 'auto', source: undefined, level: false, lastChange: 0, writeListeners: [] });
    }
    this.context = vm.createContext({}, { name: 'virtual ' + this.profile.title, microtaskMode: 'afterEvaluate', codeGeneration: { strings: true, wasm: false } });
    const install = vm.runInContext(ENV_SOURCE, this.context, { filename: 'espruino-env.js' }) as (...a: unknown[]) => void;
    install(this.host(), ALLOWED_GLOBALS, EXTRA_TRAPPED_GLOBALS, TRAPPED_MEMBERS, DISPATCH_GLOBAL);
    const global = vm.runInContext('this', this.context) as object;
    this.globalsBefore = new Set(Object.getOwnPropertyNames(global));
    const layout = varLayout(this.profile.variables, this.profile.blocksize, this.profile.nameLen);
    this.counter = new VariableCounter(countLayout(layout, this.profile.variables, this.profile.nameLen), reachable(global));
  }

  // --- What tests and tools wire up --------------------------------------------------------

  /** Puts a chip on an SPI port, selected by a chip-select pin (names, e.g. 'SPI2', 'B10'). */
  attachSpi(port: string, csPin: string, chip: SpiChip): void {
    if (!this.profile.spiPorts.includes(port)) throw new Error(`${this.profile.title} has no ${port}; it has ${this.profile.spiPorts.join(', ')}`);
    this.pinState(csPin);
    this.chips.set(port + '/' + csPin, chip);
  }

  /** Connects a chip's output to a pin: digitalRead and setWatch on it follow `source`. */
  attachPin(name: string, source: PinSource): void {
    const p = this.pinState(name);
    p.source = source;
    p.level = source.read();
    source.onChange((high) => this.pinChanged(name, high));
  }

  /** Calls `fn` whenever the bundle writes a pin (e.g. a chip's RSTn input). */
  onPinWrite(name: string, fn: (high: boolean) => void): void {
    this.pinState(name).writeListeners.push(fn);
  }

  /** The level the bundle reads on a pin now. */
  readPin(name: string): boolean {
    return this.pinRead(name) === 1;
  }

  // --- Running --------------------------------------------------------------------------------

  /** Runs a script at top level, as an upload does. An uncaught error is logged and returned. */
  load(code: string, fileName = 'bundle.js'): BoardError | undefined {
    try {
      const script = new vm.Script(code, { filename: fileName });
      script.runInContext(this.context, this.timeoutMs > 0 ? { timeout: this.timeoutMs } : {});
    } catch (e) {
      return this.recordError('load', e, false);
    }
    return this.checkMemory();
  }

  /**
   * The variables (JsVars) in use now, counted as Espruino 2v29 would (sim/board/variables.ts): what the
   * bundle reaches, the interpreter's own, timers and watches. Code loaded runs from Storage, as flashed.
   */
  variables(): number {
    const global = vm.runInContext('this', this.context) as Record<string, unknown>;
    const roots: Array<[string, unknown]> = [];
    for (const name of Object.getOwnPropertyNames(global)) {
      if (!this.globalsBefore.has(name)) roots.push([name, Object.getOwnPropertyDescriptor(global, name)?.value]);
    }
    const held: unknown[] = [];
    for (const t of this.timers.values()) held.push(t.fn, t.args);
    for (const w of this.watches.values()) held.push(w.fn);
    for (const fns of this.listeners.values()) held.push(...fns);
    return BASE_VARIABLES + TIMER_VARIABLES * (this.timers.size + this.watches.size) + this.counter.count(roots, held);
  }

  /** bytes of typed-array storage (ArrayBuffers) the bundle reached at the last count of its variables */
  typedArrayBytes(): number {
    return this.counter.bufferBytes;
  }

  /**
   * Counts the variables in use; more than the board has fails the run as Espruino would: an error naming
   * memory, the MEMORY flag, and every timer and watch stopped.
   */
  private checkMemory(): BoardError | undefined {
    this.lastCheck = this.clock.now();
    if (this.outOfMemory) return undefined;
    const used = this.variables();
    if (used <= this.profile.variables) return undefined;
    this.outOfMemory = true;
    this.errorFlags.add('LOW_MEMORY');
    this.errorFlags.add('MEMORY');
    const rec: BoardError = { where: 'memory', name: 'Error',
      message: `Out of memory: ${used} variables needed, the ${this.profile.title} has ${this.profile.variables}`, time: this.clock.now() };
    this.errors.push(rec);
    this.printLine(`Uncaught ${rec.name}: ${rec.message}`);
    for (const t of this.timers.values()) this.clock.clearTimeout(t.handle);
    this.timers.clear();
    this.watches.clear();
    return rec;
  }

  /** Moves a VirtualClock forward by `ms`, running timers and watch callbacks on the way. */
  runFor(ms: number): void {
    this.virtualClock().advance(ms);
  }

  /** Runs the loop on a VirtualClock until `done()` holds or `limitMs` has passed; returns whether it held. */
  runUntil(done: () => boolean, limitMs: number): boolean {
    return this.virtualClock().runUntil(done, limitMs);
  }

  /** Lets `ms` pass: virtual time on a VirtualClock, wall time on any other clock. */
  async wait(ms: number): Promise<void> {
    if (this.clock instanceof VirtualClock) return this.runFor(ms);
    await new Promise((r) => setTimeout(r, ms));
  }

  /** What save() and a power cut do: E.on('kill') handlers run, then every timer and watch is dropped. */
  reset(): void {
    this.emit('kill');
    // jswrap_net_kill runs after the E.on('kill') handlers
    this.net.kill();
    if (this.netTimer) this.clock.clearTimeout(this.netTimer);
    this.netTimer = 0;
    for (const t of this.timers.values()) this.clock.clearTimeout(t.handle);
    this.timers.clear();
    this.watches.clear();
    for (const h of this.queued) this.clock.clearTimeout(h);
    this.queued.clear();
  }

  /**
   * What a hardware reset of the MCU does: the program stops where it is — no E.on('kill'), every
   * timer, watch and network poll dropped — while the chips on the board keep their state.
   */
  powerCut(): void {
    for (const t of this.timers.values()) this.clock.clearTimeout(t.handle);
    this.timers.clear();
    this.watches.clear();
    for (const h of this.queued) this.clock.clearTimeout(h);
    this.queued.clear();
    if (this.netTimer) this.clock.clearTimeout(this.netTimer);
    this.netTimer = 0;
  }

  /** What power-up after save() does: E.on('init') handlers run. */
  boot(): void {
    this.emit('init');
    this.checkMemory();
  }

  /** Number of live timers and intervals. */
  timerCount(): number {
    return this.timers.size;
  }

  /** Number of live watches. */
  watchCount(): number {
    return this.watches.size;
  }

  /** Board time in ms. */
  now(): number {
    return this.clock.now();
  }

  // --- Internals ------------------------------------------------------------------------------

  private virtualClock(): VirtualClock {
    if (!(this.clock instanceof VirtualClock)) throw new Error('runFor/runUntil need a VirtualClock; use wait() on a real clock');
    return this.clock;
  }

  private pinState(name: string): PinState {
    const p = this.pins.get(name);
    if (!p) throw new Error(`${this.profile.title} has no pin ${name}`);
    return p;
  }

  private emit(event: string): void {
    const fns = this.listeners.get(event) ?? [];
    for (const fn of fns.slice()) this.dispatch(event as ErrorSource, { kind: 'event', fn });
  }

  private dispatch(where: ErrorSource, d: Dispatch): unknown {
    this.pending = d;
    try {
      return this.dispatchScript.runInContext(this.context, this.timeoutMs > 0 ? { timeout: this.timeoutMs } : {});
    } catch (e) {
      this.recordError(where, e, true);
      return undefined;
    } finally {
      this.pending = undefined;
      if (this.clock.now() - this.lastCheck >= MEMORY_CHECK_MS) this.checkMemory();
    }
  }

  private recordError(where: ErrorSource, e: unknown, inCallback: boolean): BoardError {
    const err = e as { name?: unknown; message?: unknown } | undefined;
    const name = err && typeof err.name === 'string' ? err.name : 'Error';
    const message = err && err.message !== undefined ? String(err.message) : String(e);
    const rec: BoardError = { where, name, message, time: this.clock.now() };
    this.errors.push(rec);
    if (inCallback) this.errorFlags.add('CALLBACK');
    this.printLine(`Uncaught ${name}: ${message}`);
    return rec;
  }

  private printLine(line: string): void {
    this.log.console.push(line);
    if (this.onConsole) this.onConsole(line);
  }

  private schedule(ms: number, fn: () => void): number {
    const h = this.clock.setTimeout(() => { this.queued.delete(h); fn(); }, ms);
    this.queued.add(h);
    return h;
  }

  /** Espruino's idle loop for the network: a pass now and then, from the first require("NetworkJS") until reset() */
  private netIdle(): void {
    this.netTimer = 0;
    this.net.idle();
    this.netTimer = this.clock.setTimeout(() => this.netIdle(), this.netPollMs);
  }

  private fireTimer(id: number): void {
    const t = this.timers.get(id);
    if (!t) return;
    if (t.repeat) t.handle = this.clock.setTimeout(() => this.fireTimer(id), t.ms);
    else this.timers.delete(id);
    this.dispatch(t.repeat ? 'interval' : 'timeout', { kind: 'timer', fn: t.fn, args: t.args });
  }

  private pinChanged(name: string, high: boolean): void {
    const p = this.pinState(name);
    if (high === p.level) return;
    const time = this.clock.now() / 1000;
    const lastTime = p.lastChange;
    p.level = high;
    p.lastChange = time;
    for (const [id, w] of this.watches) {
      if (w.pin !== name) continue;
      if (w.debounce > 0) {
        this.schedule(w.debounce, () => this.debounced(id, time, lastTime));
        continue;
      }
      if (w.edge !== 0 && (w.edge === 1) !== high) continue;
      this.deliver(id, w, high, time, lastTime);
    }
  }

  private debounced(id: number, time: number, lastTime: number): void {
    const w = this.watches.get(id);
    if (!w) return;
    const p = this.pinState(w.pin);
    // the level must have held for the whole debounce time and differ from what was last reported
    if (p.lastChange !== time || p.level === w.lastState) return;
    if (w.edge !== 0 && (w.edge === 1) !== p.level) { w.lastState = p.level; return; }
    this.deliver(id, w, p.level, time, lastTime);
  }

  private deliver(id: number, w: WatchEntry, state: boolean, time: number, lastTime: number): void {
    w.lastState = state;
    if (!w.repeat) this.watches.delete(id);
    this.schedule(0, () => this.dispatch('watch', { kind: 'watch', fn: w.fn, state, time, lastTime }));
  }

  private pinRead(name: string): number {
    const p = this.pinState(name);
    if (p.source) return p.source.read() ? 1 : 0;
    if (p.out !== undefined && p.mode !== 'input' && p.mode !== 'input_pullup' && p.mode !== 'input_pulldown') return p.out ? 1 : 0;
    return p.mode === 'input_pullup' ? 1 : 0;
  }

  private setLevel(name: string, high: boolean): void {
    const p = this.pinState(name);
    p.out = high;
    for (const fn of p.writeListeners) fn(high);
  }

  private memory(): Record<string, number> {
    const total = this.profile.variables;
    this.checkMemory();
    const usage = Math.min(total, this.variables());
    return { free: total - usage, usage, total, history: 0, gc: 0, gctime: 0, blocksize: this.profile.blocksize };
  }

  private exchange(port: string, nss: string | null, mosi: Uint8Array): Uint8Array {
    const tx = new Uint8Array(mosi);
    let cs: string | undefined;
    let chipsOn: SpiChip[] = [];
    if (nss !== null) {
      cs = nss;
      this.setLevel(nss, false);
      const c = this.chips.get(port + '/' + nss);
      if (c) chipsOn = [c];
    } else {
      for (const [key, c] of this.chips) {
        const [p, pin] = key.split('/');
        if (p === port && this.pinState(pin).out === false) { chipsOn.push(c); cs = cs ?? pin; }
      }
    }
    // nothing selected: MISO floats high; several selected: open-drain-like AND of their answers
    const rx = new Uint8Array(tx.length).fill(0xff);
    try {
      for (const c of chipsOn) {
        const answer = c.exchange(new Uint8Array(tx));
        if (answer.length !== tx.length) throw new Error(`chip on ${port}/${cs} answered ${answer.length} bytes to ${tx.length}`);
        for (let i = 0; i < rx.length; i++) rx[i] &= answer[i];
      }
    } catch (e) {
      this.recordError('chip', e, false);
      throw e;
    } finally {
      if (nss !== null) this.setLevel(nss, true);
    }
    this.log.spiCount++;
    this.log.spi.push({ port, cs, mosi: tx, miso: new Uint8Array(rx), time: this.clock.now() });
    if (this.log.spi.length > this.spiLogLimit) this.log.spi.splice(0, this.log.spi.length - this.spiLogLimit);
    return rx;
  }

  private host(): EnvHost {
    const board = this;
    return {
      print: (line) => { board.printLine(line); },
      getTime: () => {
        if (board.clock instanceof VirtualClock && board.getTimeCost > 0) board.clock.pause(board.getTimeCost);
        return board.clock.now() / 1000;
      },
      memoryJson: () => JSON.stringify(board.memory()),
      envJson: () => JSON.stringify({ VERSION: '2v29', BOARD: board.profile.espruinoBoard, MODULES: board.profile.builtinModules.join(',') }),
      errorFlagsJson: () => {
        const flags = [...board.errorFlags];
        board.errorFlags.clear();
        return JSON.stringify(flags);
      },
      pinsJson: () => JSON.stringify(board.profile.pins),
      spiPortsJson: () => JSON.stringify(board.profile.spiPorts),
      builtinModulesJson: () => JSON.stringify(board.profile.builtinModules),
      setTimer: (fn, ms, args, repeat) => {
        const id = board.nextTimerId++;
        const wait = Math.max(TIMER_MIN_INTERVAL_MS, ms);
        const handle = board.clock.setTimeout(() => board.fireTimer(id), wait);
        board.timers.set(id, { fn, args, ms: wait, repeat, handle });
        return id;
      },
      clearTimer: (id) => {
        // an id that already fired or was cleared is ignored, as the HAL's Clock contract expects
        const t = board.timers.get(Number(id));
        if (!t) return;
        board.clock.clearTimeout(t.handle);
        board.timers.delete(Number(id));
      },
      clearAllTimers: () => {
        for (const t of board.timers.values()) board.clock.clearTimeout(t.handle);
        board.timers.clear();
      },
      changeInterval: (id, ms) => {
        const t = board.timers.get(Number(id));
        if (!t) throw new Error('Unknown Interval');
        board.clock.clearTimeout(t.handle);
        t.ms = Math.max(TIMER_MIN_INTERVAL_MS, ms);
        t.handle = board.clock.setTimeout(() => board.fireTimer(Number(id)), t.ms);
      },
      setWatch: (fn, pin, repeat, edge, debounce) => {
        const p = board.pinState(pin);
        if (p.mode === 'auto' || p.mode === 'output') p.mode = 'input';
        const id = board.nextWatchId++;
        board.watches.set(id, { fn, pin, repeat, edge, debounce, lastState: board.pinRead(pin) === 1 });
        return id;
      },
      clearWatch: (id) => { board.watches.delete(Number(id)); },
      clearAllWatches: () => { board.watches.clear(); },
      pinWrite: (pin, high) => {
        const p = board.pinState(pin);
        if (p.mode === 'auto' || p.mode.startsWith('input')) p.mode = 'output';
        board.log.pinWrites.push({ pin, high, time: board.clock.now() });
        board.setLevel(pin, high);
      },
      pinRead: (pin) => board.pinRead(pin),
      pinMode: (pin, mode) => {
        if (!mode || !PIN_MODES.includes(mode)) throw new Error('Unknown pin mode ' + JSON.stringify(mode));
        board.pinState(pin).mode = mode;
      },
      getPinMode: (pin) => {
        const m = board.pinState(pin).mode;
        return m === 'auto' ? 'input' : m;
      },
      spiSetup: (port, optsJson) => { board.log.spiSetups.push({ port, options: JSON.parse(optsJson) }); },
      spiExchange: (port, nss, mosi) => board.exchange(port, nss, mosi),
      eOn: (event, fn) => {
        const list = board.listeners.get(event) ?? [];
        list.push(fn);
        board.listeners.set(event, list);
      },
      eRemoveAllListeners: (event) => {
        if (event === undefined) board.listeners.clear();
        else board.listeners.delete(event);
      },
      builtinModule: (name) => {
        const m = board.net.modules[name];
        if (m && name === 'NetworkJS' && !board.netTimer) board.netTimer = board.clock.setTimeout(() => board.netIdle(), board.netPollMs);
        return m;
      },
      temperature: () => board.temperature,
      takeDispatch: () => {
        if (!board.pending) throw new Error('nothing to dispatch');
        return board.pending as ReturnType<EnvHost['takeDispatch']>;
      },
    };
  }
}
