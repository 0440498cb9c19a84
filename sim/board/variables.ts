import inspector from 'node:inspector';
import { types } from 'node:util';
import { stringVariables } from './memory';
import type { VarLayout } from './memory';

/**
 * Espruino's variable count (JsVars, the blocks of process.memory().usage) for what a bundle holds on the virtual
 * board, counted as Espruino 2v29 stores it (src/jsvar.c, src/jsutils.h), from a walk of everything the bundle
 * still reaches: its globals, the closures of its functions (V8's scopes, read through the inspector), timers,
 * watches and event listeners.
 *
 * - a number, boolean or null is one variable; a string of n characters is a chain: one block of
 *   `stringLen` characters, then blocks of `stringMaxLen` (jsvNewFromString);
 * - an object or array is one variable plus one name per property or element. A name holds its first
 *   `nameLen` characters (JSVAR_DATA_STRING_NAME_LEN), further characters in blocks of `stringMaxLen`; an
 *   integer that fits a JsVarRef is stored inside the name (JSV_NAME_STRING_INT, JSV_NAME_INT_INT), and so is
 *   a boolean under an array index (JSV_NAME_INT_BOOL) — so `[1, 2, 3]` costs 4 and `[1.5, 2.5, 3.5]` 7;
 * - an instance of a class carries a `__proto__` name; the prototype is counted once;
 * - a typed array is one variable, its ArrayBuffer one more plus the string of its bytes (flat above
 *   `stringLen + stringMaxLen` bytes); several views of one buffer count the buffer once;
 * - a function is 4 (the function, the `\xFFcod` name and its code — one flash string when the bundle runs
 *   from Storage, as flashed —, the `\xFFsco` name) plus a name per parameter; the scope it closes over is an
 *   object with a name per variable, counted once however many functions share it;
 * - the interpreter's own variables when idle (`BASE_VARIABLES`), and per timer or watch 4 (its record).
 *
 * Where V8 and Espruino part: V8 keeps in a closure's scope only the variables some inner function uses,
 * Espruino every local of the call (so this undercounts locals nobody captures), and a string reached twice
 * is counted twice (Espruino may share one). test/board/variables.test.ts pins the count against values
 * measured on the 2v29 interpreter.
 */
export interface CountLayout extends VarLayout {
  /** JSVAR_DATA_STRING_NAME_LEN: characters a name holds in its own block */
  nameLen: number;
  /** JSVARREF_BITS: integers in ±2^(bits-1) are stored inside a name */
  refBits: number;
}

/** what 2v29 uses when idle with nothing loaded: `print(process.memory().usage)` on the 5,100-variable Linux build */
export const BASE_VARIABLES = 59;
/** a timer or watch record (src/jsinteractive.c: an object with its time, interval or pin, and callback) */
export const TIMER_VARIABLES = 4;

export function countLayout(l: VarLayout, variables: number, nameLen: number): CountLayout {
  const refBits = variables <= 1023 ? 10 : variables <= 2047 ? 11 : variables <= 4095 ? 12 : variables <= 8191 ? 13 : variables <= 16383 ? 14 : 16;
  return Object.assign({}, l, { nameLen, refBits });
}

/** variables a string value of `n` characters takes (a chain of blocks) */
export function stringValueVariables(n: number, l: CountLayout): number {
  return n <= l.stringLen ? 1 : 1 + Math.ceil((n - l.stringLen) / l.stringMaxLen);
}

/** variables a property name of `n` characters takes */
export function nameVariables(n: number, l: CountLayout): number {
  return n <= l.nameLen ? 1 : 1 + Math.ceil((n - l.nameLen) / l.stringMaxLen);
}

function fitsRef(v: unknown, l: CountLayout): boolean {
  const lim = 1 << (l.refBits - 1);
  return typeof v === 'number' && Number.isInteger(v) && v >= -lim && v < lim && !Object.is(v, -0);
}

type Remote = inspector.Runtime.RemoteObject;

let session: inspector.Session | undefined;
function post<T>(method: string, params: object): T {
  if (!session) { session = new inspector.Session(); session.connect(); }
  let err: Error | null = null;
  let res: T | undefined;
  session.post(method, params, (e: Error | null, r?: object) => { err = e; res = r as T; });
  if (err) throw err;
  if (res === undefined) throw new Error(`inspector ${method} did not answer at once`);
  return res;
}

const GROUP = 'virtual-board-variables';
const stash: unknown[] = [];
const PROBE = '__virtualBoardProbe';

/** Walks what a bundle reaches and counts it once; `builtins` are the environment's own objects, free. */
export class VariableCounter {
  private seen = new WeakSet<object>();
  /** scopes counted in this count */
  private scopes = new Set<number>();
  /** kept across counts: the scopes each function closes over, and a function through which each is read */
  private readonly fnScopes = new WeakMap<object, number[]>();
  private readonly scopeIds = new Map<string, number>();
  private readonly scopeRep = new Map<number, { fn: WeakRef<object>; index: number }>();
  private ids = new WeakMap<object, number>();
  private nextId = 1;
  private stashId: string | undefined;
  private total = 0;
  /** bytes of the ArrayBuffers the last count reached */
  bufferBytes = 0;

  constructor(private readonly l: CountLayout, private readonly builtins: WeakSet<object>) {}

  /** variables for `roots` (name → value, as globals) and `values` (held by the interpreter, such as callbacks) */
  count(roots: Array<[string, unknown]>, values: unknown[]): number {
    this.seen = new WeakSet();
    this.scopes = new Set();
    this.total = 0;
    this.bufferBytes = 0;
    try {
      for (const [name, v] of roots) this.property(name, v, false);
      for (const v of values) this.value(v);
    } finally {
      post('Runtime.releaseObjectGroup', { objectGroup: GROUP });
      this.stashId = undefined;
    }
    return this.total;
  }

  private property(name: string, v: unknown, index: boolean): void {
    this.total += index ? 1 : nameVariables(name.length, this.l);
    if (fitsRef(v, this.l) || (index && typeof v === 'boolean')) return;
    this.value(v);
  }

  private value(v: unknown): void {
    if (v === undefined) return;
    if (v === null || typeof v === 'number' || typeof v === 'boolean') { this.total += 1; return; }
    if (typeof v === 'string') { this.total += stringValueVariables(v.length, this.l); return; }
    if (typeof v !== 'object' && typeof v !== 'function') { this.total += 1; return; }
    const o = v as object;
    if (this.builtins.has(o) || this.seen.has(o)) return;
    this.seen.add(o);
    // the stand-in for a view longer than its buffer (sim/board/espruino-typed-arrays.ts): one view, its buffer
    // reached through the views made before it
    if (types.isProxy(o)) { this.total += 1; return; }
    if (ArrayBuffer.isView(o)) {
      this.total += 1;
      this.value(o.buffer);
      return;
    }
    if (Object.prototype.toString.call(o) === '[object ArrayBuffer]') {
      this.total += 1 + stringVariables((o as ArrayBuffer).byteLength, this.l);
      this.bufferBytes += (o as ArrayBuffer).byteLength;
      return;
    }
    if (typeof o === 'function') { this.fn(o as (...a: unknown[]) => unknown); return; }
    this.total += 1;
    const isArray = Array.isArray(o);
    for (const key of Object.getOwnPropertyNames(o)) {
      if (isArray && key === 'length') continue;
      this.member(o, key, isArray && /^\d+$/.test(key));
    }
    const proto = Object.getPrototypeOf(o) as object | null;
    if (proto !== null && !this.builtins.has(proto)) {
      this.total += nameVariables('__proto__'.length, this.l);
      this.value(proto);
    }
  }

  private member(o: object, key: string, index: boolean): void {
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (!d) return;
    if ('value' in d) { this.property(key, d.value, index); return; }
    this.total += nameVariables(key.length, this.l);
    this.value(d.get);
    this.value(d.set);
  }

  private fn(f: (...a: unknown[]) => unknown): void {
    const src = Function.prototype.toString.call(f);
    this.total += 4;
    for (const p of params(src)) this.total += nameVariables(p.length, this.l);
    for (const key of Object.getOwnPropertyNames(f)) {
      if (key === 'length' || key === 'name' || key === 'prototype' || key === 'arguments' || key === 'caller') continue;
      this.member(f, key, false);
    }
    // a prototype exists on Espruino once something is put on it: a class's methods, or members assigned
    const proto = (f as { prototype?: object }).prototype;
    if (proto && Object.getOwnPropertyNames(proto).some((k) => k !== 'constructor')) {
      this.total += nameVariables('prototype'.length, this.l);
      this.value(proto);
    }
    this.closure(f);
  }

  /** the scopes `f` closes over, each counted once per count */
  private closure(f: object): void {
    let ids = this.fnScopes.get(f);
    if (!ids) {
      ids = this.discover(f);
      this.fnScopes.set(f, ids);
    }
    for (const id of ids) {
      if (this.scopes.has(id)) continue;
      this.scopes.add(id);
      const rep = this.scopeRep.get(id);
      const holder = rep ? rep.fn.deref() : undefined;
      const entries = holder ? this.scopeList(holder)[rep!.index].entries : this.scopeList(f)[ids.indexOf(id)].entries;
      if (!holder) this.scopeRep.set(id, { fn: new WeakRef(f), index: ids.indexOf(id) });
      this.total += 1;
      for (const [n, v] of this.resolve(entries)) this.property(n, v, false);
    }
  }

  /**
   * Which scopes `f` closes over, as ids shared by every function that closes over the same one. V8 gives a scope
   * no identity, so one is known by its variables' names and, for a small scope, by what they hold (the objects by
   * identity): the many functions of a module share its one large scope; two calls of one factory differ in what
   * they hold.
   */
  private discover(f: object): number[] {
    const ids: number[] = [];
    const list = this.scopeList(f);
    for (let i = 0; i < list.length; i++) {
      const entries = list[i].entries;
      const small = entries.length <= 16;
      const values = small ? this.resolve(entries) : entries.map(([n]): [string, unknown] => [n, undefined]);
      const key = list[i].kind + ':' + values.map(([n, v]) => n + (small ? '=' + this.identity(v) : '')).join(',');
      let id = this.scopeIds.get(key);
      if (id === undefined) {
        id = this.scopeIds.size + 1;
        this.scopeIds.set(key, id);
        this.scopeRep.set(id, { fn: new WeakRef(f), index: i });
      }
      ids.push(id);
    }
    return ids;
  }

  /** the closure scopes of `f` (not the global one) with their variables, as the inspector gives them */
  private scopeList(f: object): Array<{ kind: string; entries: Array<[string, Remote | undefined]> }> {
    (globalThis as Record<string, unknown>)[PROBE] = f;
    let fnRemote: Remote;
    try {
      fnRemote = post<{ result: Remote }>('Runtime.evaluate', { expression: `globalThis.${PROBE}`, objectGroup: GROUP }).result;
    } finally {
      delete (globalThis as Record<string, unknown>)[PROBE];
    }
    const internal = post<{ internalProperties?: inspector.Runtime.InternalPropertyDescriptor[] }>('Runtime.getProperties',
      { objectId: fnRemote.objectId, ownProperties: true, objectGroup: GROUP }).internalProperties ?? [];
    const scopes = internal.find((p) => p.name === '[[Scopes]]');
    if (!scopes || !scopes.value || !scopes.value.objectId) return [];
    const list = post<{ result: inspector.Runtime.PropertyDescriptor[] }>('Runtime.getProperties',
      { objectId: scopes.value.objectId, ownProperties: true, objectGroup: GROUP }).result;
    const out: Array<{ kind: string; entries: Array<[string, Remote | undefined]> }> = [];
    for (const s of list) {
      if (!/^\d+$/.test(s.name) || !s.value || !s.value.objectId) continue;
      const kind = s.value.description ?? '';
      if (kind === 'Global') continue;
      const vars = post<{ result: inspector.Runtime.PropertyDescriptor[] }>('Runtime.getProperties',
        { objectId: s.value.objectId, ownProperties: true, objectGroup: GROUP }).result;
      out.push({ kind, entries: vars.map((d): [string, Remote | undefined] => [d.name, d.value]) });
    }
    return out;
  }

  /** the values remote objects stand for, fetched back into this realm (the objects in one call) */
  private resolve(entries: Array<[string, Remote | undefined]>): Array<[string, unknown]> {
    const objects = entries.filter(([, r]) => r !== undefined && r.objectId !== undefined).map(([, r]) => ({ objectId: (r as Remote).objectId }));
    let fetched: unknown[] = [];
    if (objects.length > 0) {
      if (!this.stashId) {
        (globalThis as Record<string, unknown>)[PROBE] = stash;
        this.stashId = post<{ result: Remote }>('Runtime.evaluate', { expression: `globalThis.${PROBE}`, objectGroup: GROUP }).result.objectId;
        delete (globalThis as Record<string, unknown>)[PROBE];
      }
      post('Runtime.callFunctionOn', { objectId: this.stashId,
        functionDeclaration: 'function () { for (var i = 0; i < arguments.length; i++) this.push(arguments[i]); }',
        arguments: objects, objectGroup: GROUP });
      fetched = stash.splice(0, stash.length);
    }
    let k = 0;
    return entries.map(([n, r]): [string, unknown] => {
      if (r === undefined || r.type === 'undefined') return [n, undefined];
      if (r.objectId !== undefined) return [n, fetched[k++]];
      return [n, r.unserializableValue !== undefined ? Number(r.unserializableValue) : r.value];
    });
  }

  private identity(v: unknown): string {
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return typeof v + String(v);
    let id = this.ids.get(v);
    if (id === undefined) { id = this.nextId++; this.ids.set(v, id); }
    return '#' + id;
  }
}

/** every object reachable from `root` now (own properties, accessors, prototypes): the environment's, free */
export function reachable(root: object): WeakSet<object> {
  const set = new WeakSet<object>();
  const queue: object[] = [root];
  while (queue.length > 0) {
    const o = queue.pop() as object;
    if (set.has(o)) continue;
    set.add(o);
    const next = (v: unknown): void => { if ((typeof v === 'object' && v !== null) || typeof v === 'function') queue.push(v as object); };
    next(Object.getPrototypeOf(o));
    for (const key of Object.getOwnPropertyNames(o)) {
      const d = Object.getOwnPropertyDescriptor(o, key);
      if (!d) continue;
      next(d.value); next(d.get); next(d.set);
    }
  }
  return set;
}

/** parameter names of a function from its source (TypeScript's output for Espruino: identifiers only) */
function params(src: string): string[] {
  let s = src;
  if (s.startsWith('class')) {
    const c = /\bconstructor\s*\(([^)]*)\)/.exec(s);
    s = c ? c[1] : '';
  } else {
    const open = s.indexOf('(');
    const arrow = s.indexOf('=>');
    if (arrow >= 0 && (open < 0 || arrow < open)) s = s.slice(0, arrow); // x => …
    else s = open >= 0 ? s.slice(open + 1, s.indexOf(')', open)) : '';
  }
  return s.split(',').map((p) => p.trim()).filter((p) => /^[A-Za-z_$][\w$]*$/.test(p));
}
