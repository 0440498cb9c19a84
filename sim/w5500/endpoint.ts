import { HostChip, loadModelCtor, type HostChipConfig } from './host-chip';
import type { HostBinding } from './host-net';
import { SpiServer } from '../net/spi-server';

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
  private closed = false;

  private constructor(readonly chip: HostChip, private server: SpiServer, readonly path: string) {}

  static async start(opts: SpiEndpointOptions): Promise<W5500SpiEndpoint> {
    const log = opts.log ?? (() => {});
    const Model = await loadModelCtor(opts.modelModule);
    let server: SpiServer | undefined;
    const chip = new HostChip(Model, opts, {
      onIntn: (high) => { if (server) server.sendIntn(high); },
      onBound: (b: HostBinding) => log(`${b.proto} port ${b.chipPort} open on ${b.address}:${b.port}`),
      onError: (e) => log(`error: ${e.message}`),
    });
    try {
      server = await SpiServer.listen(opts.path, { exchange: (m) => chip.exchange(m), hardReset: () => chip.hardReset(), settled: () => chip.settled(), get intn() { return chip.model.intn; } }, log);
    } catch (e) {
      chip.close();
      throw e;
    }
    return new W5500SpiEndpoint(chip, server, opts.path);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.server.close();
    this.chip.close();
  }
}
