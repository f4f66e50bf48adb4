//! For whoever runs head office: `/readyz` (the database answers with this
//! build's schema: a load balancer sends tills here) and `/metrics`
//! (Prometheus text, behind a head-office key like the reports).

use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::metrics::Metrics;
use super::{Shared, blocking};
use crate::error::ApiError;

pub async fn readyz(State(store): State<Shared>) -> Response {
    match blocking(move || store.readiness()).await {
        Ok(_) if crate::storage::disk_recently_full() => {
            (StatusCode::SERVICE_UNAVAILABLE, "a write found the disk full within the last minute").into_response()
        }
        Ok(ready) if ready.schema_current => "ready".into_response(),
        Ok(_) => (StatusCode::SERVICE_UNAVAILABLE, "the database's schema is not this build's").into_response(),
        Err(error) => {
            tracing::warn!(?error, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "the database does not answer").into_response()
        }
    }
}

pub async fn metrics(
    State(store): State<Shared>,
    Extension(metrics): Extension<Arc<Metrics>>,
) -> Result<Response, ApiError> {
    let ready = blocking(move || store.readiness()).await?;
    let text = metrics.render(ready.open_flags);
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
}
