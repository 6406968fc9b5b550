// test: hash and lpm tables: put (new/replace), get (hit/miss), del, TABLE_FULL, longest prefix, BAD_PREFIX, struct keys
// (packet: op, key u32, value u16, result u8, value out u16)
// in: 00 00 00 00 01 12 34 00 00 00
// expect: send 0
// out: 00 00 00 00 01 12 34 01 00 00
// next:
// in: 00 00 00 00 01 56 78 00 00 00
// expect: send 0
// out: 00 00 00 00 01 56 78 00 00 00
// next:
// in: 01 00 00 00 01 00 00 00 00 00
// expect: send 0
// out: 01 00 00 00 01 00 00 01 56 78
// next:
// in: 01 00 00 00 02 00 00 00 00 00
// expect: send 0
// out: 01 00 00 00 02 00 00 00 00 00
// next:
// in: 00 00 00 00 02 00 02 00 00 00
// expect: send 0
// out: 00 00 00 00 02 00 02 01 00 00
// next:
// in: 00 00 00 00 03 00 03 00 00 00
// expect: fault TABLE_FULL
// next:
// in: 02 00 00 00 01 00 00 00 00 00
// expect: send 0
// out: 02 00 00 00 01 00 00 01 00 00
// next:
// in: 02 00 00 00 01 00 00 00 00 00
// expect: send 0
// out: 02 00 00 00 01 00 00 00 00 00
// next:
// in: 00 00 00 00 03 00 03 00 00 00
// expect: send 0
// out: 00 00 00 00 03 00 03 01 00 00
// next:
// in: 03 0a 01 02 03 00 00 00 00 00
// expect: send 0
// out: 03 0a 01 02 03 00 00 02 00 00
// next:
// in: 03 0a 02 00 00 00 00 00 00 00
// expect: send 0
// out: 03 0a 02 00 00 00 00 01 00 00
// next:
// in: 03 0b 00 00 00 00 00 00 00 00
// expect: send 0
// out: 03 0b 00 00 00 00 00 09 00 00
// next:
// in: 04 0a 01 02 00 18 00 00 00 00
// expect: send 0
// out: 04 0a 01 02 00 18 00 00 00 00
// next:
// in: 03 0a 01 02 03 00 00 00 00 00
// expect: send 0
// out: 03 0a 01 02 03 00 00 07 00 00
// next:
// in: 03 0a 01 03 03 00 00 00 00 00
// expect: send 0
// out: 03 0a 01 03 03 00 00 02 00 00
// next:
// in: 04 0a 01 02 00 21 00 00 00 00
// expect: fault BAD_PREFIX
// next:
// in: 05 0a 01 00 00 10 00 00 00 00
// expect: send 0
// out: 05 0a 01 00 00 10 00 01 00 00
// next:
// in: 05 0a 01 00 00 10 00 00 00 00
// expect: send 0
// out: 05 0a 01 00 00 10 00 00 00 00
// next:
// in: 03 0a 01 09 09 00 00 00 00 00
// expect: send 0
// out: 03 0a 01 09 09 00 00 01 00 00
// next:
// in: 06 00 00 00 00 00 00 00 00 00
// expect: send 0
// out: 06 00 00 00 00 00 00 01 ab 00
port out;

struct Flow { src: u32, dst: u32, proto: u8 }

table m: hash<u32, u16>[2];
table r: lpm<u32, u8>[8];
table flows: hash<Flow, u8>[4];

on init {
    r.put(10.0.0.0, 8, 1);
    r.put(10.1.0.0, 16, 2);
    r.put(0.0.0.0, 0, 9);
    flows.put(Flow { src: 1.2.3.4, dst: 5.6.7.8, proto: 6 }, 0xab);
}

on packet(p: packet) {
    let op = p.u8(0);
    let k = p.u32(1);
    let v = p.u16(5);
    if op == 0 {
        p.set_u8(7, m.put(k, v) as u8);
    } else if op == 1 {
        if let x = m.get(k) {
            p.set_u8(7, 1);
            p.set_u16(8, x);
        }
    } else if op == 2 {
        p.set_u8(7, m.del(k) as u8);
    } else if op == 3 {
        if let nh = r.get(k) {
            p.set_u8(7, nh);
        }
    } else if op == 4 {
        r.put(k, p.u8(5), 7);               // prefix length from the packet: 33 faults
    } else if op == 5 {
        p.set_u8(7, r.del(k, p.u8(5)) as u8);
    } else {
        let f: Flow;
        f.src = 1.2.3.4;
        f.dst = 5.6.7.8;
        f.proto = 6;
        if let x = flows.get(f) {
            p.set_u8(7, 1);
            p.set_u8(8, x);
        }
        f.proto = 17;
        if let _y = flows.get(f) {
            p.set_u8(7, 2);
        }
    }
    send(out);
}
