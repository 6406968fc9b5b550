// A header used without checking that the packet is long enough.
header ipv4 { version: u4; ihl: u4; tos: u8; len: u16; }
port out;
on packet(p: packet) {
    let ip = p.extract(ipv4, 14);
    ip.tos = 0;
    send(out);
}
