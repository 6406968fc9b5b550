// std/ipv6: the IPv6 fixed header (RFC 8200).
//
//   type ipv6_addr = [16]u8              an address in wire order (e.g. an lpm key)
//   header ipv6 { version: u4; traffic_class: u8; flow_label: u20; payload_len: u16;
//                 next_header: u8; hop_limit: u8; src_hi, src_lo, dst_hi, dst_lo: u64 }  40 bytes
//   IPV6_HLEN, NEXTHDR_*, ipv6_dec_hop_limit(p, off), ipv6_is_multicast(hi), ipv6_is_link_local(hi)
//   ipv6_src_offset(off), ipv6_dst_offset(off)
//   ipv6_pseudo_sum(p, off, nh, len) -> u16   the upper-layer pseudo-header's sum, to chain

type ipv6_addr = [16]u8;

const IPV6_HLEN = 40;
const IPV6_MIN_MTU = 1280;

const NEXTHDR_HOP: u8 = 0;
const NEXTHDR_TCP: u8 = 6;
const NEXTHDR_UDP: u8 = 17;
const NEXTHDR_IPV6: u8 = 41;
const NEXTHDR_ROUTING: u8 = 43;
const NEXTHDR_FRAGMENT: u8 = 44;
const NEXTHDR_GRE: u8 = 47;
const NEXTHDR_ESP: u8 = 50;
const NEXTHDR_AUTH: u8 = 51;
const NEXTHDR_ICMP: u8 = 58;
const NEXTHDR_NONE: u8 = 59;
const NEXTHDR_DEST: u8 = 60;
const NEXTHDR_MOBILITY: u8 = 135;

// Addresses as their high and low 64-bit halves, most significant first (a wire-order read).
header ipv6 {
    version: u4;
    traffic_class: u8;
    flow_label: u20;
    payload_len: u16;
    next_header: u8;
    hop_limit: u8;
    src_hi: u64;
    src_lo: u64;
    dst_hi: u64;
    dst_lo: u64;
}

fn ipv6_src_offset(off: u32) -> u32 {
    return off + 8;
}

fn ipv6_dst_offset(off: u32) -> u32 {
    return off + 24;
}

// Decrements the hop limit (IPv6 has no header checksum); returns the new value.
fn ipv6_dec_hop_limit(p: packet, off: u32) -> u8 {
    let h = p.u8(off + 7) - 1;
    p.set_u8(off + 7, h);
    return h;
}

// ff00::/8, from the address's high half.
fn ipv6_is_multicast(hi: u64) -> bool {
    return hi >> 56 == 0xff;
}

// fe80::/10.
fn ipv6_is_link_local(hi: u64) -> bool {
    return hi >> 54 == 0x3fa;
}

// fc00::/7, unique local addresses.
fn ipv6_is_ula(hi: u64) -> bool {
    return hi >> 57 == 0x7e;
}

// The extension headers that have the generic "next header, length in 8-octet units" shape.
fn ipv6_is_ext_header(nh: u8) -> bool {
    return nh == NEXTHDR_HOP || nh == NEXTHDR_ROUTING || nh == NEXTHDR_DEST || nh == NEXTHDR_MOBILITY;
}

// The ones' complement sum of the upper-layer pseudo-header (RFC 8200 8.1) of a segment of len
// bytes with next header nh, for the IPv6 header at off: both addresses, the 32-bit length,
// three zero bytes and the next header. Chain it: p.csum(ipv6_pseudo_sum(..), l4_off, len).
fn ipv6_pseudo_sum(p: packet, off: u32, nh: u8, len: u32) -> u16 {
    return p.csum((len >> 16) as u64 + (len & 0xffff) as u64 + nh as u64, off + 8, 32);
}
