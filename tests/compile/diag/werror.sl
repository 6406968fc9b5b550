// args: -Werror
fn f(a: u32) -> u32 {
    let x: u32 = 1;
    return a;
}
