// test: p.csum (RFC 1071 example, odd length, accumulator), IPv4 header checksum verify/compute, RFC 1624 updates (TTL, address) agree with a full recomputation
// in: 45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01
// in: c0 a8 00 c7 00 00 00 00 00 00 00 00 00 00 00 00
// in: 00 01 f2 03 f4 f5 f6 f7
// expect: send 0
// out: 45 00 00 73 00 00 40 00 3f 11 70 d0 c0 a8 00 01
// out: 0a 00 00 01 01 b8 61 01 01 dd f2 ea f7 01 00 00
// out: 00 01 f2 03 f4 f5 f6 f7
// next:
// in: 45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8
// expect: fault PKT_BOUNDS
import "std/ipv4";

port out;

on packet(p: packet) {
    p.set_u8(20, ipv4_csum_ok(p, 0) as u8);
    p.set_u16(21, ipv4_csum_compute(p, 0));
    ipv4_dec_ttl(p, 0);
    p.set_u8(23, ipv4_csum_ok(p, 0) as u8);
    ipv4_set_addr(p, 0, 16, 10.0.0.1);
    p.set_u8(24, ipv4_csum_ok(p, 0) as u8);
    p.set_u16(25, p.csum(0, 32, 8));
    p.set_u16(27, p.csum(0x1ffff, 36, 3));
    // RFC 1624 helpers against the arithmetic: replacing a word by itself changes nothing
    let c = p.u16(10);
    if csum_replace16(c, 0x1234, 0x1234) == c && csum_replace32(c, 7, 7) == c {
        p.set_u8(29, 1);
    }
    send(out);
}
