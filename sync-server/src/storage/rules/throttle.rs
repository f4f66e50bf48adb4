//! Failures counted against who makes them, in the database so that every
//! server of a chain counts the same and a restart forgets nothing: wrong
//! enrollment codes per address and for every address together. Each key
//! may fail so often within [`WINDOW_MS`]; then it is paused, a minute
//! and doubling up to an hour.

use crate::storage::StoreResult;
use crate::storage::sql::Tx;

/// The window failures are counted in.
pub const WINDOW_MS: i64 = 300_000;
const FIRST_PAUSE_MS: i64 = 60_000;
const LONGEST_PAUSE_MS: i64 = 3_600_000;

/// The pause after `pauses` earlier ones: a minute, doubling, at most an hour.
pub fn pause_ms(pauses: u32) -> i64 {
    (FIRST_PAUSE_MS << pauses.min(6)).min(LONGEST_PAUSE_MS)
}

/// How long the most paused of `keys` must still wait (milliseconds), if any is.
pub fn paused(tx: &impl Tx, keys: &[&str], now: i64) -> StoreResult<Option<i64>> {
    let mut longest = None;
    for key in keys {
        let until: Option<i64> = tx
            .row("SELECT paused_until_ms FROM guard_failures WHERE who = ?1", &[key])?
            .map(|r| r.get(0))
            .transpose()?;
        if let Some(until) = until.filter(|until| *until > now) {
            longest = longest.max(Some(until - now));
        }
    }
    Ok(longest)
}

/// Counts one failure of `key`, which may fail `allowed` times in a window;
/// the records of keys neither counting nor paused are dropped.
pub fn failed(tx: &impl Tx, key: &str, allowed: u32, now: i64) -> StoreResult<()> {
    let row = tx
        .row("SELECT failures, window_start_ms, pauses, paused_until_ms FROM guard_failures WHERE who = ?1", &[&key])?;
    let (mut failures, mut start, mut pauses, mut until): (i64, i64, i64, i64) = match row {
        Some(r) => (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
        None => (0, now, 0, 0),
    };
    if now - start > WINDOW_MS {
        (failures, start) = (0, now);
    }
    failures += 1;
    if failures >= i64::from(allowed.max(1)) {
        until = now + pause_ms(u32::try_from(pauses).unwrap_or(u32::MAX));
        tracing::warn!(who = key, seconds = (until - now) / 1000, "too many failures: paused");
        (failures, start, pauses) = (0, now, pauses + 1);
    }
    tx.run(
        "INSERT INTO guard_failures (who, failures, window_start_ms, pauses, paused_until_ms) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (who) DO UPDATE SET failures = excluded.failures, window_start_ms = excluded.window_start_ms,
           pauses = excluded.pauses, paused_until_ms = excluded.paused_until_ms",
        &[&key, &failures, &start, &pauses, &until],
    )?;
    tx.run(
        "DELETE FROM guard_failures WHERE window_start_ms < ?1 AND paused_until_ms < ?2",
        &[&(now - WINDOW_MS - LONGEST_PAUSE_MS), &now],
    )?;
    Ok(())
}
