//! What a tax auditor checks of a terminal's journal, entry by entry, with
//! nothing but the entries and the terminal's public key: seqs without a
//! gap, every hash link, every signature, and the fiscal rules: Z reports'
//! grand totals carried on, every month and year closed in turn (none
//! skipped, none deleted), each closing's totals the sum of its Z reports
//! and its grand total the previous one's plus its net. The till's
//! `journal verify`, `fiscal verify` and head office's archive all run it.

use crate::ids::{Seq, TerminalId};
use crate::journal::{CanonicalEntry, Event, Hash32, chain_hash};
use crate::money::Money;
use crate::report::SessionReport;

use super::{Period, PeriodClosing, PeriodTotals, ZRange};

/// An entry as stored: its canonical bytes, the hash they chain to and the
/// signature of that hash (none on entries made before tills signed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEntry {
    pub seq: u64,
    pub canonical: Vec<u8>,
    pub hash: Hash32,
    pub signature: Option<Vec<u8>>,
}

/// The first entry found wrong, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("entry {seq}: {reason}")]
pub struct Problem {
    pub seq: u64,
    pub reason: String,
}

/// The last closing seen, which the next one must follow.
#[derive(Clone, Debug)]
struct Closed {
    period: Period,
    to_ms: i64,
    next_to_ms: i64,
    grand_total: Money,
}

/// Checks entries one after another; [`Auditor::finish`] says what it saw.
pub struct Auditor {
    terminal: TerminalId,
    public_key: Vec<u8>,
    prev: Hash32,
    next_seq: Option<u64>,
    unsigned_at: Option<u64>,
    /// Where the journal starts: at seq 1 everything is known from zero.
    from_start: bool,
    grand_total: Option<Money>,
    last_z: Option<u64>,
    month: Option<Closed>,
    year: Option<Period>,
    /// A December closed, its year not yet.
    year_due: Option<i32>,
    first_at_ms: Option<i64>,
    month_totals: PeriodTotals,
    year_totals: PeriodTotals,
    month_zs: ZRange,
    summary: AuditSummary,
}

/// What an audit went through.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct AuditSummary {
    pub entries: u64,
    pub sales: u64,
    pub z_reports: u64,
    pub closings: Vec<String>,
    pub last_seq: u64,
    pub last_hash: String,
    pub grand_total: Option<Money>,
}

impl Auditor {
    /// An audit of `terminal`'s entries signed with `public_key`, starting
    /// after the entry whose hash is `prev` (the genesis hash: from seq 1).
    pub fn new(terminal: TerminalId, public_key: &[u8], prev: Hash32) -> Auditor {
        Auditor {
            terminal,
            public_key: public_key.to_vec(),
            prev,
            next_seq: None,
            unsigned_at: None,
            from_start: prev == Hash32::GENESIS,
            grand_total: None,
            last_z: None,
            month: None,
            year: None,
            year_due: None,
            first_at_ms: None,
            month_totals: PeriodTotals::default(),
            year_totals: PeriodTotals::default(),
            month_zs: (None, None),
            summary: AuditSummary { last_hash: prev.to_hex(), ..AuditSummary::default() },
        }
    }

    /// Checks the next entry; the decoded entry when all is well.
    pub fn push(&mut self, stored: &StoredEntry) -> Result<CanonicalEntry, Problem> {
        let seq = stored.seq;
        let broken = |reason: String| Problem { seq, reason };
        let expected = self.next_seq.unwrap_or(if self.from_start { 1 } else { seq });
        if seq != expected {
            return Err(Problem { seq: expected, reason: format!("missing: the next entry is {seq}") });
        }
        let hash = chain_hash(&self.prev, &stored.canonical);
        if stored.hash != hash {
            return Err(broken("its hash does not match its contents and the entry before it (altered)".into()));
        }
        match &stored.signature {
            Some(signature) if !crate::signing::verify(&self.public_key, &hash, signature) => {
                return Err(broken("its signature does not verify with the terminal's key".into()));
            }
            Some(_) => {
                if let Some(unsigned) = self.unsigned_at.take() {
                    return Err(Problem {
                        seq: unsigned,
                        reason: "it is unsigned, but later entries are signed".into(),
                    });
                }
            }
            None => self.unsigned_at = self.unsigned_at.or(Some(seq)),
        }
        let entry = CanonicalEntry::from_bytes(&stored.canonical).map_err(|e| broken(format!("unreadable: {e}")))?;
        if entry.seq != Seq(seq) || entry.terminal_id != self.terminal {
            return Err(broken(format!("it says it is entry {} of {}", entry.seq.0, entry.terminal_id)));
        }
        self.fiscal(&entry).map_err(broken)?;
        self.prev = hash;
        self.next_seq = Some(seq + 1);
        self.summary.entries += 1;
        self.summary.last_seq = seq;
        self.summary.last_hash = hash.to_hex();
        Ok(entry)
    }

    /// The fiscal rules for one entry.
    fn fiscal(&mut self, entry: &CanonicalEntry) -> Result<(), String> {
        let first = self.first_at_ms.is_none();
        self.first_at_ms.get_or_insert(entry.at_ms);
        if let Some(year) = self.year_due
            && !matches!(&entry.event, Event::PeriodClosed(c) if c.period == Period::Year(year))
        {
            return Err(format!("year {year} was not closed after its December"));
        }
        match &entry.event {
            Event::ZReport(z) => self.z_report(z),
            Event::PeriodClosed(closing) if closing.period.is_month() => self.month_closed(closing, first),
            Event::PeriodClosed(closing) => self.year_closed(closing, first),
            event => {
                if let Event::Sale(_) = event {
                    self.summary.sales += 1;
                }
                match &self.month {
                    Some(month) if entry.at_ms >= month.next_to_ms => Err(format!(
                        "it is dated after {} ended, but {} was never closed",
                        month.period.next(),
                        month.period.next()
                    )),
                    Some(month) if entry.at_ms < month.to_ms => {
                        Err(format!("it is dated back in {}, which was already closed", month.period))
                    }
                    _ => Ok(()),
                }
            }
        }
    }

    fn z_report(&mut self, z: &SessionReport) -> Result<(), String> {
        let z_no = z.z_no.ok_or_else(|| "a Z report without its number".to_string())?;
        if let Some(last) = self.last_z
            && z_no != last + 1
        {
            return Err(format!("Z {z_no} follows Z {last}: Z reports are missing"));
        }
        let base = self.grand_total.or(self.from_start.then_some(Money::ZERO));
        if let Some(base) = base
            && z.grand_total != base + z.net_total
        {
            return Err(format!(
                "Z {z_no}'s grand total {} is not {} before it plus its net {} (a grand total reset or altered)",
                z.grand_total, base, z.net_total
            ));
        }
        self.grand_total = Some(z.grand_total);
        self.last_z = Some(z_no);
        self.month_totals.add_z(z);
        self.month_zs = (self.month_zs.0.or(Some(z_no)), Some(z_no));
        self.summary.z_reports += 1;
        Ok(())
    }

    fn month_closed(&mut self, closing: &PeriodClosing, first: bool) -> Result<(), String> {
        let title = closing.title();
        let known = match &self.month {
            Some(last) => {
                if closing.period != last.period.next() {
                    return Err(format!(
                        "{title} is closed right after {}: {} was skipped",
                        last.period,
                        last.period.next()
                    ));
                }
                if closing.from_ms != last.to_ms || closing.to_ms != last.next_to_ms {
                    return Err(format!("{title} does not start where {} ended", last.period));
                }
                Some(last.grand_total)
            }
            None if self.from_start => {
                if let Some(at_ms) = self.first_at_ms.filter(|_| !first)
                    && at_ms < closing.from_ms
                {
                    return Err(format!("the journal starts before {title}, with no closing of its first month"));
                }
                Some(Money::ZERO)
            }
            // An archive opens with the closing before its period: the base.
            None => None,
        };
        if let Some(base) = known {
            self.check_totals(closing, &self.month_totals, self.month_zs, base)?;
        }
        self.year_totals.add(&closing.totals);
        self.month_totals = PeriodTotals::default();
        self.month_zs = (None, None);
        self.grand_total = Some(closing.grand_total);
        self.month = Some(Closed {
            period: closing.period,
            to_ms: closing.to_ms,
            next_to_ms: closing.next_to_ms,
            grand_total: closing.grand_total,
        });
        if closing.period.ends_year() {
            self.year_due = Some(closing.period.year());
        }
        self.summary.closings.push(closing.period.to_string());
        self.summary.grand_total = Some(closing.grand_total);
        Ok(())
    }

    fn year_closed(&mut self, closing: &PeriodClosing, first: bool) -> Result<(), String> {
        let title = closing.title();
        if !first {
            if self.year_due != Some(closing.period.year()) {
                return Err(format!("{title} is closed, but not right after its December's closing"));
            }
            let december = self.month.as_ref().map(|m| m.grand_total).unwrap_or_default();
            if closing.grand_total != december {
                return Err(format!("{title}'s grand total {} is not December's {december}", closing.grand_total));
            }
            let whole_year = self.from_start || self.year.is_some();
            if whole_year && closing.totals != self.year_totals {
                return Err(format!("{title}'s totals are not the sum of its months'"));
            }
        }
        self.year_due = None;
        self.year = Some(closing.period);
        self.year_totals = PeriodTotals::default();
        self.summary.closings.push(closing.period.to_string());
        Ok(())
    }

    /// A closing's totals are its Z reports' and its grand total the last one's plus its net.
    fn check_totals(
        &self,
        closing: &PeriodClosing,
        totals: &PeriodTotals,
        zs: ZRange,
        base: Money,
    ) -> Result<(), String> {
        let title = closing.title();
        if closing.totals != *totals || (closing.first_z, closing.last_z) != zs {
            return Err(format!("{title}'s totals are not the sum of the Z reports journaled in it"));
        }
        if closing.grand_total != base + totals.net_total {
            return Err(format!(
                "{title}'s grand total {} is not {base} before it plus its net {} (a grand total reset or altered)",
                closing.grand_total, totals.net_total
            ));
        }
        Ok(())
    }

    /// What was seen, once every entry has passed.
    pub fn finish(self) -> AuditSummary {
        self.summary
    }
}
