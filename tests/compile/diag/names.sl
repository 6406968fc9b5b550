// Duplicate declarations and shadowing.
port out;
state count: u64;
const count = 3;
fn f(a: u32) -> u32 {
    let a = 2;
    let b: u32 = 1;
    if b > 0 {
        let b = 3;
        return b;
    }
    return a;
}
