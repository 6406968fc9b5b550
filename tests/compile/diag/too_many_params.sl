struct Big { a: u64, b: u64 }
fn six(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8) -> u8 {
    return a + b + c + d + e + f;
}
fn agg(x: Big) -> u64 {
    return x.a;
}
