// std/arp: ARP for IPv4 over Ethernet (RFC 826).
//
//   header arp { htype, ptype: u16; hlen, plen: u8; oper: u16; sha: u48; spa: u32;
//                tha: u48; tpa: u32 }                               28 bytes
//   ARP_HLEN, ARP_HTYPE_ETHER, ARP_REQUEST, ARP_REPLY, arp_is_ipv4_ether(p, off)
import "std/ether";

const ARP_HLEN = 28;
const ARP_HTYPE_ETHER: u16 = 1;
const ARP_REQUEST: u16 = 1;
const ARP_REPLY: u16 = 2;
const RARP_REQUEST: u16 = 3;
const RARP_REPLY: u16 = 4;

header arp {
    htype: u16;
    ptype: u16;
    hlen: u8;
    plen: u8;
    oper: u16;
    sha: u48;
    spa: u32;
    tha: u48;
    tpa: u32;
}

// True when the ARP packet at off is present and is for IPv4 over Ethernet.
fn arp_is_ipv4_ether(p: packet, off: u32) -> bool {
    if let a = p.extract(arp, off) {
        return a.htype == ARP_HTYPE_ETHER && a.ptype == ETH_P_IPV4 && a.hlen == 6 && a.plen == 4;
    }
    return false;
}
