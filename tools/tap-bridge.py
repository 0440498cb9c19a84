#!/usr/bin/env python3
"""Relays Ethernet frames between a TAP device and stdin/stdout, for the ENC28J60 model's wire side.

Run inside a network namespace (ip netns exec NS python3 tools/tap-bridge.py NAME). It creates the TAP device NAME
(IFF_TAP | IFF_NO_PI: whole Ethernet frames, no packet-information header), then:
  stdout: one record per frame the kernel sends: length (2 bytes, big-endian) + frame (no FCS)
  stdin:  the same records, written to the kernel as frames from the wire
A record of length 0 on stdout means "device created" and comes first. EOF on stdin ends the bridge; the device
goes with it (it is not persistent). Needs CAP_NET_ADMIN (root). Standard library only.
"""
import fcntl
import os
import select
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
MAX_FRAME = 65535


def write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def main():
    if len(sys.argv) != 2 or not sys.argv[1] or len(sys.argv[1]) > 15:
        sys.stderr.write("usage: tap-bridge.py IFNAME (at most 15 characters)\n")
        return 2
    name = sys.argv[1].encode()
    tap = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tap, TUNSETIFF, struct.pack("16sH", name, IFF_TAP | IFF_NO_PI))
    write_all(1, b"\x00\x00")
    pending = b""
    while True:
        ready, _, _ = select.select([tap, 0], [], [])
        if tap in ready:
            frame = os.read(tap, MAX_FRAME)
            write_all(1, struct.pack(">H", len(frame)) + frame)
        if 0 in ready:
            chunk = os.read(0, 65536)
            if not chunk:
                return 0
            pending += chunk
            while len(pending) >= 2:
                n = struct.unpack(">H", pending[:2])[0]
                if len(pending) < 2 + n:
                    break
                frame, pending = pending[2:2 + n], pending[2 + n:]
                if n > 0:
                    try:
                        os.write(tap, frame)
                    except OSError as e:
                        sys.stderr.write("tap-bridge: write of %d bytes failed: %s\n" % (n, e))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
