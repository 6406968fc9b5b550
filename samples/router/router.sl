// router.sl: a three-port IPv4 router.
//
// Each port is an interface with its own address and MAC (ifaces). The router answers ARP
// requests for the input interface's address and ICMP echo requests to any of its addresses;
// everything else addressed to it goes to the control plane (punt). Transit IPv4 is checked
// (version, header length, total length, header checksum), looked up by longest prefix in
// routes, and sent to the next hop's MAC (neighbours, a static ARP cache here) with the TTL
// decremented and the checksum patched incrementally (RFC 1624). A TTL of 1 or 0 gets an ICMP
// time exceeded, a destination with no route an ICMP net unreachable, both quoting the
// original header and 8 bytes of its payload (RFC 792, RFC 1812 4.3.2.3).
import "std/ether";
import "std/arp";
import "std/ipv4";
import "std/icmp";

port lan, dmz, wan;

struct Iface { addr: ipv4_addr, mac: mac_addr }
struct Route { gw: ipv4_addr, port: u32 }        // gw 0.0.0.0: the destination is on the link

state ifaces: [3]Iface = [
    Iface { addr: 10.0.0.1, mac: 02:aa:00:00:00:00 },
    Iface { addr: 192.168.1.1, mac: 02:aa:00:00:00:01 },
    Iface { addr: 203.0.113.1, mac: 02:aa:00:00:00:02 },
];

table routes: lpm<ipv4_addr, Route>[256];
table neighbours: hash<ipv4_addr, mac_addr>[256];

// Counters (slemu's debugger and a control plane read them by name).
state forwarded: u64;
state arp_replies: u64;
state echo_replies: u64;
state icmp_errors: u64;
state no_route: u64;
state unresolved: u64;      // next hop not in the ARP cache: punted for resolution
state malformed: u64;
state not_for_us: u64;      // unicast frames for another MAC
state ip_id: u16;           // identification of the datagrams the router originates

on init {
    routes.put(10.0.0.0, 24, Route { gw: 0.0.0.0, port: lan });
    routes.put(192.168.1.0, 24, Route { gw: 0.0.0.0, port: dmz });
    routes.put(203.0.113.0, 24, Route { gw: 0.0.0.0, port: wan });
    routes.put(10.1.0.0, 16, Route { gw: 10.0.0.254, port: lan });
    routes.put(10.1.2.0, 24, Route { gw: 192.168.1.254, port: dmz });
    routes.put(198.51.100.0, 24, Route { gw: 192.168.1.254, port: dmz });
    routes.put(8.0.0.0, 8, Route { gw: 203.0.113.254, port: wan });

    neighbours.put(10.0.0.10, 02:00:00:00:00:0a);
    neighbours.put(10.0.0.254, 02:00:00:00:00:fe);
    neighbours.put(192.168.1.20, 02:00:00:01:00:14);
    neighbours.put(192.168.1.254, 02:00:00:01:00:fe);
    neighbours.put(203.0.113.254, 02:00:00:02:00:fe);
}

// The port whose interface has address a, or NPORTS when none has.
const NPORTS: u32 = 3;
fn local_port(a: ipv4_addr) -> u32 {
    for i in 0..NPORTS {
        if ifaces[i].addr == a {
            return i;
        }
    }
    return NPORTS;
}

// ICMP types that report errors: no error is ever sent about one of them (RFC 1812 4.3.2.7).
fn is_icmp_error(t: u8) -> bool {
    return t == ICMP_DEST_UNREACH || t == ICMP_REDIRECT || t == ICMP_TIME_EXCEEDED ||
        t == ICMP_PARAM_PROBLEM || t == 4;   // 4: source quench
}

// Turns an ARP request for the input interface's address into its reply, in place.
fn arp_reply(p: packet, inp: u32) {
    let eth = p.extract(ethernet, 0) else { return; }
    let a = p.extract(arp, ETH_HLEN) else { return; }
    let me = ifaces[inp].mac;
    let asker = a.sha;
    let asker_ip = a.spa;
    a.oper = ARP_REPLY;
    a.tha = asker;
    a.tpa = asker_ip;
    a.sha = me;
    a.spa = ifaces[inp].addr;
    eth.dst = asker;
    eth.src = me;
}

// Turns an echo request to one of our addresses into its reply, in place.
fn echo_reply(p: packet, inp: u32) {
    let eth = p.extract(ethernet, 0) else { return; }
    let ip = p.extract(ipv4, ETH_HLEN) else { return; }
    let peer = ip.src;
    let us = ip.dst;
    ipv4_set_addr(p, ETH_HLEN, 12, us);            // checksum patched for both swaps
    ipv4_set_addr(p, ETH_HLEN, 16, peer);
    ipv4_csum_replace16(p, ETH_HLEN, 8, (64 as u16) << 8 | IPPROTO_ICMP as u16);  // TTL 64
    icmp_echo_to_reply(p, ETH_HLEN + ipv4_hlen(p, ETH_HLEN));
    eth.dst = eth.src;
    eth.src = ifaces[inp].mac;
}

// Replaces the datagram by an ICMP error about it (kind, code) from the input interface to its
// source, to send back out of inp: a new IPv4 header and ICMP header in front of the original
// header and the first 8 bytes of its payload. Returns false, the packet unchanged, when no
// error may be sent: about an ICMP error, a fragment past the first, or a datagram to or from
// a group or unspecified address (RFC 1812 4.3.2.7).
fn icmp_error(p: packet, inp: u32, kind: u8, code: u8) -> bool {
    let hlen = ipv4_hlen(p, ETH_HLEN);
    let total = p.u16(ETH_HLEN + 2) as u32;
    let src = p.u32(ETH_HLEN + 12);
    let dst = p.u32(ETH_HLEN + 16);
    if !ipv4_is_first_fragment(p, ETH_HLEN) || ipv4_is_multicast(dst) || ipv4_is_broadcast(dst) ||
        ipv4_is_multicast(src) || ipv4_is_broadcast(src) || src == 0 {
        return false;
    }
    if p.u8(ETH_HLEN + 9) == IPPROTO_ICMP && total > hlen && is_icmp_error(p.u8(ETH_HLEN + hlen)) {
        return false;
    }
    let quote = hlen + min(total - hlen, 8);
    let peer = p.u64(4) as u48;                        // bytes 6..11: the source MAC
    p.shrink_tail(p.len() - ETH_HLEN - quote);
    p.grow_head(IPV4_HLEN + ICMP_HLEN);
    // The old Ethernet header now sits where the ICMP header goes: everything is rewritten.
    let eth = p.extract(ethernet, 0) else { return false; }
    eth.dst = peer;
    eth.src = ifaces[inp].mac;
    eth.ethertype = ETH_P_IPV4;
    let ip = p.extract(ipv4, ETH_HLEN) else { return false; }
    ip.version = 4;
    ip.ihl = 5;
    ip.dscp = 0x30;            // CS6, internetwork control
    ip.ecn = 0;
    ip.total_len = (IPV4_HLEN + ICMP_HLEN + quote) as u16;
    ip.id = ip_id;
    ip_id += 1;
    ip.flags = 0;
    ip.frag_off = 0;
    ip.ttl = 64;
    ip.protocol = IPPROTO_ICMP;
    ip.src = ifaces[inp].addr;
    ip.dst = src;
    ipv4_csum_set(p, ETH_HLEN);
    let ic = p.extract(icmp, ETH_HLEN + IPV4_HLEN) else { return false; }
    ic.msg_type = kind;
    ic.code = code;
    ic.rest = 0;
    icmp_csum_set(p, ETH_HLEN + IPV4_HLEN, ICMP_HLEN + quote);
    return true;
}

on packet(p: packet, inp: u32) {
    let eth = p.extract(ethernet, 0) else {
        malformed += 1;
        drop();
    }
    let me = ifaces[inp].mac;
    if eth.ethertype == ETH_P_ARP {
        if let a = p.extract(arp, ETH_HLEN) {
            if arp_is_ipv4_ether(p, ETH_HLEN) && a.oper == ARP_REQUEST && a.tpa == ifaces[inp].addr {
                arp_reply(p, inp);
                arp_replies += 1;
                send(inp);
            }
        }
        punt();                         // replies, probes, other targets: the control plane's
    }
    if eth.ethertype != ETH_P_IPV4 {
        punt();
    }
    if mac_is_group(eth.dst) {
        punt();                         // broadcast and multicast IPv4 are not routed
    }
    if eth.dst != me {
        not_for_us += 1;
        drop();
    }
    let ip = p.extract(ipv4, ETH_HLEN) else {
        malformed += 1;
        drop();
    }
    let hlen = ip.ihl as u32 * 4;
    if ip.version != 4 || hlen < IPV4_HLEN || (ip.total_len as u32) < hlen ||
        ETH_HLEN + ip.total_len as u32 > p.len() || !ipv4_csum_ok(p, ETH_HLEN) {
        malformed += 1;
        drop();
    }
    if local_port(ip.dst) != NPORTS {
        if ip.protocol == IPPROTO_ICMP && ipv4_is_first_fragment(p, ETH_HLEN) && !ipv4_is_fragment(p, ETH_HLEN) {
            if let ic = p.extract(icmp, ETH_HLEN + hlen) {
                if ic.msg_type == ICMP_ECHO_REQUEST && ic.code == 0 &&
                    icmp_csum_ok(p, ETH_HLEN + hlen, ip.total_len as u32 - hlen) {
                    echo_reply(p, inp);
                    echo_replies += 1;
                    send(inp);
                }
            }
        }
        punt();                         // other traffic to the router itself
    }
    if ip.ttl <= 1 {
        if icmp_error(p, inp, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL) {
            icmp_errors += 1;
            send(inp);
        }
        drop();
    }
    let r = routes.get(ip.dst) else {
        no_route += 1;
        if icmp_error(p, inp, ICMP_DEST_UNREACH, ICMP_NET_UNREACH) {
            icmp_errors += 1;
            send(inp);
        }
        drop();
    }
    let hop = r.gw;
    if hop == 0 {
        hop = ip.dst;
    }
    let mac = neighbours.get(hop) else {
        unresolved += 1;
        punt();
    }
    ipv4_dec_ttl(p, ETH_HLEN);
    eth.dst = mac;
    eth.src = ifaces[r.port].mac;
    forwarded += 1;
    send(r.port);
}
