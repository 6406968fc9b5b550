// test: lpm tables keyed by [16]u8 (IPv6 addresses, the stdlib's ipv6_addr) match prefixes from the first byte
// in-zeros: 24
// in: 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
// expect: send 1
// next:
// in-zeros: 24
// in: 20 01 0d b9 00 00 00 00 00 00 00 00 00 00 00 01
// expect: send 0
// next:
// in-zeros: 24
// in: 30 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
// expect: drop
import "std/ipv6";

port wide, narrow;
table r6: lpm<ipv6_addr, u32>[16];

on init {
    let a: ipv6_addr;
    a[0] = 0x20;
    a[1] = 0x01;
    r6.put(a, 16, wide);                    // 2001::/16
    a[2] = 0x0d;
    a[3] = 0xb8;
    r6.put(a, 32, narrow);                  // 2001:db8::/32
}

on packet(p: packet) {
    let a: ipv6_addr;
    for i in 0..16 as u32 {
        a[i] = p.u8(24 + i);
    }
    if let port = r6.get(a) {
        send(port);
    }
    drop();
}
