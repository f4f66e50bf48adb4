//! The catalog: search as you type, a product's form (the same field
//! checks as a CSV line, barcodes' check digits included) with its stock
//! ledger per store, archiving, and a CSV import previewed line by line
//! before anything is written; the export writes what the import reads.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use pos_shared::protocol::WireProduct;

use super::layout::{self, csrf, when};
use super::session::{Refusal, Signed};
use super::{Fields, Office, change, upload};
use crate::storage::head_office::office::Audited;
use crate::storage::rules::catalog;
use crate::storage::rules::catalog_edit::{self, ImportPreview, fields};
use crate::storage::rules::ledger::Ledger;
use crate::storage::rules::listings::StoreRow;
use crate::storage::rules::office::Permission;
use crate::storage::sql::Database;
use crate::storage::{StoreError, StoreResult};

/// An imported file as the audit log keeps it: its first 64 KiB.
fn excerpt(csv: &str) -> String {
    const KEPT: usize = 64 * 1024;
    match csv.char_indices().nth(KEPT) {
        Some((end, _)) => format!("{}\n… ({} bytes in all)", &csv[..end], csv.len()),
        None => csv.to_string(),
    }
}

/// A product's fields as the audit log records them, one per line.
fn describe(product: &WireProduct) -> String {
    let mut lines: Vec<String> = fields(product).iter().map(|(k, v)| format!("{k}: {v}")).collect();
    if product.archived {
        lines.push("archived".into());
    }
    lines.join("\n")
}

/// The search results, a fragment the search box replaces as one types.
fn results(query: &str, found: &[WireProduct]) -> Markup {
    html! {
        div #results aria-live="polite" {
            @if !query.trim().is_empty() {
                p { (layout::count(found.len(), "product matches", "products match")) @if found.len() as u32 == catalog_edit::SEARCH_LIMIT { " (the first " (catalog_edit::SEARCH_LIMIT) ": type more)" } " “" (query) "”" }
            }
            @if !found.is_empty() {
                table {
                    thead { tr { th scope="col" { "SKU" } th scope="col" { "Name" } th.num scope="col" { "Price" }
                        th scope="col" { "Category" } th scope="col" { "Barcodes" } } }
                    tbody {
                        @for p in found {
                            tr {
                                td { a href={ "/office/products/" (p.sku) } { (p.sku) } }
                                td { (p.name) @if p.archived { " " small { "(archived)" } } }
                                td.num { (p.price) } td { (p.category) } td { (p.barcodes.join(", ")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What the query `q` asks for, and the products it finds.
async fn find<D: Database>(
    office: &Office<D>,
    query: &HashMap<String, String>,
) -> Result<(String, Vec<WireProduct>), Refusal> {
    let q = query.get("q").cloned().unwrap_or_default();
    let search = q.clone();
    Ok((q, office.run(move |head_office| head_office.search_products(&search)).await?))
}

pub async fn page<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Markup, Refusal> {
    let (q, found) = find(&office, &query).await?;
    let editor = signed.may(Permission::EditCatalog).is_ok();
    let body = html! {
        (layout::notice(query.get("done").map(String::as_str)))
        form.search method="get" action="/office/catalog" role="search" {
            label for="q" { "Find a product by name, SKU or barcode" }
            input #q type="search" name="q" value=(q) autocomplete="off" autofocus
                hx-get="/office/catalog/search" hx-trigger="input changed delay:150ms, search" hx-target="#results" hx-swap="outerHTML";
            button type="submit" { "Search" }
        }
        (results(&q, &found))
        section aria-labelledby="csv-h" {
            h2 #csv-h { "CSV" }
            p { a href="/office/catalog/export.csv" download { "Export the catalog as CSV" } }
            @if editor {
                p { a href="/office/products/new" { "Add a product" } }
                form method="post" action="/office/catalog/import" enctype="multipart/form-data" {
                    (csrf(&signed))
                    label for="file" { "Import a catalog CSV (you see what changes before anything is written)" }
                    input #file type="file" name="file" accept=".csv,text/csv" required;
                    button type="submit" { "Preview the import" }
                }
            }
        }
    };
    Ok(layout::page("Catalog", &signed, "/office/catalog", body))
}

pub async fn search<D: Database>(
    State(office): State<Office<D>>,
    _signed: Signed,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Markup, Refusal> {
    let (q, found) = find(&office, &query).await?;
    Ok(results(&q, &found))
}

/// A product's fields as a form shows them.
fn form_values(product: &WireProduct) -> Fields {
    fields(product).into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The product form with `values`, for a product that exists or a new
/// one, with what was wrong with the last attempt.
fn product_form(signed: &Signed, values: &Fields, exists: bool, problem: Option<&str>) -> Markup {
    let editor = signed.may(Permission::EditCatalog).is_ok();
    let value = |k: &str| values.get(k).cloned().unwrap_or_default();
    let labels = [
        ("sku", "SKU"),
        ("name", "Name"),
        ("price", "Price"),
        ("cost", "Cost price"),
        ("tax_rate", "Tax rate (%)"),
        ("unit", "Unit (each, kg, g, l, m)"),
        ("category", "Category"),
        ("barcode", "Barcodes (several joined by |; check digits are verified)"),
        ("reorder_point", "Reorder point"),
    ];
    html! {
        @if let Some(problem) = problem { p.error role="alert" #problem { (problem) } }
        form.product method="post" action="/office/products" {
            (csrf(signed))
            @if !exists { input type="hidden" name="new" value="1"; }
            fieldset disabled[!editor] {
                legend { @if exists { "Product" } @else { "New product" } }
                @for (name, label) in labels {
                    label for=(name) { (label) }
                    @if name == "sku" && exists {
                        input #(name) name=(name) value=(value(name)) readonly;
                    } @else {
                        input #(name) name=(name) value=(value(name)) required[matches!(name, "sku" | "name" | "price")];
                    }
                }
                @if editor { button type="submit" { "Save" } }
            }
        }
    }
}

pub async fn new_product(signed: Signed) -> Result<Markup, Refusal> {
    signed.may(Permission::EditCatalog)?;
    Ok(layout::page("New product", &signed, "/office/catalog", product_form(&signed, &Fields::new(), false, None)))
}

fn ledger_section(store: &StoreRow, ledger: &Ledger) -> Markup {
    html! {
        section aria-labelledby={ "ledger-" (store.code) } {
            h3 id={ "ledger-" (store.code) } { (store.code) " " (store.name) ": " (ledger.on_hand) " on hand" }
            p { "The sum of " (ledger.movements) " movements"
                @if ledger.movements > ledger.rows.len() as u64 { "; the newest " (ledger.rows.len()) " are listed" } "." }
            @if !ledger.rows.is_empty() {
                table.ledger {
                    thead { tr { th scope="col" { "When" } th scope="col" { "Movement" } th.num scope="col" { "Quantity" }
                        th.num scope="col" { "On hand after" } th scope="col" { "Document" } th scope="col" { "Till entry" } } }
                    tbody {
                        @for row in &ledger.rows {
                            tr { td { (row.at_ms.map(when).unwrap_or_default()) } td { (row.reason) } td.num { (row.quantity) }
                                td.num { (row.on_hand_after) } td { (row.document.clone().unwrap_or_default()) }
                                td { (row.terminal) " #" (row.seq) } }
                        }
                    }
                }
            }
        }
    }
}

pub async fn product<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Path(sku): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Markup, Refusal> {
    let (product, ledgers) = office.run(move |head_office| head_office.product_ledgers(&sku)).await?;
    let title = format!("{} {}", product.sku, product.name);
    let body = html! {
        (layout::notice(query.get("done").map(String::as_str)))
        @if product.archived { p.warn { "Archived: the tills no longer sell it." } }
        (product_form(&signed, &form_values(&product), true, None))
        @if !product.archived && signed.may(Permission::EditCatalog).is_ok() {
            form method="post" action={ "/office/products/" (product.sku) "/archive" } {
                (csrf(&signed))
                button.danger type="submit" { "Archive (stop selling it)" }
            }
        }
        h2 { "Stock ledger" }
        @for (store, ledger) in &ledgers { (ledger_section(store, ledger)) }
    };
    Ok(layout::page(&title, &signed, "/office/catalog", body))
}

/// What a person typed, as the CSV's checks read it: a decimal comma is
/// a decimal point, and a form must say its tax rate and unit (a CSV line
/// may leave them out for 0 % and `each`).
fn normalised(form: &Fields) -> StoreResult<Fields> {
    let mut form = form.clone();
    for key in ["price", "cost", "tax_rate", "reorder_point"] {
        if let Some(value) = form.get_mut(key).filter(|v| !v.contains('.')) {
            *value = value.replace(',', ".");
        }
    }
    for (key, what) in [("tax_rate", "the tax rate (0 for none)"), ("unit", "the unit (each, kg, g, l or m)")] {
        if form.get(key).is_none_or(|v| v.trim().is_empty()) {
            return Err(StoreError::BadRequest(format!("give {what}")));
        }
    }
    Ok(form)
}

pub async fn save<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Form(form): Form<Fields>,
) -> Result<Response, Refusal> {
    let typed = form.clone();
    let saved = change(&office, &signed, form, Permission::EditCatalog, "product.save", |tx, form| {
        let (before, after) = catalog_edit::save_product(tx, &normalised(form)?)?;
        if let (Some(existing), true) = (&before, form.contains_key("new")) {
            return Err(StoreError::Conflict(format!(
                "{} already exists ({}): open it from the catalog to change it",
                existing.sku, existing.name
            )));
        }
        let audited = Audited::new(after.sku.clone(), after.sku.clone());
        Ok(audited.before_after(before.as_ref().map(describe), Some(describe(&after))))
    })
    .await;
    // A mistake in the form: the form again, as typed, with what is wrong.
    let saved = match saved {
        Err(Refusal::Store(StoreError::BadRequest(problem) | StoreError::Conflict(problem))) => {
            let exists = !typed.contains_key("new");
            let title = if exists { "Product" } else { "New product" };
            let page =
                layout::page(title, &signed, "/office/catalog", product_form(&signed, &typed, exists, Some(&problem)));
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
        other => other?,
    };
    Ok(Redirect::to(&format!("/office/products/{saved}?done=Saved")).into_response())
}

pub async fn archive<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Path(sku): Path<String>,
    Form(form): Form<Fields>,
) -> Result<Response, Refusal> {
    let archived = change(&office, &signed, form, Permission::EditCatalog, "product.archive", move |tx, _| {
        let before = catalog_edit::product(tx, &sku)?;
        catalog::archive_product(tx, &before.sku)?;
        let after = catalog_edit::product(tx, &before.sku)?;
        Ok(Audited::new(after.sku.clone(), after.sku.clone())
            .before_after(Some(describe(&before)), Some(describe(&after))))
    })
    .await?;
    Ok(Redirect::to(&format!("/office/products/{archived}?done=Archived")).into_response())
}

fn preview_page(signed: &Signed, csv: &str, preview: &ImportPreview) -> Markup {
    html! {
        @if !preview.errors.is_empty() {
            section aria-labelledby="bad-h" {
                h2 #bad-h { (layout::count(preview.errors.len(), "bad line", "bad lines")) ": nothing will be imported" }
                p { "Correct these lines in the file and preview it again." }
                table.errors {
                    thead { tr { th.num scope="col" { "Line" } th scope="col" { "Problem" } } }
                    tbody { @for e in &preview.errors { tr { td.num { (e.line) } td { (e.message) } } } }
                }
            }
        }
        p { (preview.added.len()) " new, " (preview.changed.len()) " changed, " (preview.unchanged) " unchanged." }
        @if !preview.changed.is_empty() {
            h2 { "Changes" }
            table {
                thead { tr { th scope="col" { "SKU" } th scope="col" { "Field" } th scope="col" { "Now" } th scope="col" { "After the import" } } }
                tbody {
                    @for (before, after) in &preview.changed {
                        @for ((field, old), (_, new)) in fields(before).iter().zip(fields(after).iter()) {
                            @if old != new { tr { td { (before.sku) } td { (field) } td { (old) } td { (new) } } }
                        }
                    }
                }
            }
        }
        @if !preview.added.is_empty() {
            h2 { "New products" }
            table {
                thead { tr { th scope="col" { "SKU" } th scope="col" { "Name" } th.num scope="col" { "Price" } } }
                tbody { @for p in &preview.added { tr { td { (p.sku) } td { (p.name) } td.num { (p.price) } } } }
            }
        }
        @if preview.errors.is_empty() && (preview.changed.len() + preview.added.len()) > 0 {
            form method="post" action="/office/catalog/import/confirm" {
                (csrf(signed))
                input type="hidden" name="csv" value=(csv);
                button type="submit" { "Import these changes" }
            }
        }
        p { a href="/office/catalog" { "Back to the catalog" } }
    }
}

pub async fn import_preview<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    multipart: Multipart,
) -> Result<Markup, Refusal> {
    let (form, csv) = upload(multipart).await?;
    signed.check(&form, Permission::EditCatalog)?;
    let text = String::from_utf8(csv)
        .map_err(|_| StoreError::BadRequest("the file is not UTF-8 text: save it as CSV UTF-8".into()))?;
    let bytes = text.clone().into_bytes();
    let preview = office.run(move |head_office| head_office.preview_catalog(&bytes)).await?;
    Ok(layout::page("Catalog import: preview", &signed, "/office/catalog", preview_page(&signed, &text, &preview)))
}

pub async fn import_confirm<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Form(form): Form<Fields>,
) -> Result<Response, Refusal> {
    let count = change(&office, &signed, form, Permission::EditCatalog, "catalog.import", |tx, form| {
        let csv = form.get("csv").map_or("", String::as_str);
        let count = catalog::import_catalog(tx, csv.as_bytes())?;
        Ok(Audited::new(count, format!("{count} products")).before_after(None, Some(excerpt(csv))))
    })
    .await?;
    Ok(Redirect::to(&format!("/office/catalog?done=Imported+{count}+products")).into_response())
}

pub async fn export<D: Database>(State(office): State<Office<D>>, _signed: Signed) -> Result<Response, Refusal> {
    let csv = office.run(move |head_office| head_office.export_catalog()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"catalog.csv\""),
        ],
        csv,
    )
        .into_response())
}
