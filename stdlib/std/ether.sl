// std/ether: Ethernet II and IEEE 802.1Q.
//
//   type mac_addr = u48                 a MAC address as a big-endian integer (02:00:00:00:00:01)
//   header ethernet { dst, src: u48; ethertype: u16 }            14 bytes
//   header vlan { pcp: u3; dei: u1; vid: u12; ethertype: u16 }   the 4 bytes after the MACs' tag
//   ETH_P_*                              EtherTypes; ETH_HLEN, VLAN_HLEN, ETH_ALEN
//   MAC_BROADCAST, MAC_ZERO, mac_is_group, mac_is_broadcast, mac_is_local, mac_is_zero,
//   is_vlan_tpid(ethertype)              0x8100, 0x88a8 or 0x9100
//   ether_l3_offset(p), ether_l3_type(p) the payload's offset and EtherType past one 802.1Q tag

type mac_addr = u48;

const ETH_ALEN = 6;
const ETH_HLEN = 14;
const VLAN_HLEN = 4;
const ETH_ZLEN = 60;            // minimum frame length without the FCS
const ETH_DATA_LEN = 1500;

const ETH_P_IPV4: u16 = 0x0800;
const ETH_P_ARP: u16 = 0x0806;
const ETH_P_WOL: u16 = 0x0842;
const ETH_P_RARP: u16 = 0x8035;
const ETH_P_8021Q: u16 = 0x8100;
const ETH_P_IPV6: u16 = 0x86dd;
const ETH_P_SLOW: u16 = 0x8809;  // LACP
const ETH_P_MPLS_UC: u16 = 0x8847;
const ETH_P_MPLS_MC: u16 = 0x8848;
const ETH_P_PPP_DISC: u16 = 0x8863;
const ETH_P_PPP_SES: u16 = 0x8864;
const ETH_P_PAE: u16 = 0x888e;   // 802.1X
const ETH_P_8021AD: u16 = 0x88a8;
const ETH_P_LLDP: u16 = 0x88cc;
const ETH_P_1588: u16 = 0x88f7; // PTP
const ETH_P_QINQ1: u16 = 0x9100;

const MAC_BROADCAST: mac_addr = ff:ff:ff:ff:ff:ff;
const MAC_ZERO: mac_addr = 00:00:00:00:00:00;

header ethernet {
    dst: u48;
    src: u48;
    ethertype: u16;
}

// An 802.1Q / 802.1ad tag as it follows the MAC addresses: its TPID (0x8100) is the outer
// header's ethertype field; these are the TCI and the inner EtherType.
header vlan {
    pcp: u3;
    dei: u1;
    vid: u12;
    ethertype: u16;
}

// Group (multicast or broadcast) address: the I/G bit, lowest bit of the first byte.
fn mac_is_group(m: u48) -> bool {
    return (m >> 40) & 1 == 1;
}

fn mac_is_broadcast(m: u48) -> bool {
    return m == MAC_BROADCAST;
}

// Locally administered: the U/L bit, second lowest of the first byte.
fn mac_is_local(m: u48) -> bool {
    return (m >> 40) & 2 == 2;
}

fn mac_is_zero(m: u48) -> bool {
    return m == 0;
}

fn is_vlan_tpid(t: u16) -> bool {
    return t == ETH_P_8021Q || t == ETH_P_8021AD || t == ETH_P_QINQ1;
}

// Offset of the payload after the Ethernet header and at most one VLAN tag; 0 when the frame is
// too short for the headers it announces.
fn ether_l3_offset(p: packet) -> u32 {
    if p.len() < ETH_HLEN {
        return 0;
    }
    if is_vlan_tpid(p.u16(12)) {
        if p.len() < ETH_HLEN + VLAN_HLEN {
            return 0;
        }
        return ETH_HLEN + VLAN_HLEN;
    }
    return ETH_HLEN;
}

// EtherType of the payload (past at most one VLAN tag); 0 when the frame is too short.
fn ether_l3_type(p: packet) -> u16 {
    let off = ether_l3_offset(p);
    if off == 0 {
        return 0;
    }
    return p.u16(off - 2);
}
