/**
 * The PC side of examples/six-step.ts in its own process (tools/six-step-server.ts): plays the server of the seed's
 * six-step teardown (docs/socket-semantics.md §7) on a plain TCP socket and prints its event order.
 *
 *   tsx tools/six-step-peer.ts [--host 127.0.0.10] [--port 5555] [--response-bytes 200] [--sessions 1]
 *
 * With --port 0 the OS picks the port; the first line printed says which ("listening on host:port").
 * Exits 0 after --sessions sessions, each with every request byte received before the FIN.
 */
import { startSixStepServer } from './six-step-server';

function option(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

startSixStepServer({
  host: option('--host', '127.0.0.10'),
  port: Number(option('--port', '5555')),
  responseBytes: Number(option('--response-bytes', '200')),
  sessions: Number(option('--sessions', '1')),
  log: (line) => console.log(line),
}).then((s) => s.done.then((ok) => { process.exitCode = ok ? 0 : 1; }), (e: Error) => {
  console.error('peer: ' + e.message);
  process.exit(2);
});
