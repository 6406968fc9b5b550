state small: u8 = 300;
const BIG = 1 << 64;
fn f() -> i8 {
    return -129;
}
