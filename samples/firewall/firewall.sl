// firewall.sl: a transparent (bridging) firewall between an inside and an outside port.
//
// IPv4 is filtered by an ordered 5-tuple ACL (first match wins, the last rule denies all);
// TCP is tracked as well: a connection may only start with a SYN that the ACL allows in its
// direction, and then the segments of that connection pass both ways while the connection
// lives. Anything else in TCP, such as a segment coming back for a connection nobody opened,
// is dropped. Connections end on RST, or time out: 5 s with only a SYN, 60 s established, 2 s
// after a FIN (values for the sample's short captures). A timer sweeps expired connections out
// of the flow table once a second. ARP passes; other EtherTypes are dropped.
import "std/ether";
import "std/ipv4";
import "std/tcp";

port inside, outside;

enum Dir: u8 { OUT = 1, IN = 2, BOTH = 3 }      // OUT: from inside to outside
enum Verdict: u8 { DENY, ALLOW }
const ANY: u8 = 0;                              // any protocol

struct Rule {
    dir: Dir,
    proto: u8,
    src: ipv4_addr, src_len: u8,                // prefix and length (0: any address)
    dst: ipv4_addr, dst_len: u8,
    sport_lo: u16, sport_hi: u16,               // inclusive port ranges (TCP and UDP)
    dport_lo: u16, dport_hi: u16,
    verdict: Verdict,
}

const NRULES: u32 = 8;
state acl: [8]Rule = [
    // no telnet out
    Rule { dir: Dir.OUT, proto: IPPROTO_TCP, src: 0.0.0.0, src_len: 0, dst: 0.0.0.0, dst_len: 0,
           sport_lo: 0, sport_hi: 65535, dport_lo: 23, dport_hi: 23, verdict: Verdict.DENY },
    // inside hosts may open any TCP connection
    Rule { dir: Dir.OUT, proto: IPPROTO_TCP, src: 10.0.0.0, src_len: 8, dst: 0.0.0.0, dst_len: 0,
           sport_lo: 0, sport_hi: 65535, dport_lo: 1, dport_hi: 65535, verdict: Verdict.ALLOW },
    // DNS to the resolver, and its answers (UDP is not tracked: both directions are rules)
    Rule { dir: Dir.OUT, proto: IPPROTO_UDP, src: 10.0.0.0, src_len: 8, dst: 192.0.2.53, dst_len: 32,
           sport_lo: 1024, sport_hi: 65535, dport_lo: 53, dport_hi: 53, verdict: Verdict.ALLOW },
    Rule { dir: Dir.IN, proto: IPPROTO_UDP, src: 192.0.2.53, src_len: 32, dst: 10.0.0.0, dst_len: 8,
           sport_lo: 53, sport_hi: 53, dport_lo: 1024, dport_hi: 65535, verdict: Verdict.ALLOW },
    // the web server 10.0.0.80 takes HTTPS connections from anywhere
    Rule { dir: Dir.IN, proto: IPPROTO_TCP, src: 0.0.0.0, src_len: 0, dst: 10.0.0.80, dst_len: 32,
           sport_lo: 0, sport_hi: 65535, dport_lo: 443, dport_hi: 443, verdict: Verdict.ALLOW },
    // ICMP both ways for the inside network
    Rule { dir: Dir.OUT, proto: IPPROTO_ICMP, src: 10.0.0.0, src_len: 8, dst: 0.0.0.0, dst_len: 0,
           sport_lo: 0, sport_hi: 65535, dport_lo: 0, dport_hi: 65535, verdict: Verdict.ALLOW },
    Rule { dir: Dir.IN, proto: IPPROTO_ICMP, src: 0.0.0.0, src_len: 0, dst: 10.0.0.0, dst_len: 8,
           sport_lo: 0, sport_hi: 65535, dport_lo: 0, dport_hi: 65535, verdict: Verdict.ALLOW },
    // everything else
    Rule { dir: Dir.BOTH, proto: ANY, src: 0.0.0.0, src_len: 0, dst: 0.0.0.0, dst_len: 0,
           sport_lo: 0, sport_hi: 65535, dport_lo: 0, dport_hi: 65535, verdict: Verdict.DENY },
];

// TCP connection states; a flow is keyed by its initiator's view of the 4-tuple.
enum Tcp: u8 { CLOSED, SYN_SENT, ESTABLISHED, CLOSING, INVALID }
const SYN_TIMEOUT_NS: u64 = 5_000_000_000;
const EST_TIMEOUT_NS: u64 = 60_000_000_000;
const CLOSING_TIMEOUT_NS: u64 = 2_000_000_000;

struct FlowKey { src: ipv4_addr, dst: ipv4_addr, sport: u16, dport: u16 }
struct Flow { st: Tcp, from: u32, seen: u64, slot: u32 }   // from: the initiator's port

const MAX_FLOWS: u32 = 1024;
table flows: hash<FlowKey, Flow>[1024];
state slots: [1024]FlowKey;         // the keys in use, slots[0..nflows), for the sweep
state nflows: u32;

// Counters.
state passed: u64;
state denied: u64;              // by the ACL
state not_established: u64;     // TCP with no connection that may carry it
state expired: u64;
state table_full: u64;
state malformed: u64;
state fragments: u64;           // past the first: no ports to filter on, dropped
state non_ip: u64;

// The verdict of the first rule that matches; ports is the source port << 16 | the
// destination port (a function takes at most five scalars).
fn acl_allows(dir: Dir, proto: u8, src: u32, dst: u32, ports: u32) -> bool {
    let sport = (ports >> 16) as u16;
    let dport = ports as u16;
    for i in 0..NRULES {
        if acl[i].dir & dir != 0 && (acl[i].proto == ANY || acl[i].proto == proto) &&
            (src ^ acl[i].src) & ipv4_mask(acl[i].src_len) == 0 &&
            (dst ^ acl[i].dst) & ipv4_mask(acl[i].dst_len) == 0 &&
            sport >= acl[i].sport_lo && sport <= acl[i].sport_hi &&
            dport >= acl[i].dport_lo && dport <= acl[i].dport_hi {
            return acl[i].verdict == Verdict.ALLOW;
        }
    }
    return false;
}

fn timed_out(st: Tcp, seen: u64, t: u64) -> bool {
    let limit = EST_TIMEOUT_NS;
    if st == Tcp.SYN_SENT {
        limit = SYN_TIMEOUT_NS;
    } else if st == Tcp.CLOSING {
        limit = CLOSING_TIMEOUT_NS;
    }
    return t - seen > limit;
}

// The state after a segment with these flags, from the initiator or from the responder;
// CLOSED: pass it and forget the connection; INVALID: drop it.
fn tcp_next(st: Tcp, from_initiator: bool, flags: u9) -> Tcp {
    if flags & TCP_RST != 0 {
        return Tcp.CLOSED;
    }
    let syn = flags & TCP_SYN != 0;
    let ack = flags & TCP_ACK != 0;
    if st == Tcp.SYN_SENT {
        if from_initiator {
            return Tcp.SYN_SENT;                // a retransmitted SYN, or the ACK racing ahead
        }
        if syn && ack {
            return Tcp.ESTABLISHED;
        }
        return Tcp.INVALID;
    }
    if syn {
        return Tcp.INVALID;                     // no new SYN inside a connection
    }
    if flags & TCP_FIN != 0 || st == Tcp.CLOSING {
        return Tcp.CLOSING;
    }
    return Tcp.ESTABLISHED;
}

// Forgets the flow in slot i: the last slot moves into its place.
fn remove_slot(i: u32) {
    flows.del(slots[i]);
    nflows -= 1;
    if i != nflows {
        slots[i] = slots[nflows];
        if let f = flows.get(slots[i]) {
            flows.put(slots[i], Flow { st: f.st, from: f.from, seen: f.seen, slot: i });
        }
    }
}

on timer every 1000 {
    let t = now();
    let i: u32 = 0;
    while i < nflows {
        if let f = flows.get(slots[i]) {
            if timed_out(f.st, f.seen, t) {
                expired += 1;
                remove_slot(i);
                continue;                       // slot i now holds the last flow
            }
        }
        i += 1;
    }
}

on packet(p: packet, inp: u32) {
    let out = outside;
    let dir = Dir.OUT;
    if inp == outside {
        out = inside;
        dir = Dir.IN;
    }
    let eth = p.extract(ethernet, 0) else {
        malformed += 1;
        drop();
    }
    if eth.ethertype == ETH_P_ARP {
        send(out);
    }
    if eth.ethertype != ETH_P_IPV4 {
        non_ip += 1;
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
    if !ipv4_is_first_fragment(p, ETH_HLEN) {
        fragments += 1;
        drop();
    }
    let l4 = ETH_HLEN + hlen;
    let sport: u16 = 0;
    let dport: u16 = 0;
    if ip.protocol == IPPROTO_TCP || ip.protocol == IPPROTO_UDP {
        if l4 + 4 > ETH_HLEN + ip.total_len as u32 {
            malformed += 1;
            drop();
        }
        sport = p.u16(l4);
        dport = p.u16(l4 + 2);
    }
    if ip.protocol != IPPROTO_TCP {
        if acl_allows(dir, ip.protocol, ip.src, ip.dst, sport as u32 << 16 | dport) {
            passed += 1;
            send(out);
        }
        denied += 1;
        drop();
    }

    let t = p.extract(tcp, l4) else {
        malformed += 1;
        drop();
    }
    let flags = t.flags;
    let ts = now();
    let key = FlowKey { src: ip.src, dst: ip.dst, sport: sport, dport: dport };
    let from_initiator = true;
    let known = false;
    let f: Flow;
    if let g = flows.get(key) {
        f = g;
        known = g.from == inp;
    }
    if !known {
        key = FlowKey { src: ip.dst, dst: ip.src, sport: dport, dport: sport };
        if let g = flows.get(key) {
            f = g;
            known = g.from != inp;
            from_initiator = false;
        }
    }
    if known && timed_out(f.st, f.seen, ts) {
        expired += 1;
        remove_slot(f.slot);
        known = false;
    }
    if !known {
        // A new connection: a bare SYN the ACL allows.
        if flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN) != TCP_SYN {
            not_established += 1;
            drop();
        }
        if !acl_allows(dir, IPPROTO_TCP, ip.src, ip.dst, sport as u32 << 16 | dport) {
            denied += 1;
            drop();
        }
        if nflows == MAX_FLOWS {
            table_full += 1;
            drop();
        }
        slots[nflows] = FlowKey { src: ip.src, dst: ip.dst, sport: sport, dport: dport };
        flows.put(slots[nflows], Flow { st: Tcp.SYN_SENT, from: inp, seen: ts, slot: nflows });
        nflows += 1;
        passed += 1;
        send(out);
    }
    let st = tcp_next(f.st, from_initiator, flags);
    if st == Tcp.INVALID {
        not_established += 1;
        drop();
    }
    if st == Tcp.CLOSED {
        remove_slot(f.slot);
    } else {
        flows.put(key, Flow { st: st, from: f.from, seen: ts, slot: f.slot });
    }
    passed += 1;
    send(out);
}
