// Only widening is implicit; int to bool is never a cast.
fn f(a: u64, b: i8, c: u8) -> u16 {
    let n: u16 = a;
    let s: u8 = b;
    let t: bool = c as bool;
    let ok: i16 = c;
    let same: i8 = c;
    return n + s as u16 + ok as u16 + t as u16 + same as u16;
}
