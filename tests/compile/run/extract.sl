// test: extract at constant and computed offsets (one 802.1Q tag), present and absent, h.offset() and h.size(), PKT_BOUNDS past the end
// in: 02 00 00 00 00 01 02 00 00 00 00 aa 08
// expect: drop
// next:
// in: 02 00 00 00 00 01 02 00 00 00 00 aa 08 06
// expect: punt
// next:
// in: 02 00 00 00 00 01 02 00 00 00 00 aa 08 00 45 00
// in: 00 14 00 00 00 00 40 11 00 00 0a 00 00 01 0a 00
// in: 00 02
// expect: send 0
// out: 02 00 00 00 00 01 02 00 00 00 00 01 08 00 45 40
// out: 00 14 00 00 00 00 40 11 00 00 0a 00 00 01 0a 00
// out: 00 02
// next:
// in: 02 00 00 00 00 01 02 00 00 00 00 aa 81 00 00 64
// in: 08 00 45 00 00 14 00 00 00 00 40 11 00 00 0a 00
// in: 00 01 0a 00 00 02
// expect: send 0
// out: 02 00 00 00 00 01 02 00 00 00 00 01 81 00 00 64
// out: 08 00 45 40 00 14 00 00 00 00 40 11 00 00 0a 00
// out: 00 01 0a 00 00 02
// next:
// in: 02 00 00 00 00 01 02 00 00 00 00 aa 08 00 45 00
// in: 00 14 00 00 00 00 40 11 00 00 0a 00 00 01
// expect: fault PKT_BOUNDS
// state: seen_ip 02 00 00 00 00 00 00 00
import "std/ether";
import "std/ipv4";

port out;
state seen_ip: u64;

on packet(p: packet) {
    let off = ether_l3_offset(p);
    if off == 0 {
        drop();
    }
    if ether_l3_type(p) != ETH_P_IPV4 {
        punt();
    }
    if let ip = p.extract(ipv4, off) {      // off is 14 or 18: checked at run time
        seen_ip += 1;
        p.set_u8(ip.offset() + 1, ip.ttl);  // TOS := TTL
        if ip.size() != 20 || sizeof(ipv4) != 20 {
            trap(300);
        }
        if let e = p.extract(ethernet, 0) {
            e.src = e.dst;
        }
        send(out);
    } else {
        p.shrink_tail(1);
        let x = p.u8(p.len());              // one past the end
        p.set_u8(0, x);
        send(out);
    }
}
