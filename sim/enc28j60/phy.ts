/**
 * The PHY behind the MII management interface (DS §3.3, §12.1.5): its nine 16-bit registers, the link, and the
 * MICMD/MIREGADR/MIWR/MIRD/MISTAT handshake with MISTAT.BUSY held for 10.24 µs per operation.
 */
import { MICMD, MISTAT, PHCON1, PHCON2, PHID1_VALUE, PHID2_VALUE, PHIE, PHIR, PHLCON_RESET, PHSTAT1, PHSTAT2, Phy, Reg } from './registers';

/** one MII read or write: 10.24 µs (DS §3.3.1) */
export const MII_MS = 0.01024;
/** how long PHCON1.PRST stays set (the datasheet gives no figure; assumed, see README) */
export const PHY_RESET_MS = 0.1;

const WRITABLE: { [reg: number]: number } = {
  [Phy.PHCON1]: PHCON1.PRST | PHCON1.PLOOPBK | PHCON1.PPWRSV | PHCON1.PDPXMD,
  [Phy.PHCON2]: PHCON2.FRCLINK | PHCON2.TXDIS | PHCON2.JABBER | PHCON2.HDLDIS,
  [Phy.PHIE]: PHIE.PLNKIE | PHIE.PGEIE,
  [Phy.PHLCON]: 0x3ffe,
};

const enum MiiOp { None, Read, Write, Scan }

export interface PhyHost {
  /** the MAC's register file (MIRD, MISTAT are written here) */
  regs: Uint8Array;
  /** EIR.LINKIF follows PHIR.PGIF with PHIE.PGEIE */
  setLinkIf(on: boolean): void;
  trace(rec: Record<string, unknown>): void;
}

export class EncPhy {
  /** the cable: a partner with link pulses is connected */
  cable = true;
  private r = new Uint16Array(0x20);
  private op = MiiOp.None;
  private opAt = 0;
  private opReg = 0;
  private resetUntil = -Infinity;
  private linkWas = false;

  constructor(private host: PhyHost) {
    this.reset(0);
  }

  reset(now: number): void {
    this.r.fill(0);
    this.r[Phy.PHSTAT1] = PHSTAT1.PFDPX | PHSTAT1.PHDPX;
    this.r[Phy.PHID1] = PHID1_VALUE;
    this.r[Phy.PHID2] = PHID2_VALUE;
    this.r[Phy.PHLCON] = PHLCON_RESET;
    this.op = MiiOp.None;
    this.resetUntil = -Infinity;
    this.linkWas = this.linkUp(now);
    // LLSTAT latches low: after reset it shows the link as it is
    if (this.linkWas) this.r[Phy.PHSTAT1] |= PHSTAT1.LLSTAT;
  }

  linkUp(now: number): boolean {
    const c1 = this.r[Phy.PHCON1];
    if (now < this.resetUntil || (c1 & PHCON1.PPWRSV)) return false;
    return this.cable || (this.r[Phy.PHCON2] & PHCON2.FRCLINK) !== 0;
  }
  fullDuplex(): boolean {
    return (this.r[Phy.PHCON1] & PHCON1.PDPXMD) !== 0;
  }
  loopback(): boolean {
    return (this.r[Phy.PHCON1] & PHCON1.PLOOPBK) !== 0;
  }
  /** PHCON2.HDLDIS: in half duplex, own transmissions are not looped back (errata #9) */
  halfDuplexLoopbackDisabled(): boolean {
    return (this.r[Phy.PHCON2] & PHCON2.HDLDIS) !== 0;
  }
  txDisabled(): boolean {
    return (this.r[Phy.PHCON2] & PHCON2.TXDIS) !== 0;
  }

  /** a register as the PHY would answer it now (reads have side effects: see read) */
  peek(reg: number, now: number): number {
    if (reg === Phy.PHSTAT2) {
      const up = this.linkUp(now);
      return (up ? PHSTAT2.LSTAT : 0) | (this.fullDuplex() ? PHSTAT2.DPXSTAT : 0);
    }
    if (reg === Phy.PHCON1) return this.r[reg] & ~(now < this.resetUntil ? 0 : PHCON1.PRST);
    return this.r[reg];
  }

  // ───── MII handshake, driven by the MAC registers ─────

  /** MICMD written */
  command(v: number, now: number): void {
    this.advance(now);
    const regs = this.host.regs;
    if ((v & MICMD.MIISCAN) && this.op === MiiOp.None) this.start(MiiOp.Scan, now);
    else if ((v & MICMD.MIIRD) && this.op === MiiOp.None) this.start(MiiOp.Read, now);
    else if (!(v & MICMD.MIISCAN) && this.op === MiiOp.Scan) {
      this.op = MiiOp.None;
      regs[Reg.MISTAT] &= ~(MISTAT.SCAN | MISTAT.BUSY);
    }
  }

  /** MIWRH written: the 16 bits go to the PHY register in MIREGADR */
  writeStarted(now: number): void {
    this.advance(now);
    if (this.op !== MiiOp.None) {
      this.host.trace({ t: now, ev: 'mii', ignored: 'MIWRH while busy' });
      return;
    }
    this.start(MiiOp.Write, now);
  }

  busy(): boolean {
    return this.op !== MiiOp.None;
  }

  nextDeadline(): number | undefined {
    let t: number | undefined = this.op === MiiOp.None ? undefined : this.opAt + MII_MS;
    if (this.resetUntil > -Infinity && (t === undefined || this.resetUntil < t)) t = this.resetUntil;
    return t;
  }

  /** finishes what is due by `now`: MII operations, the end of a PHY reset, link changes */
  advance(now: number): void {
    const regs = this.host.regs;
    if (this.resetUntil > -Infinity && now >= this.resetUntil) {
      this.resetUntil = -Infinity;
      this.r[Phy.PHCON1] &= ~PHCON1.PRST;
      this.host.trace({ t: now, ev: 'phy', reset: 'done' });
    }
    while (this.op !== MiiOp.None && now >= this.opAt + MII_MS) {
      const at = this.opAt + MII_MS;
      if (this.op === MiiOp.Write) {
        this.store(this.opReg, regs[Reg.MIWRL] | (regs[Reg.MIWRH] << 8), at);
        this.op = MiiOp.None;
        regs[Reg.MISTAT] &= ~MISTAT.BUSY;
      } else {
        const v = this.read(this.opReg, at);
        regs[Reg.MIRDL] = v & 0xff;
        regs[Reg.MIRDH] = v >> 8;
        if (this.op === MiiOp.Read) {
          this.op = MiiOp.None;
          regs[Reg.MISTAT] &= ~MISTAT.BUSY;
        } else {
          regs[Reg.MISTAT] |= MISTAT.NVALID;
          this.opAt = at;
          this.opReg = regs[Reg.MIREGADR] & 0x1f;
          if (now - at > 1) this.opAt = now - MII_MS; // a scan left alone catches up in one step
        }
      }
    }
    this.checkLink(now);
  }

  /** the cable's state changed, or something that decides the link did */
  checkLink(now: number): void {
    const up = this.linkUp(now);
    if (up === this.linkWas) return;
    this.linkWas = up;
    if (!up) this.r[Phy.PHSTAT1] &= ~PHSTAT1.LLSTAT;
    this.r[Phy.PHIR] |= PHIR.PLNKIF;
    if (this.r[Phy.PHIE] & PHIE.PLNKIE) this.r[Phy.PHIR] |= PHIR.PGIF;
    this.host.trace({ t: now, ev: 'link', up });
    this.syncLinkIf();
  }

  private start(op: MiiOp, now: number): void {
    const regs = this.host.regs;
    this.op = op;
    this.opAt = now;
    this.opReg = regs[Reg.MIREGADR] & 0x1f;
    regs[Reg.MISTAT] |= MISTAT.BUSY;
    if (op === MiiOp.Scan) regs[Reg.MISTAT] = (regs[Reg.MISTAT] | MISTAT.SCAN) & ~MISTAT.NVALID;
  }

  /** a read over MII: PHSTAT1 re-arms its latches, PHIR clears its flags (and EIR.LINKIF) */
  private read(reg: number, now: number): number {
    const v = this.peek(reg, now);
    if (reg === Phy.PHSTAT1) {
      this.r[reg] &= ~(PHSTAT1.LLSTAT | PHSTAT1.JBSTAT);
      if (this.linkUp(now)) this.r[reg] |= PHSTAT1.LLSTAT;
    } else if (reg === Phy.PHIR) {
      this.r[reg] = 0;
      this.syncLinkIf();
    }
    return v;
  }

  private store(reg: number, v: number, now: number): void {
    const mask = WRITABLE[reg];
    if (mask === undefined) {
      this.host.trace({ t: now, ev: 'mii', ignored: 'write to read-only PHY register ' + reg });
      return;
    }
    this.r[reg] = v & mask;
    this.host.trace({ t: now, ev: 'mii', write: reg, value: v & mask });
    if (reg === Phy.PHCON1 && (v & PHCON1.PRST)) {
      this.reset(now);
      this.r[Phy.PHCON1] = PHCON1.PRST;
      this.resetUntil = now + PHY_RESET_MS;
    }
    if (reg === Phy.PHIE) {
      if ((this.r[Phy.PHIR] & PHIR.PLNKIF) && (v & PHIE.PLNKIE)) this.r[Phy.PHIR] |= PHIR.PGIF;
      this.syncLinkIf();
    }
    this.checkLink(now);
  }

  private syncLinkIf(): void {
    this.host.setLinkIf((this.r[Phy.PHIR] & PHIR.PGIF) !== 0 && (this.r[Phy.PHIE] & PHIE.PGEIE) !== 0);
  }
}
