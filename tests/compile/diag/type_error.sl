// u32 and i32 have no common type: a conversion must be written.
fn mix(a: u32, b: i32) -> u32 {
    return a + b;
}
