// std/ipv4: the IPv4 header (RFC 791), protocol numbers, header checksum.
//
//   type ipv4_addr = u32                 network order value: 10.0.0.1 == 0x0a000001
//   header ipv4 { version: u4; ihl: u4; dscp: u6; ecn: u2; total_len: u16; id: u16;
//                 flags: u3; frag_off: u13; ttl: u8; protocol: u8; checksum: u16;
//                 src: u32; dst: u32 }   20 bytes, options not included
//   IPPROTO_*, IPV4_HLEN, IPV4_FLAG_DF, IPV4_FLAG_MF
//   ipv4_hlen(p, off)                    header length from IHL, in bytes
//   ipv4_csum_ok(p, off)                 header checksum (options included) is valid
//   ipv4_csum_compute(p, off) -> u16     the checksum the header should carry
//   ipv4_csum_set(p, off)                stores it
//   ipv4_csum_replace16(p, off, field_off, new)   RFC 1624: write a 16-bit word, patch checksum
//   ipv4_dec_ttl(p, off)                 TTL - 1 with the incremental checksum update
//   ipv4_set_addr(p, off, field_off, a)  rewrite the source (12) or destination (16), patch checksum
//   ipv4_pseudo_sum(p, off, proto, len) -> u16   the TCP/UDP pseudo-header's sum, to chain
//   ipv4_is_fragment, ipv4_is_first_fragment, ipv4_is_multicast, ipv4_is_broadcast,
//   ipv4_is_loopback, ipv4_is_link_local, ipv4_is_private (RFC 1918), ipv4_mask(plen)
import "std/csum";

type ipv4_addr = u32;

const IPV4_HLEN = 20;
const IPV4_FLAG_DF = 2;         // in the 3-bit flags field
const IPV4_FLAG_MF = 1;

const IPPROTO_HOPOPTS: u8 = 0;
const IPPROTO_ICMP: u8 = 1;
const IPPROTO_IGMP: u8 = 2;
const IPPROTO_IPIP: u8 = 4;
const IPPROTO_TCP: u8 = 6;
const IPPROTO_UDP: u8 = 17;
const IPPROTO_IPV6: u8 = 41;
const IPPROTO_ROUTING: u8 = 43;
const IPPROTO_FRAGMENT: u8 = 44;
const IPPROTO_GRE: u8 = 47;
const IPPROTO_ESP: u8 = 50;
const IPPROTO_AH: u8 = 51;
const IPPROTO_ICMPV6: u8 = 58;
const IPPROTO_NONE: u8 = 59;
const IPPROTO_DSTOPTS: u8 = 60;
const IPPROTO_SCTP: u8 = 132;
const IPPROTO_UDPLITE: u8 = 136;

header ipv4 {
    version: u4;
    ihl: u4;
    dscp: u6;
    ecn: u2;
    total_len: u16;
    id: u16;
    flags: u3;
    frag_off: u13;
    ttl: u8;
    protocol: u8;
    checksum: u16;
    src: u32;
    dst: u32;
}

// Header length in bytes from the IHL field (20..60; less when the header is malformed).
fn ipv4_hlen(p: packet, off: u32) -> u32 {
    return (p.u8(off) & 15) as u32 * 4;
}

// The header checksum over IHL * 4 bytes is valid (their ones' complement sum is 0xffff).
fn ipv4_csum_ok(p: packet, off: u32) -> bool {
    return p.csum(0, off, ipv4_hlen(p, off)) == 0xffff;
}

// The checksum the header should carry: the complement of the sum of its words with the
// checksum field counted as zero. The packet is not changed.
fn ipv4_csum_compute(p: packet, off: u32) -> u16 {
    let old = p.u16(off + 10);
    let s = p.csum(0, off, ipv4_hlen(p, off));
    // Taking the old field's word back out: s - old in ones' complement is s + ~old.
    return ~csum_add(s, ~old);
}

// Computes and stores the header checksum.
fn ipv4_csum_set(p: packet, off: u32) {
    p.set_u16(off + 10, 0);
    p.set_u16(off + 10, ~p.csum(0, off, ipv4_hlen(p, off)));
}

// Writes the 16-bit word at off + field_off (even, inside the header) and updates the header
// checksum incrementally (RFC 1624), without summing the header again.
fn ipv4_csum_replace16(p: packet, off: u32, field_off: u32, new: u16) {
    let old = p.u16(off + field_off);
    p.set_u16(off + field_off, new);
    p.set_u16(off + 10, csum_replace16(p.u16(off + 10), old, new));
}

// Decrements the TTL and patches the checksum (the TTL shares a word with the protocol).
fn ipv4_dec_ttl(p: packet, off: u32) {
    let w = p.u16(off + 8);
    ipv4_csum_replace16(p, off, 8, w - 0x100);
}

// Rewrites the source or destination address (field_off 12 or 16) with the checksum patched.
fn ipv4_set_addr(p: packet, off: u32, field_off: u32, addr: u32) {
    let old = p.u32(off + field_off);
    p.set_u32(off + field_off, addr);
    p.set_u16(off + 10, csum_replace32(p.u16(off + 10), old, addr));
}

// More fragments follow, or this is not the first one.
fn ipv4_is_fragment(p: packet, off: u32) -> bool {
    return p.u16(off + 6) & 0x3fff != 0;
}

// Offset 0: the fragment that carries the transport header (or an unfragmented packet).
fn ipv4_is_first_fragment(p: packet, off: u32) -> bool {
    return p.u16(off + 6) & 0x1fff == 0;
}

fn ipv4_is_multicast(a: u32) -> bool {
    return a >> 28 == 0xe;
}

fn ipv4_is_broadcast(a: u32) -> bool {
    return a == 255.255.255.255;
}

fn ipv4_is_loopback(a: u32) -> bool {
    return a >> 24 == 127;
}

fn ipv4_is_link_local(a: u32) -> bool {
    return a >> 16 == 0xa9fe;
}

// RFC 1918 private ranges.
fn ipv4_is_private(a: u32) -> bool {
    return a >> 24 == 10 || a >> 20 == 0xac1 || a >> 16 == 0xc0a8;
}

// The netmask of a prefix length 0..32.
fn ipv4_mask(plen: u32) -> u32 {
    if plen == 0 {
        return 0;
    }
    if plen >= 32 {
        return 0xffff_ffff;
    }
    return ~((1 as u32 << (32 - plen)) - 1);
}

// The ones' complement sum of the pseudo-header of a transport segment of len bytes carried
// with protocol proto by the IPv4 header at off (RFC 768, RFC 793): source and destination
// addresses, zero and protocol, length. Chain it: p.csum(ipv4_pseudo_sum(..), l4_off, len).
fn ipv4_pseudo_sum(p: packet, off: u32, proto: u8, len: u32) -> u16 {
    return p.csum(proto as u64 + len as u64, off + 12, 8);
}
