// Several errors in one file, each reported, in order.
port out;
struct Pair { a: u8, b: u8 }
state pairs: [4]Pair;
on packet(p: packet) {
    let x: u8 = p.len();
    let y: bool = 1;
    pairs[4].a = 1;
    pairs[0].c = 2;
    let z = x / 0;
    send(out, 1);
}
