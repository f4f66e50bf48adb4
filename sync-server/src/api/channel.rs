//! The channel API a webshop or the sales team's tools call with their
//! channel's API key: available-to-promise, placing orders (an
//! `Idempotency-Key` header makes a retry return the same order), and
//! seeing, confirming, changing and cancelling their own orders.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post, put};
use axum::{Extension, Json, Router};
use pos_shared::protocol::{Availability, LinesChange, OrderAction, OrderRequest, WireOrder};
use serde::Deserialize;

use super::{Shared, blocking};
use crate::error::ApiError;
use crate::storage::{ChannelAuth, Scope, StoreError, StoreResult};

/// Header that makes placing an order safe to retry.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/v1/channel/availability", get(availability))
        .route("/v1/channel/orders", post(place))
        .route("/v1/channel/orders/{number}", get(show))
        .route("/v1/channel/orders/{number}/confirm", post(confirm))
        .route("/v1/channel/orders/{number}/cancel", post(cancel))
        .route("/v1/channel/orders/{number}/lines", put(change_lines))
}

#[derive(Deserialize)]
struct AvailabilityQuery {
    /// Comma-separated SKUs or barcodes.
    skus: String,
    store: Option<String>,
}

async fn availability(
    State(store): State<Shared>,
    query: Result<Query<AvailabilityQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<Availability>>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::Query(e.body_text()))?;
    let codes: Vec<String> = query.skus.split(',').map(str::trim).filter(|c| !c.is_empty()).map(String::from).collect();
    if codes.is_empty() || codes.len() > 500 {
        return Err(ApiError::Query("name 1 to 500 products in `skus`, comma-separated".into()));
    }
    Ok(Json(blocking(move || store.availability(&codes, query.store.as_deref())).await?))
}

async fn place(
    State(store): State<Shared>,
    Extension(channel): Extension<ChannelAuth>,
    Extension(metrics): Extension<std::sync::Arc<super::metrics::Metrics>>,
    headers: HeaderMap,
    body: Result<Json<OrderRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<WireOrder>), ApiError> {
    let key = match headers.get(IDEMPOTENCY_HEADER).map(|v| v.to_str().map(str::trim)) {
        Some(Ok(key)) if !key.is_empty() && key.len() <= 200 => key.to_string(),
        _ => {
            return Err(StoreError::BadRequest(
                "send an Idempotency-Key header (1 to 200 characters) so a retry cannot order twice".into(),
            )
            .into());
        }
    };
    let Json(request) = body?;
    let name = channel.name.clone();
    let (order, created) = blocking(move || store.place_order(&channel, &request, Some(&key))).await?;
    tracing::info!(channel = %name, order = %order.number, created, "order placed");
    if created {
        metrics.channel_order();
    }
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(order)))
}

async fn show(
    State(store): State<Shared>,
    Extension(channel): Extension<ChannelAuth>,
    Path(number): Path<String>,
) -> Result<Json<WireOrder>, ApiError> {
    Ok(Json(blocking(move || store.order(Scope::Channel(channel.id), &number)).await?))
}

type OrderStep = fn(&dyn crate::storage::Backend, Scope, &str, &OrderAction) -> StoreResult<WireOrder>;

/// Confirms or cancels one of the channel's orders; no body means the defaults.
async fn step(
    store: Shared,
    channel: ChannelAuth,
    number: String,
    body: Bytes,
    op: OrderStep,
) -> Result<Json<WireOrder>, ApiError> {
    // The body is optional: none means the defaults.
    let action: OrderAction = if body.iter().all(u8::is_ascii_whitespace) {
        OrderAction::default()
    } else {
        serde_json::from_slice(&body).map_err(ApiError::json)?
    };
    Ok(Json(blocking(move || op(&*store, Scope::Channel(channel.id), &number, &action)).await?))
}

async fn confirm(
    State(store): State<Shared>,
    Extension(channel): Extension<ChannelAuth>,
    Path(number): Path<String>,
    body: Bytes,
) -> Result<Json<WireOrder>, ApiError> {
    step(store, channel, number, body, |s, scope, n, a| s.confirm_order(scope, n, a)).await
}

async fn cancel(
    State(store): State<Shared>,
    Extension(channel): Extension<ChannelAuth>,
    Path(number): Path<String>,
    body: Bytes,
) -> Result<Json<WireOrder>, ApiError> {
    step(store, channel, number, body, |s, scope, n, a| s.cancel_order(scope, n, a)).await
}

async fn change_lines(
    State(store): State<Shared>,
    Extension(channel): Extension<ChannelAuth>,
    Path(number): Path<String>,
    body: Result<Json<LinesChange>, JsonRejection>,
) -> Result<Json<WireOrder>, ApiError> {
    let Json(change) = body?;
    Ok(Json(blocking(move || store.change_order_lines(Scope::Channel(channel.id), &number, &change)).await?))
}
