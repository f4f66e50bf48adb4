//! Helpers shared by the benchmarks: percentiles and the `bench:` output line.

use std::time::Duration;

/// The `q`-quantile (0..=1) of samples, which it sorts.
pub fn quantile(samples: &mut [Duration], q: f64) -> Duration {
    samples.sort_unstable();
    let index = ((samples.len() - 1) as f64 * q).round() as usize;
    samples[index]
}

pub fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Prints one figure as `bench: NAME VALUE UNIT`.
pub fn report(name: &str, value: f64, unit: &str) {
    println!("bench: {name} {value:.3} {unit}");
}
