// std/udp: UDP (RFC 768) and its checksum over IPv4 and IPv6.
//
//   header udp { sport: u16; dport: u16; len: u16; checksum: u16 }   8 bytes
//   UDP_HLEN, well-known ports UDP_PORT_*
//   udp4_csum_ok(p, ip_off, udp_off), udp4_csum_set(p, ip_off, udp_off)   over IPv4
//   udp6_csum_ok(p, ip_off, udp_off), udp6_csum_set(p, ip_off, udp_off)   over IPv6
// The datagram's length is its own len field. Over IPv4 a zero checksum means "none" (ok);
// a computed zero is sent as 0xffff.
import "std/ipv4";
import "std/ipv6";

const UDP_HLEN = 8;

const UDP_PORT_DNS: u16 = 53;
const UDP_PORT_DHCP_SERVER: u16 = 67;
const UDP_PORT_DHCP_CLIENT: u16 = 68;
const UDP_PORT_NTP: u16 = 123;
const UDP_PORT_SNMP: u16 = 161;
const UDP_PORT_SSDP: u16 = 1900;
const UDP_PORT_VXLAN: u16 = 4789;
const UDP_PORT_GENEVE: u16 = 6081;

header udp {
    sport: u16;
    dport: u16;
    len: u16;
    checksum: u16;
}

fn udp4_csum_ok(p: packet, ip_off: u32, udp_off: u32) -> bool {
    if p.u16(udp_off + 6) == 0 {
        return true;
    }
    let len = p.u16(udp_off + 4) as u32;
    return p.csum(ipv4_pseudo_sum(p, ip_off, IPPROTO_UDP, len), udp_off, len) == 0xffff;
}

fn udp4_csum_set(p: packet, ip_off: u32, udp_off: u32) {
    let len = p.u16(udp_off + 4) as u32;
    p.set_u16(udp_off + 6, 0);
    let c = ~p.csum(ipv4_pseudo_sum(p, ip_off, IPPROTO_UDP, len), udp_off, len);
    if c == 0 {
        c = 0xffff;
    }
    p.set_u16(udp_off + 6, c);
}

fn udp6_csum_ok(p: packet, ip_off: u32, udp_off: u32) -> bool {
    let len = p.u16(udp_off + 4) as u32;
    return p.csum(ipv6_pseudo_sum(p, ip_off, NEXTHDR_UDP, len), udp_off, len) == 0xffff;
}

fn udp6_csum_set(p: packet, ip_off: u32, udp_off: u32) {
    let len = p.u16(udp_off + 4) as u32;
    p.set_u16(udp_off + 6, 0);
    let c = ~p.csum(ipv6_pseudo_sum(p, ip_off, NEXTHDR_UDP, len), udp_off, len);
    if c == 0 {
        c = 0xffff;
    }
    p.set_u16(udp_off + 6, c);
}
