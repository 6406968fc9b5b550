// A small program for the debugger's source-level test (tests/repl/source.cmd): compiled by
// slemu --repl with debug info when loaded.
port p0, p1;

header eth_h {
    dst: u48;
    src: u48;
    ethertype: u16;
}

state seen: u64;

fn bump(n: u64) -> u64 {
    let m = n + 1;
    return m;
}

on packet(p: packet) {
    let e = p.extract(eth_h, 0) else {
        drop();
    }
    seen = bump(seen);
    let t = e.ethertype;
    if t == 0x0800 {
        send(p1);
    }
    drop();
}
