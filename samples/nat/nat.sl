// nat.sl: source NAT (NAPT) for TCP and UDP between an inside and an outside port.
//
// Datagrams from the inside network 10.0.0.0/8 leave with the public address PUBLIC and a
// public port allocated for their (protocol, inside address, inside port); answers to that
// public port are translated back. Both checksums are patched incrementally (RFC 1624): the
// IPv4 header's, and the TCP or UDP one, which covers the addresses through the pseudo-header
// (a UDP datagram without a checksum keeps none). Public ports come from a pool of NPORTS
// starting at PORT_BASE, handed out round-robin; a binding idle for longer than its timeout
// (UDP 3 s, TCP 10 s: values for the sample's short capture) is freed by a timer. The NAT sits
// in the wire (no MAC rewriting); everything else, ICMP included, is dropped and counted.
import "std/ether";
import "std/ipv4";
import "std/tcp";
import "std/udp";

port inside, outside;

const PUBLIC: ipv4_addr = 203.0.113.1;
const PORT_BASE: u16 = 20000;
const NPORTS: u32 = 256;
const UDP_TIMEOUT_NS: u64 = 3_000_000_000;
const TCP_TIMEOUT_NS: u64 = 10_000_000_000;

struct Inner { proto: u8, addr: ipv4_addr, port: u16 }
struct Binding { used: bool, proto: u8, addr: ipv4_addr, port: u16, seen: u64 }

table public_port: hash<Inner, u16>[256];   // inside endpoint -> public port
state bindings: [256]Binding;               // by public port - PORT_BASE
state next_port: u32;                       // where the round-robin search starts

// Counters.
state translated_out: u64;
state translated_in: u64;
state allocated: u64;
state expired: u64;
state exhausted: u64;       // no free public port
state no_binding: u64;      // inbound to a public port nobody holds
state untranslated: u64;    // not TCP or UDP, not from the inside network, fragments
state malformed: u64;

fn timeout(proto: u8) -> u64 {
    if proto == IPPROTO_TCP {
        return TCP_TIMEOUT_NS;
    }
    return UDP_TIMEOUT_NS;
}

// Rewrites the source (outbound) or the destination (inbound) address and port of the TCP or
// UDP datagram whose transport header is at l4, patching both checksums.
fn translate(p: packet, l4: u32, proto: u8, inbound: bool, addr: ipv4_addr, port: u16) {
    let addr_off: u32 = 12;
    let port_off: u32 = 0;
    if inbound {
        addr_off = 16;
        port_off = 2;
    }
    let csum_off = l4 + 6;
    if proto == IPPROTO_TCP {
        csum_off = l4 + 16;
    }
    let old_addr = p.u32(ETH_HLEN + addr_off);
    let old_port = p.u16(l4 + port_off);
    ipv4_set_addr(p, ETH_HLEN, addr_off, addr);
    p.set_u16(l4 + port_off, port);
    let c = p.u16(csum_off);
    if proto == IPPROTO_UDP && c == 0 {
        return;                         // sent without a checksum: stays so
    }
    c = csum_replace32(c, old_addr, addr);
    c = csum_replace16(c, old_port, port);
    if proto == IPPROTO_UDP && c == 0 {
        c = 0xffff;                     // a UDP checksum of zero is sent as all ones
    }
    p.set_u16(csum_off, c);
}

// The binding index of the inside endpoint, allocated if new; NPORTS when the pool is empty.
fn bind(proto: u8, addr: ipv4_addr, port: u16, t: u64) -> u32 {
    let key = Inner { proto: proto, addr: addr, port: port };
    if let pp = public_port.get(key) {
        let i = (pp - PORT_BASE) as u32;
        bindings[i].seen = t;
        return i;
    }
    for k in 0..NPORTS {
        let i = (next_port + k) % NPORTS;
        if !bindings[i].used {
            bindings[i] = Binding { used: true, proto: proto, addr: addr, port: port, seen: t };
            public_port.put(key, PORT_BASE + i as u16);
            next_port = (i + 1) % NPORTS;
            allocated += 1;
            return i;
        }
    }
    return NPORTS;
}

on timer every 1000 {
    let t = now();
    for i in 0..NPORTS {
        if bindings[i].used && t - bindings[i].seen > timeout(bindings[i].proto) {
            public_port.del(Inner { proto: bindings[i].proto, addr: bindings[i].addr, port: bindings[i].port });
            bindings[i].used = false;
            expired += 1;
        }
    }
}

on packet(p: packet, inp: u32) {
    let eth = p.extract(ethernet, 0) else {
        malformed += 1;
        drop();
    }
    if eth.ethertype != ETH_P_IPV4 {
        untranslated += 1;
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
    let proto = ip.protocol;
    if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) || ipv4_is_fragment(p, ETH_HLEN) {
        untranslated += 1;
        drop();
    }
    let l4 = ETH_HLEN + hlen;
    let l4_size: u32 = UDP_HLEN;
    if proto == IPPROTO_TCP {
        l4_size = TCP_HLEN;
    }
    if l4 + l4_size > ETH_HLEN + ip.total_len as u32 {
        malformed += 1;
        drop();
    }
    let sport = p.u16(l4);
    let dport = p.u16(l4 + 2);
    let t = now();
    if inp == inside {
        if ip.src >> 24 != 10 {
            untranslated += 1;
            drop();
        }
        let i = bind(proto, ip.src, sport, t);
        if i == NPORTS {
            exhausted += 1;
            drop();
        }
        translate(p, l4, proto, false, PUBLIC, PORT_BASE + i as u16);
        translated_out += 1;
        send(outside);
    }
    if ip.dst != PUBLIC || dport < PORT_BASE || (dport - PORT_BASE) as u32 >= NPORTS {
        no_binding += 1;
        drop();
    }
    let i = (dport - PORT_BASE) as u32;
    if !bindings[i].used || bindings[i].proto != proto {
        no_binding += 1;
        drop();
    }
    bindings[i].seen = t;
    translate(p, l4, proto, true, bindings[i].addr, bindings[i].port);
    translated_in += 1;
    send(inside);
}
