// test: shifts: the count is taken mod 64, bits past the type's width are lost, >> is arithmetic on signed types
// in-zeros: 40
// expect: send 0
// out: 00 80 01 fc 3c 00 00 00 02 00 00 00 01 ff ff ff
// out: ff 80 00 00 00 00 00 00 00 00 00 00 00 00 00 00
// out: 02 02 fc bc d0 00 bc 00
port out;

on packet(p: packet) {
    let one: u8 = 1;
    p.set_u8(0, one << 8);              // shifted out of u8
    p.set_u8(1, one << 7);
    let c64: u32 = 64;
    p.set_u8(2, one << c64);            // 64 mod 64 = 0
    let s: i8 = -16;
    p.set_u8(3, (s >> 2) as u8);        // -4
    let u: u8 = 0xf0;
    p.set_u8(4, u >> 2);                // logical: 0x3c
    let w: u32 = 0x8000_0001;
    p.set_u32(5, w << 1);
    p.set_u32(9, w >> 31);
    let sw: i32 = -2147483648;
    p.set_u32(13, (sw >> 31) as u32);   // all ones
    let k: u64 = 1;
    p.set_u64(17, k << 63);
    p.set_u64(25, k << 65);             // 65 mod 64 = 1
    let n4: u4 = 0b1001;
    p.set_u8(33, (n4 << 1) as u8);      // the top bit leaves u4
    let s4: i4 = -8;
    p.set_u8(34, (s4 >> 1) as u8);      // -4, sign-extended to 8 bits
    let m: u16 = 0xabcd;
    m <<= 4;
    p.set_u16(35, m);
    m >>= 8;
    p.set_u16(37, m);
    send(out);
}
