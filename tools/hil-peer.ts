/**
 * The PC's side of `npm run hil`: a TCP server the device connects to once per scenario (firmware/app/hil.ts).
 * The first line the device sends names the scenario; the server acts its part and judges what it saw of the
 * device (every byte, then FIN; or a RST when the device closed abortively). Verdicts go to `onVerdict`.
 */
import net from 'node:net';

export interface PeerVerdict { scenario: string; why: string }

/** byte i of what either side sends (the same as firmware/app/hil.ts) */
function patternByte(i: number): number {
  return (i * 7 + 1) & 255;
}

function pattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = patternByte(i);
  return b;
}

function checkPattern(got: Buffer, n: number): string {
  if (got.length !== n) return `received ${got.length} bytes, expected ${n}`;
  for (let i = 0; i < n; i++) if (got[i] !== patternByte(i)) return `byte ${i} is ${got[i]}, expected ${patternByte(i)}`;
  return '';
}

type Act = (sock: net.Socket, got: () => Buffer, verdict: (why: string) => void) => void;

/** what the peer does and checks, per scenario */
const ACTS: Record<string, Act> = {
  'echo': (sock, got, verdict) => {
    if (got().length) sock.write(got());
    sock.on('data', (d: Buffer) => sock.write(d));
    sock.on('end', () => { verdict(checkPattern(got(), 1000)); sock.end(); });
  },
  'peer-fin': (sock, _got, verdict) => {
    sock.end(pattern(700));
    sock.on('end', () => verdict(''));
  },
  'peer-rst': (sock, _got, verdict) => {
    sock.write(pattern(10), () => setTimeout(() => { sock.resetAndDestroy(); verdict(''); }, 100));
  },
  'dontlinger': (sock, got, verdict) => {
    sock.on('end', () => { verdict(checkPattern(got(), 3000)); sock.end(); });
  },
  'linger0': (sock, got, verdict) => {
    // the device's CLOSE is silent: the RST answers what we send after it
    const poke = setInterval(() => { if (!sock.destroyed) sock.write('x'); }, 200);
    sock.on('error', (e: NodeJS.ErrnoException) => {
      clearInterval(poke);
      verdict(e.code === 'ECONNRESET' || e.code === 'EPIPE' ? checkPattern(got().subarray(0, 100), 100) : `error ${e.code}, expected ECONNRESET`);
    });
    sock.on('end', () => { clearInterval(poke); verdict('the device sent FIN, expected an abortive close (RST)'); });
  },
  'shutdown-send': (sock, got, verdict) => {
    sock.on('end', () => {
      verdict(checkPattern(got(), 2000));
      sock.end(pattern(500));
    });
  },
};

export const SCENARIO_NAMES = Object.keys(ACTS);

export class HilPeer {
  private server: net.Server;
  private sockets = new Set<net.Socket>();

  private constructor(server: net.Server) {
    this.server = server;
  }

  /** listens on host:port (port 0: the OS picks one) */
  static listen(host: string, port: number, onVerdict: (v: PeerVerdict) => void): Promise<HilPeer> {
    const server = net.createServer({ allowHalfOpen: true });
    const peer = new HilPeer(server);
    server.on('connection', (sock) => peer.serve(sock, onVerdict));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => { server.off('error', reject); resolve(peer); });
    });
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.server.close();
  }

  private serve(sock: net.Socket, onVerdict: (v: PeerVerdict) => void): void {
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
    let head = Buffer.alloc(0);
    let body = Buffer.alloc(0);
    let scenario: string | undefined;
    let judged = false;
    const verdict = (why: string) => {
      if (judged || scenario === undefined) return;
      judged = true;
      onVerdict({ scenario, why });
    };
    sock.on('error', () => { /* each act listens for the errors it expects */ });
    sock.on('data', (d: Buffer) => {
      if (scenario !== undefined) { body = Buffer.concat([body, d]); return; }
      head = Buffer.concat([head, d]);
      const nl = head.indexOf(10);
      if (nl < 0) return;
      scenario = head.subarray(0, nl).toString('latin1');
      body = head.subarray(nl + 1);
      const act = ACTS[scenario];
      if (!act) { onVerdict({ scenario, why: 'the peer knows no such scenario' }); sock.destroy(); return; }
      act(sock, () => body, verdict);
    });
  }
}
