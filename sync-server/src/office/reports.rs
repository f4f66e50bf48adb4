//! Every report the command line and the report API have, with their
//! filters, shown as a table and downloadable as CSV: the same
//! `report_table` call as `/v1/reports/{name}`, so the three agree.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::Office;
use super::layout;
use super::session::{Refusal, Signed};
use super::staff::urlencoded;
use crate::storage::sql::Database;

/// Reports by name, with what each is.
const REPORTS: [(&str, &str); 9] = [
    ("sales", "Sales by product, category, store, day, hour, cashier or channel"),
    ("margin", "Margin per product"),
    ("customers", "Top customers"),
    ("low-stock", "Low stock"),
    ("valuation", "Stock valuation at cost"),
    ("returns", "Returns rate per product"),
    ("oversold", "Oversold stock"),
    ("reorder", "Reorder suggestions"),
    ("accounting", "Accounting export of one store's day"),
];
/// The dates a report form offers.
const DATES: [(&str, &str); 3] = [("from", "From"), ("to", "To"), ("date", "Day (accounting)")];
/// What sales can be grouped by.
const SALES_BY: [&str; 7] = ["product", "category", "store", "day", "hour", "cashier", "channel"];

/// The filters given, without the empty ones.
fn params(query: &HashMap<String, String>) -> HashMap<String, String> {
    query
        .iter()
        .filter(|(k, v)| k.as_str() != "name" && !v.trim().is_empty())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// A report's JSON rows as a table, columns from the first row's keys.
fn table(rows: &serde_json::Value) -> Markup {
    let rows = match rows {
        serde_json::Value::Array(rows) => rows.as_slice(),
        serde_json::Value::Object(day) => day.get("journal").and_then(|j| j.as_array()).map_or(&[][..], Vec::as_slice),
        _ => &[],
    };
    let columns: Vec<String> =
        rows.first().and_then(|r| r.as_object()).map(|o| o.keys().cloned().collect()).unwrap_or_default();
    let cell = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    html! {
        p { (rows.len()) " rows" }
        @if !rows.is_empty() {
            table.report {
                thead { tr { @for c in &columns { th scope="col" { (c) } } } }
                tbody { @for r in rows { tr { @for c in &columns { td { (r.get(c).map(cell).unwrap_or_default()) } } } } }
            }
        }
    }
}

pub async fn page<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Markup, Refusal> {
    let name = query.get("name").cloned().unwrap_or_else(|| "sales".into());
    let given = params(&query);
    let shown = query.contains_key("name");
    let (report, filters) = (name.clone(), given.clone());
    let result = match shown {
        true => Some(office.run(move |head_office| head_office.report_table(&report, &filters)).await),
        false => None,
    };
    let stores = office.run(|head_office| head_office.stores()).await?;
    let csv_link = format!(
        "/office/reports/{}?{}",
        urlencoded(&name),
        given.iter().map(|(k, v)| format!("{}={}", urlencoded(k), urlencoded(v))).collect::<Vec<_>>().join("&")
    );
    let body = html! {
        form.filters method="get" action="/office/reports" {
            label for="name" { "Report" }
            select #name name="name" { @for (r, what) in REPORTS { option value=(r) selected[r == name] { (what) } } }
            @for (key, label) in DATES {
                label for=(key) { (label) }
                input #(key) name=(key) type="date" value=(given.get(key).cloned().unwrap_or_default());
            }
            label for="store" { "Store" }
            select #store name="store" { option value="" { "Every store" }
                @for s in &stores { option value=(s.code) selected[given.get("store") == Some(&s.code)] { (s.code) " " (s.name) } } }
            label for="by" { "Sales by" }
            select #by name="by" { @for by in SALES_BY { option value=(by) selected[given.get("by").map(String::as_str) == Some(by)] { (by) } } }
            button type="submit" { "Show" }
        }
        @match result {
            Some(Ok(found)) => {
                p { a href=(csv_link) download { "Download as CSV" } }
                (table(&found.json))
            },
            Some(Err(error)) => { p.error role="alert" { (error) } },
            None => { p { "Choose a report and its filters." } },
        }
    };
    Ok(layout::page("Reports", &signed, "/office/reports", body))
}

pub async fn csv<D: Database>(
    State(office): State<Office<D>>,
    _signed: Signed,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Refusal> {
    let (report, filters) = (name.clone(), params(&query));
    let found = office.run(move |head_office| head_office.report_table(&report, &filters)).await?;
    let disposition =
        format!("attachment; filename=\"{}.csv\"", name.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', ""));
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        found.csv,
    )
        .into_response())
}
