// sltun.sl: the custom frame format shared by encap.sl and decap.sl (imported by both).
//
// An Ethernet frame with EtherType 0x88b5 (IEEE 802 "local experimental 1") carries one IPv4
// datagram after this 12-byte header:
//
//   magic    16  0x534c ("SL")
//   version   4  1
//   flags     4  0 (reserved)
//   channel   8  the tunnel channel (1..NCHANNELS-1), chosen by the encapsulator's routes
//   seq      32  per channel, from 0: the decapsulator drops replays and counts losses
//   length   16  bytes of the IPv4 datagram that follows (Ethernet padding excluded)
//   hcsum    16  Internet checksum over these 12 bytes
import "std/ether";

const ETH_P_SLTUN: u16 = 0x88b5;
const SLTUN_MAGIC: u16 = 0x534c;
const SLTUN_VERSION: u4 = 1;
const SLTUN_HLEN = 12;
const NCHANNELS: u32 = 4;

header sltun {
    magic: u16;
    version: u4;
    flags: u4;
    channel: u8;
    seq: u32;
    length: u16;
    hcsum: u16;
}

fn sltun_csum_set(p: packet, off: u32) {
    p.set_u16(off + 10, 0);
    p.set_u16(off + 10, ~p.csum(0, off, SLTUN_HLEN));
}

fn sltun_csum_ok(p: packet, off: u32) -> bool {
    return p.csum(0, off, SLTUN_HLEN) == 0xffff;
}
