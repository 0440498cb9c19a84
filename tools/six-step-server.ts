/**
 * The PC side of examples/six-step.ts as a module: a plain TCP server that plays the server of the seed's six-step
 * teardown (docs/socket-semantics.md §7) and reports its steps as lines:
 *   2  the client's FIN ('end'): all request bytes are here
 *   3  sends the response
 *   4  shutdown(SD_SEND) (end)
 *   4' closesocket, once its FIN is out
 * Used by tools/six-step-peer.ts (its own process) and by `npm start -- --six-step` (in the tool's process).
 */
import net from 'node:net';

/** the request examples/six-step.ts sends: 64 bytes, (i * 7 + 1) & 255 */
export const REQUEST_BYTES = 64;

export interface SixStepServerOptions {
  host: string;
  /** 0: the OS picks one */
  port: number;
  responseBytes: number;
  /** sessions served before the server closes */
  sessions: number;
  /** each step and event, as 'peer: …' lines */
  log: (line: string) => void;
}

export interface SixStepServer {
  server: net.Server;
  /** where it listens */
  port: number;
  /** resolves once `sessions` sessions ended: true when each had every request byte before its FIN and no error */
  done: Promise<boolean>;
}

export function startSixStepServer(o: SixStepServerOptions): Promise<SixStepServer> {
  const response = new Uint8Array(o.responseBytes);
  for (let i = 0; i < o.responseBytes; i++) response[i] = (i * 13 + 5) & 255;
  const log = (line: string) => o.log('peer: ' + line);
  let sessions = 0;
  let failed = false;
  let finish: (ok: boolean) => void = () => undefined;
  const done = new Promise<boolean>((r) => { finish = r; });
  const server = net.createServer({ allowHalfOpen: true }, (sock) => {
    sock.setNoDelay(true);
    log(`accepted ${sock.remoteAddress}:${sock.remotePort}`);
    const chunks: Buffer[] = [];
    sock.on('data', (b: Buffer) => chunks.push(b));
    sock.on('end', () => {
      const req = Buffer.concat(chunks);
      let ok = req.length === REQUEST_BYTES;
      for (let i = 0; ok && i < req.length; i++) if (req[i] !== ((i * 7 + 1) & 255)) ok = false;
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
      if (sessions >= o.sessions) {
        log('done');
        server.close();
        finish(!failed);
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      const a = server.address() as net.AddressInfo;
      log(`listening on ${a.address}:${a.port}`);
      resolve({ server, port: a.port, done });
    });
  });
}
