// A missing expression: the parser says what it expected and where.
port out;
on packet(p: packet) {
    let x: u32 = ;
    send(out);
}
