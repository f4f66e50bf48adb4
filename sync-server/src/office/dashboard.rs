//! The dashboard: today and this week per store, sales by hour, best
//! sellers, low stock, open flags, and each till's last push and what it
//! still held, so head office knows which stores' figures are not complete.

use std::collections::HashMap;

use axum::extract::{Query, State};
use maud::{Markup, html};

use super::layout::{self, ago, when};
use super::session::{Refusal, Signed};
use super::{Office, chart};
use crate::storage::head_office::office::StoreFigures;
use crate::storage::sql::Database;

/// A till that has not pushed for this long may be holding sales.
const QUIET_MS: i64 = 3_600_000;

fn figures_table(caption: &str, rows: &[StoreFigures]) -> Markup {
    html! {
        table {
            caption { (caption) }
            thead { tr { th scope="col" { "Store" } th.num scope="col" { "Net sales" } th.num scope="col" { "Tickets" }
                th.num scope="col" { "Average basket" } th.num scope="col" { "Margin" } } }
            tbody {
                @for row in rows {
                    tr { th scope="row" { (row.store) } td.num { (row.net) } td.num { (row.tickets) }
                        td.num { (row.average_basket) }
                        td.num { @if let Some(m) = row.margin_percent { (m) " %" } @else { "–" } } }
                }
                @if rows.is_empty() { tr { td colspan="5" { "No sales yet." } } }
            }
        }
    }
}

pub async fn page<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Markup, Refusal> {
    let board = office.run(move |head_office| head_office.dashboard()).await?;
    let now = crate::storage::now_ms();
    let hours: Vec<(String, f64)> =
        board.by_hour.iter().map(|r| (r.key.clone(), r.net.to_string().parse().unwrap_or(0.0))).collect();
    let body = html! {
        (layout::notice(query.get("done").map(String::as_str)))
        section aria-labelledby="stores-h" {
            h2 #stores-h { "Sales per store" }
            div.pair {
                (figures_table(&format!("Today, {}", board.today), &board.today_figures))
                (figures_table(&format!("This week, {} to {}", board.week_from, board.today), &board.week_figures))
            }
        }
        section aria-labelledby="tills-h" {
            h2 #tills-h { "Tills: is every sale in?" }
            table {
                thead { tr { th scope="col" { "Store" } th scope="col" { "Till" } th scope="col" { "Last push" }
                    th.num scope="col" { "Entries waiting at the till" } th scope="col" { "Figures" } } }
                tbody {
                    @for till in &board.tills {
                        @let quiet = till.last_push_ms.is_none_or(|t| now - t > QUIET_MS);
                        // Not heard from since head office was restored: unknown.
                        @let waiting = till.pending_entries.is_none_or(|n| n > 0);
                        tr {
                            td { (till.store) } td { (till.name) " " small { (till.terminal_id) } }
                            td { @match till.last_push_ms { Some(t) => { time datetime=(when(t)) { (ago(t)) } }, None => "never" } }
                            td.num { @match till.pending_entries { Some(n) => (n), None => "–" } }
                            td {
                                @if till.revoked { "revoked" }
                                @else if !till.enrolled && till.last_push_ms.is_none() { "not enrolled yet" }
                                @else if till.held_entries > 0 {
                                    strong.warn { "incomplete: " (till.held_entries) " held for a decision" }
                                }
                                @else if waiting || quiet { strong.warn { "may be incomplete" } }
                                @else { "complete" }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="hours-h" {
            h2 #hours-h { "Today's net sales by hour" }
            @if hours.is_empty() { p { "No sales today yet." } } @else { (chart::bars("Today's net sales by hour", &hours, "")) }
        }
        div.pair {
            section aria-labelledby="top-h" {
                h2 #top-h { "Best sellers this week" }
                table {
                    thead { tr { th scope="col" { "Product" } th.num scope="col" { "Quantity" } th.num scope="col" { "Net sales" } } }
                    tbody {
                        @for row in &board.top_products {
                            @let sku = row.key.split(' ').next().unwrap_or_default();
                            tr { td { a href={ "/office/products/" (sku) } { (row.key) } } td.num { (row.quantity) } td.num { (row.net) } }
                        }
                    }
                }
            }
            section aria-labelledby="low-h" {
                h2 #low-h { "Low stock" }
                table {
                    thead { tr { th scope="col" { "Store" } th scope="col" { "Product" } th.num scope="col" { "Available" } th.num scope="col" { "Reorder point" } } }
                    tbody {
                        @for row in &board.low_stock {
                            tr { td { (row.store) } td { a href={ "/office/products/" (row.sku) } { (row.sku) " " (row.name) } }
                                td.num { (row.available) } td.num { (row.reorder_point) } }
                        }
                        @if board.low_stock.is_empty() { tr { td colspan="4" { "Nothing is below its reorder point." } } }
                    }
                }
            }
        }
        section aria-labelledby="flags-h" {
            h2 #flags-h { "Open flags: " (board.open_flags) }
            @if board.flags.is_empty() { p { "Nothing waits for a person." } }
            ul {
                @for flag in &board.flags {
                    li { (when(flag.at_ms)) " · " (flag.terminal) " entry " (flag.seq) ": " (flag.reason) }
                }
            }
        }
    };
    Ok(layout::page("Dashboard", &signed, "/office/", body))
}
