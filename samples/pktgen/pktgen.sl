// pktgen.sl: a packet generator for frames of your own format, driven from a PC.
//
// Command frames arriving on ctl (EtherType 0x88b6, magic "SLPC") start a stream (its number,
// how many frames, their size, how many per tick, their destination MAC) or stop it. Every
// TICK_MS the timer builds a frame from scratch (p.reset), fills it and sends `burst` copies out
// of port out, each with the next sequence number. The frame format is the sample's own:
//
//   Ethernet (dst from the command, src MY_MAC, EtherType 0x88b6)
//   probe:   magic "SLPG" (32), stream (8), flags (8), seq (32), tx_time (64, ns), payload_len (16)
//   payload: payload_len bytes 0, 1, 2 ... (mod 256), for the receiver to check
//
// Change the headers and fill() to generate whatever you like.
import "std/ether";

port ctl, out;

const ETH_P_PKTGEN: u16 = 0x88b6;       // IEEE 802 local experimental 2
const PROBE_MAGIC: u32 = 0x534c5047;    // "SLPG"
const CMD_MAGIC: u32 = 0x534c5043;      // "SLPC"
const CMD_START: u8 = 1;
const CMD_STOP: u8 = 2;
const TICK_MS = 10;
const MY_MAC: mac_addr = 02:50:47:00:00:01;
const MIN_SIZE: u16 = 60;
const MAX_SIZE: u16 = 1514;
const MAX_BURST: u8 = 32;

header probe {
    magic: u32;
    stream: u8;
    flags: u8;
    seq: u32;
    tx_time: u64;
    payload_len: u16;
}

header pktgen_cmd {
    magic: u32;
    op: u8;
    stream: u8;
    count: u32;     // frames to send
    size: u16;      // bytes per frame, Ethernet header included (60..1514)
    burst: u8;      // frames per tick (1..32)
    dst: u48;
}

struct Stream { id: u8, left: u32, size: u16, burst: u8, dst: mac_addr, seq: u32 }
state cur: Stream;          // left == 0: idle

// Counters.
state commands: u64;
state generated: u64;
state ignored: u64;

on packet(p: packet) {
    let eth = p.extract(ethernet, 0) else {
        ignored += 1;
        drop();
    }
    if eth.ethertype != ETH_P_PKTGEN {
        ignored += 1;
        drop();
    }
    let c = p.extract(pktgen_cmd, ETH_HLEN) else {
        ignored += 1;
        drop();
    }
    if c.magic != CMD_MAGIC {
        ignored += 1;
        drop();
    }
    if c.op == CMD_START {
        cur = Stream { id: c.stream, left: c.count, size: max(MIN_SIZE, min(c.size, MAX_SIZE)),
                       burst: max(1 as u8, min(c.burst, MAX_BURST)), dst: c.dst, seq: 0 };
    } else if c.op == CMD_STOP {
        cur.left = 0;
    }
    commands += 1;
    drop();
}

// Builds the stream's frame in p: headers and payload; the sequence number is set per copy.
fn fill(p: packet) {
    p.reset(cur.size as u32);
    let eth = p.extract(ethernet, 0) else { return; }
    eth.dst = cur.dst;
    eth.src = MY_MAC;
    eth.ethertype = ETH_P_PKTGEN;
    let pr = p.extract(probe, ETH_HLEN) else { return; }
    pr.magic = PROBE_MAGIC;
    pr.stream = cur.id;
    pr.flags = 0;
    pr.tx_time = now();
    let start: u32 = ETH_HLEN + sizeof(probe);
    pr.payload_len = (cur.size as u32 - start) as u16;
    for i in start..cur.size as u32 {
        p.set_u8(i, (i - start) as u8);
    }
}

on timer every TICK_MS (p: packet) {
    if cur.left == 0 {
        return;
    }
    fill(p);
    let n = min(cur.burst as u32, cur.left);
    for _k in 0..n {
        p.set_u32(ETH_HLEN + 6, cur.seq);       // probe.seq
        cur.seq += 1;
        cur.left -= 1;
        generated += 1;
        clone(out);
    }
    drop();                                     // every copy went out as a clone
}
