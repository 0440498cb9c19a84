/**
 * `npm run sim -- <chip> [options]`: chip models as services for other programs.
 *
 *   npm run sim -- w5500 --spi /tmp/w5500.sock [--route 192.168.1.0/24=127.0.0.0]... [--listen-host 127.0.0.1]
 *                        [--host-ports same|ephemeral|80=8080,23=2323] [--trace]
 *
 * Serves the W5500 model (real time, kernel sockets on loopback) on a Unix socket; framing in sim/README.md.
 *
 *   npm run sim -- enc28j60 --spi /tmp/enc.sock [--host 10.77.0.1/24] [--ns-prefix encm] [--pcap FILE] [--trace]
 *
 * Serves the ENC28J60 model with the kernel of a fresh network namespace on its wire (TAP), same framing.
 */
import fs from 'node:fs';
import { W5500SpiEndpoint } from './w5500/endpoint';
import { W5500_USAGE, parseW5500Args } from './w5500/endpoint-args';
import { readTraceLines } from './w5500/host-chip';
import { ENC28J60_USAGE, EncSpiEndpoint, parseEncArgs } from './enc28j60/endpoint';

async function runW5500(argv: string[]): Promise<void> {
  const args = parseW5500Args(argv);
  const ep = await W5500SpiEndpoint.start({ ...args.config, path: args.spi, log: (l) => console.log(`w5500: ${l}`) });
  console.log(`w5500: serving SPI on ${args.spi}`);
  let stopping = false;
  const stop = async () => {
    // A signal often arrives twice (npm forwards it to the process group that already got it): only the
    // first one stops; the handlers stay installed so a repeat cannot end the process mid-trace.
    if (stopping) return;
    stopping = true;
    await ep.close();
    writeAll(readTraceLines(ep.chip.model.trace).concat(['w5500: stopped']));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

/** writes the lines to stdout synchronously, so process.exit cannot cut them off */
function writeAll(lines: string[]): void {
  const text = Buffer.from(lines.join('\n') + '\n');
  let off = 0;
  while (off < text.length) {
    try {
      off += fs.writeSync(1, text, off, Math.min(65536, text.length - off));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

async function runEnc28j60(argv: string[]): Promise<void> {
  const opts = parseEncArgs(argv);
  const ep = await EncSpiEndpoint.start({ ...opts, log: (l) => console.log(`enc28j60: ${l}`) });
  console.log(`enc28j60: wire: TAP ${ep.rig.tap.opts.name} in namespace ${ep.rig.ns.name}, kernel at ${ep.rig.hostIp} (${ep.rig.tap.hostMac()})`);
  console.log(`enc28j60: serving SPI on ${opts.path}`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return; // as for the W5500: a repeated signal must not cut the trace
    stopping = true;
    await ep.close();
    writeAll(ep.rig.chip.trace.lines().concat(['enc28j60: stopped']));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

async function main(argv: string[]): Promise<void> {
  const [chip, ...rest] = argv;
  if (chip === 'w5500') return runW5500(rest);
  if (chip === 'enc28j60') return runEnc28j60(rest);
  throw new Error(chip === undefined ? 'which chip? (w5500, enc28j60)' : `unknown chip ${chip}`);
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(`sim: ${e.message}\n${W5500_USAGE}\n${ENC28J60_USAGE}`);
  process.exit(2);
});
