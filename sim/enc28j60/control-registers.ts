/**
 * What reading and writing each control register does beyond storing a byte (DS §3, §6, §7, §12): computed bits
 * (ESTAT, EIR.PKTIF), latched ERXRDPT, the write pointer reload, PKTDEC, the ECON1 command bits that start and
 * reset the engines, MII commands, and the driver faults a write can be.
 */
import { ptr, setPtr, type EncCore } from './core';
import type { EncDma } from './dma';
import { REGS, Kind } from './register-table';
import { ECON1, ECON2, EIR, ESTAT, Reg } from './registers';
import type { EncTx } from './tx';

export interface RegisterHost {
  core: EncCore;
  tx: EncTx;
  dma: EncDma;
  /** INT is asserted (ESTAT.INT) */
  intAsserted(): boolean;
  /** the chip has finished starting after a reset */
  ready(): boolean;
  updateInt(): void;
}

export class ControlRegisters {
  private c: EncCore;
  /** ERXRDPTL written, waiting for ERXRDPTH */
  private rdptLow: number | undefined;
  private eirReads = 0;

  constructor(private h: RegisterHost) {
    this.c = h.core;
  }

  reset(): void {
    this.rdptLow = undefined;
    this.eirReads = 0;
  }

  /** a register as an RCR reads it (`bySpi`: a real read, with errata #6's effect) */
  read(id: number, bySpi: boolean): number {
    const r = this.c.regs;
    switch (id) {
      case Reg.ESTAT: {
        let v = r[Reg.ESTAT] & (ESTAT.BUFER | ESTAT.LATECOL | ESTAT.TXABRT);
        if (this.h.intAsserted()) v |= ESTAT.INT;
        if (this.h.ready() || this.c.errata.clkrdyEarly) v |= ESTAT.CLKRDY;
        return v;
      }
      case Reg.EIR: {
        let v = r[Reg.EIR];
        if (r[Reg.EPKTCNT] > 0) v |= EIR.PKTIF;
        if (bySpi && (v & EIR.PKTIF) && this.c.errata.pktifUnreliable && (this.eirReads++ & 1) === 1) v &= ~EIR.PKTIF;
        return v;
      }
      case Reg.ECON2: return r[id] & ~ECON2.PKTDEC;
      default: return REGS[id].kind === Kind.Reserved ? 0 : r[id];
    }
  }

  /** a WCR, or the value a BFS/BFC computed */
  write(id: number, v: number): void {
    const r = this.c.regs;
    const t = this.c.time();
    const def = REGS[id];
    if (def.kind === Kind.Reserved) return;
    const old = r[id];
    if (def.writable === 0) {
      this.c.trace.fault(t, 'readOnlyWrite', { reg: def.name, value: v });
      return;
    }
    const rxOn = (r[Reg.ECON1] & ECON1.RXEN) !== 0;
    const txOn = (r[Reg.ECON1] & ECON1.TXRTS) !== 0;
    switch (id) {
      case Reg.ERXRDPTL:
        this.rdptLow = v;
        return;
      case Reg.ERXRDPTH: {
        if (this.rdptLow === undefined) this.c.trace.fault(t, 'rxRdptHighWithoutLow', {});
        const lo = this.rdptLow !== undefined ? this.rdptLow : r[Reg.ERXRDPTL];
        this.rdptLow = undefined;
        r[Reg.ERXRDPTL] = lo;
        r[Reg.ERXRDPTH] = v & 0x1f;
        if ((lo & 1) === 0) this.c.trace.fault(t, 'evenRxRdpt', { value: ptr(r, Reg.ERXRDPTL) });
        return;
      }
      case Reg.ERXSTL: case Reg.ERXSTH: case Reg.ERXNDL: case Reg.ERXNDH:
        if (rxOn) this.c.trace.fault(t, 'rxConfigWhileEnabled', { reg: def.name });
        r[id] = v & def.writable;
        // the internal write pointer is reloaded from ERXST (errata #5: with 0x0000)
        setPtr(r, Reg.ERXWRPTL, this.c.errata.rxWritePointerZero ? 0 : ptr(r, Reg.ERXSTL));
        return;
      case Reg.ERXFCON: case Reg.MAADR1: case Reg.MAADR2: case Reg.MAADR3: case Reg.MAADR4: case Reg.MAADR5: case Reg.MAADR6:
        if (rxOn) this.c.trace.fault(t, 'rxConfigWhileEnabled', { reg: def.name });
        break;
      case Reg.ETXSTL: case Reg.ETXSTH: case Reg.ETXNDL: case Reg.ETXNDH:
        if (txOn) this.c.trace.fault(t, 'txWhileTxrts', { reg: def.name });
        break;
      case Reg.EIR:
        // PKTIF and LINKIF ignore writes; a WCR may clear flags the driver never saw (DS §12.0 advises BFC)
        r[id] = (old & ~def.writable) | (v & def.writable);
        this.h.updateInt();
        return;
      case Reg.ECON2:
        r[id] = v & (ECON2.AUTOINC | ECON2.PWRSV | ECON2.VRPS);
        if ((v & ECON2.PKTDEC) && r[Reg.EPKTCNT] > 0) {
          r[Reg.EPKTCNT]--;
          this.c.trace.record({ t, ev: 'pktdec', epktcnt: r[Reg.EPKTCNT] });
        }
        this.h.updateInt();
        return;
      case Reg.ECON1:
        this.writeEcon1(old, v);
        return;
      case Reg.MICMD:
        if (this.c.phy.busy() && !(old & 2)) this.c.trace.fault(t, 'miiWhileBusy', { reg: def.name });
        r[id] = v & def.writable;
        this.c.phy.command(r[id], t);
        return;
      case Reg.MIREGADR: case Reg.MIWRL:
        if (this.c.phy.busy()) this.c.trace.fault(t, 'miiWhileBusy', { reg: def.name });
        break;
      case Reg.MIWRH:
        if (this.c.phy.busy()) this.c.trace.fault(t, 'miiWhileBusy', { reg: def.name });
        r[id] = v;
        this.c.phy.writeStarted(t);
        return;
    }
    r[id] = (old & ~def.writable) | (v & def.writable);
    if (id === Reg.EIE) this.h.updateInt();
  }

  private writeEcon1(old: number, v: number): void {
    const r = this.c.regs;
    r[Reg.ECON1] = v;
    const rose = v & ~old;
    const fell = old & ~v;
    if (rose & ECON1.TXRST) this.h.tx.txReset(true);
    if (fell & ECON1.TXRST) this.h.tx.txReset(false);
    if (rose & ECON1.RXRST) this.rxReset();
    if (rose & ECON1.TXRTS) this.h.tx.start();
    if ((fell & ECON1.TXRTS) && this.h.tx.busy()) this.h.tx.cancel();
    if (rose & ECON1.DMAST) this.h.dma.start();
    if (fell & ECON1.DMAST) this.h.dma.cancel();
    this.h.updateInt();
  }

  /** RXRST (DS §11.3): the receive logic restarts; assumed to clear EPKTCNT and reload the write pointer */
  private rxReset(): void {
    const r = this.c.regs;
    r[Reg.EPKTCNT] = 0;
    setPtr(r, Reg.ERXWRPTL, this.c.errata.rxWritePointerZero ? 0 : ptr(r, Reg.ERXSTL));
    this.c.trace.record({ t: this.c.time(), ev: 'rxrst' });
  }
}
