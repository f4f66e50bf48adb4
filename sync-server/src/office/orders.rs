//! Customer orders from every channel by state, and available-to-promise
//! for a few products (on hand less what confirmed orders hold).

use std::collections::HashMap;

use axum::extract::{Query, State};
use maud::{Markup, html};
use pos_shared::orders::OrderStatus;

use super::Office;
use super::layout::{self, when};
use super::session::{Refusal, Signed};
use crate::storage::OrderDesk;
use crate::storage::StoreError;
use crate::storage::sql::Database;

/// Orders a page lists at most.
const ORDERS_SHOWN: usize = 500;
const STATES: [&str; 4] = ["quote", "confirmed", "collected", "cancelled"];

pub async fn page<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Markup, Refusal> {
    let field = |k: &str| query.get(k).cloned().filter(|v| !v.trim().is_empty());
    let (store, status, channel, codes) = (field("store"), field("status"), field("channel"), field("codes"));
    let (stores, orders, available) = {
        let (store, codes) = (store.clone(), codes.clone());
        let status = status.clone();
        office
            .run(move |head_office| {
                let status: Option<OrderStatus> =
                    status.map(|s| s.parse()).transpose().map_err(StoreError::BadRequest)?;
                let codes: Vec<String> =
                    codes.unwrap_or_default().split([' ', ',']).filter(|c| !c.is_empty()).map(str::to_string).collect();
                let available =
                    if codes.is_empty() { Vec::new() } else { head_office.availability(&codes, store.as_deref())? };
                Ok((head_office.stores()?, head_office.orders(store.as_deref(), status)?, available))
            })
            .await?
    };
    let orders: Vec<_> = orders.into_iter().filter(|o| channel.as_ref().is_none_or(|c| &o.channel == c)).collect();
    let channels = ["phone", "online", "sales"];
    let body = html! {
        form.filters method="get" action="/office/orders" {
            label for="store" { "Store" }
            select #store name="store" { option value="" { "Every store" }
                @for s in &stores { option value=(s.code) selected[store.as_deref() == Some(s.code.as_str())] { (s.code) " " (s.name) } } }
            label for="status" { "State" }
            select #status name="status" { option value="" { "Every state" }
                @for s in STATES { option value=(s) selected[status.as_deref() == Some(s)] { (s) } } }
            label for="channel" { "Channel" }
            select #channel name="channel" { option value="" { "Every channel" }
                @for c in channels { option value=(c) selected[channel.as_deref() == Some(c)] { (c) } } }
            button type="submit" { "Show" }
        }
        p { (orders.len()) " orders" @if orders.len() > ORDERS_SHOWN { "; the newest " (ORDERS_SHOWN) " are listed" } "." }
        table {
            thead { tr { th scope="col" { "Number" } th scope="col" { "Channel" } th scope="col" { "Customer" } th scope="col" { "Store" }
                th scope="col" { "State" } th scope="col" { "Fulfilment" } th.num scope="col" { "Total" } th scope="col" { "Created" } } }
            tbody {
                @for o in orders.iter().take(ORDERS_SHOWN) {
                    tr { td { (o.number) } td { (o.channel) } td { (o.customer_name) " " small { (o.customer) } } td { (o.store) }
                        td { (o.status) } td { (o.fulfilment) } td.num { (o.total) } td { (when(o.created_ms)) } }
                }
            }
        }
        h2 { "Available to promise" }
        form.filters method="get" action="/office/orders" {
            label for="codes" { "SKUs or barcodes (several: separate with spaces)" }
            input #codes name="codes" value=(codes.clone().unwrap_or_default());
            @if let Some(store) = &store { input type="hidden" name="store" value=(store); }
            button type="submit" { "Check" }
        }
        @if !available.is_empty() {
            table {
                thead { tr { th scope="col" { "Store" } th scope="col" { "SKU" } th.num scope="col" { "On hand" }
                    th.num scope="col" { "Held by orders" } th.num scope="col" { "Available" } } }
                tbody { @for a in &available { tr { td { (a.store) } td { (a.sku) } td.num { (a.on_hand) } td.num { (a.reserved) } td.num { (a.available) } } } }
            }
        }
    };
    Ok(layout::page("Customer orders", &signed, "/office/orders", body))
}
