fn classify(x: u32) -> u8 {
    if x < 10 {
        return 1;
    } else if x < 100 {
        return 2;
    }
}
