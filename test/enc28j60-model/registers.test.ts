import assert from 'node:assert/strict';
import { Rig } from './rig';
import { Reg } from '../../sim/enc28j60/registers';
import { REGS, Kind } from '../../sim/enc28j60/register-table';

/** DS39662E Table 3-2, reset values as read over SPI (ESTAT: CLKRDY; EIR/EPKTCNT 0) */
const RESET: [string, number, number][] = [
  ['ERDPTL', Reg.ERDPTL, 0xfa], ['ERDPTH', Reg.ERDPTH, 0x05], ['EWRPTL', Reg.EWRPTL, 0], ['EWRPTH', Reg.EWRPTH, 0],
  ['ETXSTL', Reg.ETXSTL, 0], ['ETXSTH', Reg.ETXSTH, 0], ['ETXNDL', Reg.ETXNDL, 0], ['ETXNDH', Reg.ETXNDH, 0],
  ['ERXSTL', Reg.ERXSTL, 0xfa], ['ERXSTH', Reg.ERXSTH, 0x05], ['ERXNDL', Reg.ERXNDL, 0xff], ['ERXNDH', Reg.ERXNDH, 0x1f],
  ['ERXRDPTL', Reg.ERXRDPTL, 0xfa], ['ERXRDPTH', Reg.ERXRDPTH, 0x05], ['ERXWRPTL', Reg.ERXWRPTL, 0], ['ERXWRPTH', Reg.ERXWRPTH, 0],
  ['EDMASTL', Reg.EDMASTL, 0], ['EDMANDL', Reg.EDMANDL, 0], ['EDMADSTL', Reg.EDMADSTL, 0], ['EDMACSL', Reg.EDMACSL, 0],
  ['EIE', Reg.EIE, 0], ['EIR', Reg.EIR, 0], ['ESTAT', Reg.ESTAT, 0x01], ['ECON2', Reg.ECON2, 0x80], ['ECON1', Reg.ECON1, 0],
  ['EHT0', Reg.EHT0, 0], ['EPMM0', Reg.EPMM0, 0], ['EPMCSL', Reg.EPMCSL, 0], ['EPMOL', Reg.EPMOL, 0],
  ['ERXFCON', Reg.ERXFCON, 0xa1], ['EPKTCNT', Reg.EPKTCNT, 0],
  ['MACON1', Reg.MACON1, 0], ['MACON3', Reg.MACON3, 0], ['MACON4', Reg.MACON4, 0], ['MABBIPG', Reg.MABBIPG, 0],
  ['MAIPGL', Reg.MAIPGL, 0], ['MAIPGH', Reg.MAIPGH, 0], ['MACLCON1', Reg.MACLCON1, 0x0f], ['MACLCON2', Reg.MACLCON2, 0x37],
  ['MAMXFLL', Reg.MAMXFLL, 0x00], ['MAMXFLH', Reg.MAMXFLH, 0x06], ['MICMD', Reg.MICMD, 0], ['MIREGADR', Reg.MIREGADR, 0],
  ['MIRDL', Reg.MIRDL, 0], ['MIRDH', Reg.MIRDH, 0], ['MAADR1', Reg.MAADR1, 0], ['MAADR6', Reg.MAADR6, 0],
  ['MISTAT', Reg.MISTAT, 0], ['EREVID', Reg.EREVID, 0x06], ['ECOCON', Reg.ECOCON, 0x04], ['EFLOCON', Reg.EFLOCON, 0],
  ['EPAUSL', Reg.EPAUSL, 0], ['EPAUSH', Reg.EPAUSH, 0x10],
];

describe('ENC28J60 model: registers', () => {
  it('every register reads its datasheet reset value over SPI, through its bank and with the dummy where due', () => {
    const r = new Rig();
    for (const [name, id, v] of RESET) assert.equal(r.rcr(id), v, name);
    assert.equal(r.chip.trace.faultCount(), 0);
  });

  it('MAC/MII registers are exactly bank 2, MAADR1–6 and MISTAT', () => {
    const mac = REGS.map((d, id) => [d, id] as const).filter(([d]) => d.kind === Kind.MacMii).map(([d]) => d.name);
    assert.deepEqual(mac, [
      'MACON1', 'MACON3', 'MACON4', 'MABBIPG', 'MAIPGL', 'MAIPGH', 'MACLCON1', 'MACLCON2', 'MAMXFLL', 'MAMXFLH', 'MAPHSUP',
      'MICON', 'MICMD', 'MIREGADR', 'MIWRL', 'MIWRH', 'MIRDL', 'MIRDH', 'MAADR5', 'MAADR6', 'MAADR3', 'MAADR4', 'MAADR1',
      'MAADR2', 'MISTAT',
    ]);
  });

  it('reserved addresses read 0 and ignore writes', () => {
    const r = new Rig();
    r.x([0x40 | 0x18, 0x55]); // bank 0, 0x18: reserved
    assert.deepEqual(r.x([0x18, 0]), [0, 0]);
  });

  it('read-only registers ignore writes and count a driver fault', () => {
    const r = new Rig();
    r.wcr(Reg.EREVID, 0x99);
    r.wcr(Reg.EPKTCNT, 5);
    r.wcr(Reg.ERXWRPTL, 0x10);
    assert.equal(r.rcr(Reg.EREVID), 0x06);
    assert.equal(r.rcr(Reg.EPKTCNT), 0);
    assert.equal(r.rcr(Reg.ERXWRPTL), 0);
    assert.equal(r.chip.trace.driverFaults.readOnlyWrite, 3);
  });

  it('pointer high bytes keep 5 bits; unimplemented bits read 0', () => {
    const r = new Rig();
    r.wcr(Reg.ERDPTH, 0xff);
    assert.equal(r.rcr(Reg.ERDPTH), 0x1f);
    r.wcr(Reg.EIE, 0xff);
    assert.equal(r.rcr(Reg.EIE), 0xfb);
    r.wcr(Reg.ECON2, 0xff);
    assert.equal(r.rcr(Reg.ECON2), 0xa8); // AUTOINC PWRSV VRPS; PKTDEC reads 0
    r.wcr(Reg.MACLCON2, 0xff);
    assert.equal(r.rcr(Reg.MACLCON2), 0x3f);
  });

  it('ERXRDPT is latched: the low byte takes effect with the high byte; reads give the live value', () => {
    const r = new Rig();
    r.wcr(Reg.ERXRDPTL, 0x23);
    assert.equal(r.r16(Reg.ERXRDPTL), 0x05fa);
    r.wcr(Reg.ERXRDPTH, 0x01);
    assert.equal(r.r16(Reg.ERXRDPTL), 0x0123);
    // a high byte alone reuses the live low byte and is flagged
    r.wcr(Reg.ERXRDPTH, 0x02);
    assert.equal(r.r16(Reg.ERXRDPTL), 0x0223);
    assert.equal(r.chip.trace.driverFaults.rxRdptHighWithoutLow, 1);
  });

  it('writing ERXST or ERXND reloads the write pointer (errata #5 off: from ERXST)', () => {
    const r = new Rig({ errata: { rxWritePointerZero: false } });
    r.w16(Reg.ERXSTL, 0x0400);
    assert.equal(r.r16(Reg.ERXWRPTL), 0x0400);
  });

  it('ERXST, ERXFCON or MAADR written while RXEN is set count as a driver fault', () => {
    const r = new Rig();
    r.bfs(Reg.ECON1, 0x04);
    r.wcr(Reg.ERXSTL, 0);
    r.wcr(Reg.ERXFCON, 0xa1);
    r.wcr(Reg.MAADR1, 2);
    assert.equal(r.chip.trace.driverFaults.rxConfigWhileEnabled, 3);
  });
});
