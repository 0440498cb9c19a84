/**
 * The seam between IPv4 and the protocols above it (ICMP, UDP, TCP).
 *
 * Frames stay in one buffer end to end: an upper protocol reads its segment in place in the received
 * frame and writes an outgoing segment into a frame buffer of its own at `IpHeadroom.BYTES`, leaving
 * the room in front for IPv4 to write the IPv4 and Ethernet headers. Addresses are unsigned 32-bit
 * numbers in host order (as firmware/socket/address.ts); `now` is monotonic milliseconds, passed in.
 */

/** IPv4 protocol numbers (IANA "Assigned Internet Protocol Numbers") */
export const enum IpProto {
  ICMP = 1,
  TCP = 6,
  UDP = 17,
}

export const enum IpHeadroom {
  /** Ethernet II header (14) + IPv4 header without options (20): where an upper segment starts */
  BYTES = 34,
  /** largest IPv4 datagram on Ethernet (RFC 894), header included */
  MTU = 1500,
  /** largest upper-protocol segment: MTU − 20-byte IPv4 header (a TCP MSS is this − 20) */
  MAX_PAYLOAD = 1480,
  /** a frame buffer that holds any frame the stack sends: headroom + MAX_PAYLOAD (no FCS) */
  FRAME = 1514,
}

/** What `IpOutput.sendIp` returns besides a byte count (≥ 0, the IP payload length sent). */
export const enum IpSendError {
  /**
   * No ARP entry for the next hop yet: the stack sent an ARP request and holds a copy of this datagram,
   * which goes out when the reply comes (it is dropped, and counted, if resolution fails or a newer
   * datagram takes the slot). For TCP this is a possible loss like any other.
   */
  QUEUED = -1,
  /** no address configured, or the destination is off-link with no gateway */
  NOROUTE = -2,
  /** len > IpHeadroom.MAX_PAYLOAD (no fragmentation), or a bad argument (range outside buf, proto) */
  INVAL = -3,
  /** the interface is down (no output sink attached) */
  NETDOWN = -4,
}

/** An upper protocol, registered with the interface for one protocol number. */
export interface IpUpper {
  /**
   * One datagram for this protocol that passed the IPv4 checks (version, header checksum, length,
   * addressed to us or broadcast; fragments and options already dropped). `buf` is the received frame,
   * valid only during the call; the payload is `len` bytes at `off`. The upper protocol checks its own
   * checksum (`sum16` + `pseudoSum` of checksum.ts) and counts its own drops. Must not throw.
   */
  input(src: number, dst: number, buf: Uint8Array, off: number, len: number, now: number): void;
}

/** What an upper protocol sends through. */
export interface IpOutput {
  /**
   * Sends `len` bytes at `off` of `buf` as the payload of one IPv4 datagram of protocol `proto` to
   * `dst`. `off` must be ≥ IpHeadroom.BYTES: the stack writes the IPv4 header and the Ethernet header
   * into the bytes just before `off`, in place. The upper checksum must already be in the payload
   * (computed with the address `localAddr(dst)` returns). The frame is handed to the NIC (or copied to
   * the ARP hold slot) before this returns, so `buf` is free again afterwards.
   * Returns `len`, or an `IpSendError`.
   */
  sendIp(dst: number, proto: number, buf: Uint8Array, off: number, len: number, now: number): number;
  /** the source address datagrams to `dst` carry (0 while the interface has no address) */
  localAddr(dst: number): number;
}
