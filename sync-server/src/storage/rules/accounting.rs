//! A store's day for the books, read back from what its terminals journaled
//! that local day: sales and returns (taxes per rate, tenders, rounding),
//! Z reports (cash variance), and stock movements valued at cost.

use std::collections::BTreeMap;

use pos_shared::accounting::{Accounts, DayFigures, JournalLine, is_balanced, journal_lines};
use pos_shared::journal::{CanonicalEntry, CashDirection, Credit, Event, SaleKind};
use pos_shared::money::{Money, RoundingMode};
use pos_shared::pricing::{TaxBand, TaxRate};
use pos_shared::tender::{Tender, TenderKind};
use rust_decimal::Decimal;
use serde::Serialize;

use super::admin::store_id;
use super::order_views::store_code;
use crate::storage::sql::Tx;
use crate::storage::{StoreError, StoreResult};

/// One store's day: the figures and the balanced journal lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountingDay {
    pub store: String,
    pub date: String,
    pub figures: DayFigures,
    pub stock_value_change: Money,
    pub journal: Vec<JournalLine>,
    pub balanced: bool,
}

/// Adds money kept in one tender to the day's takings.
fn take(tenders: &mut BTreeMap<&'static str, Tender>, kind: TenderKind, amount: Money) {
    tenders.entry(kind.as_str()).or_insert(Tender { kind, amount: Money::ZERO }).amount += amount;
}

/// The books of one store for one local date (`YYYY-MM-DD`).
pub fn accounting_day(tx: &impl Tx, store: &str, date: &str, accounts: &Accounts) -> StoreResult<AccountingDay> {
    if chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err() {
        return Err(StoreError::BadRequest(format!("date `{date}` must look like 2026-11-27")));
    }
    let store_id = store_id(tx, store)?;
    let code = store_code(tx, store_id)?;
    // Every query below names the store as ?1: the day is that store's.
    let zone = "(SELECT z.time_zone FROM stores z WHERE z.id = ?1)";
    let on_day = format!("{} = ?2", tx.dialect().local_date("j.at_ms", zone));
    let payloads = tx.rows(
        &format!(
            "SELECT j.payload FROM journal j JOIN terminals t ON t.id = j.terminal_id
             WHERE t.store_id = ?1 AND j.kind IN ('sale', 'return', 'z_report', 'cash_moved', 'credit_sold') AND {on_day} ORDER BY j.id"
        ),
        &[&store_id, &date],
    )?;
    let mut figures = DayFigures::default();
    let mut bands: BTreeMap<TaxRate, TaxBand> = BTreeMap::new();
    let mut tenders: BTreeMap<&'static str, Tender> = BTreeMap::new();
    for payload in payloads {
        let entry =
            CanonicalEntry::from_bytes(&payload.get::<Vec<u8>>(0)?).map_err(|e| StoreError::Internal(e.to_string()))?;
        match entry.event {
            Event::Sale(sale) => {
                // A return takes back what its sale brought in.
                let signed = |m: Money| if sale.kind == SaleKind::Return { -m } else { m };
                for band in &sale.taxes {
                    let sum = bands.entry(band.rate).or_insert_with(|| TaxBand::empty(band.rate));
                    sum.base += signed(band.base);
                    sum.tax += signed(band.tax);
                }
                for tender in &sale.payments {
                    take(&mut tenders, tender.kind, signed(tender.amount));
                }
                figures.cash_rounding += signed(sale.cash_rounding);
                if sale.kind == SaleKind::Return {
                    figures.refunds += sale.total;
                }
            }
            Event::ZReport(z) => {
                let cash = z.tenders.iter().find(|t| t.kind == TenderKind::Cash);
                figures.cash_variance += cash.and_then(|t| t.variance).unwrap_or_default();
            }
            Event::CreditSold(credit) => {
                for tender in &credit.payments {
                    take(&mut tenders, tender.kind, tender.amount);
                }
                match credit.credit {
                    Credit::Account(_) => figures.account_payments += credit.amount,
                    Credit::GiftCard(_) => figures.gift_cards_sold += credit.amount,
                }
            }
            Event::CashMoved { direction: CashDirection::In, amount, .. } => figures.cash_paid_in += amount,
            Event::CashMoved { direction: CashDirection::Out, amount, .. } => figures.cash_paid_out += amount,
            _ => {}
        }
    }
    figures.taxes = bands.into_values().collect();
    figures.tenders = tenders.into_values().collect();
    // Each movement at the cost fixed when it was applied (rows from
    // before costs were kept: today's cost), so a later delivery never
    // changes a day already exported.
    let at_cost = |sql: &str| -> StoreResult<Money> {
        let milli_minor: Option<i64> = tx.one(sql, &[&store_id, &date])?;
        Ok(Money::round(Decimal::new(milli_minor.unwrap_or(0), 5), RoundingMode::HalfUp))
    };
    let valued = |reasons: &str| -> StoreResult<Money> {
        at_cost(&format!(
            "SELECT CAST(SUM(m.qty_milli * COALESCE(m.cost_minor, p.cost_minor, 0)) AS BIGINT) FROM stock_movements m
                 JOIN journal j ON j.terminal_id = m.terminal_id AND j.seq = m.seq
                 LEFT JOIN products p ON p.sku = m.sku
                 WHERE m.store_id = ?1 AND m.reason IN ({reasons}) AND {on_day}"
        ))
    };
    figures.cost_of_goods = -valued("'sale', 'return'")?;
    figures.deliveries = valued("'delivery'")?;
    figures.stock_losses = -valued("'damaged', 'expired', 'theft', 'own-use', 'correction', 'count'")?;
    figures.transfers_out = -valued("'transfer-out'")?;
    figures.transfers_in = valued("'transfer-in'")?;
    figures.lost_in_transit = at_cost(&format!(
        "SELECT CAST(SUM(l.qty_milli * l.cost_minor) AS BIGINT) FROM transit_losses l
             JOIN journal j ON j.terminal_id = l.terminal_id AND j.seq = l.seq
             WHERE l.store_id = ?1 AND {on_day}"
    ))?;
    let journal = journal_lines(&figures, accounts);
    Ok(AccountingDay {
        store: code,
        date: date.to_string(),
        stock_value_change: figures.stock_value_change(),
        balanced: is_balanced(&journal),
        journal,
        figures,
    })
}
