//! Purchasing: suppliers, purchase orders and transfers (created, sent to
//! the store's tills, seen received and short), and today's reorder
//! suggestions turned into drafts.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use pos_shared::money::Money;
use pos_shared::protocol::WirePurchaseOrder;
use rust_decimal::Decimal;

use super::layout::{self, csrf, when};
use super::session::{Refusal, Signed};
use super::{Fields, Office, change};
use crate::storage::StoreError;
use crate::storage::head_office::office::Audited;
use crate::storage::rules::office::Permission;
use crate::storage::rules::purchasing::{self, PoLineRequest};
use crate::storage::rules::reorder::{self, ReorderPolicy};
use crate::storage::sql::Database;

/// Lines typed one per line: `SKU-or-barcode quantity [cost]`.
fn parse_lines(text: &str) -> Result<Vec<PoLineRequest>, StoreError> {
    let mut lines = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let words: Vec<&str> = line.split([' ', '\t', ';']).filter(|w| !w.is_empty()).collect();
        let (code, qty, cost) = match words.as_slice() {
            [code, qty] => (code, qty, None),
            [code, qty, cost] => (code, qty, Some(cost)),
            _ => {
                return Err(StoreError::BadRequest(format!(
                    "line {}: write a SKU or barcode, a quantity and optionally a cost, like `BAK0001 12 0.45`",
                    n + 1
                )));
            }
        };
        // A decimal comma is a decimal point.
        let (qty, cost) = (qty.replace(',', "."), cost.map(|c| c.replace(',', ".")));
        let cost = cost
            .map(|c| {
                Money::parse_non_negative(&c).map_err(|e| StoreError::BadRequest(format!("line {}: cost: {e}", n + 1)))
            })
            .transpose()?;
        lines.push(PoLineRequest { code: code.to_string(), qty, cost });
    }
    if lines.is_empty() {
        return Err(StoreError::BadRequest("an order needs at least one line".into()));
    }
    Ok(lines)
}

fn orders_table(orders: &[WirePurchaseOrder]) -> Markup {
    html! {
        table {
            thead { tr { th scope="col" { "Number" } th scope="col" { "From" } th scope="col" { "To store" } th scope="col" { "State" }
                th scope="col" { "Created" } th.num scope="col" { "Lines" } } }
            tbody {
                @for po in orders {
                    tr { td { a href={ "/office/purchase-orders/" (po.number) } { (po.number) } } td { (po.supplier) } td { (po.store) }
                        td { (po.status) } td { (when(po.created_ms)) } td.num { (po.lines.len()) } }
                }
                @if orders.is_empty() { tr { td colspan="6" { "No purchase orders yet." } } }
            }
        }
    }
}

pub async fn page<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Markup, Refusal> {
    let (suppliers, stores, orders, suggestions) = office
        .run(move |head_office| {
            Ok((
                head_office.suppliers()?,
                head_office.stores()?,
                head_office.purchase_orders(None)?,
                head_office.reorder_suggestions(None, ReorderPolicy::default())?,
            ))
        })
        .await?;
    let buyer = signed.may(Permission::Purchase).is_ok();
    let body = html! {
        (layout::notice(query.get("done").map(String::as_str)))
        h2 { "Purchase orders and transfers" }
        (orders_table(&orders))
        @if buyer {
            div.pair {
                form method="post" action="/office/purchase-orders" {
                    (csrf(&signed))
                    fieldset { legend { "New purchase order (the store's tills get it at their next sync)" }
                        input type="hidden" name="kind" value="purchase";
                        label for="po-supplier" { "Supplier" }
                        select #po-supplier name="from" { @for s in &suppliers { option value=(s.name) { (s.name) } } }
                        label for="po-store" { "For store" }
                        select #po-store name="to" { @for s in &stores { option value=(s.code) { (s.code) " " (s.name) } } }
                        label for="po-lines" { "Lines: SKU or barcode, quantity, cost; one per line" }
                        textarea #po-lines name="lines" rows="5" required placeholder="BAK0001 12 0.45" {}
                        button type="submit" { "Create the draft" }
                    }
                }
                form method="post" action="/office/purchase-orders" {
                    (csrf(&signed))
                    fieldset { legend { "New transfer between stores" }
                        input type="hidden" name="kind" value="transfer";
                        label for="tr-from" { "From store" }
                        select #tr-from name="from" { @for s in &stores { option value=(s.code) { (s.code) " " (s.name) } } }
                        label for="tr-to" { "To store" }
                        select #tr-to name="to" { @for (i, s) in stores.iter().enumerate() { option value=(s.code) selected[i == 1] { (s.code) " " (s.name) } } }
                        label for="tr-lines" { "Lines: SKU or barcode, quantity; one per line" }
                        textarea #tr-lines name="lines" rows="5" required {}
                        button type="submit" { "Create the transfer" }
                    }
                }
            }
        }
        h2 { "Reorder suggestions" }
        table {
            thead { tr { th scope="col" { "Store" } th scope="col" { "Product" } th scope="col" { "Supplier" } th.num scope="col" { "Available" }
                th.num scope="col" { "Suggested" } } }
            tbody {
                @for s in &suggestions {
                    tr { td { (s.store) } td { a href={ "/office/products/" (s.sku) } { (s.sku) " " (s.name) } }
                        td { (s.supplier.clone().unwrap_or_else(|| "none".into())) } td.num { (s.on_hand - s.reserved) } td.num { (s.suggested) } }
                }
                @if suggestions.is_empty() { tr { td colspan="5" { "Nothing to reorder today." } } }
            }
        }
        @if buyer && !suggestions.is_empty() {
            form method="post" action="/office/reorder" { (csrf(&signed)) button type="submit" { "Draft purchase orders from these" } }
        }
        h2 { "Suppliers" }
        table {
            thead { tr { th scope="col" { "Name" } th.num scope="col" { "Lead time (days)" } } }
            tbody {
                @for s in &suppliers { tr { td { (s.name) } td.num { (s.lead_time_days) } } }
                @if suppliers.is_empty() { tr { td colspan="2" { "No suppliers yet." } } }
            }
        }
        @if buyer {
            form method="post" action="/office/suppliers" {
                (csrf(&signed))
                fieldset { legend { "Add a supplier" }
                    label for="supplier-name" { "Name" } input #supplier-name name="name" required;
                    label for="lead" { "Lead time (days)" } input #lead name="lead_time_days" type="number" min="0" value="2" required;
                    button type="submit" { "Add the supplier" }
                }
            }
        }
    };
    Ok(layout::page("Purchasing", &signed, "/office/purchasing", body))
}

/// What a purchase order looks like in the audit log.
fn describe(po: &WirePurchaseOrder) -> String {
    let lines: Vec<String> = po.lines.iter().map(|l| format!("{} × {} at {}", l.sku, l.qty, l.cost)).collect();
    format!("{} → {} ({})\n{}", po.supplier, po.store, po.status, lines.join("\n"))
}

pub async fn create<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Form(form): Form<Fields>,
) -> Result<Response, Refusal> {
    let transfer = form.get("kind").is_some_and(|k| k == "transfer");
    let action = if transfer { "transfer.create" } else { "po.create" };
    let number = change(&office, &signed, form, Permission::Purchase, action, move |tx, form| {
        let field = |k: &str| form.get(k).cloned().unwrap_or_default();
        let lines = parse_lines(&field("lines"))?;
        let po = if transfer {
            purchasing::create_transfer(tx, &field("from"), &field("to"), &lines)?
        } else {
            purchasing::create_purchase_order(tx, &field("from"), &field("to"), &lines)?
        };
        Ok(Audited::new(po.number.clone(), po.number.clone()).before_after(None, Some(describe(&po))))
    })
    .await?;
    Ok(Redirect::to(&format!("/office/purchase-orders/{number}?done=Created")).into_response())
}

pub async fn send<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Path(number): Path<String>,
    Form(form): Form<Fields>,
) -> Result<Response, Refusal> {
    let sent = change(&office, &signed, form, Permission::Purchase, "po.send", move |tx, _| {
        let before = purchasing::load(tx, &number)?;
        let after = purchasing::send_purchase_order(tx, &number)?;
        Ok(Audited::new(after.number.clone(), after.number.clone())
            .before_after(Some(before.status), Some(after.status)))
    })
    .await?;
    Ok(Redirect::to(&format!("/office/purchase-orders/{sent}?done=Sent+to+the+store")).into_response())
}

pub async fn order<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Path(number): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Markup, Refusal> {
    let po = office.run(move |head_office| head_office.purchase_order(&number)).await?;
    let short = |qty: &str, received: &str| {
        let (qty, received) =
            (qty.parse::<Decimal>().unwrap_or_default(), received.parse::<Decimal>().unwrap_or_default());
        (qty - received).max(Decimal::ZERO).normalize()
    };
    let body = html! {
        (layout::notice(query.get("done").map(String::as_str)))
        p { "From " strong { (po.supplier) } " to store " strong { (po.store) } ", created " (when(po.created_ms)) ". State: "
            strong #po-status { (po.status) } }
        table {
            thead { tr { th scope="col" { "SKU" } th scope="col" { "Product" } th.num scope="col" { "Ordered" }
                th.num scope="col" { "Received" } th.num scope="col" { "Short" } th.num scope="col" { "Cost" } } }
            tbody {
                @for l in &po.lines {
                    tr { td { a href={ "/office/products/" (l.sku) } { (l.sku) } } td { (l.name) } td.num { (l.qty) }
                        td.num { (l.received) } td.num { (short(&l.qty, &l.received)) } td.num { (l.cost) } }
                }
            }
        }
        @if po.status == "draft" && signed.may(Permission::Purchase).is_ok() {
            form method="post" action={ "/office/purchase-orders/" (po.number) "/send" } {
                (csrf(&signed)) button type="submit" { "Send to the store" }
            }
        }
        p { a href="/office/purchasing" { "Back to purchasing" } }
    };
    let kind = if po.from_store.is_some() { "Transfer" } else { "Purchase order" };
    Ok(layout::page(&format!("{kind} {}", po.number), &signed, "/office/purchasing", body))
}

pub async fn add_supplier<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Form(form): Form<Fields>,
) -> Result<Response, Refusal> {
    change(&office, &signed, form, Permission::Purchase, "supplier.add", |tx, form| {
        let name = form.get("name").cloned().unwrap_or_default();
        let days: u32 = form
            .get("lead_time_days")
            .and_then(|d| d.trim().parse().ok())
            .ok_or_else(|| StoreError::BadRequest("the lead time is a whole number of days".into()))?;
        purchasing::add_supplier(tx, &name, days)?;
        Ok(Audited::new((), name).before_after(None, Some(format!("lead time: {days} days"))))
    })
    .await?;
    Ok(Redirect::to("/office/purchasing?done=Supplier+added").into_response())
}

pub async fn draft_reorder<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Form(form): Form<Fields>,
) -> Result<Response, Refusal> {
    let drafts = change(&office, &signed, form, Permission::Purchase, "reorder.draft", |tx, _| {
        let drafts = reorder::draft_reorder(tx, None, ReorderPolicy::default())?;
        let numbers: Vec<String> = drafts.iter().map(|d| d.number.clone()).collect();
        let after = drafts.iter().map(describe).collect::<Vec<_>>().join("\n\n");
        Ok(Audited::new(drafts.len(), numbers.join(", ")).before_after(None, Some(after)))
    })
    .await?;
    Ok(Redirect::to(&format!("/office/purchasing?done={drafts}+draft+purchase+orders")).into_response())
}
