/**
 * The virtual board's typed arrays behave as Espruino 2v29's (sim/board/espruino-typed-arrays.ts),
 * one trap per test; each expected line is what 2v29 itself printed (its Linux build, 5,100
 * variables) for the same code, except where a test says where the board departs.
 */
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/net/virtual-clock';
import { VirtualBoard } from '../../sim/board/index';
import { stringVariables, varLayout } from '../../sim/board/memory';

function run(code: string, boardName = 'espruino-pico'): { console: string[]; errors: string[] } {
  const board = new VirtualBoard({ clock: new VirtualClock(), boardName });
  board.load(code, 'trap.js');
  return { console: board.log.console, errors: board.errors.map((e) => e.name + ': ' + e.message) };
}

describe('virtual board: typed arrays as on Espruino 2v29', () => {
  it('slice() returns a plain Array, not a Uint8Array', () => {
    const r = run('var s = new Uint8Array([1, 2, 3, 4]).slice(1, 3); print(Array.isArray(s), s instanceof Uint8Array, s.length, s[0], s[1]);');
    assert.deepEqual(r, { console: ['true false 2 2 3'], errors: [] });
  });

  it('filter() returns a plain Array too', () => {
    const r = run('var f = new Uint8Array([1, 0, 3]).filter(function (b) { return b > 0; }); print(Array.isArray(f), f instanceof Uint8Array, f.join());');
    assert.deepEqual(r, { console: ['true false 1,3'], errors: [] });
  });

  it('map() keeps the type, and instances still know their constructor', () => {
    const r = run('var a = new Uint16Array([1, 2]); var m = a.map(function (x) { return x * 300; });' +
      'print(m instanceof Uint16Array, m.join(), a.constructor === Uint16Array, new Uint8Array(2) instanceof Uint16Array);');
    assert.deepEqual(r, { console: ['true 300,600 true false'], errors: [] });
  });

  it('subarray() does not clamp its end: subarray(2, 100) of 5 has length 98; the board refuses to touch what lies past the buffer', () => {
    const r = run([
      'var v = new Uint8Array([9, 8, 7, 6, 5]).subarray(2, 100);',
      'print(v.length, v.byteLength, v[0], v[2], v instanceof Uint8Array);',
      'v[1] = 42; print(v[1]);',
      'try { v[3]; } catch (e) { print(e.message); }',
      'try { v[50] = 1; } catch (e) { print("write refused"); }',
      'try { new Uint8Array(8).set(v); } catch (e) { print("set refused"); }',
      'try { v.subarray(0, 1); } catch (e) { print("method refused"); }',
    ].join('\n'));
    // Espruino prints "98 98 7 5 true", "42", then reads 0 at v[3] and drops the write to v[50]
    assert.deepEqual(r, {
      console: [
        '98 98 7 5 true',
        '42',
        'Uint8Array(5).subarray(2, 100): Espruino 2v29 does not clamp the end, so this view has 98 elements, 95 of them past its buffer ' +
          '(the board reads 0 there and drops writes); the virtual board refuses to read element 3; clamp the end yourself',
        'write refused',
        'set refused',
        'method refused',
      ],
      errors: [],
    });
  });

  it('subarray() index arithmetic follows Espruino: begin past the end, negative indexes, begin after end', () => {
    const r = run([
      'var a = new Uint8Array(5);',
      'print(a.subarray(7, 9).length, a.subarray(10).length, a.subarray(-2).length, a.subarray(1, -1).length, a.subarray(3, 1).length, a.subarray().length);',
      'try { a.subarray(-10, 2); } catch (e) { print(e.message); }',
      'var w = new Uint8Array([1, 2, 3, 4]).subarray(1, 3); w[0] = 20; print(w.byteOffset, w.length, w.join());',
    ].join('\n'));
    assert.deepEqual(r, { console: ['2 0 2 3 0 5', 'byteOffset too large (or negative)', '1 2 20,3'], errors: [] });
  });

  const missing: [string, string][] = [
    ['new Uint8Array(4).copyWithin(0, 1)', 'Uint8Array.prototype.copyWithin'],
    ['new Int16Array(4).lastIndexOf(0)', 'Int16Array.prototype.lastIndexOf'],
    ['new Uint8Array(4).reduceRight(function (a, b) { return a + b; })', 'Uint8Array.prototype.reduceRight'],
    ['new Uint8Array(4).at(0)', 'Uint8Array.prototype.at'],
    ['new Uint8Array(4).values()', 'Uint8Array.prototype.values'],
    ['new Uint8Array(4).entries()', 'Uint8Array.prototype.entries'],
    ['Uint8Array.from([1])', 'Uint8Array.from'],
    ['Uint8Array.of(1)', 'Uint8Array.of'],
    ['new ArrayBuffer(4).slice(0)', 'ArrayBuffer.prototype.slice'],
    ['ArrayBuffer.isView(new Uint8Array(1))', 'ArrayBuffer.isView'],
    ['[1, 2].copyWithin(0, 1)', 'Array.prototype.copyWithin'],
    ['[1, 2].lastIndexOf(1)', 'Array.prototype.lastIndexOf'],
    ['[1, 2].at(0)', 'Array.prototype.at'],
    ['Math.log10(10)', 'Math.log10'],
    ['Math.hypot(3, 4)', 'Math.hypot'],
    ['Object.is(1, 1)', 'Object.is'],
    ['Number.parseInt("1")', 'Number.parseInt'],
    ['(1.5).toPrecision(2)', 'Number.prototype.toPrecision'],
    ['"ab".codePointAt(0)', 'String.prototype.codePointAt'],
    ['"ab".at(0)', 'String.prototype.at'],
  ];
  for (const [code, member] of missing) {
    it(`${code}: ${member} does not exist on 2v29 (typeof is "undefined" there), so the board throws naming it`, () => {
      assert.deepEqual(run(`try { ${code}; print("ran"); } catch (e) { print(e instanceof TypeError, e.message); }`),
        { console: [`true ${member} is not available on Espruino`], errors: [] });
    });
  }

  it('process.memory() counts typed arrays as Espruino stores them, and no longer counts them once they are dropped', () => {
    const r = run([
      'var m0 = process.memory().usage;',
      'var big = new Uint8Array(1000); var m1 = process.memory().usage;',
      'var view = big.subarray(1, 3); var m2 = process.memory().usage;',
      'var small = new Uint8Array(8); var m3 = process.memory().usage;',
      'big = undefined; view = undefined; small = undefined; var m4 = process.memory().usage;',
      'print(m1 - m0, m2 - m1, m3 - m2, m4 - m0);',
    ].join('\n'));
    // on a Pico: 1,000 bytes = ArrayBuffer + view + flat string of 1 + ceil(1000 / 13) blocks = 80;
    // a subarray is one more view; 8 bytes fit one string block: 3. Departure: 2v29 creates each global's
    // name when its statement runs (its Linux build printed 64 3 5 7 with 17-byte blocks: 62 + 1 + 1, …),
    // while the virtual board's JavaScript hoists every `var` of the script, so the names exist from the start.
    assert.deepEqual(r, { console: ['80 1 3 0'], errors: [] });
  });

  it('strings behind an ArrayBuffer take Espruino\'s block counts (reference: E.getSizeOf on the 64-bit Linux build)', () => {
    const linux = varLayout(5100, 17, 8);
    // E.getSizeOf(new Uint8Array(n)) = view + ArrayBuffer + string
    assert.deepEqual([8, 16, 17, 18, 100, 512, 2048].map((n) => 2 + stringVariables(n, linux)), [3, 4, 4, 4, 9, 34, 124]);
    assert.deepEqual(varLayout(5100, 13), { blocksize: 13, stringLen: 8, stringMaxLen: 9 });
    assert.deepEqual(varLayout(16383, 14), { blocksize: 14, stringLen: 9, stringMaxLen: 10 });
    assert.deepEqual(varLayout(2756, 13), { blocksize: 13, stringLen: 8, stringMaxLen: 9 });
  });
});
