//! Simulator benchmarks.
fn main() {}
