/**
 * `npm run sim -- <chip> [options]`: chip models as services for other programs.
 *
 *   npm run sim -- w5500 --spi /tmp/w5500.sock [--route 192.168.1.0/24=127.0.0.0]... [--listen-host 127.0.0.1]
 *                        [--host-ports same|ephemeral|80=8080,23=2323] [--trace]
 *
 * Serves the W5500 model (real time, kernel sockets on loopback) on a Unix socket; framing in sim/README.md.
 */
import { W5500SpiEndpoint } from './w5500/endpoint';
import { W5500_USAGE, parseW5500Args } from './w5500/endpoint-args';
import { readTraceLines } from './w5500/host-chip';

async function runW5500(argv: string[]): Promise<void> {
  const args = parseW5500Args(argv);
  const ep = await W5500SpiEndpoint.start({ ...args.config, path: args.spi, log: (l) => console.log(`w5500: ${l}`) });
  console.log(`w5500: serving SPI on ${args.spi}`);
  const stop = async () => {
    await ep.close();
    for (const l of readTraceLines(ep.chip.model.trace)) console.log(l);
    console.log('w5500: stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

async function main(argv: string[]): Promise<void> {
  const [chip, ...rest] = argv;
  if (chip === 'w5500') return runW5500(rest);
  throw new Error(chip === undefined ? 'which chip? (w5500)' : `unknown chip ${chip}`);
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(`sim: ${e.message}\n${W5500_USAGE}`);
  process.exit(2);
});
