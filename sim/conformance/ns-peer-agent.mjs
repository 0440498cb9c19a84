/**
 * Kernel peers inside a network namespace: this program runs there (ip netns exec NS node ns-peer-agent.mjs) and
 * drives the kernel's TCP for a test outside it, which cannot open sockets in another namespace itself. One JSON
 * object per line each way, on stdin (commands) and stdout (events); bytes as base64.
 *
 *   commands: {op:'listen', lid, host} · {op:'unlisten', lid} · {op:'connect', cid, host, port, localAddress}
 *             {op:'send', cid, b64} · {op:'end', cid} · {op:'reset', cid} · {op:'close', cid} · {op:'closeAll'}
 *   events:   {ev:'ready'} · {ev:'listening', lid, port} · {ev:'accept', lid, cid} · {ev:'data', cid, b64}
 *             {ev:'end', cid} · {ev:'reset', cid} · {ev:'error', cid, code} · {ev:'fatal', message}
 *
 * A connection behaves as KernelPeerConn (kernel-peers.ts) does on loopback: half-open allowed, no Nagle, RST seen as
 * ECONNRESET or EPIPE (also when libuv reported it as EOF: 'end' is checked), close() after end() lets our FIN go
 * first. EOF on stdin ends the program.
 * Plain JavaScript, so it starts without a TypeScript loader (one start per rig).
 */
import * as net from 'node:net';
import * as readline from 'node:readline';

/** @type {Map<string, net.Socket>} */
const conns = new Map();
/** @type {Map<number, net.Server>} */
const servers = new Map();
let accepted = 0;

function emit(ev) {
  process.stdout.write(JSON.stringify(ev) + '\n');
}

function wire(cid, s) {
  conns.set(cid, s);
  let wantClose = false;
  let reset = false;
  s.setNoDelay(true);
  s.on('data', (b) => emit({ ev: 'data', cid, b64: b.toString('base64') }));
  s.on('end', () => {
    // 'end' is not proof of a FIN: when data and a RST wait together, libuv reads the data, sees POLLHUP and
    // reports EOF without the read that would fail with ECONNRESET (the error stays pending in the socket). While
    // this side can still write, an empty write settles it: it fails with the reset ('error' below), or succeeds
    // after a real FIN. As KernelPeerConn does on loopback (kernel-peers.ts).
    if (s.writableEnded || s.destroyed) emit({ ev: 'end', cid });
    else s.write(Buffer.alloc(0), (err) => { if (!err) emit({ ev: 'end', cid }); });
  });
  s.on('finish', () => { if (wantClose) s.destroy(); });
  s.on('error', (e) => {
    if (e.code === 'ECONNRESET' || e.code === 'EPIPE') {
      if (!reset) emit({ ev: 'reset', cid });
      reset = true;
    } else emit({ ev: 'error', cid, code: e.code || e.message });
  });
  s.on('close', () => { conns.delete(cid); });
  s.wantClose = () => { wantClose = true; };
}

function run(c) {
  switch (c.op) {
    case 'listen': {
      const server = net.createServer({ allowHalfOpen: true });
      servers.set(c.lid, server);
      server.on('connection', (s) => {
        const cid = 'a' + ++accepted;
        wire(cid, s);
        emit({ ev: 'accept', lid: c.lid, cid });
      });
      server.on('error', (e) => emit({ ev: 'fatal', message: 'listen: ' + e.message }));
      server.listen(0, c.host, () => emit({ ev: 'listening', lid: c.lid, port: server.address().port }));
      return;
    }
    case 'unlisten': {
      const server = servers.get(c.lid);
      if (server) server.close();
      servers.delete(c.lid);
      return;
    }
    case 'connect':
      wire(c.cid, net.connect({ host: c.host, port: c.port, allowHalfOpen: true, localAddress: c.localAddress }));
      return;
    case 'send': {
      const s = conns.get(c.cid);
      if (s && !s.destroyed) s.write(Buffer.from(c.b64, 'base64'));
      return;
    }
    case 'end': {
      const s = conns.get(c.cid);
      if (s && !s.destroyed) s.end();
      return;
    }
    case 'reset': {
      const s = conns.get(c.cid);
      if (s && !s.destroyed) s.resetAndDestroy();
      return;
    }
    case 'close': {
      const s = conns.get(c.cid);
      if (!s || s.destroyed) return;
      if (s.writableFinished) s.destroy();
      else {
        s.wantClose();
        s.end();
      }
      return;
    }
    case 'closeAll':
      for (const s of conns.values()) if (!s.destroyed) s.destroy();
      for (const server of servers.values()) server.close();
      conns.clear();
      servers.clear();
      return;
  }
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (!line.trim()) return;
  try {
    run(JSON.parse(line));
  } catch (e) {
    emit({ ev: 'fatal', message: e.message });
  }
});
rl.on('close', () => {
  run({ op: 'closeAll' });
  process.exit(0);
});
emit({ ev: 'ready' });
