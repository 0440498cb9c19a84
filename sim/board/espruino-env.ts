/**
 * The Espruino globals of the virtual board, as source evaluated inside the board's vm context so
 * that every object the bundle sees (errors, arrays, watch events) belongs to the bundle's own realm.
 * The context calls the host only through `host` (see EnvHost); the host's errors are re-thrown as
 * the context's own Error/TypeError so that `instanceof` works in the bundle.
 *
 * Globals that Espruino 2v29 lacks (espruino.md §1) are replaced by getters that throw an error
 * naming them. Stricter than Espruino on one point: `typeof Map` throws too instead of giving
 * "undefined", since firmware must not feature-test for what the board never has. Typed arrays
 * behave as on Espruino (espruino-typed-arrays.ts): slice() gives an Array, subarray() does not
 * clamp its end.
 */
import { TYPED_ARRAYS_SOURCE, TYPED_ARRAY_NAMES } from './espruino-typed-arrays';

/** What the environment asks of the board. All pins and ports are passed by name. */
export interface EnvHost {
  print(line: string): void;
  getTime(): number;
  memoryJson(): string;
  envJson(): string;
  errorFlagsJson(): string;
  pinsJson(): string;
  spiPortsJson(): string;
  builtinModulesJson(): string;
  setTimer(fn: unknown, ms: number, args: unknown[], repeat: boolean): number;
  clearTimer(id: unknown): void;
  clearAllTimers(): void;
  changeInterval(id: unknown, ms: number): void;
  setWatch(fn: unknown, pin: string, repeat: boolean, edge: number, debounce: number): number;
  clearWatch(id: unknown): void;
  clearAllWatches(): void;
  pinWrite(pin: string, high: boolean): void;
  pinRead(pin: string): number;
  pinMode(pin: string, mode: string | undefined): void;
  getPinMode(pin: string): string;
  spiSetup(port: string, optsJson: string): void;
  spiExchange(port: string, nss: string | null, mosi: Uint8Array): Uint8Array;
  eOn(event: string, fn: unknown): void;
  eRemoveAllListeners(event: string | undefined): void;
  takeDispatch(): { kind: string; fn: any; self?: unknown; args?: unknown[]; state?: boolean; time?: number; lastTime?: number };
  // --- Espruino's networking (sim/espruino/) ---
  /** a built-in module the board models (net, http, dgram, NetworkJS), or undefined */
  builtinModule(name: string): object | undefined;
  /** E.getTemperature(): the board's temperature sensor, °C */
  temperature(): number;
}

/** Name of the one global the host uses to call back into the context (timers, watches, E events). */
export const DISPATCH_GLOBAL = '__virtualBoardDispatch';

/** ECMAScript globals Espruino has; everything else on a fresh V8 global is trapped. */
export const ALLOWED_GLOBALS = [
  'Object', 'Function', 'Array', 'Number', 'Boolean', 'String', 'Date', 'Promise', 'RegExp', 'JSON', 'Math',
  'Error', 'TypeError', 'SyntaxError', 'ReferenceError',
  'ArrayBuffer', 'DataView', 'Uint8Array', 'Int8Array', 'Uint8ClampedArray', 'Uint16Array', 'Int16Array',
  'Uint32Array', 'Int32Array', 'Float32Array', 'Float64Array',
  'parseInt', 'parseFloat', 'isNaN', 'isFinite', 'NaN', 'Infinity', 'undefined', 'eval',
  'encodeURIComponent', 'decodeURIComponent',
];

/** Node and web globals a bundle might reach for by habit; they are not on a V8 global, so they are named explicitly. */
export const EXTRA_TRAPPED_GLOBALS = [
  'Buffer', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'structuredClone', 'fetch', 'TextEncoder', 'TextDecoder',
  'URL', 'URLSearchParams', 'performance', 'global', 'window', 'self', 'module', 'exports', '__dirname', '__filename',
  'AbortController', 'EventTarget', 'MessageChannel',
];

/** what every Array and typed array of Node has and 2v29's do not (src/jswrap_array.c, jswrap_arraybuffer.c) */
const MISSING_LIST_METHODS = ['copyWithin', 'lastIndexOf', 'reduceRight', 'entries', 'keys', 'values', 'at', 'findLast',
  'findLastIndex', 'toReversed', 'toSorted', 'with'];

/**
 * Members of kept built-ins that Espruino 2v29 does not have (owner path, member); `TypedArray` is
 * what every typed-array constructor inherits from. Checked against 2v29's built-in list.
 */
export const TRAPPED_MEMBERS: Array<[string, string]> = [
  ['Array', 'from'], ['Array', 'of'],
  ['Array.prototype', 'flat'], ['Array.prototype', 'flatMap'], ['Array.prototype', 'toSpliced'],
  ...MISSING_LIST_METHODS.map((m): [string, string] => ['Array.prototype', m]),
  ['TypedArray', 'from'], ['TypedArray', 'of'], ['TypedArray.prototype', 'toLocaleString'],
  ...MISSING_LIST_METHODS.map((m): [string, string] => ['TypedArray.prototype', m]),
  ['ArrayBuffer', 'isView'], ['ArrayBuffer.prototype', 'slice'],
  ['Number', 'isInteger'], ['Number', 'isNaN'], ['Number', 'isFinite'], ['Number', 'isSafeInteger'],
  ['Number', 'parseInt'], ['Number', 'parseFloat'], ['Number.prototype', 'toPrecision'], ['Number.prototype', 'toExponential'],
  ...['trunc', 'hypot', 'log2', 'log10', 'log1p', 'expm1', 'cbrt', 'fround', 'imul', 'clz32', 'sinh', 'cosh', 'tanh',
    'asinh', 'acosh', 'atanh'].map((m): [string, string] => ['Math', m]),
  ['Object', 'freeze'], ['Object', 'seal'], ['Object', 'preventExtensions'], ['Object', 'isFrozen'], ['Object', 'isSealed'],
  ['Object', 'is'], ['Object', 'getOwnPropertySymbols'],
  ['Promise', 'allSettled'], ['Promise', 'any'], ['Promise', 'race'], ['Promise.prototype', 'finally'],
  ['String', 'fromCodePoint'], ['String', 'raw'],
  ...['trimStart', 'trimEnd', 'matchAll', 'at', 'codePointAt', 'normalize', 'localeCompare', 'search']
    .map((m): [string, string] => ['String.prototype', m]),
];

export const ENV_SOURCE = String.raw`(function (host, allowed, extraTrapped, trappedMembers, dispatchName) {
  'use strict';
  var G = globalThis;
  var isView = ArrayBuffer.isView;
  var P = Proxy;
  var defineProperty = Object.defineProperty;
  var ownNames = Object.getOwnPropertyNames;
  var parse = JSON.parse;
  var NativeError = Error, NativeTypeError = TypeError, NativeReferenceError = ReferenceError;

  function rethrow(e) {
    var msg = e && e.message !== undefined ? String(e.message) : String(e);
    if (e && e.name === 'TypeError') throw new NativeTypeError(msg);
    if (e && e.name === 'ReferenceError') throw new NativeReferenceError(msg);
    throw new NativeError(msg);
  }
  function call(name) {
    var f = host[name];
    return function () {
      try { return f.apply(host, arguments); } catch (e) { rethrow(e); }
    };
  }
  function strictObject(label, target, what) {
    return new P(target, {
      get: function (t, k) {
        if (k in t || typeof k !== 'string') return t[k];
        throw new NativeTypeError(label + '.' + k + ' is not available on ' + what);
      },
    });
  }
  function define(name, value) {
    defineProperty(G, name, { value: value, writable: true, configurable: true, enumerable: false });
  }

  // --- Pins -------------------------------------------------------------------------------
  var pinNames = parse(host.pinsJson());
  var pinSet = {};
  function Pin(name) {
    if (!(this instanceof Pin)) return pinByName(name);
    defineProperty(this, '__name', { value: String(name) });
  }
  Pin.prototype.toString = function () { return this.__name; };
  Pin.prototype.read = function () { return digitalRead(this) === 1; };
  Pin.prototype.write = function (v) { digitalWrite(this, v); };
  Pin.prototype.set = function () { digitalWrite(this, 1); };
  Pin.prototype.reset = function () { digitalWrite(this, 0); };
  Pin.prototype.toggle = function () { var v = !this.read(); digitalWrite(this, v); return v; };
  Pin.prototype.mode = function (m) { pinMode(this, m); };
  Pin.prototype.getMode = function () { return pinMode(this); };
  function pinByName(name) {
    if (!pinSet[name]) throw new NativeError('Invalid pin: ' + name);
    return G[name];
  }
  function pinName(p) {
    if (p instanceof Pin) return p.__name;
    if (typeof p === 'string' && pinSet[p]) return p;
    throw new NativeError('Invalid pin: ' + p);
  }
  for (var i = 0; i < pinNames.length; i++) {
    pinSet[pinNames[i]] = true;
    define(pinNames[i], new Pin(pinNames[i]));
  }
  define('Pin', Pin);

  var pinWrite = call('pinWrite'), pinRead = call('pinRead'), hostPinMode = call('pinMode'), getPinMode = call('getPinMode');
  function digitalWrite(pin, value) {
    if (Array.isArray(pin)) {
      // Espruino writes an array of pins as the bits of value, last pin = bit 0
      for (var b = 0; b < pin.length; b++) pinWrite(pinName(pin[b]), !!((value >> (pin.length - 1 - b)) & 1));
      return;
    }
    pinWrite(pinName(pin), !!value);
  }
  function digitalRead(pin) {
    if (Array.isArray(pin)) {
      var v = 0;
      for (var b = 0; b < pin.length; b++) v = (v << 1) | pinRead(pinName(pin[b]));
      return v;
    }
    return pinRead(pinName(pin));
  }
  function pinMode(pin, mode) {
    var n = pinName(pin);
    if (mode === undefined) return getPinMode(n);
    hostPinMode(n, String(mode));
  }
  define('digitalWrite', digitalWrite);
  define('digitalRead', digitalRead);
  define('digitalPulse', function () { throw new NativeError('digitalPulse is not modelled on the virtual board'); });
  define('pinMode', pinMode);

  // --- Watches ----------------------------------------------------------------------------
  var hostSetWatch = call('setWatch'), hostClearWatch = call('clearWatch'), hostClearAllWatches = call('clearAllWatches');
  define('setWatch', function setWatch(fn, pin, opts) {
    if (typeof fn !== 'function' && typeof fn !== 'string') throw new NativeError('Function or String not supplied!');
    var repeat = false, edge = 0, debounce = 0;
    if (typeof opts === 'boolean' || typeof opts === 'number') repeat = !!opts;
    else if (opts && typeof opts === 'object') {
      repeat = !!opts.repeat;
      if (opts.edge === 'rising' || opts.edge === 1) edge = 1;
      else if (opts.edge === 'falling' || opts.edge === -1) edge = -1;
      else if (opts.edge === undefined || opts.edge === 'both' || opts.edge === 0) edge = 0;
      else throw new NativeError("'edge' in setWatch should be 1, -1, 0, 'rising', 'falling' or 'both'");
      if (opts.debounce !== undefined) debounce = +opts.debounce;
      if (opts.irq || opts.data !== undefined || opts.hispeed) throw new NativeError('setWatch options irq/data/hispeed are not modelled on the virtual board');
    }
    return hostSetWatch(fn, pinName(pin), repeat, edge, debounce);
  });
  define('clearWatch', function clearWatch(id) {
    if (arguments.length === 0) return hostClearAllWatches();
    if (id === undefined) throw new NativeError('clearWatch(undefined) not allowed. Use clearWatch() instead');
    hostClearWatch(id);
  });

  // --- Timers -----------------------------------------------------------------------------
  var setTimer = call('setTimer'), clearTimer = call('clearTimer'), clearAllTimers = call('clearAllTimers');
  function timerSetter(repeat) {
    return function (fn, ms) {
      if (typeof fn !== 'function' && typeof fn !== 'string') throw new NativeError('Function or String not supplied!');
      var args = [];
      for (var a = 2; a < arguments.length; a++) args.push(arguments[a]);
      return setTimer(fn, +ms || 0, args, repeat);
    };
  }
  function timerClearer(name) {
    return function (id) {
      if (arguments.length === 0) return clearAllTimers();
      if (id === undefined) throw new NativeError(name + '(undefined) not allowed. Use ' + name + '() instead');
      clearTimer(id);
    };
  }
  define('setTimeout', timerSetter(false));
  define('setInterval', timerSetter(true));
  define('clearTimeout', timerClearer('clearTimeout'));
  define('clearInterval', timerClearer('clearInterval'));
  define('changeInterval', call('changeInterval'));
  define('getTime', call('getTime'));

  // --- SPI --------------------------------------------------------------------------------
  var spiSetup = call('spiSetup'), spiExchange = call('spiExchange');
  var softwareCount = 0;
  function SPI() {
    defineProperty(this, '__port', { value: 'SPI' + '_software' + (++softwareCount) });
  }
  function flatten(d, out) {
    if (typeof d === 'number') { out.push(d & 255); return; }
    if (typeof d === 'boolean') { out.push(d ? 1 : 0); return; }
    if (typeof d === 'string') { for (var c = 0; c < d.length; c++) out.push(d.charCodeAt(c) & 255); return; }
    if (d && typeof d === 'object' && typeof d.length === 'number') { for (var k = 0; k < d.length; k++) flatten(d[k], out); return; }
    if (d && typeof d === 'object' && d.data !== undefined) {
      var n = d.count === undefined ? 1 : d.count;
      for (var r = 0; r < n; r++) flatten(d.data, out);
      return;
    }
    throw new NativeError('Unable to send ' + typeof d + ' over SPI');
  }
  function toBytes(d) {
    if (d instanceof Uint8Array) return d;
    var out = [];
    flatten(d, out);
    return new Uint8Array(out);
  }
  function exchange(spi, data, nss) {
    return spiExchange(spi.__port, nss === undefined ? null : pinName(nss), toBytes(data));
  }
  SPI.prototype.setup = function (opts) {
    var o = {};
    if (opts) {
      var keys = ['sck', 'miso', 'mosi'];
      for (var k = 0; k < keys.length; k++) if (opts[keys[k]] !== undefined) o[keys[k]] = pinName(opts[keys[k]]);
      if (opts.baud !== undefined) o.baud = +opts.baud;
      if (opts.mode !== undefined) o.mode = +opts.mode;
      if (opts.order !== undefined) o.order = String(opts.order);
      if (opts.bits !== undefined) o.bits = +opts.bits;
    }
    if (o.baud !== undefined && o.baud < 100) throw new NativeError('Invalid SPI baud rate');
    spiSetup(this.__port, JSON.stringify(o));
  };
  SPI.prototype.send = function (data, nss) {
    var rx = exchange(this, data, nss);
    if (typeof data === 'number') return rx[0];
    if (typeof data === 'string') {
      var s = '';
      for (var c = 0; c < rx.length; c++) s += String.fromCharCode(rx[c]);
      return s;
    }
    var out = new Uint8Array(rx.length);
    out.set(rx);
    return out;
  };
  SPI.prototype.write = function () {
    var items = [];
    for (var a = 0; a < arguments.length; a++) items.push(arguments[a]);
    var nss;
    if (items.length > 1 && items[items.length - 1] instanceof Pin) nss = items.pop();
    exchange(this, items, nss);
  };
  SPI.prototype.send4bit = SPI.prototype.send8bit = function () { throw new NativeError('send4bit/send8bit are not modelled on the virtual board'); };
  var ports = parse(host.spiPortsJson());
  for (var s = 0; s < ports.length; s++) {
    var port = Object.create(SPI.prototype);
    defineProperty(port, '__port', { value: ports[s] });
    define(ports[s], port);
  }
  define('SPI', SPI);

  // --- E, process, console, require ----------------------------------------------------------
  var eOn = call('eOn'), eRemoveAll = call('eRemoveAllListeners');
  define('E', strictObject('E', {
    on: function (event, fn) { eOn(String(event), fn); },
    removeAllListeners: function (event) { eRemoveAll(event === undefined ? undefined : String(event)); },
    getErrorFlags: function () { return parse(host.errorFlagsJson()); },
    // 2v29 jswrap_espruino_sum: the sum of the elements of an array, typed array or string (char codes)
    sum: function (arr) {
      var t = 0;
      if (typeof arr === 'string') { for (var c = 0; c < arr.length; c++) t += arr.charCodeAt(c); return t; }
      for (var k = 0; k < arr.length; k++) t += +arr[k];
      return t;
    },
    // what networking code uses (sim/espruino/): binary Strings to and from bytes, the MCU's sensor, random numbers
    toString: function () {
      var out = '';
      for (var a = 0; a < arguments.length; a++) {
        var v = arguments[a];
        if (typeof v === 'string') out += v;
        else if (typeof v === 'number') out += String.fromCharCode(v & 255);
        else if (v && typeof v.length === 'number') for (var k = 0; k < v.length; k++) out += String.fromCharCode(v[k] & 255);
        else if (v instanceof ArrayBuffer) { var u = new Uint8Array(v); for (var j = 0; j < u.length; j++) out += String.fromCharCode(u[j]); }
      }
      return out;
    },
    toArrayBuffer: function (str) {
      str = String(str);
      var b = new Uint8Array(str.length);
      for (var c = 0; c < str.length; c++) b[c] = str.charCodeAt(c) & 255;
      return b.buffer;
    },
    getTemperature: function () { return host.temperature(); },
    // the STM32's and ESP32's hardware random number generator (DHCP ids, DNS ids and ports)
    hwRand: function () { return (Math.random() * 4294967296) >>> 0; },
  }, 'the virtual board'));
  define('process', strictObject('process', {
    memory: function () { return parse(host.memoryJson()); },
    env: parse(host.envJson()),
    version: parse(host.envJson()).VERSION,
  }, 'Espruino'));

  function fmt(v) {
    if (typeof v === 'string') return v;
    if (v instanceof Pin) return v.__name;
    if (typeof v === 'function') return 'function';
    if (isView(v)) {
      var parts = [];
      for (var k = 0; k < v.length; k++) parts.push(String(v[k]));
      return 'new ' + v.constructor.name + '([' + parts.join(', ') + '])';
    }
    if (v && typeof v === 'object') {
      if (v instanceof NativeError) return v.name + ': ' + v.message;
      try { return JSON.stringify(v); } catch (e) { return String(v); }
    }
    return String(v);
  }
  var print = call('print');
  function log() {
    var parts = [];
    for (var a = 0; a < arguments.length; a++) parts.push(fmt(arguments[a]));
    print(parts.join(' '));
  }
  define('console', strictObject('console', { log: log, info: log, warn: log, error: log, debug: log }, 'Espruino'));
  define('print', log);

  var builtins = parse(host.builtinModulesJson());
  define('require', function require(name) {
    name = String(name);
    if (builtins.indexOf(name) < 0) throw new NativeError('Module "' + name + '" not found');
    var modelled = host.builtinModule(name);
    if (modelled) return modelled;
    return new P({}, {
      get: function (t, k) {
        if (typeof k !== 'string' || k === 'then') return undefined;
        throw new NativeError('module "' + name + '" is not modelled on the virtual board (' + name + '.' + k + ')');
      },
    });
  });

  function InternalError(message) {
    var e = new NativeError(message);
    Object.setPrototypeOf(e, InternalError.prototype);
    return e;
  }
  InternalError.prototype = Object.create(NativeError.prototype);
  InternalError.prototype.name = 'InternalError';
  InternalError.prototype.constructor = InternalError;
  define('InternalError', InternalError);

  // --- Host entry point ----------------------------------------------------------------------
  var takeDispatch = host.takeDispatch;
  var indirectEval = eval;
  defineProperty(G, dispatchName, {
    enumerable: false, configurable: false, writable: false,
    value: function () {
      var d = takeDispatch.call(host);
      if (typeof d.fn === 'string') { indirectEval(d.fn); return; }
      if (d.kind === 'watch') { d.fn({ state: d.state, time: d.time, lastTime: d.lastTime }); return; }
      return d.fn.apply(d.self, d.args || []);
    },
  });

  // --- Typed arrays as Espruino has them ----------------------------------------------------------
  (${TYPED_ARRAYS_SOURCE})(G, host, ${JSON.stringify(TYPED_ARRAY_NAMES)}, NativeError);

  // --- Traps: what Espruino does not have ------------------------------------------------------
  function trapGlobal(name) {
    delete G[name];
    defineProperty(G, name, {
      configurable: false, enumerable: false,
      get: function () { throw new NativeReferenceError('"' + name + '" is not available on Espruino'); },
      set: function () { throw new NativeReferenceError('"' + name + '" is not available on Espruino'); },
    });
  }
  function trapMember(ownerPath, member) {
    var parts = ownerPath.split('.');
    var owner = parts[0] === 'TypedArray' ? Object.getPrototypeOf(G.Uint8Array) : G[parts[0]];
    for (var k = 1; k < parts.length; k++) owner = owner[parts[k]];
    function refuse() {
      // name a typed array by its own type, as a reader of the firmware would
      var who = ownerPath === 'TypedArray.prototype' && this && this.constructor ? this.constructor.name + '.prototype'
        : ownerPath === 'TypedArray' && typeof this === 'function' ? this.name : ownerPath;
      throw new NativeTypeError(who + '.' + member + ' is not available on Espruino');
    }
    defineProperty(owner, member, { configurable: false, enumerable: false, get: refuse, set: refuse });
  }
  for (var t = 0; t < trappedMembers.length; t++) trapMember(trappedMembers[t][0], trappedMembers[t][1]);
  var ours = { InternalError: 1, Pin: 1, SPI: 1, E: 1, process: 1, console: 1, print: 1, require: 1,
    digitalWrite: 1, digitalRead: 1, digitalPulse: 1, pinMode: 1, setWatch: 1, clearWatch: 1, setTimeout: 1, setInterval: 1,
    clearTimeout: 1, clearInterval: 1, changeInterval: 1, getTime: 1 };
  ours[dispatchName] = 1;
  for (var q = 0; q < ports.length; q++) ours[ports[q]] = 1;
  var names = ownNames(G);
  for (var n = 0; n < names.length; n++) {
    if (allowed.indexOf(names[n]) < 0 && !ours[names[n]] && !pinSet[names[n]]) trapGlobal(names[n]);
  }
  for (var x = 0; x < extraTrapped.length; x++) if (!(extraTrapped[x] in G)) trapGlobal(extraTrapped[x]);
})`;
