/**
 * Host side of SOCK_SEQPACKET (docs/socket-semantics.md §6) for a PC peer: wraps a Node TCP socket
 * so that it sends and receives whole length-framed messages, using the same pure framing as the
 * firmware (firmware/socket/seqpacket-framing.ts).
 *
 *   const peer = new SeqpacketPeer(net.connect(port, host));
 *   peer.on('message', (m) => …); peer.on('end', () => …);   // 'end' = the device's graceful close
 *   peer.send(new Uint8Array([1, 2, 3])); peer.end();
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { MessageReader, frameMessage } from '../firmware/socket/seqpacket-framing';

export class SeqpacketPeer extends EventEmitter {
  private reader: MessageReader;

  /** `maxMessage`: longest message kept whole; longer ones arrive cut, with `truncated` true */
  constructor(readonly socket: Socket, maxMessage = 1 << 20) {
    super();
    this.reader = new MessageReader(maxMessage);
    socket.on('data', (chunk: Buffer) => this.onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    socket.on('end', () => this.emit('end', this.reader.partial()));
    socket.on('close', (hadError: boolean) => this.emit('close', hadError));
    socket.on('error', (e: Error) => this.emit('error', e));
  }

  /** one message; returns what `socket.write` returned (false: wait for 'drain') */
  send(message: Uint8Array): boolean {
    return this.socket.write(frameMessage(message, 0, message.length));
  }

  /** graceful end (FIN): the device's recv then fails with WSAEDISCON */
  end(): void {
    this.socket.end();
  }

  private onData(bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length) {
      off += this.reader.push(bytes, off, bytes.length - off);
      if (this.reader.ready()) {
        const truncated = this.reader.truncated();
        const length = this.reader.length();
        this.emit('message', this.reader.take(), { length, truncated });
      }
    }
  }
}
