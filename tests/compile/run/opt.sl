// test: the optimiser (compiler/opt.c) and lowering shortcuts: an inlined bool function as a condition (jump threading), copies of a variable read before it is written (x = y + x), a copy kept after its source changes, a loop carrying copies, repeated indexing of one array element (one range check), whole-byte header fields set from state memory (48, 24, 64, 8 bits), a u8 wrapping below zero, ~ on u16
// in: 10 17 1e 25 2c 33 3a 41 48 4f 56 5d 64 6b 72 79 80 87 06 00 17 40 11 11 00 5a
// expect: send 3
// out: 10 17 1e 25 2c 33 3a 41 48 4f 56 5d 64 6b 72 79 80 87 06 00 17 40 11 11 00 5a
// state: sum 00 00 00 00
// state: last 00 00
// next:
// in: 10 17 1e 25 2c 33 3a 41 48 4f 56 5d 64 6b 72 79 80 87 11 07 6c 40 22 22 01 5a
// expect: send 3
// out: 10 17 1e 25 2c 33 3a 41 48 4f 56 5d 64 6b 72 79 80 87 11 07 6c 40 22 22 01 5a
// state: sum 00 00 00 00
// state: last 00 00
// next:
// in: 10 17 1e 25 2c 33 3a 41 48 4f 56 5d 64 6b 72 79 80 87 06 1a 09 40 33 33 02 5a
// expect: send 3
// out: 10 17 1e 25 2c 33 3a 41 48 4f 56 5d 64 6b 72 79 80 87 06 1a 09 40 33 33 02 5a
// state: sum 00 00 00 00
// state: last 00 00
// next:
// in: 10 17 1e 25 2c 33 3a 41 48 4f 56 5d 64 6b 72 79 80 87 06 1a 0e 00 12 34 01 5a
// expect: send 1
// out: 0a 0b 0c 0d 0e 0f ab cd ef 01 02 03 04 05 06 07 08 7f 06 1a 0e ff ed 34 01 09
// state: sum 9d 24 00 00
// state: last cb ed
// next:
// in: 10 17 1e 25 2c 33 3a 41 48 4f 56 5d 64 6b 72 79 80 87 11 00 17 40 ff ff 02 5a
// expect: send 1
// out: ff ee dd cc bb aa 00 00 01 ff ff ff ff ff ff ff ff 00 11 00 17 3f 00 ff 02 12
// state: sum 33 00 02 00
// state: last 00 00
// next:
// in: 10 17 1e 25 2c 33 3a 41 48 4f 56 5d 64 6b 72 79 80 87 06 1a 03 01 00 ff 03 5a
// expect: send 1
// out: 12 34 56 78 9a bc 80 00 00 00 00 00 00 00 00 00 00 ff 06 1a 03 00 ff ff 03 1b
// state: sum 33 02 00 00
// state: last 00 ff
// next:
// in: 10 17 1e 25 2c 33 3a 41 48 4f 56 5d 64 6b 72 79 80 87 01 00 00 09 44 44 04 5a
// expect: fault TRAP trap=1
// state: sum 33 02 00 00
// state: last 00 ff
// next:
// in: 10 17 1e 25 2c 33 3a 41 48 4f 56 5d 64 6b 72 79 80 87 06 1a 0d 09 55 55 09 5a
// expect: send 3
// out: 10 17 1e 25 2c 33 3a 41 48 4f 56 5d 64 6b 72 79 80 87 06 1a 0d 09 55 55 09 5a
// state: sum 33 02 00 00
// state: last 00 ff
port p0, p1, p2, p3;

struct Hop { mac: u48, tag: u24, w: u64, b: u8 }

state hops: [4]Hop = [
    Hop { mac: 02:00:00:00:00:01, tag: 0x010203, w: 0x1122334455667788, b: 0x99 },
    Hop { mac: 0a:0b:0c:0d:0e:0f, tag: 0xabcdef, w: 0x0102030405060708, b: 0x7f },
    Hop { mac: ff:ee:dd:cc:bb:aa, tag: 0x000001, w: 0xffffffffffffffff, b: 0x00 },
    Hop { mac: 12:34:56:78:9a:bc, tag: 0x800000, w: 0, b: 0xff },
];
state sum: u32;
state last: u16;

header frame { dst: u48; tag: u24; w: u64; b: u8; proto: u8; port: u16; ttl: u8; ck: u16; idx: u8; }

fn denied(proto: u8, port: u16) -> bool {
    if proto == 6 && port == 23 {
        return true;
    }
    if proto == 17 && port == 1900 {
        return true;
    }
    return port >= 6660 && port <= 6669;
}

on packet(p: packet) {
    let f = p.extract(frame, 0) else {
        drop();
    }
    let i = f.idx as u32;
    if denied(f.proto, f.port) {
        send(p3);
    }
    f.dst = hops[i].mac;                // i >= 4: TRAP 1, before anything is written
    f.tag = hops[i].tag;
    f.w = hops[i].w;
    f.b = hops[i].b;
    f.ttl -= 1;                         // 0 wraps to 255
    let x: u32 = f.ck as u32;
    let y: u32 = p.len();
    x = y + x;                          // len + ck
    let a = x;
    x += 1;
    sum = a + x;                        // 2 * (len + ck) + 1
    last = ~f.ck;
    f.ck = ~(f.ck ^ 0x00ff);
    let acc: u32 = 0;
    let prev: u32 = 0;
    for k in 0..4 {
        let t = acc;
        acc = acc + k as u32 * i;
        prev = t;
    }
    p.set_u8(25, (acc + prev) as u8);   // 6i + 3i
    send(p1);
}
