//! Stock per store and product: central on-hand (every till's movements
//! summed), each line one click from the product's ledger.

use std::collections::HashMap;

use axum::extract::{Query, State};
use maud::{Markup, html};

use super::Office;
use super::layout;
use super::session::{Refusal, Signed};
use crate::storage::sql::Database;

/// Lines the page lists at most.
const STOCK_ROWS: usize = 1_000;

pub async fn page<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Markup, Refusal> {
    let store = query.get("store").cloned().filter(|s| !s.is_empty());
    let q = query.get("q").cloned().unwrap_or_default().to_lowercase();
    let oversold = query.contains_key("oversold");
    let wanted = store.clone();
    let (stores, rows) = office
        .run(move |head_office| Ok((head_office.stores()?, head_office.stock(wanted.as_deref(), oversold)?)))
        .await?;
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|r| q.is_empty() || r.sku.to_lowercase().contains(&q) || r.name.to_lowercase().contains(&q))
        .collect();
    let body = html! {
        form.filters method="get" action="/office/stock" {
            label for="store" { "Store" }
            select #store name="store" { option value="" { "Every store" }
                @for s in &stores { option value=(s.code) selected[store.as_deref() == Some(s.code.as_str())] { (s.code) " " (s.name) } } }
            label for="q" { "Product contains" } input #q name="q" value=(q);
            label.check for="oversold" { input #oversold type="checkbox" name="oversold" value="1" checked[oversold]; " Oversold only" }
            button type="submit" { "Show" }
        }
        p { (rows.len()) " lines" @if rows.len() > STOCK_ROWS { "; the first " (STOCK_ROWS) " are listed: narrow the search" } "." }
        table {
            thead { tr { th scope="col" { "Store" } th scope="col" { "Product" } th.num scope="col" { "On hand" } } }
            tbody {
                @for r in rows.iter().take(STOCK_ROWS) {
                    tr { td { (r.store) } td { a href={ "/office/products/" (r.sku) } { (r.sku) " " (r.name) } }
                        td.num { (r.on_hand) @if r.oversold { " " strong.warn { "oversold" } } } }
                }
            }
        }
    };
    Ok(layout::page("Stock", &signed, "/office/stock", body))
}
