import * as net from 'node:net';
import * as fs from 'node:fs';
import { Deframer, Msg, encode } from '../w5500/endpoint-framing';

/**
 * A chip model served to another program over a Unix stream socket, one message per chip-select window and the
 * interrupt pin's level as it changes (framing: sim/w5500/endpoint-framing.ts, described in sim/README.md "SPI
 * endpoint"; the same for every chip). One client at a time; the chip keeps its state from one client to the next.
 */

export interface ServedChip {
  exchange(mosi: Uint8Array): Uint8Array;
  hardReset(): void;
  /** the interrupt pin's level, true = high (both chips' pins are active low) */
  readonly intn: boolean;
  /** when the last exchange left OS work the chip's state already shows (a LISTEN's port), resolves once it is done */
  settled?(): Promise<void> | undefined;
}

export class SpiServer {
  private client: net.Socket | undefined;
  private closed = false;
  /** messages behind one whose reply waits for `settled()`, in order */
  private held: { s: net.Socket; type: number; payload: Uint8Array }[] | undefined;

  private constructor(private server: net.Server, readonly path: string, private chip: ServedChip, private log: (line: string) => void) {}

  static async listen(path: string, chip: ServedChip, log: (line: string) => void): Promise<SpiServer> {
    await removeStaleSocket(path);
    const server = net.createServer();
    const s = new SpiServer(server, path, chip, log);
    server.on('connection', (c) => s.onClient(c));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => { server.off('error', reject); resolve(); });
    });
    server.on('error', (e) => log(`error: ${e.message}`));
    return s;
  }

  /** tells the client the pin's new level (call on every change) */
  sendIntn(high: boolean): void {
    const c = this.client;
    if (c && !c.destroyed) c.write(encode(Msg.INTN, new Uint8Array([high ? 1 : 0])));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.client) this.client.destroy();
    this.client = undefined;
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private onClient(s: net.Socket): void {
    s.on('error', () => {});
    if (this.client !== undefined) {
      s.end(encode(Msg.ERROR, new TextEncoder().encode('busy: another client is connected')));
      return;
    }
    this.client = s;
    this.log('client connected');
    const frames = new Deframer();
    s.write(encode(Msg.INTN, new Uint8Array([this.chip.intn ? 1 : 0])));
    s.on('data', (chunk: Buffer) => {
      for (const m of frames.push(chunk)) {
        if (this.held) this.held.push({ s, type: m.type, payload: m.payload });
        else this.onMessage(s, m.type, m.payload);
      }
    });
    s.on('close', () => {
      if (this.client === s) this.client = undefined;
      this.log('client disconnected');
    });
  }

  private onMessage(s: net.Socket, type: number, payload: Uint8Array): void {
    try {
      if (type === Msg.XFER) {
        // INTN changes caused by this window are written (by sendIntn) before its reply.
        const miso = this.chip.exchange(payload);
        const open = this.chip.settled ? this.chip.settled() : undefined;
        if (open) {
          // the reply waits until the OS caught up (a LISTEN's port is open); later messages wait behind it
          this.held = [];
          void open.then(() => this.release(s, encode(Msg.XFER_REPLY, miso)));
          return;
        }
        s.write(encode(Msg.XFER_REPLY, miso));
      } else if (type === Msg.RESET) {
        this.chip.hardReset();
        s.write(encode(Msg.RESET_DONE));
      } else {
        s.write(encode(Msg.ERROR, new TextEncoder().encode(`unknown message type 0x${type.toString(16).padStart(2, '0')}`)));
      }
    } catch (e) {
      s.write(encode(Msg.ERROR, new TextEncoder().encode(e instanceof Error ? e.message : String(e))));
    }
  }

  private release(s: net.Socket, reply: Uint8Array): void {
    if (!s.destroyed) s.write(reply);
    const waiting = this.held ?? [];
    this.held = undefined;
    while (waiting.length > 0) {
      const m = waiting.shift()!;
      this.onMessage(m.s, m.type, m.payload);
      const again = this.held as typeof waiting | undefined;
      // this message's reply waits too: the rest queue behind it
      if (again) { again.push(...waiting); return; }
    }
  }
}

/** A socket file nobody answers on is left over from an earlier run; a live one is someone else's. */
async function removeStaleSocket(path: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new Error(`${path} exists and is not a socket`);
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => { probe.destroy(); resolve(true); });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new Error(`${path} is already being served`);
  fs.unlinkSync(path);
}
