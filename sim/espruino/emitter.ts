/**
 * Espruino's event machinery as the socket server uses it (src/jsinteractive.c, jswrap_object.c,
 * jswrap_stream.c): listeners live on the object (`on`), `queue` = jsiQueueObjectCallbacks (the
 * listeners are taken now and run after the idle pass), `pushData` = jswrap_stream_pushData (a
 * `data` listener runs at once, inside the pass; without one the data waits in a 512-byte buffer
 * that the first `on('data')` hands over as a queued event).
 */

/** calls into the board's code: errors are caught and reported there, never thrown into the server */
export type Invoke = (fn: Function, self: unknown, args: unknown[]) => unknown;

export const STREAM_MAX_BUFFER_SIZE = 512;

interface QueuedEvent { self: unknown; fns: Function[]; args: unknown[] }

export class EventQueue {
  private events: QueuedEvent[] = [];
  constructor(readonly invoke: Invoke) {}

  /** jsiQueueObjectCallbacks: nothing when the object has no listener for `name` */
  queue(obj: Emitter, name: string, args: unknown[]): void {
    const fns = obj.listenersOf(name);
    if (fns.length > 0) this.events.push({ self: obj, fns, args });
  }

  /** jsiQueueEvents with a plain callback (WIZnet-style `callback(err)`) */
  queueCall(fn: Function, args: unknown[]): void {
    this.events.push({ self: undefined, fns: [fn], args });
  }

  pending(): number {
    return this.events.length;
  }

  /** jsiExecuteEvents: everything queued, including what the callbacks queue */
  run(): void {
    while (this.events.length > 0) {
      const e = this.events.shift()!;
      for (const fn of e.fns) this.invoke(fn, e.self, e.args);
    }
  }
}

/** what every Espruino object has: on/emit/removeListener (the subset net and http use) */
export class Emitter {
  private ev: Record<string, Function[]> = Object.create(null);
  /** jswrap_stream's buffer of data received before a `data` listener */
  streamBuffer: string | undefined;

  constructor(protected readonly q: EventQueue) {}

  listenersOf(name: string): Function[] {
    return (this.ev[name] ?? []).slice();
  }

  on(name: string, fn: Function): void {
    (this.ev[name] ??= []).push(fn);
    if (name === 'data' && this.streamBuffer !== undefined) {
      const buf = this.streamBuffer;
      this.streamBuffer = undefined;
      this.q.queue(this, 'data', [buf]);
    }
  }

  addListener(name: string, fn: Function): void {
    this.on(name, fn);
  }

  emit(name: string, ...args: unknown[]): void {
    for (const fn of this.listenersOf(name)) this.q.invoke(fn, this, args);
  }

  removeListener(name: string, fn: Function): void {
    const l = this.ev[name];
    if (l && l.indexOf(fn) >= 0) l.splice(l.indexOf(fn), 1);
  }

  removeAllListeners(name?: string): void {
    if (name === undefined) this.ev = Object.create(null);
    else delete this.ev[name];
  }

  /** jswrap_stream_pushData: false when the buffer overflowed (the data waits in the receive buffer) */
  pushData(data: string, force: boolean): boolean {
    const fns = this.listenersOf('data');
    if (fns.length > 0) {
      for (const fn of fns) this.q.invoke(fn, this, [data]);
      return true;
    }
    const had = this.streamBuffer;
    if (had === undefined) {
      this.streamBuffer = data;
      return true;
    }
    const ok = had.length + data.length <= STREAM_MAX_BUFFER_SIZE;
    if ((ok || force) && had.length < STREAM_MAX_BUFFER_SIZE) this.streamBuffer = had + data.slice(0, STREAM_MAX_BUFFER_SIZE - had.length);
    return ok;
  }
}
