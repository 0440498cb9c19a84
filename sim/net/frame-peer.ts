/**
 * A scripted station on a frame port: it records every frame it receives (with the time and the FCS state) and
 * sends what the test tells it to, or what its responder returns for a received frame.
 */
import type { FramePort } from './frame-port';

export interface ReceivedFrame { t: number; frame: Uint8Array; fcsBad: boolean }

/** returns the frames to send in answer to one received frame (none: undefined or []) */
export type Responder = (frame: Uint8Array, fcsBad: boolean) => Uint8Array[] | undefined;

export class ScriptedFramePeer {
  readonly received: ReceivedFrame[] = [];
  readonly sent: Uint8Array[] = [];
  responder: Responder | undefined;

  constructor(private port: FramePort, private now: () => number, responder?: Responder) {
    this.responder = responder;
    port.setReceiver((frame, fcsBad) => {
      this.received.push({ t: this.now(), frame, fcsBad });
      const r = this.responder ? this.responder(frame, fcsBad) : undefined;
      if (r) for (const f of r) this.send(f);
    });
  }

  send(frame: Uint8Array): void {
    this.sent.push(new Uint8Array(frame));
    this.port.send(frame);
  }

  /** removes and returns what was received so far */
  take(): ReceivedFrame[] {
    return this.received.splice(0, this.received.length);
  }

  detach(): void {
    this.port.setReceiver(undefined);
  }
}
