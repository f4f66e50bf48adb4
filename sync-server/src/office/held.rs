//! Entries head office holds instead of applying them (a rule broken, a
//! signature that does not verify, a row that cannot be recorded), on the
//! stores and tills page: why each is held, and for an admin, accept (apply
//! it as it is) or reject (keep it, applied to nothing), with a reason;
//! each decision is in the audit log.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::layout::{csrf, when};
use super::session::{Refusal, Signed};
use super::{Fields, Office, change};
use crate::storage::head_office::office::Audited;
use crate::storage::rules::office::Permission;
use crate::storage::rules::quarantine::{self, Decision, HeldEntry};
use crate::storage::sql::Database;

/// The section listing what is held, with the decisions an admin may take.
pub fn section(signed: &Signed, held: &[HeldEntry]) -> Markup {
    let admin = signed.may(Permission::Administer).is_ok();
    html! {
        h2 #held-h { "Entries held for a decision" }
        @if held.is_empty() { p { "No entry waits for a decision." } }
        @else {
            p { "The tills' later entries are applied meanwhile. Accepting applies an entry as it is; rejecting keeps it, applied to nothing." }
            table aria-labelledby="held-h" {
                thead { tr { th scope="col" { "Till" } th.num scope="col" { "Entry" } th scope="col" { "What it records" }
                    th scope="col" { "Why it is held" }
                    th scope="col" { "Since" } @if admin { th scope="col" { "Decision" } } } }
                tbody {
                    @for h in held {
                        tr {
                            td { (h.terminal_id) } td.num { (h.seq) } td { (h.what) } td { (h.reason) }
                            td { time datetime=(when(h.held_at_ms)) { (when(h.held_at_ms)) } }
                            @if admin { td.actions {
                                form.decide method="post" action={ "/office/held/" (h.terminal_id) "/" (h.seq) } {
                                    (csrf(signed))
                                    label for={ "why-" (h.terminal_id) "-" (h.seq) } { "Reason" }
                                    input id={ "why-" (h.terminal_id) "-" (h.seq) } name="reason" maxlength="200" placeholder="needed to reject";
                                    button type="submit" name="decision" value="accept" { "Accept" }
                                    button.danger type="submit" name="decision" value="reject" { "Reject" }
                                }
                            } }
                        }
                    }
                }
            }
        }
    }
}

pub async fn decide<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Path((terminal, seq)): Path<(String, u64)>,
    Form(form): Form<Fields>,
) -> Result<Response, Refusal> {
    let by = signed.email().to_string();
    let word = change(&office, &signed, form, Permission::Administer, "held.decide", move |tx, form| {
        let decision = match form.get("decision").map(String::as_str) {
            Some("accept") => Decision::Accept,
            Some("reject") => Decision::Reject,
            _ => return Err(crate::storage::StoreError::BadRequest("choose accept or reject".into())),
        };
        let reason = form.get("reason").map(|r| r.trim()).filter(|r| !r.is_empty());
        let decided = quarantine::decide(tx, &terminal, seq, decision, &by, reason)?;
        let word = decided.decision.clone().unwrap_or_default();
        let what = format!("{} entry {}", decided.terminal_id, decided.seq);
        Ok(Audited::new(word.clone(), what).before_after(Some(format!("held: {}", decided.reason)), Some(word)))
    })
    .await?;
    Ok(Redirect::to(&format!("/office/stores?done=Entry+{word}")).into_response())
}
