//! What this server process has done, for `GET /metrics` in Prometheus'
//! text format: pushes and the entries they carried, push latency, pulls,
//! channel orders, each till's last push and the backlog it reported, and
//! head office's open flags. Counters are per process: with several
//! servers, Prometheus scrapes each and sums.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Push latency buckets, in seconds.
const BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The pulls a till makes.
#[derive(Clone, Copy, Debug)]
pub enum Pull {
    Catalog,
    Stock,
    Orders,
    PurchaseOrders,
}

const PULLS: [(Pull, &str); 4] = [
    (Pull::Catalog, "catalog"),
    (Pull::Stock, "stock"),
    (Pull::Orders, "orders"),
    (Pull::PurchaseOrders, "purchase_orders"),
];

/// A till as its pushes describe it.
#[derive(Clone, Copy, Debug)]
struct TillSeen {
    last_push_ms: i64,
    pending: Option<u64>,
}

#[derive(Default)]
pub struct Metrics {
    pushes: AtomicU64,
    pushes_refused: AtomicU64,
    entries_acknowledged: AtomicU64,
    latency_buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_us: AtomicU64,
    pulls: [AtomicU64; PULLS.len()],
    channel_orders: AtomicU64,
    tills: Mutex<BTreeMap<String, TillSeen>>,
}

impl Metrics {
    /// A push answered in `took`: acknowledged through `acked` entries, or refused.
    pub fn push(&self, terminal: &str, took: Duration, entries: Option<u64>, pending: Option<u64>) {
        self.pushes.fetch_add(1, Ordering::Relaxed);
        match entries {
            Some(entries) => self.entries_acknowledged.fetch_add(entries, Ordering::Relaxed),
            None => self.pushes_refused.fetch_add(1, Ordering::Relaxed),
        };
        let seconds = took.as_secs_f64();
        for (bucket, le) in self.latency_buckets.iter().zip(BUCKETS) {
            if seconds <= le {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_us.fetch_add(took.as_micros() as u64, Ordering::Relaxed);
        let seen = TillSeen { last_push_ms: chrono::Utc::now().timestamp_millis(), pending };
        self.tills.lock().unwrap_or_else(|p| p.into_inner()).insert(terminal.to_string(), seen);
    }

    pub fn pull(&self, pull: Pull) {
        self.pulls[pull as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub fn channel_order(&self) {
        self.channel_orders.fetch_add(1, Ordering::Relaxed);
    }

    /// The text Prometheus scrapes; `flags` is head office's open flags.
    pub fn render(&self, flags: u64) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::new();
        let family = |out: &mut String, name: &str, kind: &str, help: &str| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        };
        family(&mut out, "pos_pushes_total", "counter", "Pushes answered, refused ones included.");
        let _ = writeln!(out, "pos_pushes_total {}", get(&self.pushes));
        family(&mut out, "pos_pushes_refused_total", "counter", "Pushes refused (gap, broken chain, unauthorised...).");
        let _ = writeln!(out, "pos_pushes_refused_total {}", get(&self.pushes_refused));
        family(
            &mut out,
            "pos_push_entries_total",
            "counter",
            "Journal entries acknowledged by pushes (re-sent ones included).",
        );
        let _ = writeln!(out, "pos_push_entries_total {}", get(&self.entries_acknowledged));
        family(&mut out, "pos_push_seconds", "histogram", "Time to answer a push.");
        for (bucket, le) in self.latency_buckets.iter().zip(BUCKETS) {
            let _ = writeln!(out, "pos_push_seconds_bucket{{le=\"{le}\"}} {}", get(bucket));
        }
        let count = get(&self.latency_count);
        let _ = writeln!(out, "pos_push_seconds_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "pos_push_seconds_sum {}", get(&self.latency_sum_us) as f64 / 1e6);
        let _ = writeln!(out, "pos_push_seconds_count {count}");
        family(&mut out, "pos_pulls_total", "counter", "Pages and snapshots pulled by tills, by kind.");
        for (pull, name) in PULLS {
            let _ = writeln!(out, "pos_pulls_total{{kind=\"{name}\"}} {}", get(&self.pulls[pull as usize]));
        }
        family(&mut out, "pos_channel_orders_total", "counter", "Orders and quotes placed by sales channels.");
        let _ = writeln!(out, "pos_channel_orders_total {}", get(&self.channel_orders));
        family(&mut out, "pos_open_flags", "gauge", "Entries head office refused or flagged, waiting for a person.");
        let _ = writeln!(out, "pos_open_flags {flags}");
        let tills = self.tills.lock().unwrap_or_else(|p| p.into_inner()).clone();
        family(&mut out, "pos_till_last_push_timestamp_seconds", "gauge", "When each till last pushed to this server.");
        for (terminal, seen) in &tills {
            let _ = writeln!(
                out,
                "pos_till_last_push_timestamp_seconds{{terminal=\"{terminal}\"}} {}",
                seen.last_push_ms as f64 / 1e3
            );
        }
        family(
            &mut out,
            "pos_till_pending_entries",
            "gauge",
            "Entries each till said it still had to send, at its last push.",
        );
        for (terminal, seen) in &tills {
            if let Some(pending) = seen.pending {
                let _ = writeln!(out, "pos_till_pending_entries{{terminal=\"{terminal}\"}} {pending}");
            }
        }
        out
    }
}
