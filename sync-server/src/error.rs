//! The API's one error type: every refusal is a JSON body with a stable
//! code and a sentence; internal details go to the log, never the client.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use pos_shared::protocol::{ErrorBody, PROTOCOL_VERSION};

use crate::storage::StoreError;

#[derive(Debug)]
pub enum ApiError {
    Store(StoreError),
    Body(JsonRejection),
    Version(Option<u32>),
    Query(String),
    /// A body announced as larger than the limit.
    TooLarge {
        length: usize,
        limit: usize,
    },
    /// A body that is not JSON (400) or not of the expected shape (422).
    Json(String, StatusCode),
    /// Too many failed attempts from this address or with this
    /// credential: try again after this many seconds.
    /// Paused: what failed too often, and for how many seconds more.
    TooManyFailures {
        what: &'static str,
        seconds: u64,
    },
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Store(e)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        ApiError::Body(e)
    }
}

impl ApiError {
    /// A body serde could not read: malformed (400) or of the wrong shape (422).
    pub fn json(error: serde_json::Error) -> ApiError {
        let status = match error.classify() {
            serde_json::error::Category::Data => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError::Json(format!("the body is not valid: {error}"), status)
    }

    fn parts(&self) -> (StatusCode, &'static str, String, Option<u64>) {
        match self {
            ApiError::Store(e) => match e {
                StoreError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", e.to_string(), None),
                StoreError::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", m.clone(), None),
                StoreError::Gap { expected, .. } => (StatusCode::CONFLICT, "gap", e.to_string(), Some(*expected)),
                StoreError::BrokenChain { .. } => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "broken_chain", e.to_string(), None)
                }
                StoreError::Unappliable { .. } => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "invalid_entry", e.to_string(), None)
                }
                StoreError::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m.clone(), None),
                StoreError::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m.clone(), None),
                StoreError::Conflict(m) => (StatusCode::CONFLICT, "conflict", m.clone(), None),
                StoreError::CursorAhead { .. } => (StatusCode::CONFLICT, "cursor_ahead", e.to_string(), None),
                StoreError::Unavailable(m) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", m.clone(), None),
                StoreError::Internal(_) => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error; the server log has details".into(),
                    None,
                ),
            },
            ApiError::Body(rejection) => {
                let status = rejection.status();
                let code = if status == StatusCode::PAYLOAD_TOO_LARGE { "too_large" } else { "bad_body" };
                (status, code, rejection.body_text(), None)
            }
            ApiError::Version(Some(v)) => (
                StatusCode::BAD_REQUEST,
                "unsupported_version",
                format!("protocol version {v} is not supported; this server speaks {PROTOCOL_VERSION}"),
                None,
            ),
            ApiError::Version(None) => (
                StatusCode::BAD_REQUEST,
                "unsupported_version",
                format!("say which protocol version you speak (this server speaks {PROTOCOL_VERSION})"),
                None,
            ),
            ApiError::Query(m) => (StatusCode::BAD_REQUEST, "bad_query", m.clone(), None),
            ApiError::Json(message, status) => (*status, "bad_body", message.clone(), None),
            ApiError::TooManyFailures { what, seconds } => {
                (StatusCode::TOO_MANY_REQUESTS, "too_many_failures", format!("{what}: try again in {seconds} s"), None)
            }
            ApiError::TooLarge { length, limit } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("a body of {length} bytes is over this request's {limit} byte limit"),
                None,
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Store(StoreError::Internal(details)) = &self {
            tracing::error!(%details, "request failed");
        }
        let (status, code, message, expected_seq) = self.parts();
        (status, Json(ErrorBody { error: code.to_string(), message, expected_seq })).into_response()
    }
}
