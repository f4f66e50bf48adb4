//! The HTTP API terminals call: enroll, push journal entries, pull the
//! catalog, their store's stock and orders; and, in `channel`, the API
//! sales channels call; `/readyz` and `/metrics` for operations. Blocking
//! storage runs off the runtime.

pub mod channel;
pub mod guard;
pub mod metrics;
mod ops;
pub mod reports;

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use pos_shared::protocol::{
    CatalogPage, EPOCH_HEADER, EnrollRequest, EnrollResponse, OrdersPage, PENDING_HEADER, PROTOCOL_VERSION,
    PurchaseOrdersPage, PushRequest, PushResponse, RecognizeRequest, StockSnapshot, TokenResponse, VERSION_HEADER,
};
use serde::Deserialize;

use crate::error::ApiError;
use crate::storage::{Backend, StoreError, TerminalAuth};
use metrics::{Metrics, Pull};

/// Largest request body: a push of a few thousand entries.
pub const BODY_LIMIT: usize = 16 * 1024 * 1024;
/// Largest body of a request without a credential (enrolling, being
/// recognised): a few hundred bytes are all an honest one needs.
pub const UNAUTHENTICATED_BODY_LIMIT: usize = 8 * 1024;
/// Most products one catalog page carries.
pub const MAX_PAGE: usize = 5_000;

const OPENAPI: &str = include_str!("openapi.json");

type Shared = Arc<dyn Backend>;

/// The whole API; an address or credential is paused after
/// `failures_before_pause` failures.
pub fn router(store: Shared, failures_before_pause: u32) -> Router {
    // Read once: an epoch changes only by a restore, with the server stopped.
    let epoch = store.epoch().ok().and_then(|e| axum::http::HeaderValue::from_str(&e).ok());
    let stamp_epoch = move |mut response: axum::response::Response| {
        let epoch = epoch.clone();
        async move {
            if let Some(epoch) = epoch {
                response.headers_mut().insert(EPOCH_HEADER, epoch);
            }
            response
        }
    };
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/v1/openapi.json", get(|| async { ([(header::CONTENT_TYPE, "application/json")], OPENAPI) }))
        .route("/v1/enroll", post(enroll).layer(DefaultBodyLimit::max(UNAUTHENTICATED_BODY_LIMIT)))
        .route("/v1/recognize", post(recognize).layer(DefaultBodyLimit::max(UNAUTHENTICATED_BODY_LIMIT)))
        .route("/v1/push", post(push))
        .route("/v1/token", post(renew_token))
        .route("/v1/catalog", get(catalog))
        .route("/v1/stock", get(stock))
        .route("/v1/orders", get(orders))
        .route("/v1/purchase-orders", get(purchase_orders))
        .merge(channel::routes())
        .merge(reports::routes())
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(refuse_announced_oversize))
        .layer(axum::middleware::from_fn_with_state(
            (store.clone(), guard::Throttle::new(failures_before_pause)),
            guard::guard,
        ))
        .layer(axum::middleware::map_response(stamp_epoch))
        .layer(Extension(Arc::new(Metrics::default())))
        .with_state(store)
}

/// Refuses a body announced as too large for its path before reading any
/// of it (one sent in chunks is cut at the same limit as it is read).
async fn refuse_announced_oversize(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let limit = match request.uri().path() {
        "/v1/enroll" | "/v1/recognize" => UNAUTHENTICATED_BODY_LIMIT,
        _ => BODY_LIMIT,
    };
    match announced {
        Some(length) if length > limit => ApiError::TooLarge { length, limit }.into_response(),
        _ => next.run(request).await,
    }
}

/// Runs blocking storage work on the blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::Store(StoreError::Internal(e.to_string())))?
        .map_err(ApiError::from)
}

fn check_version(version: u32) -> Result<(), ApiError> {
    if version == PROTOCOL_VERSION { Ok(()) } else { Err(ApiError::Version(Some(version))) }
}

fn header_version(headers: &HeaderMap) -> Result<(), ApiError> {
    let version = headers.get(VERSION_HEADER).and_then(|v| v.to_str().ok()).map(str::parse::<u32>);
    match version {
        Some(Ok(v)) => check_version(v),
        _ => Err(ApiError::Version(None)),
    }
}

/// The bearer token (a terminal's token or a channel's API key).
pub(crate) fn bearer(headers: &HeaderMap) -> Result<String, ApiError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
        .ok_or(ApiError::Store(StoreError::Unauthorized))
}

async fn enroll(
    State(store): State<Shared>,
    body: Result<Json<EnrollRequest>, JsonRejection>,
) -> Result<Json<EnrollResponse>, ApiError> {
    let Json(request) = body?;
    check_version(request.protocol_version)?;
    // Without a key, none of the till's entries could be checked as its own.
    let public_key = request
        .public_key
        .as_deref()
        .ok_or_else(|| "a till enrolls with its signing key (public_key): update the till".to_string())
        .and_then(pos_shared::signing::public_key_from_hex)
        .map_err(|e| ApiError::Store(StoreError::BadRequest(e)))?;
    let response =
        blocking(move || store.enroll(&request.code, Some(&public_key[..]), request.terminal_id.as_deref())).await?;
    tracing::info!(terminal = %response.terminal_id, "terminal enrolled");
    Ok(Json(response))
}

/// A till whose token head office lost in a restore, recognised by its key.
async fn recognize(
    State(store): State<Shared>,
    body: Result<Json<RecognizeRequest>, JsonRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Json(request) = body?;
    check_version(request.protocol_version)?;
    let terminal = request.terminal_id.clone();
    blocking(move || store.recognize(&request)).await?;
    tracing::warn!(%terminal, "a till head office had lost the token of was recognised by its key");
    Ok(Json(serde_json::json!({ "protocol_version": PROTOCOL_VERSION, "recognized": terminal })))
}

/// A new token for the till asking, beside its current one.
async fn renew_token(
    State(store): State<Shared>,
    Extension(auth): Extension<TerminalAuth>,
    headers: HeaderMap,
) -> Result<Json<TokenResponse>, ApiError> {
    header_version(&headers)?;
    let terminal = auth.terminal_id.clone();
    let token = blocking(move || store.renew_token(&auth)).await?;
    tracing::info!(%terminal, "token renewed");
    Ok(Json(TokenResponse { protocol_version: PROTOCOL_VERSION, token }))
}

async fn push(
    State(store): State<Shared>,
    Extension(auth): Extension<TerminalAuth>,
    Extension(metrics): Extension<Arc<Metrics>>,
    headers: HeaderMap,
    body: Result<Json<PushRequest>, JsonRejection>,
) -> Result<Json<PushResponse>, ApiError> {
    let started = std::time::Instant::now();
    let Json(request) = body?;
    check_version(request.protocol_version)?;
    if request.terminal_id != auth.terminal_id {
        return Err(StoreError::Forbidden(format!(
            "this token belongs to {}, not {}",
            auth.terminal_id, request.terminal_id
        ))
        .into());
    }
    let count = request.entries.len();
    let first = request.entries.first().map_or(0, |e| e.seq);
    let terminal = auth.terminal_id.clone();
    let pending: Option<u64> = headers.get(PENDING_HEADER).and_then(|v| v.to_str().ok()?.parse().ok());
    let pusher = auth.clone();
    let pushing = store.clone();
    let result = blocking(move || pushing.push(&auth, &request.entries)).await;
    let acknowledged = result.as_ref().ok().map(|ack| (ack.acked_through + 1).saturating_sub(first).min(count as u64));
    if let (Some(pending), Some(acknowledged)) = (pending, acknowledged) {
        let noted = blocking(move || store.note_push(&pusher, pending.saturating_sub(acknowledged))).await;
        if let Err(error) = noted {
            tracing::warn!(%terminal, ?error, "could not record the push for the dashboard");
        }
    }
    metrics.push(&terminal, started.elapsed(), acknowledged, pending);
    match &result {
        Ok(ack) => {
            tracing::info!(%terminal, entries = count, acked_through = ack.acked_through, "push")
        }
        Err(error) => tracing::warn!(%terminal, entries = count, ?error, "push refused"),
    }
    Ok(Json(result?))
}

#[derive(Deserialize)]
struct PageQuery {
    since: Option<u64>,
    limit: Option<usize>,
}

type PageParams = Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>;

/// A paged pull's `(since, limit)`, checked.
fn page_request(headers: &HeaderMap, query: PageParams) -> Result<(u64, usize), ApiError> {
    header_version(headers)?;
    let Query(query) = query.map_err(|e| ApiError::Query(e.body_text()))?;
    let since = query.since.unwrap_or(0);
    if since > i64::MAX as u64 {
        return Err(ApiError::Query(format!("since={since} is beyond any cursor (at most {})", i64::MAX)));
    }
    let limit = query.limit.unwrap_or(MAX_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::Query(format!("limit={limit} must be from 1 to {MAX_PAGE}")));
    }
    Ok((since, limit))
}

async fn catalog(
    State(store): State<Shared>,
    Extension(auth): Extension<TerminalAuth>,
    Extension(metrics): Extension<Arc<Metrics>>,
    headers: HeaderMap,
    query: PageParams,
) -> Result<Json<CatalogPage>, ApiError> {
    let (since, limit) = page_request(&headers, query)?;
    metrics.pull(Pull::Catalog);
    Ok(Json(blocking(move || store.catalog_page(&auth, since, limit)).await?))
}

async fn stock(
    State(store): State<Shared>,
    Extension(auth): Extension<TerminalAuth>,
    Extension(metrics): Extension<Arc<Metrics>>,
    headers: HeaderMap,
) -> Result<Json<StockSnapshot>, ApiError> {
    header_version(&headers)?;
    metrics.pull(Pull::Stock);
    let pending: Option<u64> = headers.get(PENDING_HEADER).and_then(|v| v.to_str().ok()?.parse().ok());
    let reader = store.clone();
    let reading = auth.clone();
    let snapshot = blocking(move || reader.stock_snapshot(&reading)).await?;
    // What the till still holds, for the dashboard: said on every pass,
    // so a till with nothing to push is known complete too.
    if let Some(pending) = pending {
        let terminal = auth.terminal_id.clone();
        if let Err(error) = blocking(move || store.note_push(&auth, pending)).await {
            tracing::warn!(%terminal, ?error, "could not record what the till holds for the dashboard");
        }
    }
    Ok(Json(snapshot))
}

async fn orders(
    State(store): State<Shared>,
    Extension(auth): Extension<TerminalAuth>,
    Extension(metrics): Extension<Arc<Metrics>>,
    headers: HeaderMap,
    query: PageParams,
) -> Result<Json<OrdersPage>, ApiError> {
    let (since, limit) = page_request(&headers, query)?;
    metrics.pull(Pull::Orders);
    Ok(Json(blocking(move || store.orders_page(&auth, since, limit)).await?))
}

async fn purchase_orders(
    State(store): State<Shared>,
    Extension(auth): Extension<TerminalAuth>,
    Extension(metrics): Extension<Arc<Metrics>>,
    headers: HeaderMap,
    query: PageParams,
) -> Result<Json<PurchaseOrdersPage>, ApiError> {
    let (since, limit) = page_request(&headers, query)?;
    metrics.pull(Pull::PurchaseOrders);
    Ok(Json(blocking(move || store.purchase_orders_page(&auth, since, limit)).await?))
}
