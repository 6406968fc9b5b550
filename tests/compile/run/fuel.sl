// test: an endless loop runs out of its instruction budget: FUEL; a bounded one does not
// budget: 5000
// in: 00
// expect: fault FUEL
// next:
// in: 01
// expect: send 0
// state: spins 64 00 00 00 00 00 00 00
port out;
state spins: u64;

on packet(p: packet) {
    if p.u8(0) == 0 {
        while true {
            spins += 1;
        }
    }
    spins = 0;
    for _i in 0..100 {
        spins += 1;
    }
    send(out);
}
