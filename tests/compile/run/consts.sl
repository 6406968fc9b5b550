// test: MAC and IPv4 literals, enums, constant expressions (exact, typed), sizeof, packet metadata, now() and rand()
// in-zeros: 64
// inport: 2
// tstamp: 0x1122334455667788
// now: 0x99
// expect: send 0
// out: 00 00 02 00 00 aa bb cc 0a 00 00 01 03 01 01 0f
// out: ff 03 05 10 06 02 01 00 00 00 02 11 22 33 44 55
// out: 66 77 88 00 00 00 00 00 00 00 99 e2 20 a8 39 7b
// out: 1d cd af ff ff ff ff ff ff ff fe ff 2c 00 00 00
port out;

enum Color: u8 { RED = 1, GREEN, BLUE }
enum Weird: u16 { X = 0x100, Y, Z = 7 }
struct Pt { x: u8, y: u16 }
type Quad = [4]u32;
header five { a: u12; b: u28; }

const MASK = (1 << 12) - 1;
const BIG = 0xffff_ffff_ffff_ffff;
const ALSO = BIG - 1;
const NEG = -1;
const TYPED: u8 = 200;
const WRAPPED: u8 = TYPED + 100;            // typed constants wrap like their type: 44

on packet(p: packet) {
    p.set_u64(0, 02:00:00:aa:bb:cc);
    p.set_u32(8, 10.0.0.1);
    p.set_u8(12, Color.BLUE);
    p.set_u16(13, Weird.Y);
    p.set_u16(15, MASK);
    p.set_u8(17, sizeof(Pt));
    p.set_u8(18, sizeof(five));
    p.set_u8(19, sizeof(Quad));
    p.set_u8(20, sizeof(u48));
    p.set_u8(21, sizeof(u13));
    p.set_u8(22, sizeof(bool));
    p.set_u32(23, p.in_port());
    p.set_u64(27, p.timestamp());
    p.set_u64(35, now());
    p.set_u64(43, rand());
    p.set_u64(51, ALSO);
    let q: i8 = NEG;
    p.set_u8(59, q as u8);
    p.set_u8(60, WRAPPED);
    send(out);
}
