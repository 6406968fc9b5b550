// test: header bit fields of odd widths (u4, u13, u7, u48, u1) read and written in network order, other bits kept
// in: aa bb f3 a5 5a c3 3c 96 69 e1 1e 7f 00 00 00 00
// in: 00 00 00 00 00 00 00 00 00 00
// expect: send 1
// out: aa bb 0d 5e 5a 02 00 00 aa bb cc aa 0f 07 4a 5a
// out: 00 00 c3 3c 96 69 e1 1e 00 7f
// next:
// in: aa bb f3 a5 5a c3 3c 96 69 e1 1e
// expect: drop
// out: aa bb f3 a5 5a c3 3c 96 69 e1 1e
port p0, p1;

header odd {
    a: u4;
    b: u13;
    c: u7;
    mac: u48;
    d: u1;
    e: u7;
}

on packet(p: packet) {
    let h = p.extract(odd, 2) else {
        drop();
    }
    let a = h.a;
    let e = h.e;
    if p.len() < 26 {
        send(p0);
    }
    p.set_u8(12, a as u8);
    p.set_u16(13, h.b as u16);
    p.set_u8(15, h.c as u8);
    p.set_u64(16, h.mac as u64);
    p.set_u8(24, h.d as u8);
    p.set_u8(25, e as u8);
    h.b = 0x1abc;
    h.d = 1;
    h.mac = 02:00:00:aa:bb:cc;
    h.a = a + 1;                        // 15 + 1 wraps in u4
    h.e = e ^ 0x55;
    send(p1);
}
