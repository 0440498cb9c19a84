#!/usr/bin/env python3
"""A pseudo-terminal for the virtual board's console (npm run hil against the virtual board).

Opens a pty, sets its terminal side raw, prints that side's path on stdout's first line, then relays bytes:
what a program writes to the path comes out on stdout, what arrives on stdin goes to the program. Ends when
stdin closes. The serial console of a real board is a tty too, so the runner cannot tell them apart.
"""
import os
import select
import sys
import tty

master, slave = os.openpty()
tty.setraw(slave)
sys.stdout.write(os.ttyname(slave) + "\n")
sys.stdout.flush()
out = sys.stdout.fileno()
inp = sys.stdin.fileno()
while True:
    ready, _, _ = select.select([master, inp], [], [])
    if master in ready:
        try:
            data = os.read(master, 4096)
        except OSError:
            data = b""
        if data:
            os.write(out, data)
    if inp in ready:
        data = os.read(inp, 4096)
        if not data:
            break
        while data:
            n = os.write(master, data)
            data = data[n:]
