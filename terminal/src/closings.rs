//! Month and year closings, made by the till itself: the first journaled
//! action after a month ends first journals that month's closing (and each
//! month's since, when the till was off; December's is followed by the
//! year's), in a transaction of its own, so none can be skipped. A month's
//! totals are the Z reports journaled in it; its grand total is the one
//! before it plus its net, never reset.

use chrono::{Datelike, Local, TimeZone};
use pos_shared::fiscal::{Period, PeriodClosing, PeriodTotals, ZRange};
use pos_shared::journal::Event;
use pos_shared::money::Money;
use pos_shared::report::SessionReport;
use rusqlite::{Connection, OptionalExtension, params};

use crate::Terminal;
use crate::error::{CoreError, CoreResult};
use crate::journal::JournalTx;

/// The local month `at_ms` falls in.
pub fn month_of(at_ms: i64) -> Period {
    let local = Local.timestamp_millis_opt(at_ms).earliest().unwrap_or_else(Local::now);
    Period::Month { year: local.year(), month: local.month() }
}

/// The period's first instant and the next period's, in local time.
pub fn bounds(period: Period) -> (i64, i64) {
    let start = |period: Period| {
        let (year, month) = match period {
            Period::Month { year, month } => (year, month),
            Period::Year(year) => (year, 1),
        };
        Local
            .with_ymd_and_hms(year, month, 1, 0, 0, 0)
            .earliest()
            .map(|t| t.timestamp_millis())
            .expect("every month has a first midnight")
    };
    (start(period), start(period.next()))
}

/// Where the next month's closing starts: after the last one (its seq and
/// grand total), or, with none yet, at the month of the journal's first
/// entry (of `at_ms` when the journal is empty).
pub(crate) struct NextClosing {
    pub after_seq: u64,
    pub grand_total: Money,
    pub month: Period,
}

pub(crate) fn next_closing(conn: &Connection, at_ms: i64) -> CoreResult<NextClosing> {
    let last: Option<(u64, String, i64)> = conn
        .prepare_cached(
            "SELECT seq, period, grand_total_minor FROM period_closings WHERE kind = 'month' ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(match last {
        Some((seq, period, grand_total)) => NextClosing {
            after_seq: seq,
            grand_total: Money::from_minor(grand_total),
            month: period.parse::<Period>().map_err(CoreError::Invalid)?.next(),
        },
        None => {
            let first: Option<i64> =
                conn.query_row("SELECT at_ms FROM journal ORDER BY seq LIMIT 1", [], |r| r.get(0)).optional()?;
            NextClosing { after_seq: 0, grand_total: Money::ZERO, month: month_of(first.unwrap_or(at_ms)) }
        }
    })
}

/// A period's closing with its bounds in local time.
fn closing(period: Period, zs: ZRange, totals: PeriodTotals, grand_total: Money) -> PeriodClosing {
    let (from_ms, to_ms) = bounds(period);
    let next_to_ms = bounds(period.next()).1;
    PeriodClosing { period, from_ms, to_ms, next_to_ms, first_z: zs.0, last_z: zs.1, totals, grand_total }
}

/// What is closed: until when, and when the next closing falls due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Closed {
    /// The end of the last month closed (nothing may be dated before it).
    pub until_ms: i64,
    pub next_due_ms: i64,
}

/// Journals the closing of every month (and year) that ended before
/// `tx.at_ms` and is not closed yet.
pub(crate) fn close_due(tx: &JournalTx<'_>) -> CoreResult<Closed> {
    let NextClosing { mut after_seq, mut grand_total, mut month } = next_closing(tx, tx.at_ms)?;
    let mut until_ms = if after_seq == 0 { i64::MIN } else { bounds(month).0 };
    loop {
        let to_ms = bounds(month).1;
        if to_ms > tx.at_ms {
            return Ok(Closed { until_ms, next_due_ms: to_ms });
        }
        until_ms = to_ms;
        let (totals, zs) = z_totals_since(tx, after_seq)?;
        grand_total += totals.net_total;
        after_seq = record(tx, &closing(month, zs, totals, grand_total))?;
        if month.ends_year() {
            close_year(tx, month.year(), grand_total)?;
        }
        month = month.next();
    }
}

/// The totals of the Z reports journaled after `after_seq`, and their first and last numbers.
fn z_totals_since(tx: &JournalTx<'_>, after_seq: u64) -> CoreResult<(PeriodTotals, ZRange)> {
    let mut totals = PeriodTotals::default();
    let mut zs = (None, None);
    let mut stmt = tx.prepare_cached("SELECT z_no, payload FROM z_reports WHERE seq > ?1 ORDER BY seq")?;
    for row in stmt.query_map([after_seq], |r| Ok((r.get::<_, u64>(0)?, r.get::<_, Vec<u8>>(1)?)))? {
        let (z_no, payload) = row?;
        let report: SessionReport = serde_json::from_slice(&payload)?;
        totals.add_z(&report);
        zs = (zs.0.or(Some(z_no)), Some(z_no));
    }
    Ok((totals, zs))
}

/// The year's closing: its months' totals, December's grand total.
fn close_year(tx: &JournalTx<'_>, year: i32, grand_total: Money) -> CoreResult<()> {
    let mut totals = PeriodTotals::default();
    let mut stmt = tx.prepare_cached("SELECT payload FROM period_closings WHERE kind = 'month' AND period LIKE ?1")?;
    for payload in stmt.query_map([format!("{year:04}-%")], |r| r.get::<_, Vec<u8>>(0))? {
        let month: PeriodClosing = serde_json::from_slice(&payload?)?;
        totals.add(&month.totals);
    }
    record(tx, &closing(Period::Year(year), (None, None), totals, grand_total))?;
    Ok(())
}

/// Journals a closing and keeps it; returns its seq.
fn record(tx: &JournalTx<'_>, closing: &PeriodClosing) -> CoreResult<u64> {
    let event = Event::PeriodClosed(Box::new(closing.clone()));
    let appended = tx.append(&event)?;
    let kind = if closing.period.is_month() { "month" } else { "year" };
    tx.prepare_cached(
        "INSERT INTO period_closings (seq, kind, period, grand_total_minor, payload) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        appended.seq.0,
        kind,
        closing.period.to_string(),
        closing.grand_total.minor(),
        serde_json::to_vec(closing).expect("closings serialise")
    ])?;
    Ok(appended.seq.0)
}

impl Terminal {
    /// Every closing made, oldest first.
    pub fn closings(&self) -> CoreResult<Vec<(u64, PeriodClosing)>> {
        let mut stmt = self.conn.prepare_cached("SELECT seq, payload FROM period_closings ORDER BY seq")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, u64>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
        rows.map(|row| {
            let (seq, payload) = row?;
            Ok((seq, serde_json::from_slice(&payload)?))
        })
        .collect()
    }

    /// The closing journaled at `seq`, as the table holds it.
    pub(crate) fn closing_at(&self, seq: u64) -> CoreResult<Option<PeriodClosing>> {
        let payload: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT payload FROM period_closings WHERE seq = ?1")?
            .query_row([seq], |r| r.get(0))
            .optional()?;
        payload.map(|p| serde_json::from_slice(&p).map_err(CoreError::from)).transpose()
    }
}
