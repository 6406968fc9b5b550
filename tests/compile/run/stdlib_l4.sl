// test: stdlib checksums: TCP over IPv4, ICMPv6 and UDP over IPv6 (pseudo-headers), ICMP echo reply by RFC 1624, ARP recognised
// in: 02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
// in: 00 2c 00 01 40 00 40 06 26 c9 0a 00 00 01 0a 00
// in: 00 02 04 d2 00 50 00 00 00 01 00 00 00 00 50 12
// in: 04 00 00 00 00 00 61 62 63 64
// expect: send 0
// out: 02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
// out: 00 2c 00 01 40 00 40 06 26 c9 0a 00 00 01 0a 00
// out: 00 02 04 d2 00 50 00 00 00 01 00 00 00 00 50 12
// out: 04 00 cd e2 00 00 61 62 63 64 01
// next:
// in: 02 00 00 00 00 02 02 00 00 00 00 01 86 dd 60 00
// in: 00 00 00 0c 3a 40 20 01 0d b8 00 00 00 00 00 00
// in: 00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00
// in: 00 00 00 00 00 02 80 00 00 00 12 34 00 01 70 69
// in: 6e 67
// expect: send 0
// out: 02 00 00 00 00 02 02 00 00 00 00 01 86 dd 60 00
// out: 00 00 00 0c 3a 40 20 01 0d b8 00 00 00 00 00 00
// out: 00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00
// out: 00 00 00 00 00 02 80 00 33 3e 12 34 00 01 70 69
// out: 6e 67 01
// next:
// in: 02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
// in: 00 22 00 01 40 00 40 01 26 d8 0a 00 00 01 0a 00
// in: 00 02 08 00 08 38 ab cd 00 07 68 65 6c 6c 6f 21
// expect: send 0
// out: 02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
// out: 00 22 00 01 40 00 40 01 26 d8 0a 00 00 01 0a 00
// out: 00 02 00 00 10 38 ab cd 00 07 68 65 6c 6c 6f 21
// out: 01
// next:
// in: 02 00 00 00 00 02 02 00 00 00 00 01 86 dd 60 00
// in: 00 00 00 0c 11 40 20 01 0d b8 00 00 00 00 00 00
// in: 00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00
// in: 00 00 00 00 00 02 13 88 00 35 00 0c 00 00 64 6e
// in: 73 3f
// expect: send 0
// out: 02 00 00 00 00 02 02 00 00 00 00 01 86 dd 60 00
// out: 00 00 00 0c 11 40 20 01 0d b8 00 00 00 00 00 00
// out: 00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00
// out: 00 00 00 00 00 02 13 88 00 35 00 0c b8 f6 64 6e
// out: 73 3f 01
// next:
// in: ff ff ff ff ff ff 02 00 00 00 00 01 08 06 00 01
// in: 08 00 06 04 00 01 02 00 00 00 00 01 0a 00 00 01
// in: 00 00 00 00 00 00 0a 00 00 02
// expect: punt
import "std/arp";
import "std/ether";
import "std/icmp";
import "std/icmpv6";
import "std/ipv4";
import "std/ipv6";
import "std/tcp";
import "std/udp";

port out;

// Appends one byte: 1 when the checksum verifies after the change.
fn verdict_byte(p: packet, ok: bool) {
    let n = p.len();
    p.grow_tail(1);
    p.set_u8(n, ok as u8);
}

on packet(p: packet) {
    let l3: u32 = ETH_HLEN;                 // an untyped constant alone would make a u64
    let t = ether_l3_type(p);
    if t == ETH_P_ARP {
        if arp_is_ipv4_ether(p, l3) {
            punt();
        }
        drop();
    }
    if t == ETH_P_IPV4 {
        let ip = p.extract(ipv4, l3) else { drop(); }
        let l4 = l3 + ipv4_hlen(p, l3);
        let len = ip.total_len - ipv4_hlen(p, l3);
        if ip.protocol == IPPROTO_TCP {
            tcp4_csum_set(p, l3, l4, len);
            verdict_byte(p, tcp4_csum_ok(p, l3, l4, len));
            send(out);
        }
        if ip.protocol == IPPROTO_ICMP {
            let ok_before = icmp_csum_ok(p, l4, len);
            icmp_echo_to_reply(p, l4);
            verdict_byte(p, ok_before && icmp_csum_ok(p, l4, len));
            send(out);
        }
    }
    if t == ETH_P_IPV6 {
        let ip6 = p.extract(ipv6, l3) else { drop(); }
        let l4 = l3 + IPV6_HLEN;
        let len = ip6.payload_len as u32;
        if ip6.next_header == NEXTHDR_ICMP {
            icmpv6_csum_set(p, l3, l4, len);
            verdict_byte(p, icmpv6_csum_ok(p, l3, l4, len));
            send(out);
        }
        if ip6.next_header == NEXTHDR_UDP {
            udp6_csum_set(p, l3, l4);
            verdict_byte(p, udp6_csum_ok(p, l3, l4));
            send(out);
        }
    }
    drop();
}
