#!/usr/bin/env python3
"""Captures the frames of sim/net/captured-frames.ts from the Linux kernel (run as root, by hand, with ethtool; not run by CI).

Two namespaces joined by a veth pair (nipA 10.77.0.1 ⇄ nipB 10.77.0.2); an AF_PACKET socket on A's
end records every frame both kernels put on the wire while A's kernel pings, sends UDP (to an open
and a closed port, one datagram large enough to fragment, one with an IP option) and resolves B by ARP.
Prints one hex line per frame. The namespaces are removed afterwards, also on failure."""
import os, socket, struct, subprocess, sys, time

def sh(*a): subprocess.run(a, check=True, stdout=subprocess.DEVNULL)
NS_A, NS_B = 'nipA', 'nipB'


def checksum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b)); s = (s & 0xffff) + (s >> 16); s += s >> 16
    return ~s & 0xffff

def main():
    try:
        sh('ip', 'netns', 'add', NS_A); sh('ip', 'netns', 'add', NS_B)
        sh('ip', 'link', 'add', 'nipa0', 'netns', NS_A, 'address', '02:00:00:77:00:01', 'type', 'veth',
           'peer', 'nipb0', 'netns', NS_B, 'address', '02:00:00:77:00:02')
        sh('ip', '-n', NS_A, 'addr', 'add', '10.77.0.1/24', 'dev', 'nipa0'); sh('ip', '-n', NS_A, 'link', 'set', 'nipa0', 'up')
        sh('ip', '-n', NS_B, 'addr', 'add', '10.77.0.2/24', 'dev', 'nipb0'); sh('ip', '-n', NS_B, 'link', 'set', 'nipb0', 'up')
        # veth leaves UDP checksums to "offload" (only the pseudo-header sum is on the wire): turn that off
        sh('ip', 'netns', 'exec', NS_A, 'ethtool', '-K', 'nipa0', 'tx', 'off')
        sh('ip', 'netns', 'exec', NS_B, 'ethtool', '-K', 'nipb0', 'tx', 'off')
        sink = subprocess.Popen(['ip', 'netns', 'exec', NS_B, sys.executable, __file__, '--sink'])
        subprocess.run(['ip', 'netns', 'exec', NS_A, sys.executable, __file__, '--send'], check=True)
        sink.wait()
    finally:
        subprocess.run(['ip', 'netns', 'del', NS_A]); subprocess.run(['ip', 'netns', 'del', NS_B])

def sink():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('0.0.0.0', 7)); u.settimeout(3)
    try:
        while True: u.recvfrom(4096)
    except Exception: pass

def send():
        time.sleep(0.5)
        cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3)); cap.bind(('nipa0', 0)); cap.settimeout(0.5)
        icmp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        body = struct.pack('!BBHHH', 8, 0, 0, 0x1234, 1) + b'abcdefghijklmnopqrstuvwabcdefghi'
        body = body[:2] + struct.pack('!H', checksum(body)) + body[4:]
        icmp.sendto(body, ('10.77.0.2', 0)); time.sleep(0.2)
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('10.77.0.1', 40000))
        u.sendto(b'hello, stack\n', ('10.77.0.2', 7)); time.sleep(0.1)
        u.sendto(b'to a closed port', ('10.77.0.2', 9)); time.sleep(0.1)
        u.sendto(bytes(range(256)) * 8, ('10.77.0.2', 7)); time.sleep(0.1)
        o = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        o.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, bytes([7, 7, 4, 0, 0, 0, 0, 1]))  # record route, NOP
        o.sendto(b'with options', ('10.77.0.2', 7)); time.sleep(0.2)
        try:
            while True: print(cap.recv(4096).hex())
        except socket.timeout: pass

if __name__ == '__main__':
    {'--sink': sink, '--send': send}.get(sys.argv[1] if len(sys.argv) > 1 else '', main)()
