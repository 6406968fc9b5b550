// The router benchmark's program in Sluice: the same logic as bench/router.sla (the hand-written
// assembly) and bench/router_native.c, written as a user would, with the standard library.
// bench/bench_slc.c checks that both give the same verdict, port and bytes for every frame and
// the same counters, then times them side by side.
//
// Ethernet with an optional 802.1Q tag; non-IPv4 is punted. IPv4 is checked (version 4,
// IHL >= 5, total length between the header length and the frame, header checksum over the
// options too) and dropped as malformed otherwise; TTL <= 1 is punted. For the first fragment
// of TCP and UDP the ports feed a 3-rule ACL (drop TCP to 23, UDP to 1900, either to
// 6660-6669) and the ECMP hash. The destination is looked up in a 16-route LPM table filled
// by the init handler; no route drops. A forwarded packet gets TTL - 1 with the RFC 1624
// incremental checksum update, the next hop's destination MAC and the port's source MAC,
// and goes out of the next hop's port. Every outcome is counted.
import "std/csum";
import "std/ether";
import "std/ipv4";
import "std/tcp";
import "std/udp";

port p0, p1, p2, p3;

struct Route { nexthop: u8, group: u8 }              // first next hop, ECMP group size
struct Nexthop { dmac: mac_addr, smac: mac_addr, port: u32 }

table routes: lpm<ipv4_addr, Route>[16];

state nexthops: [8]Nexthop = [
    Nexthop { dmac: 02:00:00:a1:00:01, smac: 02:aa:00:00:00:00, port: p0 },
    Nexthop { dmac: 02:00:00:b2:01:02, smac: 02:aa:00:00:00:01, port: p1 },
    Nexthop { dmac: 02:00:00:c3:02:03, smac: 02:aa:00:00:00:02, port: p2 },
    Nexthop { dmac: 02:00:00:d4:03:04, smac: 02:aa:00:00:00:03, port: p3 },
    Nexthop { dmac: 02:00:00:e5:04:05, smac: 02:aa:00:00:00:00, port: p0 },
    Nexthop { dmac: 02:00:00:f6:05:06, smac: 02:aa:00:00:00:01, port: p1 },
    Nexthop { dmac: 02:00:0a:07:06:07, smac: 02:aa:00:00:00:02, port: p2 },
    Nexthop { dmac: 02:00:0b:08:07:08, smac: 02:aa:00:00:00:03, port: p3 },
];

// Outcome counters (router_native.h's order).
state forwarded: u64;
state punted_non_ip: u64;
state punted_ttl: u64;
state malformed: u64;
state no_route: u64;
state acl_dropped: u64;

on init {
    routes.put(203.0.113.7, 32, Route { nexthop: 3, group: 1 });
    routes.put(192.168.1.128, 25, Route { nexthop: 6, group: 1 });
    routes.put(10.1.2.0, 24, Route { nexthop: 0, group: 1 });
    routes.put(172.16.5.0, 24, Route { nexthop: 4, group: 1 });
    routes.put(192.168.1.0, 24, Route { nexthop: 7, group: 1 });
    routes.put(8.8.8.0, 24, Route { nexthop: 5, group: 1 });
    routes.put(198.51.100.0, 24, Route { nexthop: 7, group: 1 });
    routes.put(10.1.0.0, 16, Route { nexthop: 1, group: 1 });
    routes.put(192.168.0.0, 16, Route { nexthop: 0, group: 2 });
    routes.put(198.18.0.0, 15, Route { nexthop: 4, group: 4 });
    routes.put(172.16.0.0, 12, Route { nexthop: 5, group: 1 });
    routes.put(100.64.0.0, 10, Route { nexthop: 2, group: 1 });
    routes.put(10.0.0.0, 8, Route { nexthop: 2, group: 2 });
    routes.put(1.0.0.0, 8, Route { nexthop: 6, group: 1 });
    routes.put(20.0.0.0, 6, Route { nexthop: 1, group: 2 });
    routes.put(96.0.0.0, 3, Route { nexthop: 3, group: 1 });
}

// The ACL: TCP to telnet, UDP to SSDP, either to 6660-6669.
fn acl_denies(proto: u8, dport: u16) -> bool {
    if proto == IPPROTO_TCP && dport == TCP_PORT_TELNET {
        return true;
    }
    if proto == IPPROTO_UDP && dport == UDP_PORT_SSDP {
        return true;
    }
    return dport >= 6660 && dport <= 6669;
}

on packet(p: packet) {
    let eth = p.extract(ethernet, 0) else {
        malformed += 1;
        drop();
    }
    let ethertype = eth.ethertype;
    let l3: u32 = ETH_HLEN;
    if ethertype == ETH_P_8021Q {
        let tag = p.extract(vlan, ETH_HLEN) else {
            malformed += 1;
            drop();
        }
        ethertype = tag.ethertype;
        l3 = ETH_HLEN + VLAN_HLEN;
    }
    if ethertype != ETH_P_IPV4 {
        punted_non_ip += 1;
        punt();
    }
    let ip = p.extract(ipv4, l3) else {
        malformed += 1;
        drop();
    }
    let hlen = ip.ihl as u32 * 4;
    if ip.version != 4 || hlen < IPV4_HLEN {
        malformed += 1;
        drop();
    }
    let total = ip.total_len;
    let end = l3 + total;
    if total < hlen || end > p.len() {
        malformed += 1;
        drop();
    }
    if p.csum(0, l3, hlen) != 0xffff {              // options included
        malformed += 1;
        drop();
    }
    if ip.ttl <= 1 {
        punted_ttl += 1;
        punt();
    }
    let proto = ip.protocol;
    let ports: u32 = 0;                             // sport << 16 | dport, 0 without ports
    if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) && ip.frag_off == 0 {
        let l4 = l3 + hlen;
        if l4 + 4 > end {
            malformed += 1;
        drop();
        }
        ports = p.u32(l4);
        if acl_denies(proto, ports as u16) {
            acl_dropped += 1;
            drop();
        }
    }
    let dst = ip.dst;
    let route = routes.get(dst) else {
        no_route += 1;
        drop();
    }
    let nh = route.nexthop as u32;
    if route.group > 1 {
        // flow hash: (src ^ dst ^ ports ^ proto) * golden ratio, 32 bits, folded
        let h: u32 = (ip.src ^ dst ^ ports ^ proto) * 0x9e37_79b1;
        h ^= h >> 16;
        nh += h % route.group;
    }
    // TTL - 1 and the RFC 1624 update of the checksum for the word TTL shares with the protocol
    let old = (ip.ttl as u16) << 8 | proto;
    ip.ttl -= 1;
    ip.checksum = csum_replace16(ip.checksum, old, old - 0x100);
    eth.dst = nexthops[nh].dmac;
    eth.src = nexthops[nh].smac;
    forwarded += 1;
    send(nexthops[nh].port);
}
