// encap.sl: carries the IPv4 datagrams arriving on lan to the peer through the tunnel port,
// each in a frame of the custom format of sltun.sl. The channel comes from the destination's
// longest prefix (no channel: dropped); each channel numbers its frames from 0.
import "std/ether";
import "std/ipv4";
import "sltun";

port lan, tunnel;

const MY_MAC: mac_addr = 02:5c:00:00:00:01;
const PEER_MAC: mac_addr = 02:5c:00:00:00:02;

table channels: lpm<ipv4_addr, u8>[64];
state seqs: [4]u32;                 // the next sequence number of each channel

// Counters.
state encapsulated: u64;
state no_channel: u64;
state rejected: u64;                // not IPv4, or a malformed datagram

on init {
    channels.put(10.2.0.0, 16, 1);
    channels.put(10.3.0.0, 16, 2);
}

on packet(p: packet, inp: u32) {
    if inp != lan {
        drop();                     // this end only sends into the tunnel
    }
    let eth = p.extract(ethernet, 0) else {
        rejected += 1;
        drop();
    }
    if eth.ethertype != ETH_P_IPV4 {
        rejected += 1;
        drop();
    }
    let ip = p.extract(ipv4, ETH_HLEN) else {
        rejected += 1;
        drop();
    }
    let len = ip.total_len as u32;
    if ip.version != 4 || len < IPV4_HLEN || ETH_HLEN + len > p.len() || !ipv4_csum_ok(p, ETH_HLEN) {
        rejected += 1;
        drop();
    }
    let ch = channels.get(ip.dst) else {
        no_channel += 1;
        drop();
    }
    // Ethernet padding is not carried; then the tunnel header goes in after a new Ethernet header.
    p.shrink_tail(p.len() - ETH_HLEN - len);
    p.grow_head(SLTUN_HLEN);
    let out = p.extract(ethernet, 0) else { drop(); }
    out.dst = PEER_MAC;
    out.src = MY_MAC;
    out.ethertype = ETH_P_SLTUN;
    let t = p.extract(sltun, ETH_HLEN) else { drop(); }
    t.magic = SLTUN_MAGIC;
    t.version = SLTUN_VERSION;
    t.flags = 0;
    t.channel = ch;
    t.seq = seqs[ch];
    seqs[ch] += 1;
    t.length = len as u16;
    sltun_csum_set(p, ETH_HLEN);
    if p.len() < ETH_ZLEN {
        p.grow_tail(ETH_ZLEN - p.len());    // the Ethernet minimum, zero-padded
    }
    encapsulated += 1;
    send(tunnel);
}
