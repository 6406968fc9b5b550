// Warnings only: exit status 0.
port out;
state n: u64;
on packet(p: packet) {
    send(out);
    n += 1;
}
