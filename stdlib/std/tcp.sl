// std/tcp: the TCP header (RFC 9293) and its checksum over IPv4 and IPv6.
//
//   header tcp { sport: u16; dport: u16; seq: u32; ack: u32; data_off: u4; reserved: u3;
//                flags: u9; window: u16; checksum: u16; urgent: u16 }   20 bytes, no options
//   TCP_HLEN, TCP_FIN .. TCP_NS (bits of the 9-bit flags field), tcp_hlen(p, off)
//   tcp4_csum_ok(p, ip_off, tcp_off, len), tcp4_csum_set(p, ip_off, tcp_off, len)   over IPv4
//   tcp6_csum_ok(p, ip_off, tcp_off, len), tcp6_csum_set(p, ip_off, tcp_off, len)   over IPv6
// len is the segment's length, header included (IPv4: total_len - IHL * 4; IPv6: payload_len
// less any extension headers).
import "std/ipv4";
import "std/ipv6";

const TCP_HLEN = 20;

const TCP_FIN = 0x001;
const TCP_SYN = 0x002;
const TCP_RST = 0x004;
const TCP_PSH = 0x008;
const TCP_ACK = 0x010;
const TCP_URG = 0x020;
const TCP_ECE = 0x040;
const TCP_CWR = 0x080;
const TCP_NS = 0x100;

const TCP_PORT_SSH: u16 = 22;
const TCP_PORT_TELNET: u16 = 23;
const TCP_PORT_SMTP: u16 = 25;
const TCP_PORT_HTTP: u16 = 80;
const TCP_PORT_BGP: u16 = 179;
const TCP_PORT_HTTPS: u16 = 443;

header tcp {
    sport: u16;
    dport: u16;
    seq: u32;
    ack: u32;
    data_off: u4;
    reserved: u3;
    flags: u9;
    window: u16;
    checksum: u16;
    urgent: u16;
}

// Header length in bytes, options included, from the data offset field.
fn tcp_hlen(p: packet, off: u32) -> u32 {
    return (p.u8(off + 12) >> 4) as u32 * 4;
}

fn tcp4_csum_ok(p: packet, ip_off: u32, tcp_off: u32, len: u32) -> bool {
    return p.csum(ipv4_pseudo_sum(p, ip_off, IPPROTO_TCP, len), tcp_off, len) == 0xffff;
}

fn tcp4_csum_set(p: packet, ip_off: u32, tcp_off: u32, len: u32) {
    p.set_u16(tcp_off + 16, 0);
    p.set_u16(tcp_off + 16, ~p.csum(ipv4_pseudo_sum(p, ip_off, IPPROTO_TCP, len), tcp_off, len));
}

fn tcp6_csum_ok(p: packet, ip_off: u32, tcp_off: u32, len: u32) -> bool {
    return p.csum(ipv6_pseudo_sum(p, ip_off, NEXTHDR_TCP, len), tcp_off, len) == 0xffff;
}

fn tcp6_csum_set(p: packet, ip_off: u32, tcp_off: u32, len: u32) {
    p.set_u16(tcp_off + 16, 0);
    p.set_u16(tcp_off + 16, ~p.csum(ipv6_pseudo_sum(p, ip_off, NEXTHDR_TCP, len), tcp_off, len));
}
