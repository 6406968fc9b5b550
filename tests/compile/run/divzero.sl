// test: division and modulo by a run-time zero fault DIV_ZERO and drop the packet; state written before stays
// in: 00 00 00
// expect: fault DIV_ZERO
// next:
// in: 07 00 00
// expect: send 0
// out: 07 00 0e
// next:
// in: 00 01 00
// expect: fault DIV_ZERO
// next:
// in: 07 01 00
// expect: send 0
// out: 07 01 02
// next:
// in: ff 02 00
// expect: send 0
// out: ff 02 80
// next:
// in: 00 02 00
// expect: fault DIV_ZERO
// state: before 06 00 00 00 00 00 00 00
// next:
// in: 07 03 00
// expect: fault DIV_ZERO
// state: before 07 00 00 00 00 00 00 00
port out;
state before: u64;

on packet(p: packet) {
    let d = p.u8(0);
    let mode = p.u8(1);
    before += 1;
    if mode == 0 {
        p.set_u8(2, 100 / d);
    } else if mode == 1 {
        p.set_u8(2, 100 % d);
    } else if mode == 3 {
        let z: u8;                            // zero, but a variable: a run-time fault
        p.set_u8(2, d / z);
    } else {
        let s: i8 = -128;
        p.set_u8(2, (s / (d as i8)) as u8);   // d = 0xff is -1: MIN / -1 == MIN
    }
    send(out);
}
