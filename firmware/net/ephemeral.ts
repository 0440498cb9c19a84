/**
 * Ephemeral port choice (RFC 6335 §6: the dynamic range 49152–65535), in turn from where the last
 * pick stopped, so a port just given up is not reused at once. The one picker of the project: each
 * transport owns one, and the software transport hands its own to TCP and UDP (firmware/net), so a
 * port is never chosen by two pickers at once.
 */
export const enum Ephemeral {
  FIRST = 49152,
}

export class EphemeralPorts {
  private base: number;
  private next = 0;

  constructor(first: number) {
    this.base = first > 0 && first <= 0xffff ? first : Ephemeral.FIRST;
  }

  /** the next port for which `taken(port)` is false; the first port of the range when all are taken */
  pick(taken: (port: number) => boolean): number {
    const span = 0x10000 - this.base;
    for (let i = 0; i < span; i++) {
      const p = this.base + ((this.next + i) % span);
      if (!taken(p)) {
        this.next = (this.next + i + 1) % span;
        return p;
      }
    }
    return this.base;
  }
}
