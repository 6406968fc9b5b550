// The else block of a let-else must not fall through.
import "std/ether";
port out;
on packet(p: packet) {
    let eth = p.extract(ethernet, 0) else {
        p.set_u8(0, 1);
    }
    eth.ethertype = 0x88b5;
    send(out);
}
