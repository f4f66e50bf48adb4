//! The audit log (every change made in the back office: who, when, what,
//! before and after), filterable; and the back office's own accounts.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use maud::{Markup, html};

use super::layout::{self, csrf, when};
use super::session::{Refusal, Signed};
use super::{Fields, Office, change};
use crate::storage::head_office::office::Audited;
use crate::storage::rules::office::{self, AuditFilter, OfficeRole, Permission};
use crate::storage::sql::Database;

/// Changes the page lists at most.
const AUDIT_ROWS: u32 = 500;

pub async fn page<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Markup, Refusal> {
    let field = |k: &str| query.get(k).cloned().filter(|v| !v.trim().is_empty());
    let filter = AuditFilter { actor: field("actor"), action: field("action"), subject: field("subject") };
    let wanted = filter.clone();
    let rows = office.run(move |head_office| head_office.audit_log(&wanted, AUDIT_ROWS)).await?;
    let body = html! {
        form.filters method="get" action="/office/audit" {
            label for="actor" { "Who (e-mail)" } input #actor name="actor" value=(filter.actor.clone().unwrap_or_default());
            label for="action" { "Action" } input #action name="action" value=(filter.action.clone().unwrap_or_default()) placeholder="product.save";
            label for="subject" { "Subject contains" } input #subject name="subject" value=(filter.subject.clone().unwrap_or_default());
            button type="submit" { "Filter" }
        }
        table.audit {
            thead { tr { th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "Action" } th scope="col" { "Subject" }
                th scope="col" { "Before" } th scope="col" { "After" } } }
            tbody {
                @for r in &rows {
                    tr { td { (when(r.at_ms)) } td { (r.actor) } td { (r.action) } td { (r.subject) }
                        td { pre { (r.before.clone().unwrap_or_default()) } } td { pre { (r.after.clone().unwrap_or_default()) } } }
                }
                @if rows.is_empty() { tr { td colspan="6" { "No changes match." } } }
            }
        }
    };
    Ok(layout::page("Audit log", &signed, "/office/audit", body))
}

fn accounts_page(signed: &Signed, accounts: &[office::AccountRow], created: Option<(&str, &str)>) -> Markup {
    let body = html! {
        @if let Some((email, password)) = created {
            p.notice role="status" { "Account " (email) " is ready. Its one-time password, shown only now: "
                strong #one-time-password { (password) } ". They choose their own at their first log-in." }
        }
        table {
            thead { tr { th scope="col" { "E-mail" } th scope="col" { "Role" } th scope="col" { "State" } th.num scope="col" { "Sessions" } } }
            tbody { @for a in accounts { tr { td { (a.email) } td { (a.role) }
                td { @if !a.active { "inactive" } @else if a.locked { "slowed: wrong passwords" } @else { "active" } } td.num { (a.sessions) } } } }
        }
        form method="post" action="/office/accounts" {
            (csrf(signed))
            fieldset { legend { "Add an account, or reset one's password" }
                label for="email" { "E-mail" } input #email type="email" name="email" required;
                label for="role" { "Role" }
                select #role name="role" { @for r in OfficeRole::ALL.iter().rev() { option value=(r.as_str()) { (r.as_str()) } } }
                button type="submit" { "Save and show a one-time password" }
            }
        }
    };
    layout::page("Back-office accounts", signed, "/office/accounts", body)
}

pub async fn accounts<D: Database>(State(office): State<Office<D>>, signed: Signed) -> Result<Markup, Refusal> {
    signed.may(Permission::Administer)?;
    let rows = office.run(move |head_office| head_office.office_accounts()).await?;
    Ok(accounts_page(&signed, &rows, None))
}

pub async fn add_account<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Form(form): Form<Fields>,
) -> Result<Markup, Refusal> {
    let email = form.get("email").cloned().unwrap_or_default();
    let password = change(&office, &signed, form, Permission::Administer, "account.save", |tx, form| {
        let email = form.get("email").map_or("", String::as_str);
        let role: OfficeRole = form.get("role").map_or("", String::as_str).parse()?;
        let before = office::accounts(tx, 0)?.into_iter().find(|a| a.email.eq_ignore_ascii_case(email.trim()));
        let password = office::add_user(tx, email, role)?;
        let after = format!("role: {}\none-time password issued", role.as_str());
        Ok(Audited::new(password, email.trim()).before_after(before.map(|a| format!("role: {}", a.role)), Some(after)))
    })
    .await?;
    let rows = office.run(move |head_office| head_office.office_accounts()).await?;
    Ok(accounts_page(&signed, &rows, Some((&email, &password))))
}
