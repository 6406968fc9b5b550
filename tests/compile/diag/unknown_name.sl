port out;
state hits: u64;
on packet(p: packet) {
    hist += 1;
    sned(out);
}
