import * as net from 'node:net';
import * as fs from 'node:fs';
import { HostChip, loadModelCtor, type HostChipConfig } from './host-chip';
import type { HostBinding } from './host-net';
import { Deframer, Msg, encode } from './endpoint-framing';

/**
 * The W5500 model (real time, host network side) served to another program over a Unix stream
 * socket: one message per chip-select window, and INTn level changes as they happen. One client at a
 * time; the chip keeps its state (and its connections) across clients, as a powered chip would.
 */

export interface SpiEndpointOptions extends HostChipConfig {
  /** the Unix socket path to serve on (a stale socket file there is replaced) */
  path: string;
  /** one line per notable event (client in/out, ports opened, errors) */
  log?: (line: string) => void;
}

export class W5500SpiEndpoint {
  private client: net.Socket | undefined;
  private closed = false;

  private constructor(readonly chip: HostChip, private server: net.Server, readonly path: string, private log: (line: string) => void) {}

  static async start(opts: SpiEndpointOptions): Promise<W5500SpiEndpoint> {
    const log = opts.log ?? (() => {});
    const Model = await loadModelCtor(opts.modelModule);
    await removeStaleSocket(opts.path);
    let self: W5500SpiEndpoint | undefined;
    const chip = new HostChip(Model, opts, {
      onIntn: (high) => { if (self) self.sendIntn(high); },
      onBound: (b: HostBinding) => log(`${b.proto} port ${b.chipPort} open on ${b.address}:${b.port}`),
      onError: (e) => log(`error: ${e.message}`),
    });
    const server = net.createServer();
    const ep = new W5500SpiEndpoint(chip, server, opts.path, log);
    self = ep;
    server.on('connection', (s) => ep.onClient(s));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(opts.path, () => { server.off('error', reject); resolve(); });
      });
    } catch (e) {
      chip.close();
      throw e;
    }
    server.on('error', (e) => log(`error: ${e.message}`));
    return ep;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.client) this.client.destroy();
    this.client = undefined;
    await new Promise<void>((r) => this.server.close(() => r()));
    this.chip.close();
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
    s.write(encode(Msg.INTN, new Uint8Array([this.chip.model.intn ? 1 : 0])));
    s.on('data', (chunk: Buffer) => {
      for (const m of frames.push(chunk)) this.onMessage(s, m.type, m.payload);
    });
    s.on('close', () => {
      if (this.client === s) this.client = undefined;
      this.log('client disconnected');
    });
  }

  private onMessage(s: net.Socket, type: number, payload: Uint8Array): void {
    try {
      if (type === Msg.XFER) {
        // INTn changes caused by this window are written (by onIntn) before its reply.
        const miso = this.chip.exchange(payload);
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

  private sendIntn(high: boolean): void {
    const c = this.client;
    if (c && !c.destroyed) c.write(encode(Msg.INTN, new Uint8Array([high ? 1 : 0])));
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
