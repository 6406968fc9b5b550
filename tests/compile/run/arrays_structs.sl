// test: arrays and structs: literals, zero init, copies, nesting, hash of aggregates, index out of range faults TRAP 1
// in-zeros: 48
// expect: send 0
// out: 00 0f 03 07 00 09 00 00 72 5d cd ce c4 9f 15 1a
// out: 92 00 0b 5b 80 a2 f4 03 0d d4 90 49 08 04 b5 08
// out: 55 11 22 00 00 00 00 00 00 00 00 00 00 00 00 00
// state: counts 01 00 00 00 02 00 00 00 00 00 00 00
// next:
// in-zeros: 48
// inport: 3
// expect: fault TRAP trap=1
// state: counts 01 00 00 00 02 00 00 00 00 00 00 00
port out;

struct Pt { x: u8, y: u16 }
struct Box { tag: u8, vals: [2]u8 }

state arr: [5]u16 = [1, 2, 3, 4, 5];
state pts: [2]Pt = [Pt { x: 3, y: 0x0102 }, Pt { x: 0, y: 0 }];
state counts: [3]u32;
state grid: [3][2]u8;

on packet(p: packet, inp: u32) {
    counts[inp] += 1;                       // inport 3: out of range
    counts[1] += 2;
    let sum: u16 = 0;
    for i in 0..5 {
        sum += arr[i];
    }
    p.set_u16(0, sum);
    pts[1] = pts[0];                        // a copy, not a reference
    pts[0].x = 7;
    p.set_u8(2, pts[1].x);
    p.set_u8(3, pts[0].x);
    let loc: [4]u8;
    loc[1] = 9;
    p.set_u8(4, loc[0]);
    p.set_u8(5, loc[1]);
    let w: u32 = 0x01020304;
    p.set_u64(8, hash(w));
    p.set_u64(16, hash(pts[1]));
    let abc: [3]u8 = [0x61, 0x62, 0x63];
    p.set_u64(24, hash(abc));
    grid[2][1] = 0x55;
    p.set_u8(32, grid[2][1]);
    let b: Box = Box { tag: 1, vals: [0x11, 0x22] };
    p.set_u8(33, b.vals[0]);
    p.set_u8(34, b.vals[b.tag]);
    pts[0] = Pt { x: 3, y: 0x0102 };        // as it was, for the next packet
    send(out);
}
