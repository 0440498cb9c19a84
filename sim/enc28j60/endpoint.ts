/**
 * The ENC28J60 model served to another program over a Unix stream socket (the same framing as the W5500's), with
 * its wire on a TAP device in a namespace made for the run: the other program's driver talks SPI, the kernel in the
 * namespace answers on the wire.
 */
import { SpiServer } from '../net/spi-server';
import { createTapChip, type TapChip, type TapChipOptions } from './tap-chip';

export interface EncEndpointOptions extends TapChipOptions {
  path: string;
  log?: (line: string) => void;
}

export class EncSpiEndpoint {
  private closed = false;

  private constructor(readonly rig: TapChip, private server: SpiServer, readonly path: string) {}

  static async start(opts: EncEndpointOptions): Promise<EncSpiEndpoint> {
    const log = opts.log || (() => {});
    const rig = await createTapChip(opts);
    let server: SpiServer | undefined;
    rig.chip.onIntn((high) => { if (server) server.sendIntn(high); });
    try {
      server = await SpiServer.listen(opts.path, {
        exchange: (m) => rig.exchange(m),
        hardReset: () => rig.chip.hardReset(),
        get intn() { return rig.chip.intn; },
      }, log);
    } catch (e) {
      await rig.close();
      throw e;
    }
    return new EncSpiEndpoint(rig, server, opts.path);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.server.close();
    await this.rig.close();
  }
}

export const ENC28J60_USAGE = `usage: npm run sim -- enc28j60 --spi <unix socket path> [options]
  --host A/P        the kernel's address on the TAP wire, private (default 10.77.0.1/24)
  --ns-prefix P     network namespace name prefix, 1-8 lowercase letters/digits (default encm)
  --pcap FILE       write every frame on the wire to FILE (pcap, opens in tcpdump -r / Wireshark)
  --trace           keep the model's JSON-lines trace (printed when stopped)`;

/** parses the arguments after `enc28j60`; throws with a message for bad input */
export function parseEncArgs(argv: string[]): EncEndpointOptions {
  const o: EncEndpointOptions = { path: '' };
  const value = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--spi') o.path = value(i++, a);
    else if (a === '--host') o.hostAddress = value(i++, a);
    else if (a === '--ns-prefix') o.prefix = value(i++, a);
    else if (a === '--pcap') o.pcapPath = value(i++, a);
    else if (a === '--trace') o.model = { trace: true };
    else throw new Error(`unknown option ${a}`);
  }
  if (!o.path) throw new Error('--spi <path> is required');
  return o;
}
