import assert from 'node:assert/strict';
import { W5500RegisterStub } from '../../sim/board/register-stub';

const hexBytes = (s: string) => new Uint8Array(s.split(' ').map((x) => parseInt(x, 16)));

describe('W5500 register stub', () => {
  it('reads VERSIONR 0x04 in variable- and fixed-length mode, header bytes 01 02 03', () => {
    const chip = new W5500RegisterStub();
    assert.deepEqual([...chip.exchange(hexBytes('00 39 00 00'))], [0x01, 0x02, 0x03, 0x04]);
    assert.deepEqual([...chip.exchange(hexBytes('00 39 01 00 00'))], [0x01, 0x02, 0x03, 0x04, 0x00]);
    assert.equal(chip.frames, 2);
  });

  it('stores writes and reads them back, per block, with no behaviour', () => {
    const chip = new W5500RegisterStub();
    chip.exchange(hexBytes('00 09 04 02 00 00 12 34 56')); // SHAR
    assert.deepEqual([...chip.exchange(hexBytes('00 09 00 00 00 00 00 00 00')).subarray(3)], [0x02, 0x00, 0x00, 0x12, 0x34, 0x56]);
    chip.exchange(hexBytes('00 01 0c 01')); // socket 0 Sn_CR = OPEN: stays as written
    assert.deepEqual([...chip.exchange(hexBytes('00 01 08 00 00 00'))], [1, 2, 3, 0x01, 0x00, 0x00]); // Sn_CR, Sn_IR, Sn_SR
  });

  it('has the datasheet reset values of socket registers and resets on reset()', () => {
    const chip = new W5500RegisterStub();
    // socket 3 (BSB 13): Sn_TTL, then Sn_RXBUF_SIZE/Sn_TXBUF_SIZE/Sn_TX_FSR
    assert.deepEqual([...chip.exchange(hexBytes('00 16 68 00')).subarray(3)], [0x80]);
    assert.deepEqual([...chip.exchange(hexBytes('00 1e 68 00 00 00 00')).subarray(3)], [0x02, 0x02, 0x08, 0x00]);
    assert.deepEqual([...chip.exchange(hexBytes('00 19 00 00 00 00')).subarray(3)], [0x07, 0xd0, 0x08]); // RTR, RCR
    chip.exchange(hexBytes('00 39 04 99'));
    chip.reset();
    assert.equal(chip.exchange(hexBytes('00 39 00 00'))[3], 0x04);
  });

  it('reads zeros from a reserved block and ignores writes to it', () => {
    const chip = new W5500RegisterStub();
    chip.exchange(hexBytes('00 00 24 55')); // BSB 4: reserved
    assert.deepEqual([...chip.exchange(hexBytes('00 00 20 00'))], [1, 2, 3, 0]);
  });
});
