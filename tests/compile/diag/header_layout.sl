// Header fields are unsigned, 1..64 bits, and add up to whole bytes.
header odd { a: u4; b: u3; }
header wide { a: u65; b: u7; }
header signed_field { a: i8; }
