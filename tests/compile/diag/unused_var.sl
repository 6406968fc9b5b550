// Unused locals and parameters warn; a leading underscore silences the warning.
fn f(a: u32, unused_param: u32, _quiet: u32) -> u32 {
    let x = 5;
    let _y = 6;
    return a;
}
