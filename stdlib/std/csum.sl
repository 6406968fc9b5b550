// std/csum: Internet checksum arithmetic (RFC 1071) and incremental updates (RFC 1624).
//
//   csum_fold(x: u64) -> u16                        end-around-carry fold of a sum to 16 bits
//   csum_add(a: u16, b: u16) -> u16                 ones' complement a + b
//   csum_replace16(csum: u16, old: u16, new: u16) -> u16   new checksum after a 16-bit word changes
//   csum_replace32(csum: u16, old: u32, new: u32) -> u16   the same for a 32-bit field (two words)
//
// The checksum fields these take and give are the values stored in the packet (already
// inverted). p.csum(acc, off, len) is the built-in that sums packet bytes.

// Folds a sum of 16-bit words to 16 bits with end-around carry (three folds reach 16 bits
// from any 64-bit value).
fn csum_fold(x: u64) -> u16 {
    let s = (x & 0xffff_ffff) + (x >> 32);
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return s as u16;
}

// Ones' complement addition of two 16-bit sums.
fn csum_add(a: u16, b: u16) -> u16 {
    return csum_fold(a as u64 + b as u64);
}

// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for a 16-bit word m of the covered data
// changing to m'. Correct for every input, including the 0x0000/0xffff corner of eqn. 2.
fn csum_replace16(csum: u16, old: u16, new: u16) -> u16 {
    // three 16-bit words sum to less than 2^18: two folds reach 16 bits
    let s = (~csum) as u32 + (~old) as u32 + new as u32;
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return ~(s as u16);
}

// RFC 1624 for a 32-bit field (an IPv4 address, a TCP sequence number) at an even offset.
fn csum_replace32(csum: u16, old: u32, new: u32) -> u16 {
    let s = (~csum) as u64;
    s += (~(old >> 16) as u16) as u64 + (~(old as u16)) as u64;
    s += (new >> 16) as u64 + (new & 0xffff) as u64;
    return ~csum_fold(s);
}
