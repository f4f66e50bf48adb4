//! Stores and tills: add a store, add a till (its one-time enrollment code
//! shown once, as text and as a QR code a scanner types into the till's
//! set-up), a new code for a till, revoke one; when each last pushed; and
//! the entries held for a decision (`held`).

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, PreEscaped, html};

use super::layout::{self, ago, csrf, when};
use super::session::{Refusal, Signed};
use super::{Fields, Office, change};
use crate::storage::StoreError;
use crate::storage::head_office::office::Audited;
use crate::storage::rules::admin::{self, CODE_VALID_HOURS, TerminalCreated};
use crate::storage::rules::office::Permission;
use crate::storage::sql::Database;

pub async fn page<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Markup, Refusal> {
    let (stores, tills, held) = office
        .run(move |head_office| {
            Ok((head_office.stores()?, head_office.tills()?, head_office.held_entries(None, false)?))
        })
        .await?;
    let admin = signed.may(Permission::Administer).is_ok();
    let body = html! {
        (layout::notice(query.get("done").map(String::as_str)))
        h2 { "Stores" }
        table {
            thead { tr { th scope="col" { "Code" } th scope="col" { "Name" } th scope="col" { "Currency" } th scope="col" { "Prices" } th scope="col" { "Time zone" } } }
            tbody { @for s in &stores { tr { td { (s.code) } td { (s.name) } td { (s.currency) }
                td { @if s.tax_mode == "inclusive" { "include tax" } @else { "exclude tax" } } td { (s.time_zone) } } } }
        }
        @if admin {
            form method="post" action="/office/stores" {
                (csrf(&signed))
                fieldset { legend { "Add a store" }
                    label for="store-name" { "Name" } input #store-name name="name" required;
                    label for="currency" { "Currency" } input #currency name="currency" value="EUR" required maxlength="3";
                    label for="time-zone" { "Time zone" }
                    input #time-zone name="time_zone" value=(crate::storage::zones::process_zone()) required maxlength="64"
                        placeholder="Europe/Paris";
                    label.check for="inclusive" { input #inclusive type="checkbox" name="inclusive" value="1" checked; " Shelf prices include tax" }
                    button type="submit" { "Add the store" }
                }
            }
        }
        h2 { "Tills" }
        table {
            thead { tr { th scope="col" { "Till" } th scope="col" { "Store" } th scope="col" { "State" } th scope="col" { "Last push" }
                th.num scope="col" { "Entries waiting" } @if admin { th scope="col" { "Actions" } } } }
            tbody {
                @for t in &tills {
                    tr {
                        td { (t.name) " " small { (t.terminal_id) } } td { (t.store) }
                        td { @if t.revoked { "revoked" } @else if t.enrolled { "enrolled" } @else { "waiting for enrollment" } }
                        td { @match t.last_push_ms { Some(ms) => { time datetime=(when(ms)) { (ago(ms)) } }, None => "never" } }
                        td.num { @match t.pending_entries { Some(n) => (n), None => "–" } }
                        @if admin { td.actions { @if !t.revoked {
                            form method="post" action={ "/office/tills/" (t.terminal_id) "/code" } {
                                (csrf(&signed)) button type="submit" { "New enrollment code" } }
                            a.danger href={ "/office/tills/" (t.terminal_id) "/revoke" } aria-label={ "Revoke " (t.terminal_id) } { "Revoke…" }
                        } } }
                    }
                }
            }
        }
        (super::held::section(&signed, &held))
        @if admin && !stores.is_empty() {
            form method="post" action="/office/tills" {
                (csrf(&signed))
                fieldset { legend { "Add a till" }
                    label for="till-store" { "Store" }
                    select #till-store name="store" { @for s in &stores { option value=(s.code) { (s.code) " " (s.name) } } }
                    label for="till-name" { "Name" } input #till-name name="name" required placeholder="Front counter";
                    button type="submit" { "Add the till" }
                }
            }
        }
    };
    Ok(layout::page("Stores & tills", &signed, "/office/stores", body))
}

pub async fn add_store<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Form(form): Form<Fields>,
) -> Result<Response, Refusal> {
    let code = change(&office, &signed, form, Permission::Administer, "store.add", |tx, form| {
        let field = |k: &str| form.get(k).cloned().unwrap_or_default();
        let inclusive = form.contains_key("inclusive");
        let zone = field("time_zone");
        let code = admin::add_store(tx, &field("name"), &field("currency"), inclusive, Some(&zone))?;
        let after = format!(
            "name: {}\ncurrency: {}\nprices include tax: {inclusive}\ntime zone: {zone}",
            field("name"),
            field("currency")
        );
        Ok(Audited::new(code.clone(), code).before_after(None, Some(after)))
    })
    .await?;
    Ok(Redirect::to(&format!("/office/stores?done=Store+{code}+added")).into_response())
}

/// The page that shows a new enrollment code, once.
fn code_page(signed: &Signed, created: &TerminalCreated, server: &str) -> Result<Markup, Refusal> {
    let qr = qrcode::QrCode::new(created.enrollment_code.as_bytes())
        .map_err(|e| StoreError::Internal(e.to_string()))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    let fingerprint = created.tls_fingerprint.as_deref().map(|f| format!(" --fingerprint {f}")).unwrap_or_default();
    let command = format!("pos-terminal enroll --server {server} --code {}{fingerprint}", created.enrollment_code);
    let body = html! {
        p { "Enter this code in the till's set-up, or scan the QR code with the till's scanner. It works once, until "
            (when(created.expires_ms)) "; it is not shown again." }
        p.code { "Enrollment code: " strong #enrollment-code { (created.enrollment_code) } }
        div.qr role="img" aria-label={ "QR code of the enrollment code " (created.enrollment_code) } { (PreEscaped(qr)) }
        p { "From a terminal's command line:" }
        pre { code #enroll-command { (command) } }
        p { a href="/office/stores" { "Back to stores & tills" } }
    };
    Ok(layout::page(&format!("Till {} ({})", created.terminal_id, created.name), signed, "/office/stores", body))
}

/// The address tills reach this server at, as the browser did.
fn server_address<D>(office: &Office<D>, headers: &HeaderMap) -> String {
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("HOST:PORT");
    format!("{}://{host}", if office.secure { "https" } else { "http" })
}

pub async fn add_till<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    headers: HeaderMap,
    Form(form): Form<Fields>,
) -> Result<Markup, Refusal> {
    let created = change(&office, &signed, form, Permission::Administer, "till.add", |tx, form| {
        let field = |k: &str| form.get(k).cloned().unwrap_or_default();
        let created = admin::add_terminal(tx, &field("store"), &field("name"), CODE_VALID_HOURS)?;
        let after = format!("name: {}\nstore: {}", created.name, field("store"));
        Ok(Audited::new(created.clone(), created.terminal_id.clone()).before_after(None, Some(after)))
    })
    .await?;
    code_page(&signed, &created, &server_address(&office, &headers))
}

pub async fn new_code<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<Fields>,
) -> Result<Markup, Refusal> {
    let created = change(&office, &signed, form, Permission::Administer, "till.new-code", move |tx, _| {
        let created = admin::new_enrollment_code(tx, &id, CODE_VALID_HOURS)?;
        Ok(Audited::new(created.clone(), created.terminal_id.clone()))
    })
    .await?;
    code_page(&signed, &created, &server_address(&office, &headers))
}

/// Asks before revoking: a revoked till cannot sync again.
pub async fn confirm_revoke(signed: Signed, Path(id): Path<String>) -> Result<Markup, Refusal> {
    signed.may(Permission::Administer)?;
    let body = html! {
        p { "A revoked till can no longer sync: its sales stay on it until it is enrolled again with a new code. \
             This cannot be undone." }
        form method="post" action={ "/office/tills/" (id) "/revoke" } {
            (csrf(&signed))
            button.danger type="submit" { "Revoke " (id) }
        }
        p { a href="/office/stores" { "Keep it: back to stores & tills" } }
    };
    Ok(layout::page(&format!("Revoke till {id}?"), &signed, "/office/stores", body))
}

pub async fn revoke<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<Fields>,
) -> Result<Response, Refusal> {
    let revoked = change(&office, &signed, form, Permission::Administer, "till.revoke", move |tx, _| {
        admin::revoke_terminal(tx, &id)?;
        Ok(Audited::new(id.clone(), id.clone()).before_after(Some("active".into()), Some("revoked".into())))
    })
    .await?;
    Ok(Redirect::to(&format!("/office/stores?done=Till+{revoked}+revoked")).into_response())
}
