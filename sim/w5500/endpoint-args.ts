import type { HostChipConfig } from './host-chip';
import type { HostRoute } from './host-routes';

/** Command-line options of `npm run sim -- w5500`. */

export const W5500_USAGE = `usage: npm run sim -- w5500 --spi <unix socket path> [options]
  --route V/P=H        virtual network V/P maps to loopback network H (repeatable; default 192.168.1.0/24=127.0.0.0)
  --listen-host H      OS address for the chip's listening and UDP ports (default: the loopback address SIPR maps to)
  --host-ports M       chip port → OS port: same (default), ephemeral, or a list like 80=8080,23=2323
  --fin-wait2 W        FIN_WAIT after our FIN was acknowledged and no peer FIN comes: tcpto (default, as the
                       datasheet: TIMEOUT + CLOSED at TCP_TO), forever (stays in FIN_WAIT), or a limit in ms
  --trace              keep the model's JSON-lines trace (printed when stopped)`;

export interface W5500Args {
  spi: string;
  config: HostChipConfig;
}

/** parses the arguments after `w5500`; throws with a message for bad input */
export function parseW5500Args(argv: string[]): W5500Args {
  let spi: string | undefined;
  const routes: HostRoute[] = [];
  const config: HostChipConfig = {};
  const value = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--spi') { spi = value(i, a); i++; }
    else if (a === '--route') {
      const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)=(\d+\.\d+\.\d+\.\d+)$/.exec(value(i, a));
      if (!m) throw new Error(`--route wants V/P=H, e.g. 192.168.1.0/24=127.0.0.0`);
      routes.push({ virtual: m[1], prefix: Number(m[2]), host: m[3] });
      i++;
    } else if (a === '--listen-host') { config.listenHost = value(i, a); i++; }
    else if (a === '--host-ports') {
      const v = value(i, a);
      i++;
      if (v === 'same' || v === 'ephemeral') config.hostPorts = v;
      else {
        const table: Record<string, number> = {};
        for (const pair of v.split(',')) {
          const m = /^(\d+)=(\d+)$/.exec(pair);
          if (!m) throw new Error(`--host-ports wants same, ephemeral or chip=host pairs, got ${pair}`);
          table[m[1]] = Number(m[2]);
        }
        config.hostPorts = table;
      }
    } else if (a === '--fin-wait2') {
      const v = value(i, a);
      i++;
      if (v !== 'tcpto' && v !== 'forever' && !/^\d+$/.test(v)) throw new Error(`--fin-wait2 wants tcpto, forever or a number of ms, got ${v}`);
      config.model = { ...(config.model ?? {}), finWait2: /^\d+$/.test(v) ? Number(v) : v };
    } else if (a === '--trace') config.model = { ...(config.model ?? {}), trace: true };
    else throw new Error(`unknown option ${a}`);
  }
  if (spi === undefined) throw new Error('--spi <path> is required');
  if (routes.length > 0) config.routes = routes;
  return { spi, config };
}

