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

/// A memory figure of a process from `/proc` (`VmRSS`, `VmHWM`, ...) in MB:
/// `pid`'s, or this process's when `None`; 0 where there is no `/proc`.
pub fn proc_memory_mb(pid: Option<u32>, field: &str) -> f64 {
    let path = pid.map_or_else(|| "/proc/self/status".to_string(), |pid| format!("/proc/{pid}/status"));
    let status = std::fs::read_to_string(path).unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}
