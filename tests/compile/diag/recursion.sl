// Calls must form an acyclic graph: the stack is bounded when the program loads.
fn ping(n: u32) -> u32 {
    if n == 0 {
        return 0;
    }
    return pong(n - 1);
}
fn pong(n: u32) -> u32 {
    return ping(n);
}
on packet(p: packet) {
    if ping(p.len()) == 1 {
        drop();
    }
}
