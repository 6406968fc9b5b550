// test: a timer builds a frame from scratch with p.reset, header bindings and the stdlib's IPv4 and UDP checksums
// handler: timer
// in: 01 02 03
// expect: send 0
// out: ff ff ff ff ff ff 02 00 00 00 00 99 08 00 45 00
// out: 00 20 00 00 00 00 40 11 f6 73 c0 a8 01 0a c0 a8
// out: 01 ff 27 0f 27 0f 00 0c 2d 5e 00 00 00 00
// next:
// handler: timer
// expect: send 0
// out: ff ff ff ff ff ff 02 00 00 00 00 99 08 00 45 00
// out: 00 20 00 00 00 00 40 11 f6 73 c0 a8 01 0a c0 a8
// out: 01 ff 27 0f 27 0f 00 0c 2d 5d 00 00 00 01
import "std/ether";
import "std/ipv4";
import "std/udp";

port out;
state seq: u32;

on timer every 1000 (p: packet) {
    p.reset(ETH_HLEN + IPV4_HLEN + UDP_HLEN + 4);
    let eth = p.extract(ethernet, 0) else { return; }
    eth.dst = ff:ff:ff:ff:ff:ff;
    eth.src = 02:00:00:00:00:99;
    eth.ethertype = ETH_P_IPV4;
    let ip = p.extract(ipv4, ETH_HLEN) else { return; }
    ip.version = 4;
    ip.ihl = 5;
    ip.total_len = IPV4_HLEN + UDP_HLEN + 4;
    ip.ttl = 64;
    ip.protocol = IPPROTO_UDP;
    ip.src = 192.168.1.10;
    ip.dst = 192.168.1.255;
    ipv4_csum_set(p, ETH_HLEN);
    let u = p.extract(udp, ETH_HLEN + IPV4_HLEN) else { return; }
    u.sport = 9999;
    u.dport = 9999;
    u.len = UDP_HLEN + 4;
    p.set_u32(ETH_HLEN + IPV4_HLEN + UDP_HLEN, seq);
    seq += 1;
    udp4_csum_set(p, ETH_HLEN, ETH_HLEN + IPV4_HLEN);
    if !udp4_csum_ok(p, ETH_HLEN, ETH_HLEN + IPV4_HLEN) || !ipv4_csum_ok(p, ETH_HLEN) {
        trap(999);
    }
    send(out);
}
