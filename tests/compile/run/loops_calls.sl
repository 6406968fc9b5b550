// test: while/for loops with break and continue, empty ranges, the bound evaluated once, calls with five arguments, a chain of 10 calls, packet parameters
// in-zeros: 16
// expect: send 1
// out: 13 0a 37 0a ee 00 04 01 00 00 00 00 00 00 00 00
port a, b;

fn sum_to(n: u32) -> u32 {
    let s: u32 = 0;
    let i: u32 = 0;
    while i < n {
        i += 1;
        if i % 3 == 0 {
            continue;
        }
        if i > 7 {
            break;
        }
        s += i;
    }
    return s;
}

fn pairs(n: u8) -> u8 {
    let c: u8 = 0;
    for i in 0..n {
        for j in 0..n {
            if i < j {
                c += 1;
            }
        }
    }
    return c;
}

fn sq5(x1: u8, x2: u8, x3: u8, x4: u8, x5: u8) -> u8 {
    return x1 * x1 + x2 * x2 + x3 * x3 + x4 * x4 + x5 * x5;
}

fn d9(x: u8) -> u8 { return x + 1; }
fn d8(x: u8) -> u8 { return d9(x) + 1; }
fn d7(x: u8) -> u8 { return d8(x) + 1; }
fn d6(x: u8) -> u8 { return d7(x) + 1; }
fn d5(x: u8) -> u8 { return d6(x) + 1; }
fn d4(x: u8) -> u8 { return d5(x) + 1; }
fn d3(x: u8) -> u8 { return d4(x) + 1; }
fn d2(x: u8) -> u8 { return d3(x) + 1; }
fn d1(x: u8) -> u8 { return d2(x) + 1; }
fn d0(x: u8) -> u8 { return d1(x) + 1; }

fn mark(p: packet, off: u32, v: u8) {
    p.set_u8(off, v);
}

fn is_even(x: u32) -> bool {
    return x % 2 == 0;
}

on packet(p: packet) {
    p.set_u8(0, sum_to(10) as u8);
    p.set_u8(1, pairs(5));
    p.set_u8(2, sq5(1, 2, 3, 4, 5));
    p.set_u8(3, d0(0));
    mark(p, 4, 0xee);
    let e: u8 = 0;
    for _k in 5..2 {
        e += 1;
    }
    p.set_u8(5, e);
    let n: u8 = 4;
    let it: u8 = 0;
    for _i in 0..n {
        n += 1;                             // the bound was evaluated once
        it += 1;
    }
    p.set_u8(6, it);
    if is_even(p.len()) && !is_even(3) {
        p.set_u8(7, 1);
    }
    send(b);
}
