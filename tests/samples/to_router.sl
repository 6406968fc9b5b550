// Readdresses every frame to the router sample's lan MAC (runts pass unchanged), so that the
// corpus test drives foreign traffic through the router's IPv4 path instead of its
// "not for us" check.
import "std/ether";
port out;
on packet(p: packet) {
    if let eth = p.extract(ethernet, 0) {
        if !mac_is_group(eth.dst) {
            eth.dst = 02:aa:00:00:00:00;
        }
    }
    send(out);
}
