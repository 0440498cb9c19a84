#!/usr/bin/env python3
"""Reads VERSIONR through the W5500 SPI endpoint; prints every message received as hex, one per line."""
import socket
import struct
import sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
buf = b""


def message():
    global buf
    while True:
        if len(buf) >= 3:
            (n,) = struct.unpack(">H", buf[1:3])
            if len(buf) >= 3 + n:
                m, buf = buf[: 3 + n], buf[3 + n :]
                return m
        chunk = s.recv(4096)
        if not chunk:
            raise SystemExit("endpoint closed the connection")
        buf += chunk


print(message().hex())  # the INTn level, sent on connect
s.sendall(bytes([0x01, 0x00, 0x04, 0x00, 0x39, 0x00, 0x00]))  # XFER: read VERSIONR (0x0039, common block, VDM)
while True:
    m = message()
    print(m.hex())
    if m[0] in (0x81, 0xFF):
        break
s.close()
