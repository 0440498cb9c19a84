/**
 * Typed arrays as Espruino 2v29 has them (src/jswrap_arraybuffer.c, measured on its Linux build),
 * as source evaluated inside the virtual board's context by espruino-env.ts:
 *
 * - `slice()` and `filter()` return a plain Array, not a typed array.
 * - `subarray(begin, end)` follows Espruino's arithmetic: a negative index counts from the end,
 *   `begin > end` gives an empty array, a view starting before its buffer is the error Espruino
 *   throws ("byteOffset too large (or negative)"), and `end` is NOT clamped to the length:
 *   `new Uint8Array(5).subarray(2, 100).length` is 98. Node cannot make a view longer than its
 *   buffer, so such a view is a stand-in that reports Espruino's `length` and `byteLength` and
 *   reads and writes the elements inside the buffer, but throws on any element past the buffer
 *   (where the board reads 0 and drops writes) and on any method call: it never passes silently.
 *
 * What Node has and 2v29 lacks (copyWithin, lastIndexOf, from, of, …) is trapped by espruino-env.ts
 * (TRAPPED_MEMBERS). Departure: `BYTES_PER_ELEMENT` cannot be removed (V8 makes it non-configurable);
 * on the board it is undefined.
 */
export const TYPED_ARRAY_NAMES = [
  'Uint8Array', 'Int8Array', 'Uint8ClampedArray', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array',
  'Float32Array', 'Float64Array',
];

export const TYPED_ARRAYS_SOURCE = String.raw`function installTypedArrays(G, host, names, NativeError) {
  var P = Proxy;
  var defineProperty = Object.defineProperty;
  var arraySlice = Array.prototype.slice, arrayFilter = Array.prototype.filter;
  var floor = Math.floor, max = Math.max, min = Math.min;

  var TypedArrayPrototype = Object.getPrototypeOf(G.Uint8Array.prototype);
  function method(name, fn) {
    defineProperty(TypedArrayPrototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
  }
  method('slice', function slice(start, end) { return arraySlice.call(this, start, end); });
  method('filter', function filter(fn, thisArg) { return arrayFilter.call(this, fn, thisArg); });

  function toInt(v) {
    var n = +v;
    return n !== n ? 0 : (n < 0 ? -floor(-n) : floor(n));
  }
  function isIndex(k) {
    return k.length > 0 && k.length < 16 && String(+k) === k && +k >= 0 && floor(+k) === +k;
  }
  function overlong(view, length, call) {
    var inside = view.length;
    var what = call + ': Espruino 2v29 does not clamp the end, so this view has ' + length + ' elements, ' +
      (length - inside) + ' of them past its buffer (the board reads 0 there and drops writes); the virtual board refuses to ';
    return new P(view, {
      get: function (t, k) {
        if (k === 'length') return length;
        if (k === 'byteLength') return length * t.BYTES_PER_ELEMENT;
        if (k === 'byteOffset' || k === 'buffer' || k === 'constructor' || k === 'BYTES_PER_ELEMENT') return t[k];
        if (typeof k === 'string' && isIndex(k)) {
          if (+k < inside) return t[k];
          if (+k < length) throw new NativeError(what + 'read element ' + k + '; clamp the end yourself');
          return undefined;
        }
        throw new NativeError(what + 'use ' + String(k) + ' on it; clamp the end yourself');
      },
      set: function (t, k, v) {
        if (typeof k === 'string' && isIndex(k) && +k < inside) { t[k] = v; return true; }
        throw new NativeError(what + 'write ' + String(k) + '; clamp the end yourself');
      },
    });
  }
  method('subarray', function subarray(begin, end) {
    var len = this.length;
    var b = begin === undefined ? 0 : toInt(begin);
    var e = typeof end === 'number' ? toInt(end) : len;
    if (b < 0) b += len;
    if (e < 0) e += len;
    if (e < 0) e = 0;
    if (b > e) { b = 0; e = 0; }
    var C = this.constructor;
    if (b === e) return new C(0);
    var size = this.BYTES_PER_ELEMENT;
    var byteOffset = this.byteOffset + b * size;
    if (byteOffset < 0 || byteOffset > 65535) throw new NativeError('byteOffset too large (or negative)');
    var buffer = this.buffer;
    var at = min(byteOffset, buffer.byteLength);
    var n = e - b;
    var fits = max(0, min(n, floor((buffer.byteLength - at) / size)));
    var view = new C(buffer, at, fits);
    if (fits === n) return view;
    return overlong(view, n, C.name + '(' + len + ').subarray(' + begin + ', ' + end + ')');
  });
}`;
