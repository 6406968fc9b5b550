// Comparisons do not associate: a < b < c is a syntax error, as in Rust.
fn f(a: u8, b: u8, c: u8) -> bool {
    return a < b < c;
}
