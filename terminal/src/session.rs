//! Till sessions: open with a float, cash in and out, no-sale drawer
//! openings, and the X (read-only) and Z (closing, immutable) reports.

use std::collections::BTreeMap;

use pos_shared::ids::Seq;
use pos_shared::journal::{CashDirection, Event, Hash32};
use pos_shared::money::Money;
use pos_shared::pricing::{TaxBand, TaxRate};
use pos_shared::receipt::{ReceiptDoc, session_report};
use pos_shared::report::{DrawerFlows, ReportKind, SessionReport, tender_lines};
use pos_shared::roles::Permission;
use pos_shared::tender::{Tender, TenderKind};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::clock::local_time_text;
use crate::devices::queue::{JobKind, enqueue};
use crate::error::{CoreError, CoreResult};
use crate::journal::head;
use crate::users::Credentials;
use crate::{Operator, Terminal};

/// Increments a gapless counter (receipts, Z reports) and returns its new value.
pub(crate) fn next_counter(conn: &Connection, name: &str) -> CoreResult<u64> {
    Ok(conn
        .prepare_cached("UPDATE counters SET value = value + 1 WHERE name = ?1 RETURNING value")?
        .query_row([name], |r| r.get(0))?)
}

pub(crate) fn open_session_id(conn: &Connection) -> CoreResult<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM sessions WHERE closed_at_ms IS NULL")?
        .query_row([], |r| r.get(0))
        .optional()?)
}

/// How long a session may stay open before the till must close it (a Z)
/// to sell again: a day's records stay a day's.
pub const SESSION_MAX_MS: i64 = 24 * 60 * 60 * 1000;

/// The open session a sale at `now_ms` goes in: none open, or one open
/// for more than 24 hours, is refused.
pub(crate) fn selling_session_id(conn: &Connection, now_ms: i64) -> CoreResult<i64> {
    let (id, opened_at_ms): (i64, i64) = conn
        .prepare_cached("SELECT id, opened_at_ms FROM sessions WHERE closed_at_ms IS NULL")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or(CoreError::NoOpenSession)?;
    if now_ms - opened_at_ms > SESSION_MAX_MS {
        return Err(CoreError::Invalid(format!(
            "session {id} has been open since {}, more than 24 hours: close the day (Z report) before selling",
            crate::clock::local_time_text(opened_at_ms)
        )));
    }
    Ok(id)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SessionInfo {
    pub id: i64,
    pub opened_by: String,
    pub opened_at_ms: i64,
    pub float: Money,
    pub open_seq: u64,
}

fn current_session(conn: &Connection) -> CoreResult<Option<SessionInfo>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, opened_by, opened_at_ms, float_minor, open_seq FROM sessions WHERE closed_at_ms IS NULL",
        )?
        .query_row([], |r| {
            Ok(SessionInfo {
                id: r.get(0)?,
                opened_by: r.get(1)?,
                opened_at_ms: r.get(2)?,
                float: Money::from_minor(r.get(3)?),
                open_seq: r.get(4)?,
            })
        })
        .optional()?)
}

fn sum_by<K: Ord>(pairs: impl IntoIterator<Item = (K, i64)>) -> BTreeMap<K, i64> {
    let mut map = BTreeMap::new();
    for (key, value) in pairs {
        *map.entry(key).or_insert(0) += value;
    }
    map
}

/// The figures of `session` so far, read from the recorded facts, and the
/// money flows that decide what each tender should hold.
fn session_figures(
    conn: &Connection,
    session: &SessionInfo,
    kind: ReportKind,
    at_ms: i64,
) -> CoreResult<(SessionReport, DrawerFlows)> {
    let id = session.id;
    let mut counts = [(0u64, 0i64, 0i64); 2];
    let mut stmt = conn.prepare_cached(
        "SELECT kind, COUNT(*), SUM(total_minor), SUM(discount_minor) FROM sales WHERE session_id = ?1 GROUP BY kind",
    )?;
    for row in stmt.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))? {
        let (kind, count, total, discount) = row?;
        counts[usize::from(kind == "return")] = (count, total, discount);
    }
    let mut bands: BTreeMap<TaxRate, TaxBand> = BTreeMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT t.rate, s.kind, SUM(t.base_minor), SUM(t.tax_minor) FROM sale_taxes t JOIN sales s ON s.id = t.sale_id
         WHERE s.session_id = ?1 GROUP BY t.rate, s.kind",
    )?;
    for row in stmt.query_map([id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
    })? {
        let (rate, kind, base, tax) = row?;
        let rate: TaxRate = rate.parse()?;
        let sign = if kind == "return" { -1 } else { 1 };
        let band = bands.entry(rate).or_insert_with(|| TaxBand::empty(rate));
        band.base += Money::from_minor(sign * base);
        band.tax += Money::from_minor(sign * tax);
    }
    let mut flows = DrawerFlows { float: session.float, ..DrawerFlows::default() };
    let mut stmt = conn.prepare_cached(
        "SELECT s.kind, p.tender, SUM(p.amount_minor) FROM payments p JOIN sales s ON s.id = p.sale_id
         WHERE s.session_id = ?1 GROUP BY s.kind, p.tender",
    )?;
    for row in stmt.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))? {
        let (kind, tender, amount) = row?;
        let tender = Tender { kind: tender.parse::<TenderKind>()?, amount: Money::from_minor(amount) };
        if kind == "return" { flows.refunds.push(tender) } else { flows.sales.push(tender) }
    }
    // Gift cards sold and payments on account: money in per tender, not sales.
    let mut credit_sold = Money::ZERO;
    let mut stmt = conn.prepare_cached(
        "SELECT p.tender, SUM(p.amount_minor) FROM credit_payments p JOIN credit_sales s ON s.receipt_no = p.receipt_no
         WHERE s.session_id = ?1 GROUP BY p.tender",
    )?;
    for row in stmt.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (tender, amount) = row?;
        let tender = Tender { kind: tender.parse::<TenderKind>()?, amount: Money::from_minor(amount) };
        credit_sold += tender.amount;
        flows.sales.push(tender);
    }
    let moves = sum_by(
        conn.prepare_cached("SELECT direction, amount_minor FROM cash_moves WHERE session_id = ?1")?
            .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?,
    );
    flows.cash_in = Money::from_minor(moves.get("in").copied().unwrap_or(0));
    flows.cash_out = Money::from_minor(moves.get("out").copied().unwrap_or(0));
    let events = sum_by(
        conn.prepare_cached(
            "SELECT kind, 1 FROM journal WHERE seq >= ?1 AND kind IN ('sale_voided', 'drawer_opened')",
        )?
        .query_map([session.open_seq], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?,
    );
    let previous_grand_total: i64 = conn
        .prepare_cached("SELECT grand_total_minor FROM z_reports ORDER BY z_no DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    let (sales_count, sales_total, sales_discounts) = counts[0];
    let (returns_count, returns_total, _) = counts[1];
    let net_total = Money::from_minor(sales_total - returns_total);
    let report = SessionReport {
        kind,
        z_no: None,
        session_id: id,
        opened_by: session.opened_by.clone(),
        opened_at_ms: session.opened_at_ms,
        at_ms,
        float: session.float,
        sales_count,
        returns_count,
        voids_count: events.get("sale_voided").copied().unwrap_or(0) as u64,
        no_sales_count: events.get("drawer_opened").copied().unwrap_or(0) as u64,
        sales_total: Money::from_minor(sales_total),
        discounts: Money::from_minor(sales_discounts),
        returns_total: Money::from_minor(returns_total),
        net_total,
        taxes: bands.into_values().collect(),
        cash_in: flows.cash_in,
        cash_out: flows.cash_out,
        credit_sold,
        tenders: tender_lines(&flows, &[]),
        first_seq: Some(Seq(session.open_seq)),
        last_seq: None,
        last_hash: None,
        grand_total: Money::from_minor(previous_grand_total) + net_total,
        not_counted: None,
        card_terminal: None,
    };
    Ok((report, flows))
}

/// How the drawer was counted when the day closes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CashCount {
    /// What was counted, per tender; the cash at least.
    Counted(Vec<Tender>),
    /// Nobody could count; the reason is printed on the Z report.
    NotCounted(String),
}

impl Terminal {
    pub fn current_session(&self) -> CoreResult<Option<SessionInfo>> {
        current_session(&self.conn)
    }

    /// Opens the till with a counted float.
    pub fn open_session(&mut self, actor: &Operator, float: Money) -> CoreResult<SessionInfo> {
        if float.is_negative() {
            return Err(CoreError::Invalid("the float cannot be negative".into()));
        }
        let tx = self.begin_journaled(&[])?;
        let at_ms = tx.at_ms;
        if let Some(id) = open_session_id(&tx)? {
            return Err(CoreError::SessionAlreadyOpen(id));
        }
        let id: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM sessions", [], |r| r.get(0))?;
        let event = Event::SessionOpened { session_id: id, by: actor.name.clone(), float };
        let appended = tx.append(&event)?;
        tx.execute(
            "INSERT INTO sessions (id, opened_by, opened_at_ms, float_minor, open_seq) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, actor.name, at_ms, float.minor(), appended.seq.0],
        )?;
        tx.commit()?;
        Ok(SessionInfo { id, opened_by: actor.name.clone(), opened_at_ms: at_ms, float, open_seq: appended.seq.0 })
    }

    /// Pays cash into or out of the drawer, with a reason.
    pub fn cash_move(
        &mut self,
        actor: &Operator,
        direction: CashDirection,
        amount: Money,
        reason: &str,
        approver: Option<&Credentials>,
    ) -> CoreResult<Seq> {
        if amount.is_negative() || amount.is_zero() {
            return Err(CoreError::Invalid("the amount must be more than zero".into()));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(CoreError::Invalid("say why the cash moves (--reason)".into()));
        }
        let session = self.current_session()?.ok_or(CoreError::NoOpenSession)?;
        if direction == CashDirection::Out {
            let (report, _) = session_figures(&self.conn, &session, ReportKind::X, 0)?;
            let in_drawer = report.tenders.iter().find(|t| t.kind == TenderKind::Cash).map(|t| t.expected);
            let in_drawer = in_drawer.unwrap_or_default();
            if amount > in_drawer {
                return Err(CoreError::Invalid(format!("only {in_drawer} cash should be in the drawer")));
            }
        }
        let detail = format!("cash {} {amount}: {reason}", direction.as_str());
        let approval = self.authorize(actor, Permission::CashInOut, approver, detail)?;
        let tx = self.begin_journaled(approval.map(|a| a.event()).as_slice())?;
        let event = Event::CashMoved {
            session_id: session.id,
            by: actor.name.clone(),
            direction,
            amount,
            reason: reason.to_string(),
        };
        let appended = tx.append(&event)?;
        tx.execute(
            "INSERT INTO cash_moves (seq, session_id, direction, amount_minor, reason, by_user) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![appended.seq.0, session.id, direction.as_str(), amount.minor(), reason, actor.name],
        )?;
        tx.commit()?;
        Ok(appended.seq)
    }

    /// Opens the drawer without a sale (journaled; a manager permission).
    pub fn open_drawer(&mut self, actor: &Operator, reason: &str, approver: Option<&Credentials>) -> CoreResult<()> {
        let session = self.current_session()?.ok_or(CoreError::NoOpenSession)?;
        let approval = self.authorize(actor, Permission::NoSaleDrawer, approver, format!("no sale: {reason}"))?;
        let printing = self.devices.printer.is_some();
        let tx = self.begin_journaled(approval.map(|a| a.event()).as_slice())?;
        let event = Event::DrawerOpened { session_id: session.id, by: actor.name.clone(), reason: reason.to_string() };
        tx.append(&event)?;
        if printing {
            enqueue(&tx, JobKind::Drawer, "", true, tx.at_ms)?;
        }
        tx.commit()
    }

    /// The X report: the open session's figures so far; changes nothing.
    pub fn x_report(&self) -> CoreResult<SessionReport> {
        let session = self.current_session()?.ok_or(CoreError::NoOpenSession)?;
        Ok(session_figures(&self.conn, &session, ReportKind::X, self.clock.now_ms())?.0)
    }

    /// The Z report: closes the session with counted money per tender (the
    /// cash at least) or a reason nobody counted, the variance, the journal
    /// range and its last hash. Immutable once written; a count without
    /// cash or an empty reason closes nothing.
    pub fn z_report(
        &mut self,
        actor: &Operator,
        count: &CashCount,
        approver: Option<&Credentials>,
    ) -> CoreResult<SessionReport> {
        let (counted, not_counted) = match count {
            CashCount::Counted(counted) if counted.iter().any(|t| t.kind == TenderKind::Cash) => (&counted[..], None),
            CashCount::Counted(_) => {
                return Err(CoreError::Invalid(
                    "count the cash in the drawer first (or close with no count and say why)".into(),
                ));
            }
            CashCount::NotCounted(reason) => {
                let reason = reason.trim();
                if reason.is_empty() {
                    return Err(CoreError::Invalid("say why the drawer was not counted".into()));
                }
                pos_shared::entry_rules::check_text("the reason", reason).map_err(CoreError::Invalid)?;
                (&[][..], Some(reason.to_string()))
            }
        };
        let session = self.current_session()?.ok_or(CoreError::NoOpenSession)?;
        let approval = self.authorize(actor, Permission::ZReport, approver, format!("close session {}", session.id))?;
        let card_terminal = self.card_end_of_day(session.id)?;
        let printing = self.devices.printer.is_some();
        let tx = self.begin_journaled(approval.map(|a| a.event()).as_slice())?;
        let at_ms = tx.at_ms;
        let (mut report, flows) = session_figures(&tx, &session, ReportKind::Z, at_ms)?;
        let (last_seq, last_hash): (Seq, Hash32) = head(&tx)?;
        let z_no = next_counter(&tx, "z")?;
        report.z_no = Some(z_no);
        report.tenders = tender_lines(&flows, counted);
        report.not_counted = not_counted;
        report.card_terminal = card_terminal;
        report.last_seq = Some(last_seq);
        report.last_hash = Some(last_hash);
        let event = Event::ZReport(Box::new(report));
        let appended = tx.append(&event)?;
        let Event::ZReport(report) = event else { unreachable!("built as a Z report above") };
        tx.execute(
            "INSERT INTO z_reports (z_no, session_id, seq, grand_total_minor, payload) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                z_no,
                session.id,
                appended.seq.0,
                report.grand_total.minor(),
                serde_json::to_vec(&report).expect("reports serialise")
            ],
        )?;
        tx.execute("UPDATE sessions SET closed_at_ms = ?1, z_no = ?2 WHERE id = ?3", params![at_ms, z_no, session.id])?;
        if printing {
            enqueue(&tx, JobKind::Report, &z_no.to_string(), false, at_ms)?;
        }
        tx.commit()?;
        Ok(*report)
    }

    /// An X or Z report laid out for paper or screen.
    pub fn report_doc(&self, report: &SessionReport) -> ReceiptDoc {
        session_report(&self.settings.header(), report, &local_time_text(report.at_ms))
    }
}

impl Terminal {
    /// Net sales of the open session per local hour of the day (0-23), for
    /// the manager's chart.
    pub fn sales_by_hour(&self) -> CoreResult<[Money; 24]> {
        let mut hours = [Money::ZERO; 24];
        let Some(session) = open_session_id(&self.conn)? else {
            return Ok(hours);
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT CAST(strftime('%H', created_at_ms / 1000, 'unixepoch', 'localtime') AS INTEGER),
               SUM(CASE kind WHEN 'return' THEN -total_minor ELSE total_minor END)
             FROM sales WHERE session_id = ?1 GROUP BY 1",
        )?;
        for row in stmt.query_map([session], |r| Ok((r.get::<_, usize>(0)?, r.get::<_, i64>(1)?)))? {
            let (hour, minor) = row?;
            if let Some(slot) = hours.get_mut(hour) {
                *slot = Money::from_minor(minor);
            }
        }
        Ok(hours)
    }
}
