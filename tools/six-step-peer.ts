/**
 * The PC side of examples/six-step.ts: plays the server of the seed's six-step teardown
 * (docs/socket-semantics.md §7) on a plain TCP socket and prints its event order.
 *   2  the client's FIN ('end'): all request bytes are here
 *   3  sends the response
 *   4  shutdown(SD_SEND) (end)
 *   4' closesocket, once its FIN is out
 *
 *   tsx tools/six-step-peer.ts [--host 127.0.0.10] [--port 5555] [--response-bytes 200] [--sessions 1]
 *
 * With --port 0 the OS picks the port; the first line printed says which ("listening on host:port").
 * Exits 0 after --sessions sessions, each with every request byte received before the FIN.
 */
import net from 'node:net';

function option(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const HOST = option('--host', '127.0.0.10');
const PORT = Number(option('--port', '5555'));
const RESPONSE_BYTES = Number(option('--response-bytes', '200'));
const SESSIONS = Number(option('--sessions', '1'));
/** the request examples/six-step.ts sends: 64 bytes, (i * 7 + 1) & 255 */
const REQUEST_BYTES = 64;

function expectedRequest(i: number): number {
  return (i * 7 + 1) & 255;
}

const response = new Uint8Array(RESPONSE_BYTES);
for (let i = 0; i < RESPONSE_BYTES; i++) response[i] = (i * 13 + 5) & 255;

let sessions = 0;
let failed = false;
const log = (line: string) => console.log('peer: ' + line);

const server = net.createServer({ allowHalfOpen: true }, (sock) => {
  sock.setNoDelay(true);
  log(`accepted ${sock.remoteAddress}:${sock.remotePort}`);
  const chunks: Buffer[] = [];
  sock.on('data', (b: Buffer) => chunks.push(b));
  sock.on('end', () => {
    const req = Buffer.concat(chunks);
    let ok = req.length === REQUEST_BYTES;
    for (let i = 0; ok && i < req.length; i++) if (req[i] !== expectedRequest(i)) ok = false;
    log(`2 FD_CLOSE (FIN) after ${req.length} request bytes${ok ? '' : ' (WRONG)'}`);
    if (!ok) failed = true;
    sock.write(response);
    log(`3 send ${response.length}`);
    sock.end(() => {
      log("4' closesocket");
      sock.destroy();
    });
    log('4 shutdown(SD_SEND)');
  });
  sock.on('error', (e: NodeJS.ErrnoException) => { log('error ' + (e.code ?? e.message)); failed = true; });
  sock.on('close', () => {
    sessions++;
    if (sessions >= SESSIONS) {
      log('done');
      server.close();
      process.exitCode = failed ? 1 : 0;
    }
  });
});
server.on('error', (e) => { console.error('peer: ' + e.message); process.exit(2); });
server.listen(PORT, HOST, () => {
  const a = server.address() as net.AddressInfo;
  log(`listening on ${a.address}:${a.port}`);
});
