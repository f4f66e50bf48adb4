//! Customers with an account: what each owes against their limit, each
//! one's statement (every sale on account and payment, the balance after
//! each, what went beyond the limit), a payment head office received
//! recorded (audited), and a gift card looked up by its number.

use std::collections::HashMap;

use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use pos_shared::journal::Credit;

use super::layout::{self, csrf, when};
use super::session::{Refusal, Signed};
use super::{Fields, Office, change};
use crate::storage::head_office::office::Audited;
use crate::storage::rules::credit::{self, Statement};
use crate::storage::rules::office::Permission;
use crate::storage::sql::Database;

pub async fn page<D: Database>(State(office): State<Office<D>>, signed: Signed) -> Result<Markup, Refusal> {
    let accounts = office.run(|head_office| head_office.accounts()).await?;
    let body = html! {
        section aria-labelledby="accounts-h" {
            h2 #accounts-h { "Customer accounts" }
            table {
                thead { tr { th scope="col" { "Customer" } th scope="col" { "Group" } th scope="col" { "VAT number" }
                    th.num scope="col" { "Credit limit" } th.num scope="col" { "Owed" } th.num scope="col" { "Terms" } } }
                tbody { @for a in &accounts { tr {
                    td { a href={ "/office/customers/" (a.code) } { (a.code) " " (a.name) } }
                    td { (a.group.as_deref().unwrap_or("–")) }
                    td { (a.vat_number.as_deref().unwrap_or("–")) }
                    td.num { (a.credit_limit) }
                    td.num { (a.owed) @if a.owed > a.credit_limit { " " strong.warn { "over the limit" } } }
                    td.num { @if let Some(days) = a.terms_days { (days) " days" } @else { "–" } }
                } } }
            }
            @if accounts.is_empty() { p { "No customer has an account yet: pos-sync-server customer add --credit-limit." } }
        }
        section aria-labelledby="card-h" {
            h2 #card-h { "Gift cards" }
            form.filters method="get" action="/office/giftcards" {
                label for="card" { "Gift card number" }
                input #card name="card" required;
                button type="submit" { "Look it up" }
            }
        }
    };
    Ok(layout::page("Customers", &signed, "/office/customers", body))
}

/// A statement's moves as a table, each flag under its move.
fn moves(statement: &Statement) -> Markup {
    html! {
        table.statement {
            thead { tr { th scope="col" { "When" } th scope="col" { "What" } th scope="col" { "Receipt or reference" }
                th scope="col" { "Till" } th.num scope="col" { "Amount" } th.num scope="col" { "Balance" } } }
            tbody { @for line in &statement.lines {
                tr { td { (when(line.at_ms)) } td { (line.what) } td { (line.receipt.as_deref().unwrap_or("")) }
                    td { (line.terminal.as_deref().unwrap_or("head office")) } td.num { (line.amount) } td.num { (line.balance) } }
                @for flag in &line.flags { tr.flag { td colspan="6" { strong.warn { "Flag: " } (flag) } } }
            } }
        }
        @if statement.lines.is_empty() { p { "Nothing yet." } }
    }
}

pub async fn statement<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Path(code): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Markup, Refusal> {
    let of = Credit::Account(code.clone());
    let statement = office.run(move |head_office| head_office.statement(&of)).await?;
    let may_record = signed.may(Permission::Receivables).is_ok();
    let name = statement.name.clone().unwrap_or_default();
    let body = html! {
        (layout::notice(query.get("done").map(String::as_str)))
        p { "Credit limit " (statement.credit_limit.map(|l| l.to_string()).unwrap_or_else(|| "none".into()))
            @if let Some(days) = statement.terms_days { ", to pay within " (days) " days" } ". "
            strong { "Owed " (statement.balance) } }
        (moves(&statement))
        @if may_record {
            section aria-labelledby="pay-h" {
                h2 #pay-h { "Record a payment received" }
                form.payment method="post" action={ "/office/customers/" (code) "/payments" } {
                    (csrf(&signed))
                    label for="amount" { "Amount" } input #amount name="amount" inputmode="decimal" required;
                    label for="reference" { "Reference (a transfer, a cheque)" } input #reference name="reference" required;
                    button type="submit" { "Record the payment" }
                }
            }
        }
    };
    Ok(layout::page(&format!("Statement of {code} {name}"), &signed, "/office/customers", body))
}

pub async fn record_payment<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Path(code): Path<String>,
    Form(form): Form<Fields>,
) -> Result<Response, Refusal> {
    let customer = code.clone();
    let owed = change(&office, &signed, form, Permission::Receivables, "account.payment", move |tx, form| {
        let field = |name: &str| form.get(name).map_or("", |v| v.trim());
        let before = credit::balance(tx, &Credit::Account(customer.clone()))?;
        let after = credit::take_payment(tx, &customer, field("amount"), field("reference"))?;
        Ok(Audited::new(after, customer.clone()).before_after(Some(before.to_string()), Some(after.to_string())))
    })
    .await?;
    Ok(Redirect::to(&format!("/office/customers/{code}?done=Payment+recorded%3A+{owed}+owed")).into_response())
}

pub async fn gift_card<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Markup, Refusal> {
    let card = query.get("card").map_or("", |c| c.trim()).to_string();
    let of = Credit::GiftCard(card.clone());
    let statement = office.run(move |head_office| head_office.statement(&of)).await?;
    let body = html! {
        p { strong { "Balance " (statement.balance) } }
        (moves(&statement))
    };
    Ok(layout::page(&format!("Gift card {card}"), &signed, "/office/customers", body))
}
