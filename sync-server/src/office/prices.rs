//! Prices and promotions: the price lists, every promotion with what it
//! cost and sold, and a promotion file imported (all of it or nothing,
//! every bad line listed).

use std::collections::HashMap;

use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use pos_shared::entry_rules::excerpt;
use pos_shared::pricing::rules::read_promotions;

use super::layout::{self, csrf};
use super::session::{Refusal, Signed};
use super::{Office, change, upload};
use crate::storage::StoreError;
use crate::storage::head_office::office::Audited;
use crate::storage::rules::office::Permission;
use crate::storage::rules::prices;
use crate::storage::sql::Database;

pub async fn page<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Markup, Refusal> {
    render(&office, &signed, query.get("done").map(String::as_str), &[]).await
}

/// The page, with a notice or the bad lines of a refused file.
async fn render<D: Database>(
    office: &Office<D>,
    signed: &Signed,
    done: Option<&str>,
    errors: &[String],
) -> Result<Markup, Refusal> {
    let (lists, promotions) =
        office.run(move |head_office| Ok((head_office.price_lists()?, head_office.promotions()?))).await?;
    let editor = signed.may(Permission::EditCatalog).is_ok();
    let open = |value: &Option<String>| value.clone().unwrap_or_else(|| "–".into());
    let body = html! {
        (layout::notice(done))
        @if !errors.is_empty() {
            section aria-labelledby="bad-h" role="alert" {
                h2 #bad-h { (layout::count(errors.len(), "bad line", "bad lines")) ": nothing was imported" }
                p { "Correct these lines in the file and import it again." }
                table.errors { thead { tr { th scope="col" { "Problem" } } }
                    tbody { @for e in errors { tr { td { (e) } } } } }
            }
        }
        section aria-labelledby="promotions-h" {
            h2 #promotions-h { "Promotions" }
            table {
                thead { tr { th scope="col" { "Code" } th scope="col" { "Name" } th scope="col" { "Kind" }
                    th.num scope="col" { "Lines" } th.num scope="col" { "Discount given" } th.num scope="col" { "Sold (before tax)" }
                    th scope="col" { "Coupon" } } }
                tbody { @for p in &promotions { tr {
                    td { (p.code) } td { (p.name) } td { (p.kind) } td.num { (p.lines) } td.num { (p.discount) }
                    td.num { (p.net) }
                    td { @if let Some(coupon) = &p.coupon { (coupon) " used " (p.coupon_uses)
                        @if let Some(allowed) = p.uses_allowed { " of " (allowed) } } }
                } } }
            }
            @if promotions.is_empty() { p { "No promotions yet." } }
            @if editor {
                form method="post" action="/office/prices/promotions" enctype="multipart/form-data" {
                    (csrf(signed))
                    label for="file" { "Import a promotion file (CSV, the format of docs/promotions.md; promotions with the same code are replaced)" }
                    input #file type="file" name="file" accept=".csv,text/csv" required;
                    button type="submit" { "Import the promotions" }
                }
            }
        }
        section aria-labelledby="lists-h" {
            h2 #lists-h { "Price lists" }
            table {
                thead { tr { th scope="col" { "Name" } th scope="col" { "Store" } th scope="col" { "Customer group" }
                    th scope="col" { "From" } th scope="col" { "To" } th.num scope="col" { "Prices" } } }
                tbody { @for l in &lists { tr { td { (l.name) } td { (open(&l.store)) } td { (open(&l.group)) }
                    td { (open(&l.from)) } td { (open(&l.to)) } td.num { (l.prices) } } } }
            }
            @if lists.is_empty() { p { "No price lists yet: pos-sync-server pricelist add." } }
        }
    };
    Ok(layout::page("Prices & promotions", signed, "/office/prices", body))
}

pub async fn import<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    multipart: Multipart,
) -> Result<Response, Refusal> {
    let (mut form, csv) = upload(multipart).await?;
    signed.check(&form, Permission::EditCatalog)?;
    let text = String::from_utf8(csv)
        .map_err(|_| StoreError::BadRequest("the file is not UTF-8 text: save it as CSV UTF-8".into()))?;
    if let Err(errors) = read_promotions(text.as_bytes()) {
        return Ok(render(&office, &signed, None, &errors).await?.into_response());
    }
    form.insert("csv".into(), text);
    let count = change(&office, &signed, form, Permission::EditCatalog, "promotions.import", |tx, form| {
        let csv = form.get("csv").map_or("", String::as_str);
        let count = prices::import_promotions(tx, csv.as_bytes())?;
        Ok(Audited::new(count, format!("{count} promotions")).before_after(None, Some(excerpt(csv))))
    })
    .await?;
    Ok(Redirect::to(&format!("/office/prices?done=Imported+{count}+promotions")).into_response())
}
