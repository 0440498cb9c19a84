/**
 * Why the stack dropped a frame or a datagram: one counter per reason (`NetIf.drops[Drop.X]`).
 * Every received frame ends in exactly one of these or in exactly one delivery (see NetIf.rx).
 */
export const enum Drop {
  /** shorter than an Ethernet header */
  ETH_SHORT = 0,
  /** longer than 1,518 bytes (a full frame with its FCS) */
  ETH_LONG,
  /** destination MAC neither ours nor broadcast */
  ETH_NOT_US,
  /** source MAC is a group address (IEEE 802: a source is always individual) */
  ETH_SRC,
  /** EtherType neither IPv4 nor ARP (IPv6, 802.3 length, …) */
  ETH_TYPE,
  ARP_SHORT,
  /** not Ethernet/IPv4 ARP (htype, ptype, hlen, plen) */
  ARP_FORMAT,
  /** neither request nor reply */
  ARP_OPER,
  /** a valid ARP packet that is not for our address (a cache entry may still have been refreshed) */
  ARP_NOT_US,
  /** the sender claims our own address, or a broadcast/zero MAC */
  ARP_BOGUS,
  IP_SHORT,
  IP_VERSION,
  /** IHL < 5 */
  IP_HEADER,
  /** total length shorter than the header or longer than the frame */
  IP_LENGTH,
  IP_CHECKSUM,
  /** IPv4 options present (IHL > 5) */
  IP_OPTIONS,
  /** MF set or a fragment offset: the stack does not reassemble */
  IP_FRAGMENT,
  /** TTL 0 on arrival */
  IP_TTL,
  /** destination neither our address, nor broadcast, nor our subnet broadcast */
  IP_NOT_US,
  /** source is broadcast, multicast, zero (but not DHCP) or our own address */
  IP_SRC,
  /** no protocol registered for this number */
  IP_PROTO,
  ICMP_SHORT,
  ICMP_CHECKSUM,
  /** a type the stack does not act on (echo replies, errors) */
  ICMP_TYPE,
  /** echo request to a broadcast address: not answered (RFC 1122 §3.2.2.6) */
  ICMP_BROADCAST,
  UDP_SHORT,
  /** UDP length field < 8 or beyond the IP payload */
  UDP_LENGTH,
  UDP_CHECKSUM,
  /** no endpoint on the destination port (a port unreachable went back for unicast) */
  UDP_NO_PORT,
  /** an outgoing datagram held for ARP resolution that failed (after the retries) */
  TX_ARP_FAILED,
  /** an outgoing datagram held for ARP that a newer one replaced */
  TX_ARP_REPLACED,
  COUNT,
}

/** what a codec's check returns when the input is good; any other value is a Drop reason */
export const PASS = -1;

/** counter names in Drop order, for reports (not imported by the firmware) */
export const DROP_NAMES: string[] = [
  'eth-short', 'eth-long', 'eth-not-us', 'eth-src', 'eth-type',
  'arp-short', 'arp-format', 'arp-oper', 'arp-not-us', 'arp-bogus',
  'ip-short', 'ip-version', 'ip-header', 'ip-length', 'ip-checksum', 'ip-options', 'ip-fragment', 'ip-ttl',
  'ip-not-us', 'ip-src', 'ip-proto',
  'icmp-short', 'icmp-checksum', 'icmp-type', 'icmp-broadcast',
  'udp-short', 'udp-length', 'udp-checksum', 'udp-no-port',
  'tx-arp-failed', 'tx-arp-replaced',
];
