//! Who is asking: the session cookie read and checked on every page (no
//! session: to the log-in page; a one-time password: to choose one's own
//! first), each form's CSRF token and the role an action needs, and the
//! refusals pages answer with.

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use super::Office;
use super::layout;
use crate::storage::StoreError;
use crate::storage::rules::office::{OfficeSession, Permission};
use crate::storage::sql::Database;

/// The session cookie's name.
pub const COOKIE: &str = "pos_office";

/// A signed-in person and their cookie's secret.
pub struct Signed {
    pub session: OfficeSession,
    pub token: String,
}

/// The value of cookie `name` in a request's headers.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

impl<D: Database> FromRequestParts<Office<D>> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, office: &Office<D>) -> Result<Signed, Response> {
        let to_login = || Redirect::to("/office/login").into_response();
        let Some(token) = cookie(&parts.headers, COOKIE).filter(|t| t.len() == 64) else { return Err(to_login()) };
        let lookup = token.clone();
        let session = office
            .run(move |head_office| head_office.office_session(&lookup))
            .await
            .map_err(|e| Refusal::Store(e).into_response())?;
        let Some(session) = session else { return Err(to_login()) };
        let path = parts.uri.path();
        if session.user.must_change && path != "/office/password" && path != "/office/logout" {
            return Err(Redirect::to("/office/password").into_response());
        }
        Ok(Signed { session, token })
    }
}

impl Signed {
    /// A form may change something: its CSRF token is this session's, and
    /// this person's role allows `permission`.
    pub fn check(&self, form: &HashMap<String, String>, permission: Permission) -> Result<(), Refusal> {
        let sent = form.get("csrf").map(String::as_bytes).unwrap_or_default();
        let expected = self.session.csrf.as_bytes();
        let same = sent.len() == expected.len() && sent.iter().zip(expected).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0;
        if !same {
            return Err(Refusal::Csrf);
        }
        self.may(permission)
    }

    /// This person's role allows `permission`.
    pub fn may(&self, permission: Permission) -> Result<(), Refusal> {
        if self.session.user.role.may(permission) {
            Ok(())
        } else {
            Err(Refusal::Role(self.session.user.role.as_str()))
        }
    }

    pub fn email(&self) -> &str {
        &self.session.user.email
    }
}

/// Why a page or action was refused, shown as a page of its own.
#[derive(Debug)]
pub enum Refusal {
    Store(StoreError),
    /// The form did not carry this session's token.
    Csrf,
    /// The role may not do this.
    Role(&'static str),
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Refusal {
        Refusal::Store(e)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            Refusal::Csrf => (
                StatusCode::FORBIDDEN,
                "This form is out of date or did not come from the back office: reload the page and try again."
                    .to_string(),
            ),
            Refusal::Role(role) => (StatusCode::FORBIDDEN, format!("Your role ({role}) may not do this.")),
            Refusal::Store(error) => {
                let status = match &error {
                    StoreError::NotFound(_) => StatusCode::NOT_FOUND,
                    StoreError::Conflict(_) => StatusCode::CONFLICT,
                    StoreError::Forbidden(_) | StoreError::Unauthorized => StatusCode::FORBIDDEN,
                    StoreError::Internal(detail) => {
                        tracing::error!(%detail, "back office failed");
                        return (
                            StatusCode::INTERNAL_SERVER_ERROR,
                            layout::bare("Something went wrong", html! { p { "Head office could not do this. Try again; if it keeps failing, tell your administrator." } }),
                        )
                            .into_response();
                    }
                    _ => StatusCode::BAD_REQUEST,
                };
                (status, error.to_string())
            }
        };
        let title = if status == StatusCode::FORBIDDEN { "Not allowed" } else { "That did not work" };
        let body = html! {
            p.error role="alert" { (message) }
            p { "Use your browser's Back button to return to the form, or " a href="/office/" { "open the dashboard" } "." }
        };
        (status, layout::bare(title, body)).into_response()
    }
}
