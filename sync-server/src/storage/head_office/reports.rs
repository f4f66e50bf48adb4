//! Head office's reports, each read in one snapshot (sales once the
//! rollups are brought up to date), and for the HTTP API one entry point
//! that runs a report by name with its query parameters and hands back
//! both JSON and CSV.

use std::collections::HashMap;

use pos_shared::accounting::Accounts;
use rust_decimal::Decimal;
use serde::Serialize;

use super::HeadOffice;
use crate::storage::rules::accounting::{self, AccountingDay};
use crate::storage::rules::admin;
use crate::storage::rules::insights::{
    self, CustomerRow, LowStockRow, MarginRow, Period, ReturnsRow, TOP_CUSTOMERS, ValuationRow, WEAK_MARGIN_PERCENT,
};
use crate::storage::rules::reorder::ReorderPolicy;
use crate::storage::rules::rollup::{BATCH_ENTRIES, catch_up};
use crate::storage::rules::sales::{self, SalesBy, SalesRow, StockRow};
use crate::storage::sql::Database;
use crate::storage::{ReportTable, StoreError, StoreResult};

fn table<T: Serialize>(rows: &[T]) -> StoreResult<ReportTable> {
    let internal = |e: &dyn std::fmt::Display| StoreError::Internal(e.to_string());
    let csv = crate::csv_export::to_csv(rows).map_err(|e| internal(&e))?;
    Ok(ReportTable { json: serde_json::to_value(rows).map_err(|e| internal(&e))?, csv })
}

/// The largest `top` a report lists, and the most days of a reorder window.
const MOST_TOP: u32 = 100_000;
const MOST_DAYS: u32 = 3_650;

/// `weak_below`: a percentage from -1000 to 1000, as a decimal or in
/// scientific notation (what spreadsheets and JSON tools write).
fn percent(params: &HashMap<String, String>) -> StoreResult<Option<Decimal>> {
    let Some(text) = params.get("weak_below") else { return Ok(None) };
    // A percentage threshold, not money: scientific notation read through f64 is fine.
    let scientific =
        || text.trim().parse::<f64>().ok().filter(|v| v.abs() <= 1000.0).and_then(|v| Decimal::try_from(v).ok());
    let value = Decimal::from_str_exact(text.trim()).ok().or_else(scientific);
    match value {
        Some(v) if v.abs() <= Decimal::from(1000) => Ok(Some(v)),
        _ => Err(StoreError::BadRequest(format!(
            "`weak_below` must be a percentage from -1000 to 1000, not `{}`",
            pos_shared::entry_rules::excerpt(text)
        ))),
    }
}

fn number<T: std::str::FromStr>(params: &HashMap<String, String>, key: &str, default: T) -> StoreResult<T> {
    match params.get(key) {
        None => Ok(default),
        Some(text) => text.parse().map_err(|_| {
            StoreError::BadRequest(format!(
                "`{key}` must be a number, not `{}`",
                pos_shared::entry_rules::excerpt(text)
            ))
        }),
    }
}

/// The query parameters each report takes, as the API document states them.
pub const REPORT_PARAMETERS: &[(&str, &[&str])] = &[
    ("sales", &["from", "to", "by"]),
    ("margin", &["from", "to", "weak_below"]),
    ("customers", &["from", "to", "top"]),
    ("low-stock", &["store"]),
    ("valuation", &["store"]),
    ("returns", &["from", "to"]),
    ("oversold", &[]),
    ("reorder", &["store", "window", "safety", "cover"]),
    ("accounting", &["store", "date"]),
];

impl<D: Database> HeadOffice<D> {
    /// Central on-hand per store and product, optionally for one store.
    pub fn stock(&self, store: Option<&str>, oversold_only: bool) -> StoreResult<Vec<StockRow>> {
        self.db.snapshot(|tx| sales::stock(tx, store.map(|s| admin::store_id(tx, s)).transpose()?, oversold_only))
    }

    /// Sales by a dimension over a period, read from the rollups once they
    /// are brought up to date.
    pub fn sales_report(&self, by: SalesBy, period: Period<'_>) -> StoreResult<Vec<SalesRow>> {
        period.check()?;
        self.catch_up_rollups()?;
        self.db.snapshot(|tx| sales::sales_report(tx, by, period))
    }

    /// Brings the rollups up to date, one batch per write transaction:
    /// pushes commit between batches, so they wait for one batch at most.
    /// `serve` also runs it every few seconds, so a report finds little to
    /// catch up.
    pub fn catch_up_rollups(&self) -> StoreResult<()> {
        while !self.db.write(|tx| catch_up(tx, BATCH_ENTRIES))? {}
        Ok(())
    }

    /// Entries refused for a broken chain or a rewritten entry.
    pub fn chain_flags(&self) -> StoreResult<Vec<(String, u64, String)>> {
        self.db.snapshot(|tx| sales::chain_flags(tx))
    }

    /// Margin per product over a period; `weak_below` flags margins under
    /// that percentage. Products without a cost price are left out.
    pub fn margin_report(&self, period: Period<'_>, weak_below: Decimal) -> StoreResult<Vec<MarginRow>> {
        self.db.snapshot(|tx| insights::margin_report(tx, period, weak_below))
    }

    /// Customers by what they spent over a period, most first.
    pub fn top_customers(&self, period: Period<'_>, top: usize) -> StoreResult<Vec<CustomerRow>> {
        self.db.snapshot(|tx| insights::top_customers(tx, period, top))
    }

    /// Products at or below their reorder point, counting what orders hold as gone.
    pub fn low_stock(&self, store: Option<&str>) -> StoreResult<Vec<LowStockRow>> {
        self.db.snapshot(|tx| insights::low_stock(tx, store.map(|s| admin::store_id(tx, s)).transpose()?))
    }

    /// What the stock on hand is worth at cost, per store and product.
    pub fn stock_valuation(&self, store: Option<&str>) -> StoreResult<Vec<ValuationRow>> {
        self.db.snapshot(|tx| insights::stock_valuation(tx, store.map(|s| admin::store_id(tx, s)).transpose()?))
    }

    /// Returned against sold per product over a period, highest rate first.
    pub fn returns_rate(&self, period: Period<'_>) -> StoreResult<Vec<ReturnsRow>> {
        self.db.snapshot(|tx| insights::returns_rate(tx, period))
    }

    /// The books of one store for one local date (`YYYY-MM-DD`).
    pub fn accounting_day(&self, store: &str, date: &str, accounts: &Accounts) -> StoreResult<AccountingDay> {
        self.db.snapshot(|tx| accounting::accounting_day(tx, store, date, accounts))
    }

    /// Runs the report `name` with the query parameters [`REPORT_PARAMETERS`]
    /// gives it. Every parameter is checked: a bad one, or one this report
    /// does not take, is a 400, never silently ignored.
    pub fn report_table(&self, name: &str, params: &HashMap<String, String>) -> StoreResult<ReportTable> {
        let takes =
            REPORT_PARAMETERS.iter().find(|(report, _)| *report == name).map(|(_, takes)| *takes).ok_or_else(|| {
                StoreError::NotFound(format!("no report `{}`", pos_shared::entry_rules::excerpt(name)))
            })?;
        for key in params.keys() {
            if !takes.contains(&key.as_str()) {
                return Err(StoreError::BadRequest(format!(
                    "the {name} report takes no `{}`: it takes {}",
                    pos_shared::entry_rules::excerpt(key),
                    if takes.is_empty() { "nothing but format".to_string() } else { takes.join(", ") + " and format" }
                )));
            }
            match key.as_str() {
                "by" | "store" => {}
                "from" | "to" | "date" => {
                    let text = &params[key];
                    if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() {
                        return Err(StoreError::BadRequest(format!(
                            "`{key}` must be a date like 2026-11-27, not `{}`",
                            pos_shared::entry_rules::excerpt(text)
                        )));
                    }
                }
                "top" | "window" | "safety" | "cover" => {
                    let most = if key == "top" { MOST_TOP } else { MOST_DAYS };
                    if number::<u32>(params, key, 0)? > most {
                        return Err(StoreError::BadRequest(format!("`{key}` is at most {most}")));
                    }
                }
                "weak_below" => drop(percent(params)?),
                _ => {}
            }
        }
        let get = |key: &str| params.get(key).map(String::as_str);
        let period = Period { from: get("from"), to: get("to") };
        let store = get("store");
        match name {
            "sales" => {
                let by: SalesBy = get("by").unwrap_or("product").parse().map_err(StoreError::BadRequest)?;
                table(&self.sales_report(by, period)?)
            }
            "margin" => table(&self.margin_report(period, percent(params)?.unwrap_or(WEAK_MARGIN_PERCENT))?),
            "customers" => table(&self.top_customers(period, number(params, "top", TOP_CUSTOMERS)?)?),
            "low-stock" => table(&self.low_stock(store)?),
            "valuation" => table(&self.stock_valuation(store)?),
            "returns" => table(&self.returns_rate(period)?),
            "oversold" => table(&self.stock(None, true)?),
            "reorder" => {
                let default = ReorderPolicy::default();
                let policy = ReorderPolicy {
                    window_days: number(params, "window", default.window_days)?,
                    safety_days: number(params, "safety", default.safety_days)?,
                    cover_days: number(params, "cover", default.cover_days)?,
                };
                table(&self.reorder_suggestions(store, policy)?)
            }
            "accounting" => {
                let store = store.ok_or_else(|| StoreError::BadRequest("name the `store`".into()))?;
                let date = get("date").ok_or_else(|| StoreError::BadRequest("name the `date`".into()))?;
                let day = self.accounting_day(store, date, &Accounts::default())?;
                let mut out = table(&day.journal)?;
                out.json = serde_json::to_value(&day).map_err(|e| StoreError::Internal(e.to_string()))?;
                Ok(out)
            }
            other => Err(StoreError::NotFound(format!("no report `{other}`"))),
        }
    }
}
