// test: grow/shrink at head and tail (new bytes zero), reset, PKT_RESIZE past the window or below zero bytes
// in: 00 11 22 33 44
// expect: send 0
// out: aa 00 00 00 00 11 22 00 00 00
// next:
// in: 01 11 22 33 44
// expect: fault PKT_RESIZE
// next:
// in: 02 11 22 33 44
// expect: fault PKT_RESIZE
// next:
// in: 03 11 22 33 44
// expect: send 0
// out: 00 00 00
// next:
// in: 04 11 22 33 44
// expect: fault PKT_RESIZE
// next:
// in: 05 11 22 33 44
// expect: send 0
// out: 33 44
// next:
// in: 06 11 22 33 44
// expect: fault PKT_BOUNDS
port out;

on packet(p: packet) {
    let op = p.u8(0);
    if op == 0 {
        p.grow_head(4);
        p.set_u8(0, 0xaa);
        p.shrink_tail(2);
        p.grow_tail(3);
    } else if op == 1 {
        p.shrink_head(p.len() + 1);
    } else if op == 2 {
        p.grow_head(257);                   // headroom is 256 bytes
    } else if op == 3 {
        p.reset(3);
    } else if op == 4 {
        p.grow_tail(20000);                 // the window is 16384 bytes
    } else if op == 5 {
        p.shrink_head(3);
    } else {
        p.shrink_tail(4);
        p.set_u8(1, 0);                     // only byte 0 is left
    }
    send(out);
}
