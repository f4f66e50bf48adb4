//! Where the core reads the time, so tests can fix it.

/// Milliseconds since the Unix epoch.
pub trait Clock: Send {
    fn now_ms(&self) -> i64;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis()
    }
}

/// Local date and time of a timestamp, as printed on receipts.
pub fn local_time_text(at_ms: i64) -> String {
    use chrono::TimeZone;
    chrono::Local
        .timestamp_millis_opt(at_ms)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| at_ms.to_string())
}
