/**
 * One non-blocking UDP socket of the socket layer, as the services use it: bound to a port,
 * datagrams handed over from the event loop (FD_READ), a send the layer could not take at once
 * retried at FD_WRITE, datagrams larger than the receive buffer dropped and counted. Nothing here
 * blocks or throws.
 */
import type { SocketLayer } from '../socket/layer';
import { AddressFamily, FdEvent, SockType } from '../socket/constants';
import { WSAError } from '../socket/errors';
import { formatIPv4, parseIPv4 } from '../socket/address';
import type { SockAddr } from '../socket/types';

/** one datagram: `len` bytes of `buf`, valid during the call only */
export type DatagramHandler = (buf: Uint8Array, len: number, fromIp: number, fromPort: number) => void;

export class UdpPort {
  /** the socket handle, -1 while closed */
  s = -1;
  private api: SocketLayer;
  private buf: Uint8Array;
  private from: SockAddr = { addr: '', port: 0 };
  private onData: DatagramHandler;
  private onOversize: () => void;
  /** a datagram the layer could not take yet (WSAEWOULDBLOCK): sent again at FD_WRITE */
  private out: Uint8Array | null = null;
  private outLen = 0;
  private outIp = '';
  private outPort = 0;

  /** `onOversize` counts a datagram larger than `rxSize`, which is dropped */
  constructor(api: SocketLayer, rxSize: number, onData: DatagramHandler, onOversize: () => void) {
    this.api = api;
    this.buf = new Uint8Array(rxSize);
    this.onData = onData;
    this.onOversize = onOversize;
  }

  /** opens a datagram socket bound to 0.0.0.0:`port`; 0, or the socket layer's error code */
  open(port: number): number {
    if (this.s >= 0) return WSAError.WSAEINVAL;
    const api = this.api;
    const s = api.socket(AddressFamily.AF_INET, SockType.SOCK_DGRAM, 0);
    if (s < 0) return api.WSAGetLastError();
    const self = this;
    if (api.bind(s, '0.0.0.0', port) < 0 ||
      api.WSAAsyncSelect(s, function (h, ev) { self.event(h, ev); }, FdEvent.FD_READ | FdEvent.FD_WRITE) < 0) {
      const e = api.WSAGetLastError();
      api.closesocket(s);
      return e;
    }
    this.s = s;
    return 0;
  }

  /** sends `len` bytes of `buf` (kept until sent) to `ip`:`port`; 0 when sent or queued, else the error code */
  send(buf: Uint8Array, len: number, ip: number, port: number): number {
    if (this.s < 0) return WSAError.WSAENOTSOCK;
    this.out = null;
    const addr = formatIPv4(ip);
    if (this.api.sendto(this.s, buf, len, 0, addr, port) >= 0) return 0;
    const e = this.api.WSAGetLastError();
    if (e !== WSAError.WSAEWOULDBLOCK) return e;
    this.out = buf;
    this.outLen = len;
    this.outIp = addr;
    this.outPort = port;
    return 0;
  }

  /** closes the socket (a datagram not yet taken is dropped); safe to call twice */
  close(): void {
    if (this.s < 0) return;
    this.api.closesocket(this.s);
    this.s = -1;
    this.out = null;
  }

  private event(h: number, ev: number): void {
    if (h !== this.s) return;
    if (ev === FdEvent.FD_WRITE) {
      const out = this.out;
      if (out) {
        this.out = null;
        if (this.api.sendto(h, out, this.outLen, 0, this.outIp, this.outPort) < 0 &&
          this.api.WSAGetLastError() === WSAError.WSAEWOULDBLOCK) this.out = out;
      }
      return;
    }
    if (ev !== FdEvent.FD_READ) return;
    // everything queued now; the handler may close the port
    while (this.s === h) {
      const n = this.api.recvfrom(h, this.buf, this.buf.length, 0, this.from);
      if (n < 0) {
        if (this.api.WSAGetLastError() === WSAError.WSAEMSGSIZE) {
          this.onOversize();
          continue;
        }
        return;
      }
      this.onData(this.buf, n, parseIPv4(this.from.addr), this.from.port);
    }
  }
}
