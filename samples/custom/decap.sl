// decap.sl: the other end of encap.sl. Frames of the custom format (sltun.sl) arriving on the
// tunnel port are checked (magic, version, header checksum, length, channel, sequence: a
// sequence number below the next expected one is a replay and dropped, one above counts the
// frames lost in between), and their IPv4 datagram goes out of lan in a new Ethernet header
// addressed to the destination host (hosts: a static ARP cache; unknown hosts are punted).
import "std/ether";
import "std/ipv4";
import "sltun";

port tunnel, lan;

const MY_MAC: mac_addr = 02:5c:00:00:00:02;

table hosts: hash<ipv4_addr, mac_addr>[64];
state expect: [4]u32;               // the next sequence number expected on each channel

// Counters.
state decapsulated: u64;
state lost: u64;
state replayed: u64;
state bad_header: u64;
state bad_inner: u64;

on init {
    hosts.put(10.2.0.20, 02:00:00:02:00:14);
    hosts.put(10.2.0.21, 02:00:00:02:00:15);
    hosts.put(10.3.0.30, 02:00:00:03:00:1e);
}

on packet(p: packet, inp: u32) {
    if inp != tunnel {
        drop();
    }
    let eth = p.extract(ethernet, 0) else {
        bad_header += 1;
        drop();
    }
    if eth.ethertype != ETH_P_SLTUN {
        drop();
    }
    let t = p.extract(sltun, ETH_HLEN) else {
        bad_header += 1;
        drop();
    }
    let len = t.length as u32;
    let ch = t.channel as u32;
    if t.magic != SLTUN_MAGIC || t.version != SLTUN_VERSION || !sltun_csum_ok(p, ETH_HLEN) ||
        ETH_HLEN + SLTUN_HLEN + len > p.len() || ch == 0 || ch >= NCHANNELS {
        bad_header += 1;
        drop();
    }
    if t.seq < expect[ch] {
        replayed += 1;
        drop();
    }
    lost += (t.seq - expect[ch]) as u64;
    expect[ch] = t.seq + 1;
    // The inner datagram: a sound IPv4 header whose length is the tunnel's.
    let inner: u32 = ETH_HLEN + SLTUN_HLEN;
    let ip = p.extract(ipv4, inner) else {
        bad_inner += 1;
        drop();
    }
    if ip.version != 4 || ip.total_len as u32 != len || !ipv4_csum_ok(p, inner) {
        bad_inner += 1;
        drop();
    }
    let mac = hosts.get(ip.dst) else {
        punt();
    }
    p.shrink_tail(p.len() - inner - len);
    p.shrink_head(SLTUN_HLEN);
    let out = p.extract(ethernet, 0) else { drop(); }
    out.dst = mac;
    out.src = MY_MAC;
    out.ethertype = ETH_P_IPV4;
    if p.len() < ETH_ZLEN {
        p.grow_tail(ETH_ZLEN - p.len());    // the Ethernet minimum, zero-padded
    }
    decapsulated += 1;
    send(lan);
}
