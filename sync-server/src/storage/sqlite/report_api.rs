//! Head office's reports for the HTTP API: one entry point that runs a
//! report by name with its query parameters and hands back both JSON and
//! CSV, and the API keys that may read them (shown once, kept hashed).

use std::collections::HashMap;

use pos_shared::accounting::Accounts;
use rust_decimal::Decimal;
use serde::Serialize;

use super::insights::{TOP_CUSTOMERS, WEAK_MARGIN_PERCENT};
use super::{Period, ReorderPolicy, SalesBy, SqliteStore};
use crate::storage::rules::keys;
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

impl SqliteStore {
    /// Issues an API key for head office's reports; shown once.
    pub fn issue_office_key(&self, name: &str) -> StoreResult<String> {
        self.write(|tx| keys::issue_office_key(tx, name))
    }

    pub fn office_key_valid(&self, key: &str) -> StoreResult<bool> {
        self.snapshot(|tx| keys::office_key_valid(tx, key))
    }

    /// Runs the report `name` with query parameters (`from`, `to`, `by`,
    /// `store`, `date`, `top`, `weak_below`, `window`, `safety`, `cover`).
    /// Every parameter is checked, whichever report reads it: a bad or
    /// unknown one is a 400, never silently ignored.
    pub fn report_table(&self, name: &str, params: &HashMap<String, String>) -> StoreResult<ReportTable> {
        for key in params.keys() {
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
                other => {
                    return Err(StoreError::BadRequest(format!(
                        "unknown parameter `{}`: reports take from, to, by, store, date, top, weak_below, window, \
                         safety, cover and format",
                        pos_shared::entry_rules::excerpt(other)
                    )));
                }
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
