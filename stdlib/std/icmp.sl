// std/icmp: ICMP for IPv4 (RFC 792).
//
//   header icmp { msg_type: u8; code: u8; checksum: u16; rest: u32 }   8 bytes
//   header icmp_echo { msg_type: u8; code: u8; checksum: u16; id: u16; seq: u16 }
//   ICMP_* types and codes, icmp_csum_ok(p, off, len), icmp_csum_set(p, off, len)
// (The type field is msg_type: `type` is a keyword.)
import "std/csum";

const ICMP_HLEN = 8;

const ICMP_ECHO_REPLY: u8 = 0;
const ICMP_DEST_UNREACH: u8 = 3;
const ICMP_REDIRECT: u8 = 5;
const ICMP_ECHO_REQUEST: u8 = 8;
const ICMP_ROUTER_ADVERT: u8 = 9;
const ICMP_ROUTER_SOLICIT: u8 = 10;
const ICMP_TIME_EXCEEDED: u8 = 11;
const ICMP_PARAM_PROBLEM: u8 = 12;
const ICMP_TIMESTAMP: u8 = 13;
const ICMP_TIMESTAMP_REPLY: u8 = 14;

// Codes of ICMP_DEST_UNREACH.
const ICMP_NET_UNREACH: u8 = 0;
const ICMP_HOST_UNREACH: u8 = 1;
const ICMP_PROT_UNREACH: u8 = 2;
const ICMP_PORT_UNREACH: u8 = 3;
const ICMP_FRAG_NEEDED: u8 = 4;
const ICMP_ADMIN_PROHIBITED: u8 = 13;
// Codes of ICMP_TIME_EXCEEDED.
const ICMP_EXC_TTL: u8 = 0;
const ICMP_EXC_FRAGTIME: u8 = 1;

header icmp {
    msg_type: u8;
    code: u8;
    checksum: u16;
    rest: u32;
}

header icmp_echo {
    msg_type: u8;
    code: u8;
    checksum: u16;
    id: u16;
    seq: u16;
}

// The checksum over the ICMP message of len bytes at off is valid.
fn icmp_csum_ok(p: packet, off: u32, len: u32) -> bool {
    return p.csum(0, off, len) == 0xffff;
}

// Computes and stores the checksum of the ICMP message of len bytes at off.
fn icmp_csum_set(p: packet, off: u32, len: u32) {
    p.set_u16(off + 2, 0);
    p.set_u16(off + 2, ~p.csum(0, off, len));
}

// Turns an echo request at off into its reply: the type changes, the checksum is patched.
fn icmp_echo_to_reply(p: packet, off: u32) {
    let w = p.u16(off);
    let nw = w & 0x00ff;          // type 0, code kept
    p.set_u16(off, nw);
    p.set_u16(off + 2, csum_replace16(p.u16(off + 2), w, nw));
}
