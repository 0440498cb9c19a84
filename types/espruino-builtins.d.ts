// The ECMAScript built-ins of Espruino 2v29, and nothing else: the library that firmware/, hal/,
// boards/ and examples/ are type-checked against (tsconfig.json: noLib). Written from Espruino's
// own built-in list (the JSON comments of src/jswrap_*.c, 2v29) and ../shared/docs/espruino.md §1.
// What 2v29 lacks is absent here, so using it is a type error: Map, Set, WeakMap, Symbol, Proxy,
// Reflect, Array.from/of, Uint8Array.from/of, copyWithin, lastIndexOf on arrays, flat, Object.freeze,
// Number.isInteger, Math.trunc, Promise.prototype.finally, ArrayBuffer.prototype.slice, trimStart, ….
// Where 2v29 differs from the standard the declaration says what 2v29 does: a typed array's slice()
// and filter() give a plain Array (number[]), not a typed array.
// Espruino's hardware globals (Pin, SPI, E, setWatch, …) come from @types/espruino and
// hal/espruino/globals.d.ts.

// --- Types the compiler itself needs -------------------------------------------------------------

interface Object {
  constructor: Function;
  toString(radix?: number): string;
  valueOf(): Object;
  hasOwnProperty(v: string | number): boolean;
}
interface ObjectConstructor {
  new (value?: any): Object;
  (value?: any): any;
  readonly prototype: Object;
  keys(o: object): string[];
  values<T>(o: { [s: string]: T } | ArrayLike<T>): T[];
  values(o: {}): any[];
  entries<T>(o: { [s: string]: T } | ArrayLike<T>): [string, T][];
  entries(o: {}): [string, any][];
  fromEntries<T = any>(entries: ArrayLike<readonly [string | number, T]>): { [k: string]: T };
  getOwnPropertyNames(o: any): string[];
  getOwnPropertyDescriptor(o: any, p: string | number): PropertyDescriptor | undefined;
  getOwnPropertyDescriptors<T>(o: T): { [P in keyof T]: PropertyDescriptor };
  create(o: object | null, properties?: PropertyDescriptorMap): any;
  defineProperty<T>(o: T, p: string | number, attributes: PropertyDescriptor & ThisType<any>): T;
  defineProperties<T>(o: T, properties: PropertyDescriptorMap & ThisType<any>): T;
  getPrototypeOf(o: any): any;
  setPrototypeOf(o: any, proto: object | null): any;
  assign<T extends {}, U>(target: T, source: U): T & U;
  assign<T extends {}, U, V>(target: T, source1: U, source2: V): T & U & V;
  assign(target: object, ...sources: any[]): any;
}
declare var Object: ObjectConstructor;

interface PropertyDescriptor {
  configurable?: boolean;
  enumerable?: boolean;
  value?: any;
  writable?: boolean;
  get?(): any;
  set?(v: any): void;
}
interface PropertyDescriptorMap {
  [key: string]: PropertyDescriptor;
}

interface Function {
  apply(this: Function, thisArg: any, argArray?: any): any;
  call(this: Function, thisArg: any, ...argArray: any[]): any;
  bind(this: Function, thisArg: any, ...argArray: any[]): any;
  readonly length: number;
  prototype: any;
}
interface FunctionConstructor {
  new (...args: string[]): Function;
  (...args: string[]): Function;
  readonly prototype: Function;
}
declare var Function: FunctionConstructor;
interface CallableFunction extends Function {}
interface NewableFunction extends Function {}

interface IArguments {
  [index: number]: any;
  length: number;
}

interface Boolean {
  valueOf(): boolean;
}
interface BooleanConstructor {
  new (value?: any): Boolean;
  <T>(value?: T): boolean;
  readonly prototype: Boolean;
}
declare var Boolean: BooleanConstructor;

interface Number {
  toString(radix?: number): string;
  toFixed(fractionDigits?: number): string;
  valueOf(): number;
}
/** 2v29 has no isInteger, isNaN, isFinite, isSafeInteger, EPSILON, MAX_SAFE_INTEGER, parseInt or parseFloat on Number */
interface NumberConstructor {
  new (value?: any): Number;
  (value?: any): number;
  readonly prototype: Number;
  readonly MAX_VALUE: number;
  readonly MIN_VALUE: number;
  readonly NaN: number;
  readonly NEGATIVE_INFINITY: number;
  readonly POSITIVE_INFINITY: number;
}
declare var Number: NumberConstructor;

/** 2v29 has no trimStart, trimEnd, matchAll, codePointAt, localeCompare, normalize, search or at */
interface String {
  toString(): string;
  charAt(pos: number): string;
  charCodeAt(index: number): number;
  concat(...strings: string[]): string;
  indexOf(searchString: string, position?: number): number;
  lastIndexOf(searchString: string, position?: number): number;
  includes(searchString: string, position?: number): boolean;
  startsWith(searchString: string, position?: number): boolean;
  endsWith(searchString: string, endPosition?: number): boolean;
  match(regexp: string | RegExp): RegExpMatchArray | null;
  replace(searchValue: string | RegExp, replaceValue: string): string;
  replace(searchValue: string | RegExp, replacer: (substring: string, ...args: any[]) => string): string;
  replaceAll(searchValue: string | RegExp, replaceValue: string): string;
  split(separator: string | RegExp, limit?: number): string[];
  slice(start?: number, end?: number): string;
  substring(start: number, end?: number): string;
  substr(from: number, length?: number): string;
  toLowerCase(): string;
  toUpperCase(): string;
  trim(): string;
  repeat(count: number): string;
  padStart(maxLength: number, fillString?: string): string;
  padEnd(maxLength: number, fillString?: string): string;
  valueOf(): string;
  readonly length: number;
  readonly [index: number]: string;
}
interface StringConstructor {
  new (value?: any): String;
  (value?: any): string;
  readonly prototype: String;
  fromCharCode(...codes: number[]): string;
}
declare var String: StringConstructor;

interface RegExp {
  exec(string: string): RegExpExecArray | null;
  test(string: string): boolean;
  readonly source: string;
  readonly global: boolean;
  readonly ignoreCase: boolean;
  readonly multiline: boolean;
  lastIndex: number;
}
interface RegExpConstructor {
  new (pattern: RegExp | string, flags?: string): RegExp;
  (pattern: RegExp | string, flags?: string): RegExp;
  readonly prototype: RegExp;
}
declare var RegExp: RegExpConstructor;
interface RegExpMatchArray extends Array<string> {
  index?: number;
  input?: string;
}
interface RegExpExecArray extends Array<string> {
  index: number;
  input: string;
}

interface TemplateStringsArray extends ReadonlyArray<string> {
  readonly raw: readonly string[];
}

/** Marker for contextual 'this' type */
interface ThisType<T> {}

/** type-level only (no run-time part): @types/espruino uses it for HTTP headers */
type Record<K extends keyof any, T> = { [P in K]: T };

// --- Arrays --------------------------------------------------------------------------------------

interface ArrayLike<T> {
  readonly length: number;
  readonly [n: number]: T;
}

interface ConcatArray<T> {
  readonly length: number;
  readonly [n: number]: T;
  join(separator?: string): string;
  slice(start?: number, end?: number): T[];
}

/** 2v29 has no lastIndexOf, flat, flatMap, copyWithin, reduceRight, entries, keys, values, at, findLast */
interface ReadonlyArray<T> {
  readonly length: number;
  toString(): string;
  concat(...items: (T | ConcatArray<T>)[]): T[];
  join(separator?: string): string;
  slice(start?: number, end?: number): T[];
  indexOf(searchElement: T, fromIndex?: number): number;
  includes(searchElement: T, fromIndex?: number): boolean;
  every(predicate: (value: T, index: number, array: readonly T[]) => unknown, thisArg?: any): boolean;
  some(predicate: (value: T, index: number, array: readonly T[]) => unknown, thisArg?: any): boolean;
  forEach(callbackfn: (value: T, index: number, array: readonly T[]) => void, thisArg?: any): void;
  map<U>(callbackfn: (value: T, index: number, array: readonly T[]) => U, thisArg?: any): U[];
  filter<S extends T>(predicate: (value: T, index: number, array: readonly T[]) => value is S, thisArg?: any): S[];
  filter(predicate: (value: T, index: number, array: readonly T[]) => unknown, thisArg?: any): T[];
  reduce(callbackfn: (previousValue: T, currentValue: T, currentIndex: number, array: readonly T[]) => T): T;
  reduce<U>(callbackfn: (previousValue: U, currentValue: T, currentIndex: number, array: readonly T[]) => U, initialValue: U): U;
  find<S extends T>(predicate: (value: T, index: number, obj: readonly T[]) => value is S, thisArg?: any): S | undefined;
  find(predicate: (value: T, index: number, obj: readonly T[]) => unknown, thisArg?: any): T | undefined;
  findIndex(predicate: (value: T, index: number, obj: readonly T[]) => unknown, thisArg?: any): number;
  readonly [n: number]: T;
}

interface Array<T> {
  length: number;
  toString(): string;
  pop(): T | undefined;
  push(...items: T[]): number;
  concat(...items: (T | ConcatArray<T>)[]): T[];
  join(separator?: string): string;
  reverse(): T[];
  shift(): T | undefined;
  unshift(...items: T[]): number;
  slice(start?: number, end?: number): T[];
  sort(compareFn?: (a: T, b: T) => number): this;
  splice(start: number, deleteCount?: number, ...items: T[]): T[];
  indexOf(searchElement: T, fromIndex?: number): number;
  includes(searchElement: T, fromIndex?: number): boolean;
  every(predicate: (value: T, index: number, array: T[]) => unknown, thisArg?: any): boolean;
  some(predicate: (value: T, index: number, array: T[]) => unknown, thisArg?: any): boolean;
  forEach(callbackfn: (value: T, index: number, array: T[]) => void, thisArg?: any): void;
  map<U>(callbackfn: (value: T, index: number, array: T[]) => U, thisArg?: any): U[];
  filter<S extends T>(predicate: (value: T, index: number, array: T[]) => value is S, thisArg?: any): S[];
  filter(predicate: (value: T, index: number, array: T[]) => unknown, thisArg?: any): T[];
  reduce(callbackfn: (previousValue: T, currentValue: T, currentIndex: number, array: T[]) => T): T;
  reduce<U>(callbackfn: (previousValue: U, currentValue: T, currentIndex: number, array: T[]) => U, initialValue: U): U;
  find<S extends T>(predicate: (value: T, index: number, obj: T[]) => value is S, thisArg?: any): S | undefined;
  find(predicate: (value: T, index: number, obj: T[]) => unknown, thisArg?: any): T | undefined;
  findIndex(predicate: (value: T, index: number, obj: T[]) => unknown, thisArg?: any): number;
  fill(value: T, start?: number, end?: number): this;
  [n: number]: T;
}
/** 2v29 has no Array.from and no Array.of */
interface ArrayConstructor {
  new <T>(arrayLength?: number): T[];
  new <T>(...items: T[]): T[];
  <T>(arrayLength?: number): T[];
  <T>(...items: T[]): T[];
  isArray(arg: any): arg is any[];
  readonly prototype: any[];
}
declare var Array: ArrayConstructor;

// --- Typed arrays --------------------------------------------------------------------------------

/** 2v29's ArrayBuffer has byteLength only: no slice, no isView */
interface ArrayBuffer {
  readonly byteLength: number;
}
interface ArrayBufferConstructor {
  new (byteLength: number): ArrayBuffer;
  readonly prototype: ArrayBuffer;
}
declare var ArrayBuffer: ArrayBufferConstructor;

interface ArrayBufferView {
  readonly buffer: ArrayBuffer;
  readonly byteLength: number;
  readonly byteOffset: number;
}

/**
 * What every typed array of 2v29 has (ArrayBufferView in src/jswrap_arraybuffer.c). Traps:
 * slice() and filter() return a plain Array; subarray(begin, end) does not clamp `end` to the
 * length (new Uint8Array(5).subarray(2, 100).length is 98) — clamp it yourself. No copyWithin,
 * lastIndexOf, reduceRight, entries, keys, values, at, BYTES_PER_ELEMENT, from or of.
 */
interface EspruinoTypedArray<Self, Name extends string> extends ArrayBufferView {
  /** not on the board: tells the typed-array types apart, as the kind of each array does at run time */
  readonly __typedArrayKind?: Name;
  readonly length: number;
  [index: number]: number;
  set(array: ArrayLike<number>, offset?: number): void;
  map(callbackfn: (value: number, index: number, array: Self) => number, thisArg?: any): Self;
  subarray(begin?: number, end?: number): Self;
  indexOf(searchElement: number, fromIndex?: number): number;
  includes(searchElement: number, fromIndex?: number): boolean;
  join(separator?: string): string;
  sort(compareFn?: (a: number, b: number) => number): this;
  forEach(callbackfn: (value: number, index: number, array: Self) => void, thisArg?: any): void;
  reduce(callbackfn: (previousValue: number, currentValue: number, currentIndex: number, array: Self) => number): number;
  reduce<U>(callbackfn: (previousValue: U, currentValue: number, currentIndex: number, array: Self) => U, initialValue: U): U;
  fill(value: number, start?: number, end?: number): this;
  /** a plain Array on 2v29 */
  filter(predicate: (value: number, index: number, array: Self) => unknown, thisArg?: any): number[];
  find(predicate: (value: number, index: number, obj: Self) => unknown, thisArg?: any): number | undefined;
  findIndex(predicate: (value: number, index: number, obj: Self) => unknown, thisArg?: any): number;
  reverse(): Self;
  /** a plain Array on 2v29, not a typed array: copy a range with new Uint8Array(a.subarray(begin, end)) */
  slice(start?: number, end?: number): number[];
  some(predicate: (value: number, index: number, array: Self) => unknown, thisArg?: any): boolean;
  every(predicate: (value: number, index: number, array: Self) => unknown, thisArg?: any): boolean;
}
interface EspruinoTypedArrayConstructor<T> {
  new (length: number): T;
  new (array: ArrayLike<number>): T;
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): T;
  readonly prototype: T;
}

interface Uint8Array extends EspruinoTypedArray<Uint8Array, 'Uint8Array'> {}
declare var Uint8Array: EspruinoTypedArrayConstructor<Uint8Array>;
interface Uint8ClampedArray extends EspruinoTypedArray<Uint8ClampedArray, 'Uint8ClampedArray'> {}
declare var Uint8ClampedArray: EspruinoTypedArrayConstructor<Uint8ClampedArray>;
interface Int8Array extends EspruinoTypedArray<Int8Array, 'Int8Array'> {}
declare var Int8Array: EspruinoTypedArrayConstructor<Int8Array>;
interface Uint16Array extends EspruinoTypedArray<Uint16Array, 'Uint16Array'> {}
declare var Uint16Array: EspruinoTypedArrayConstructor<Uint16Array>;
interface Int16Array extends EspruinoTypedArray<Int16Array, 'Int16Array'> {}
declare var Int16Array: EspruinoTypedArrayConstructor<Int16Array>;
interface Uint24Array extends EspruinoTypedArray<Uint24Array, 'Uint24Array'> {}
declare var Uint24Array: EspruinoTypedArrayConstructor<Uint24Array>;
interface Uint32Array extends EspruinoTypedArray<Uint32Array, 'Uint32Array'> {}
declare var Uint32Array: EspruinoTypedArrayConstructor<Uint32Array>;
interface Int32Array extends EspruinoTypedArray<Int32Array, 'Int32Array'> {}
declare var Int32Array: EspruinoTypedArrayConstructor<Int32Array>;
interface Float32Array extends EspruinoTypedArray<Float32Array, 'Float32Array'> {}
declare var Float32Array: EspruinoTypedArrayConstructor<Float32Array>;
interface Float64Array extends EspruinoTypedArray<Float64Array, 'Float64Array'> {}
declare var Float64Array: EspruinoTypedArrayConstructor<Float64Array>;

interface DataView extends ArrayBufferView {
  getFloat32(byteOffset: number, littleEndian?: boolean): number;
  getFloat64(byteOffset: number, littleEndian?: boolean): number;
  getInt8(byteOffset: number): number;
  getInt16(byteOffset: number, littleEndian?: boolean): number;
  getInt32(byteOffset: number, littleEndian?: boolean): number;
  getUint8(byteOffset: number): number;
  getUint16(byteOffset: number, littleEndian?: boolean): number;
  getUint32(byteOffset: number, littleEndian?: boolean): number;
  setFloat32(byteOffset: number, value: number, littleEndian?: boolean): void;
  setFloat64(byteOffset: number, value: number, littleEndian?: boolean): void;
  setInt8(byteOffset: number, value: number): void;
  setInt16(byteOffset: number, value: number, littleEndian?: boolean): void;
  setInt32(byteOffset: number, value: number, littleEndian?: boolean): void;
  setUint8(byteOffset: number, value: number): void;
  setUint16(byteOffset: number, value: number, littleEndian?: boolean): void;
  setUint32(byteOffset: number, value: number, littleEndian?: boolean): void;
}
interface DataViewConstructor {
  new (buffer: ArrayBuffer, byteOffset?: number, byteLength?: number): DataView;
  readonly prototype: DataView;
}
declare var DataView: DataViewConstructor;

// --- Errors --------------------------------------------------------------------------------------

/** `class E extends Error` is broken on 2v29 (espruino.md §1): build errors, do not subclass */
interface Error {
  name: string;
  message: string;
  stack?: string;
}
interface ErrorConstructor {
  new (message?: string): Error;
  (message?: string): Error;
  readonly prototype: Error;
}
declare var Error: ErrorConstructor;
interface TypeError extends Error {}
declare var TypeError: ErrorConstructor;
interface SyntaxError extends Error {}
declare var SyntaxError: ErrorConstructor;
interface ReferenceError extends Error {}
declare var ReferenceError: ErrorConstructor;
interface InternalError extends Error {}
declare var InternalError: ErrorConstructor;

// --- Math, JSON, Date, Promise ---------------------------------------------------------------------

/** 2v29 has no trunc, hypot, log2, log10, cbrt, fround, imul or clz32; it adds clip, wrap and randInt */
interface Math {
  readonly E: number;
  readonly PI: number;
  readonly LN2: number;
  readonly LN10: number;
  readonly LOG2E: number;
  readonly LOG10E: number;
  readonly SQRT2: number;
  readonly SQRT1_2: number;
  abs(x: number): number;
  acos(x: number): number;
  asin(x: number): number;
  atan(x: number): number;
  atan2(y: number, x: number): number;
  cos(x: number): number;
  sin(x: number): number;
  tan(x: number): number;
  pow(x: number, y: number): number;
  sqrt(x: number): number;
  exp(x: number): number;
  log(x: number): number;
  random(): number;
  randInt(max?: number): number;
  round(x: number): number;
  ceil(x: number): number;
  floor(x: number): number;
  clip(x: number, min: number, max: number): number;
  wrap(x: number, max: number): number;
  min(...values: number[]): number;
  max(...values: number[]): number;
  sign(x: number): number;
}
declare var Math: Math;

interface JSON {
  parse(text: string): any;
  stringify(value: any, replacer?: any, space?: string | number): string;
}
declare var JSON: JSON;

interface Date {
  getTime(): number;
  valueOf(): number;
  setTime(time: number): number;
  getTimezoneOffset(): number;
  getHours(): number;
  getMinutes(): number;
  getSeconds(): number;
  getMilliseconds(): number;
  getDay(): number;
  getDate(): number;
  getMonth(): number;
  getFullYear(): number;
  toString(): string;
  toUTCString(): string;
  toISOString(): string;
  toJSON(): string;
}
interface DateConstructor {
  new (value?: number | string): Date;
  new (year: number, month: number, date?: number, hours?: number, minutes?: number, seconds?: number, ms?: number): Date;
  readonly prototype: Date;
  now(): number;
  parse(s: string): number;
}
declare var Date: DateConstructor;

interface PromiseLike<T> {
  then<R1 = T, R2 = never>(onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null, onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null): PromiseLike<R1 | R2>;
}
/**
 * 2v29: then and catch; no finally. Callbacks run on a later pass of the idle loop, after
 * setTimeout(…, 0), not as microtasks.
 */
interface Promise<T> {
  then<R1 = T, R2 = never>(onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null, onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null): Promise<R1 | R2>;
  catch<R = never>(onrejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R>;
}
/** 2v29: all, resolve, reject; no race, allSettled or any */
interface PromiseConstructor {
  readonly prototype: Promise<any>;
  new <T>(executor: (resolve: (value: T | PromiseLike<T>) => void, reject: (reason?: any) => void) => void): Promise<T>;
  all<T>(values: readonly (T | PromiseLike<T>)[]): Promise<T[]>;
  resolve(): Promise<void>;
  resolve<T>(value: T | PromiseLike<T>): Promise<T>;
  reject<T = never>(reason?: any): Promise<T>;
}
declare var Promise: PromiseConstructor;

// --- Global functions and values -------------------------------------------------------------------

declare var NaN: number;
declare var Infinity: number;
declare function isFinite(x: any): boolean;
declare function encodeURIComponent(str: string): string;
declare function decodeURIComponent(str: string): string;
