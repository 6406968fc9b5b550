// test: integer arithmetic wraps to the type's width; signed / and % truncate toward zero
// in-zeros: 64
// expect: send 0
// out: 2c 90 9c c8 ff ff ff fd ff ff ff ff 00 00 00 01
// out: 80 00 00 00 01 00 00 00 00 00 00 00 00 f0 00 00
// out: 00 00 00 00 00 01 fb fa 00 d4 fe d4 00 00 00 64
// out: ff ff ff ff 00 ff 01 64 fb 03 01 01 00 00 00 00
port out;

on packet(p: packet) {
    let a: u8 = 200;
    let b: u8 = 100;
    p.set_u8(0, a + b);                 // 300 wraps to 44
    p.set_u8(1, a * 2);                 // 400 wraps to 144
    p.set_u8(2, b - a);                 // -100 wraps to 156
    let c: i8 = 100;
    p.set_u8(3, (c + c) as u8);         // 200 wraps to -56 = 0xc8
    let d: i32 = -7;
    p.set_u32(4, (d / 2) as u32);       // -3
    p.set_u32(8, (d % 2) as u32);       // -1: the sign of the dividend
    let e: i32 = 7;
    p.set_u32(12, (e % -2) as u32);     // 1
    let m: i8 = -128;
    p.set_u8(16, (m / -1) as u8);       // MIN / -1 == MIN
    p.set_u8(17, (m % -1) as u8);       // MIN % -1 == 0
    let u: u4 = 15;
    u += 1;                             // u4 wraps to 0
    p.set_u8(18, u as u8);
    let v: u13 = 8191;
    v += 2;                             // 1
    p.set_u16(19, v as u16);
    let w: u48 = 0xffff_ffff_ffff;
    w += 1;                             // 0
    p.set_u64(21, w as u64);
    let x: i5 = 15;
    x += 1;                             // i5 wraps to -16
    p.set_u8(29, x as u8);
    let big: u64 = 0xffff_ffff_ffff_ffff;
    p.set_u64(30, big * big);           // (2^64 - 1)^2 mod 2^64 = 1
    let n: u8 = 5;
    p.set_u8(38, -n);                   // 251
    p.set_u8(39, ~n);                   // 250
    let z: i16 = -300;
    p.set_u16(40, (z as u8) as u16);    // low byte 0xd4
    p.set_u16(42, z as u16);            // 0xfed4
    p.set_u32(44, c as u32);            // 100
    let neg: i8 = -1;
    p.set_u32(48, neg as u32);          // sign-extended
    p.set_u16(52, (neg as u8) as u16);  // 0x00ff
    p.set_u8(54, true as u8);
    p.set_u8(55, min(a, b));
    let sa: i8 = -5;
    let sb: i8 = 3;
    p.set_u8(56, min(sa, sb) as u8);    // signed comparison: -5
    p.set_u8(57, max(sa, sb) as u8);
    if sa < sb {
        p.set_u8(58, 1);
    }
    if sa as u8 > sb as u8 {            // 251 > 3 unsigned
        p.set_u8(59, 1);
    }
    send(out);
}
