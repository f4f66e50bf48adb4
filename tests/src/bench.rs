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

/// Pushes `entries` to head office in batches of `batch`, then all of them
/// again (a replay, which must change nothing): how long each round took.
/// Checks that every movement is on hand once (`moved` thousandths out).
pub fn ingest_and_replay<D: pos_sync_server::storage::sql::Database>(
    store: &pos_sync_server::storage::head_office::HeadOffice<D>,
    auth: &pos_sync_server::storage::TerminalAuth,
    entries: &[pos_shared::protocol::WireEntry],
    batch: usize,
    moved: i64,
) -> (Duration, Duration) {
    use pos_sync_server::storage::SyncStore;
    let round = || {
        let started = std::time::Instant::now();
        for chunk in entries.chunks(batch) {
            store.push(auth, chunk).unwrap();
        }
        started.elapsed()
    };
    let (ingest, replay) = (round(), round());
    let on_hand: i64 = store
        .stock(None, false)
        .unwrap()
        .iter()
        .map(|r| (r.on_hand * rust_decimal::Decimal::from(1000)).try_into().unwrap_or(0i64))
        .sum();
    assert_eq!(on_hand, -moved, "every movement once, replay included");
    (ingest, replay)
}
