// std/icmpv6: ICMPv6 (RFC 4443) and Neighbor Discovery (RFC 4861) messages.
//
//   header icmpv6 { msg_type: u8; code: u8; checksum: u16 }          4 bytes
//   header icmpv6_echo { msg_type, code: u8; checksum, id, seq: u16 } 8 bytes
//   header nd_neighbor { msg_type, code: u8; checksum: u16; flags: u32; target_hi, target_lo: u64 }
//   ICMPV6_* types, ND_* flags
//   icmpv6_csum_ok(p, ip_off, off, len), icmpv6_csum_set(p, ip_off, off, len)   with the
//   IPv6 pseudo-header of the header at ip_off; len is the ICMPv6 message's length
import "std/ipv6";

const ICMPV6_HLEN = 4;

const ICMPV6_DEST_UNREACH: u8 = 1;
const ICMPV6_PKT_TOOBIG: u8 = 2;
const ICMPV6_TIME_EXCEED: u8 = 3;
const ICMPV6_PARAMPROB: u8 = 4;
const ICMPV6_ECHO_REQUEST: u8 = 128;
const ICMPV6_ECHO_REPLY: u8 = 129;
const ICMPV6_MLD_QUERY: u8 = 130;
const ICMPV6_MLD_REPORT: u8 = 131;
const ICMPV6_MLD_DONE: u8 = 132;
const ICMPV6_ROUTER_SOLICIT: u8 = 133;
const ICMPV6_ROUTER_ADVERT: u8 = 134;
const ICMPV6_NEIGHBOR_SOLICIT: u8 = 135;
const ICMPV6_NEIGHBOR_ADVERT: u8 = 136;
const ICMPV6_REDIRECT: u8 = 137;
const ICMPV6_MLD2_REPORT: u8 = 143;

// Neighbor advertisement flags (top bits of the 32-bit word after the checksum).
const ND_FLAG_ROUTER: u32 = 0x8000_0000;
const ND_FLAG_SOLICITED: u32 = 0x4000_0000;
const ND_FLAG_OVERRIDE: u32 = 0x2000_0000;
// Option types.
const ND_OPT_SOURCE_LL: u8 = 1;
const ND_OPT_TARGET_LL: u8 = 2;

header icmpv6 {
    msg_type: u8;
    code: u8;
    checksum: u16;
}

header icmpv6_echo {
    msg_type: u8;
    code: u8;
    checksum: u16;
    id: u16;
    seq: u16;
}

// Neighbor solicitation and advertisement share this shape (flags are zero in a solicitation).
header nd_neighbor {
    msg_type: u8;
    code: u8;
    checksum: u16;
    flags: u32;
    target_hi: u64;
    target_lo: u64;
}

fn icmpv6_csum_ok(p: packet, ip_off: u32, off: u32, len: u32) -> bool {
    return p.csum(ipv6_pseudo_sum(p, ip_off, NEXTHDR_ICMP, len), off, len) == 0xffff;
}

fn icmpv6_csum_set(p: packet, ip_off: u32, off: u32, len: u32) {
    p.set_u16(off + 2, 0);
    p.set_u16(off + 2, ~p.csum(ipv6_pseudo_sum(p, ip_off, NEXTHDR_ICMP, len), off, len));
}
