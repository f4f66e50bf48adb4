//! The web back office under `/office`: server-rendered pages for head
//! office's people (buyers, accountants, area managers), over the same
//! `HeadOffice` calls as the command line and the report API, so the three
//! never disagree. Every page checks its session and role on the server;
//! every form carries its session's CSRF token; every change is written
//! with its audit record in one transaction.

mod audit;
mod catalog;
mod chart;
mod customers;
mod dashboard;
mod held;
mod layout;
mod login;
mod orders;
mod prices;
mod purchasing;
mod reports;
mod session;
mod staff;
mod stock;
mod stores;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::api::guard::Throttle;
use crate::storage::head_office::HeadOffice;
use crate::storage::head_office::office::Audited;
use crate::storage::rules::office::Permission;
use crate::storage::sql::Database;
use crate::storage::{StoreError, StoreResult};
use session::{Refusal, Signed};

pub use session::COOKIE;

/// Largest form the back office takes: a catalog CSV of a few hundred
/// thousand products (only behind a session: a page's extractors check the
/// session before the body is read).
const FORM_LIMIT: usize = 64 * 1024 * 1024;
/// Largest log-in or password form: read before anyone is signed in.
const LOGIN_FORM_LIMIT: usize = 8 * 1024;
/// Failed log-ins from one address before it is paused (an office shares
/// one address; each account locks on its own after ten).
const ADDRESS_FAILURES: u32 = 50;

/// What every page handler gets.
pub struct Office<D> {
    pub head_office: Arc<HeadOffice<D>>,
    /// Served over TLS: cookies are `Secure`.
    pub secure: bool,
    throttle: Throttle,
}

impl<D> Clone for Office<D> {
    fn clone(&self) -> Self {
        Office { head_office: self.head_office.clone(), secure: self.secure, throttle: self.throttle.clone() }
    }
}

/// The back office's routes, to merge beside the API's.
pub fn router<D: Database>(head_office: Arc<HeadOffice<D>>, secure: bool) -> Router {
    let office = Office { head_office, secure, throttle: Throttle::new(ADDRESS_FAILURES) };
    Router::new()
        .route("/office", get(|| async { axum::response::Redirect::to("/office/") }))
        .route("/office/", get(dashboard::page::<D>))
        .route("/office/static/{file}", get(static_file))
        .route(
            "/office/login",
            get(login::form::<D>).post(login::submit::<D>).layer(DefaultBodyLimit::max(LOGIN_FORM_LIMIT)),
        )
        .route("/office/logout", post(login::log_out::<D>))
        .route("/office/logout-everywhere", post(login::log_out_everywhere::<D>))
        .route(
            "/office/password",
            get(login::password_form).post(login::change_password::<D>).layer(DefaultBodyLimit::max(LOGIN_FORM_LIMIT)),
        )
        .route("/office/catalog", get(catalog::page::<D>))
        .route("/office/catalog/search", get(catalog::search::<D>))
        .route("/office/catalog/export.csv", get(catalog::export::<D>))
        .route("/office/catalog/import", post(catalog::import_preview::<D>))
        .route("/office/catalog/import/confirm", post(catalog::import_confirm::<D>))
        .route("/office/products/new", get(catalog::new_product))
        .route("/office/products", post(catalog::save::<D>))
        .route("/office/products/{sku}", get(catalog::product::<D>))
        .route("/office/products/{sku}/archive", post(catalog::archive::<D>))
        .route("/office/prices", get(prices::page::<D>))
        .route("/office/prices/promotions", post(prices::import::<D>))
        .route("/office/customers", get(customers::page::<D>))
        .route("/office/customers/{code}", get(customers::statement::<D>))
        .route("/office/customers/{code}/payments", post(customers::record_payment::<D>))
        .route("/office/giftcards", get(customers::gift_card::<D>))
        .route("/office/stores", get(stores::page::<D>).post(stores::add_store::<D>))
        .route("/office/tills", post(stores::add_till::<D>))
        .route("/office/tills/{id}/revoke", get(stores::confirm_revoke).post(stores::revoke::<D>))
        .route("/office/tills/{id}/code", post(stores::new_code::<D>))
        .route("/office/held/{terminal}/{seq}", post(held::decide::<D>))
        .route("/office/staff", get(staff::page::<D>).post(staff::save::<D>))
        .route("/office/staff/deactivate", post(staff::deactivate::<D>))
        .route("/office/stock", get(stock::page::<D>))
        .route("/office/purchasing", get(purchasing::page::<D>))
        .route("/office/suppliers", post(purchasing::add_supplier::<D>))
        .route("/office/purchase-orders", post(purchasing::create::<D>))
        .route("/office/purchase-orders/{number}", get(purchasing::order::<D>))
        .route("/office/purchase-orders/{number}/send", post(purchasing::send::<D>))
        .route("/office/reorder", post(purchasing::draft_reorder::<D>))
        .route("/office/orders", get(orders::page::<D>))
        .route("/office/reports", get(reports::page::<D>))
        .route("/office/reports/{name}", get(reports::csv::<D>))
        .route("/office/audit", get(audit::page::<D>))
        .route("/office/accounts", get(audit::accounts::<D>).post(audit::add_account::<D>))
        .route("/office/{*rest}", get(not_found).post(not_found))
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
        .layer(axum::middleware::map_response(harden))
        .with_state(office)
}

/// A page the back office does not have.
async fn not_found() -> Response {
    Refusal::Store(StoreError::NotFound("There is no such page in the back office.".into())).into_response()
}

/// Headers every back-office response carries: no framing, no sniffing,
/// scripts and styles only from here, nothing cached.
async fn harden(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
}

/// The vendored script and the style sheet, compiled in: the back office
/// needs nothing from the internet.
async fn static_file(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    let (body, kind): (&'static str, &str) = match file.as_str() {
        "htmx.min.js" => (include_str!("../../../assets/office/htmx-2.0.11.min.js"), "text/javascript"),
        "office.css" => (include_str!("../../../assets/office/office.css"), "text/css"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

/// A form's fields by name.
pub type Fields = HashMap<String, String>;

/// A form sent with a file: its fields, and the bytes of its `file` field.
async fn upload(mut multipart: axum::extract::Multipart) -> Result<(Fields, Vec<u8>), StoreError> {
    let (mut form, mut file) = (Fields::new(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(|e| StoreError::BadRequest(e.body_text()))? {
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field.bytes().await.map_err(|e| StoreError::BadRequest(e.body_text()))?;
        if name == "file" {
            file = bytes.to_vec();
        } else {
            form.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Ok((form, file))
}

/// Carries out a form's change: its CSRF token and the person's role
/// checked first, then the change and its audit record in one
/// transaction, off the runtime.
async fn change<D: Database, T: Send + 'static>(
    office: &Office<D>,
    signed: &Signed,
    form: Fields,
    permission: Permission,
    action: &'static str,
    mut work: impl FnMut(&D::Tx<'_>, &Fields) -> StoreResult<Audited<T>> + Send + 'static,
) -> Result<T, Refusal> {
    signed.check(&form, permission)?;
    let actor = signed.email().to_string();
    Ok(office.run(move |head_office| head_office.audited(&actor, action, |tx| work(tx, &form))).await?)
}

impl<D: Database> Office<D> {
    /// Runs head-office work off the runtime.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&HeadOffice<D>) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let head_office = self.head_office.clone();
        tokio::task::spawn_blocking(move || work(&head_office))
            .await
            .map_err(|e| StoreError::Internal(e.to_string()))?
    }
}
