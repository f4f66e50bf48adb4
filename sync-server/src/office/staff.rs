//! Till staff: who logs in at which store's tills, with which role; a new
//! PIN, a new person, someone switched off. Tills pick changes up at their
//! next sync. PINs are never shown or logged.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use pos_shared::roles::Role;

use super::layout::{self, csrf};
use super::session::{Refusal, Signed};
use super::{Fields, Office, change};
use crate::storage::StoreError;
use crate::storage::head_office::office::Audited;
use crate::storage::rules::office::Permission;
use crate::storage::rules::{catalog, listings};
use crate::storage::sql::Database;

pub async fn page<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Markup, Refusal> {
    let (staff, stores) = office.run(move |head_office| Ok((head_office.staff()?, head_office.stores()?))).await?;
    let admin = signed.may(Permission::Administer).is_ok();
    let body = html! {
        (layout::notice(query.get("done").map(String::as_str)))
        table {
            thead { tr { th scope="col" { "Name" } th scope="col" { "Role" } th scope="col" { "Store" } th scope="col" { "State" }
                @if admin { th scope="col" { "Actions" } } } }
            tbody {
                @for person in &staff {
                    tr {
                        td { (person.name) } td { (person.role) } td { (person.store.clone().unwrap_or_else(|| "every store".into())) }
                        td { @if person.active { "active" } @else { "deactivated" } }
                        @if admin { td { @if person.active {
                            form method="post" action="/office/staff/deactivate" {
                                (csrf(&signed)) input type="hidden" name="name" value=(person.name);
                                button.danger type="submit" aria-label={ "Deactivate " (person.name) } { "Deactivate" }
                            }
                        } } }
                    }
                }
            }
        }
        @if admin {
            form method="post" action="/office/staff" {
                (csrf(&signed))
                fieldset { legend { "Add a person, or set someone's new PIN" }
                    label for="staff-name" { "Name" } input #staff-name name="name" required;
                    label for="role" { "Role" }
                    select #role name="role" { option value="cashier" { "Cashier" } option value="manager" { "Manager" } }
                    label for="pin" { "PIN (cashiers 4 digits or more, managers 6 or more)" }
                    input #pin type="password" name="pin" inputmode="numeric" autocomplete="off" required;
                    label for="staff-store" { "Store" }
                    select #staff-store name="store" {
                        option value="" { "Every store" }
                        @for s in &stores { option value=(s.code) { (s.code) " " (s.name) } }
                    }
                    button type="submit" { "Save" }
                }
            }
        }
    };
    Ok(layout::page("Staff", &signed, "/office/staff", body))
}

pub async fn save<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Form(form): Form<Fields>,
) -> Result<Response, Refusal> {
    let name = change(&office, &signed, form, Permission::Administer, "staff.save", |tx, form| {
        let field = |k: &str| form.get(k).cloned().unwrap_or_default();
        let role: Role =
            field("role").parse().map_err(|_| StoreError::BadRequest("choose cashier or manager".into()))?;
        let store = Some(field("store")).filter(|s| !s.is_empty());
        let name = field("name").trim().to_string();
        let before = listings::staff(tx)?.into_iter().find(|p| p.name.eq_ignore_ascii_case(&name));
        catalog::save_user(tx, &name, role, &field("pin"), store.as_deref())?;
        let at = |store: Option<&str>| store.unwrap_or("every store").to_string();
        let describe = |p: &listings::StaffRow| {
            format!("role: {}\nstore: {}\nactive: {}", p.role, at(p.store.as_deref()), p.active)
        };
        let after = format!("role: {}\nstore: {}\nactive: true\nPIN set", role.as_str(), at(store.as_deref()));
        Ok(Audited::new(name.clone(), name).before_after(before.as_ref().map(describe), Some(after)))
    })
    .await?;
    Ok(Redirect::to(&format!("/office/staff?done=Saved+{}", urlencoded(&name))).into_response())
}

pub async fn deactivate<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Form(form): Form<Fields>,
) -> Result<Response, Refusal> {
    change(&office, &signed, form, Permission::Administer, "staff.deactivate", |tx, form| {
        let name = form.get("name").cloned().unwrap_or_default();
        listings::deactivate_user(tx, &name)?;
        Ok(Audited::new((), name).before_after(Some("active".into()), Some("deactivated".into())))
    })
    .await?;
    Ok(Redirect::to("/office/staff?done=Deactivated").into_response())
}

/// Text made safe in a URL's query.
pub fn urlencoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
