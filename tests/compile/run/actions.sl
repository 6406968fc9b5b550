// test: clone sends copies as the packet is at that moment, send/drop/punt end the handler (also from a function), BAD_PORT, trap and assert codes, no verdict drops
// in: 00 00 00 00 00
// expect: send 1
// out: 00 cc 00 00 00
// clone: 0 00 00 00 00 00
// clone: 2 00 00 00 00 00
// next:
// in: 01 00 00 00 00
// expect: drop
// no-clones:
// next:
// in: 02 00 00 00 00
// expect: punt
// next:
// in: 03 00 00 00 07
// expect: fault BAD_PORT
// next:
// in: 03 00 00 00 02
// expect: send 2
// next:
// in: 04 00 00 00 00
// expect: fault TRAP trap=300
// next:
// in: 05 00 00 00 00
// expect: fault TRAP trap=2
// next:
// in: 06 00 00 00 00
// expect: send 2
// out: 06 00 00 00 00
// clone: 1 06 00 00 00 00
// next:
// in: 07 00 00 00 00
// expect: drop
// next:
// in: 08 00 00 00 00
// expect: fault BAD_PORT
// clone: 0 08 00 00 00 00
port a, b, c;

fn helper() {
    clone(b);
    send(c);
}

on packet(p: packet) {
    let op = p.u8(0);
    if op == 0 {
        clone(a);
        clone(c);
        p.set_u8(1, 0xcc);                  // after the clones: they do not see it
        send(b);
    }
    if op == 1 {
        drop();
    }
    if op == 2 {
        punt();
    }
    if op == 3 {
        send(p.u32(1));                     // port 7 was not declared
    }
    if op == 4 {
        trap(300);
    }
    if op == 5 {
        assert(p.len() > 100);
    }
    if op == 6 {
        helper();
    }
    if op == 8 {
        clone(a);
        clone(9);
    }
}
