//! Head office's reports over HTTP, for a spreadsheet or a BI tool:
//! `GET /v1/reports/{name}` with a head-office API key, JSON by default or
//! CSV with `format=csv` (the guard has checked the key), the same figures as `pos-sync-server report`.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::{Shared, blocking};
use crate::error::ApiError;

pub fn routes() -> Router<Shared> {
    Router::new().route("/v1/reports/{name}", get(report))
}

async fn report(
    State(store): State<Shared>,
    Path(name): Path<String>,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let csv = match params.remove("format").as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => return Err(ApiError::Query(format!("format is json or csv, not `{other}`"))),
    };
    let table = blocking(move || store.report_table(&name, &params)).await?;
    Ok(match csv {
        true => ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], table.csv).into_response(),
        false => Json(table.json).into_response(),
    })
}
