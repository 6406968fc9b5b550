// l2switch.sl: a four-port VLAN-aware learning switch with MAC ageing.
//
// Ports 0 and 1 are access ports of VLAN 10, port 2 an access port of VLAN 20, port 3 a trunk
// carrying both VLANs tagged (802.1Q). A frame is classified into its VLAN on the way in
// (the access port's VLAN, or the trunk frame's tag; tagged frames on access ports, untagged
// ones on the trunk and VLANs the port is not a member of are dropped), and from then on
// carries a tag. Source addresses are learned per VLAN: the same MAC may live on different
// ports in different VLANs. Known unicast goes to its port, unknown and group destinations are
// flooded to every other member port of the VLAN, tagged on the trunk and untagged on access
// ports. Entries not refreshed for AGE_NS are aged out by a timer that runs every second.
import "std/ether";

port p0, p1, p2, p3;
const NPORTS: u32 = 4;

const TRUNK: u16 = 0;
state access_vlan: [4]u16 = [10, 10, 20, TRUNK];   // per port: its VLAN, or TRUNK
table vlans: hash<u16, u32>[64];                    // VLAN id -> member ports, one bit each

const AGE_NS: u64 = 3_000_000_000;   // 3 s for the sample's short capture (802.1D: 300 s)
struct MacKey { vid: u16, mac: mac_addr }
struct MacEntry { port: u32, seen: u64, slot: u32 }
const MAX_MACS: u32 = 1024;
table macs: hash<MacKey, MacEntry>[1024];
state slots: [1024]MacKey;          // the keys in use, slots[0..nmacs), for the ageing sweep
state nmacs: u32;

// Counters.
state learned: u64;
state moved: u64;
state aged: u64;
state flooded: u64;
state filtered: u64;        // dropped on the way in: wrong tagging, VLAN, or a runt
state table_full: u64;

on init {
    vlans.put(10, (1 as u32 << p0) | (1 as u32 << p1) | (1 as u32 << p3));
    vlans.put(20, (1 as u32 << p2) | (1 as u32 << p3));
}

// Inserts an 802.1Q tag with VLAN id vid after the MAC addresses.
fn push_tag(p: packet, vid: u16) {
    let head = p.u64(0);
    let tail = p.u32(8);                // the 12 bytes of the two addresses
    p.grow_head(VLAN_HLEN);
    p.set_u64(0, head);
    p.set_u32(8, tail);
    p.set_u16(12, ETH_P_8021Q);
    p.set_u16(14, vid);
}

// Removes the tag after the MAC addresses.
fn pop_tag(p: packet) {
    let head = p.u64(0);
    let tail = p.u32(8);
    p.shrink_head(VLAN_HLEN);
    p.set_u64(0, head);
    p.set_u32(8, tail);
}

fn learn(vid: u16, mac: mac_addr, inp: u32, t: u64) {
    let key = MacKey { vid: vid, mac: mac };
    if let e = macs.get(key) {
        if e.port != inp {
            moved += 1;
        }
        macs.put(key, MacEntry { port: inp, seen: t, slot: e.slot });
        return;
    }
    if nmacs == MAX_MACS {
        table_full += 1;                // learning stops until entries age out
        return;
    }
    slots[nmacs] = key;
    macs.put(key, MacEntry { port: inp, seen: t, slot: nmacs });
    nmacs += 1;
    learned += 1;
}

on timer every 1000 {
    let t = now();
    let i: u32 = 0;
    while i < nmacs {
        if let e = macs.get(slots[i]) {
            if t - e.seen > AGE_NS {
                macs.del(slots[i]);
                aged += 1;
                nmacs -= 1;
                if i != nmacs {         // the last key moves into slot i
                    slots[i] = slots[nmacs];
                    if let m = macs.get(slots[i]) {
                        macs.put(slots[i], MacEntry { port: m.port, seen: m.seen, slot: i });
                    }
                }
                continue;
            }
        }
        i += 1;
    }
}

on packet(p: packet, inp: u32) {
    let eth = p.extract(ethernet, 0) else {
        filtered += 1;
        drop();
    }
    let dst = eth.dst;
    let src = eth.src;
    let vid: u16 = 0;
    if access_vlan[inp] != TRUNK {
        if is_vlan_tpid(eth.ethertype) {
            filtered += 1;
            drop();
        }
        vid = access_vlan[inp];
        push_tag(p, vid);
    } else {
        if eth.ethertype != ETH_P_8021Q {
            filtered += 1;
            drop();
        }
        let tag = p.extract(vlan, ETH_HLEN) else {
            filtered += 1;
            drop();
        }
        vid = tag.vid;
    }
    let members = vlans.get(vid) else {
        filtered += 1;
        drop();
    }
    if members & (1 as u32 << inp) == 0 {
        filtered += 1;
        drop();
    }
    if !mac_is_group(src) {
        learn(vid, src, inp, now());
    }
    if !mac_is_group(dst) {
        if let e = macs.get(MacKey { vid: vid, mac: dst }) {
            if e.port == inp {
                drop();                 // the destination is where the frame came from
            }
            if access_vlan[e.port] != TRUNK {
                pop_tag(p);
            }
            send(e.port);
        }
    }
    // Flood: the trunk members get the tagged frame, then the access members the untagged one.
    flooded += 1;
    for o in 0..NPORTS {
        if o != inp && members & (1 as u32 << o) != 0 && access_vlan[o] == TRUNK {
            clone(o);
        }
    }
    pop_tag(p);
    for o in 0..NPORTS {
        if o != inp && members & (1 as u32 << o) != 0 && access_vlan[o] != TRUNK {
            clone(o);
        }
    }
    drop();
}
