import assert from 'node:assert/strict';
import net from 'node:net';
import { Framing, MessageReader, frameMessage, readHeader, writeHeader } from '../../firmware/socket/seqpacket-framing';
import { SeqpacketPeer } from '../../tools/seqpacket-peer';

function feed(r: MessageReader, bytes: number[]): { msgs: number[][]; lens: number[]; cut: boolean[] } {
  const out = { msgs: [] as number[][], lens: [] as number[], cut: [] as boolean[] };
  const b = new Uint8Array(bytes);
  let off = 0;
  while (off < b.length) {
    off += r.push(b, off, b.length - off);
    if (r.ready()) {
      out.lens.push(r.length());
      out.cut.push(r.truncated());
      out.msgs.push([...r.take()]);
    }
  }
  return out;
}

describe('SOCK_SEQPACKET framing (seqpacket-framing.ts)', () => {
  it('frames a message as a 4-byte big-endian length and the payload', () => {
    assert.equal(Framing.HEADER, 4);
    assert.deepEqual([...frameMessage(new Uint8Array([0xaa, 0xbb, 0xcc]), 0, 3)], [0, 0, 0, 3, 0xaa, 0xbb, 0xcc]);
    assert.deepEqual([...frameMessage(new Uint8Array([9, 8, 7, 6]), 1, 2)], [0, 0, 0, 2, 8, 7]);
    assert.deepEqual([...frameMessage(new Uint8Array(0), 0, 0)], [0, 0, 0, 0], 'zero-length message');
    const h = new Uint8Array(6);
    writeHeader(h, 1, 0x01020304);
    assert.deepEqual([...h], [0, 1, 2, 3, 4, 0]);
    writeHeader(h, 0, 0xfffffffe);
    assert.deepEqual([...h.subarray(0, 4)], [0xff, 0xff, 0xff, 0xfe]);
    assert.equal(readHeader(h, 0), 0xfffffffe);
    const big = frameMessage(new Uint8Array(300), 0, 300);
    assert.deepEqual([...big.subarray(0, 4)], [0, 0, 1, 0x2c]);
    assert.equal(big.length, 304);
  });

  it('reassembles messages split anywhere, including inside the header, and zero-length ones', () => {
    const stream = [0, 0, 0, 2, 1, 2, 0, 0, 0, 0, 0, 0, 0, 3, 7, 8, 9];
    for (let cut = 1; cut < stream.length; cut++) {
      const r = new MessageReader(100);
      const a = feed(r, stream.slice(0, cut));
      const b = feed(r, stream.slice(cut));
      assert.deepEqual(a.msgs.concat(b.msgs), [[1, 2], [], [7, 8, 9]], 'cut at ' + cut);
    }
  });

  it('keeps at most maxKeep bytes, drops the rest of a longer message and says so', () => {
    const r = new MessageReader(2);
    const got = feed(r, [0, 0, 0, 5, 1, 2, 3, 4, 5, 0, 0, 0, 1, 6]);
    assert.deepEqual(got.msgs, [[1, 2], [6]]);
    assert.deepEqual(got.lens, [5, 1]);
    assert.deepEqual(got.cut, [true, false]);
  });

  it('receives a message longer than its scratch buffer with space()/commit() and no copy of the kept part', () => {
    const r = new MessageReader(4);
    const payload = new Uint8Array(200).map((_, i) => i);
    const framed = frameMessage(payload, 0, 200);
    let off = 0;
    while (!r.ready()) {
      const s = r.space();
      const n = Math.min(s.length, framed.length - off, 7);
      s.set(framed.subarray(off, off + n));
      r.commit(n);
      off += n;
    }
    assert.equal(off, 204);
    assert.equal(r.length(), 200);
    assert.deepEqual([...r.take()], [0, 1, 2, 3]);
    assert.equal(r.partial(), false);
    assert.equal(r.space().length, 4, 'next header');
  });

  it('host side: SeqpacketPeer exchanges framed messages over a loopback TCP connection', async () => {
    const server = net.createServer();
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
    const port = (server.address() as net.AddressInfo).port;
    const raw: Buffer[] = [];
    const serverSide = new Promise<net.Socket>((res) => server.once('connection', res));
    const peer = new SeqpacketPeer(net.connect(port, '127.0.0.1'));
    const s = await serverSide;
    s.on('data', (d) => raw.push(d));
    const got: number[][] = [];
    const info: { length: number; truncated: boolean }[] = [];
    peer.on('message', (m: Uint8Array, i: { length: number; truncated: boolean }) => { got.push([...m]); info.push(i); });
    const ended = new Promise<boolean>((res) => peer.on('end', res));
    peer.send(new Uint8Array([1, 2, 3]));
    peer.send(new Uint8Array(0));
    // what the device would send, in two TCP writes cut inside a header
    s.write(Buffer.from([0, 0, 0, 2, 0xde, 0xad, 0, 0]));
    s.write(Buffer.from([0, 0]));
    s.end();
    assert.equal(await ended, false, 'no partial frame at the end');
    assert.deepEqual(got, [[0xde, 0xad], []]);
    assert.deepEqual(info, [{ length: 2, truncated: false }, { length: 0, truncated: false }]);
    peer.end();
    await new Promise((res) => s.on('end', res));
    assert.deepEqual([...Buffer.concat(raw)], [0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 0]);
    s.destroy();
    server.close();
  });
});
