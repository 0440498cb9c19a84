// Reads VERSIONR through the W5500 SPI endpoint; prints every message received as hex, one per line.
const net = require('node:net');
const s = net.connect(process.argv[2]);
let buf = Buffer.alloc(0);
let sent = false;
s.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  while (buf.length >= 3 && buf.length >= 3 + buf.readUInt16BE(1)) {
    const n = buf.readUInt16BE(1);
    const m = buf.subarray(0, 3 + n);
    buf = buf.subarray(3 + n);
    console.log(m.toString('hex'));
    if (m[0] === 0x82 && !sent) {
      sent = true;
      s.write(Buffer.from([0x01, 0x00, 0x04, 0x00, 0x39, 0x00, 0x00]));
    }
    if (m[0] === 0x81 || m[0] === 0xff) s.end();
  }
});
s.on('error', (e) => { console.error(e.message); process.exit(1); });
