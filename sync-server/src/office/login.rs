//! Logging in and out, and choosing one's own password after a one-time
//! one. Failures are paused per address here and counted per account in
//! the database (ten in a row lock the account for a while).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use axum::Form;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::Office;
use super::layout::{self, csrf};
use super::session::{COOKIE, Refusal, Signed, cookie};
use crate::storage::random_secret;
use crate::storage::rules::office::{LogIn, PASSWORD_MIN_CHARS, Permission, SESSION_LONGEST_MS};
use crate::storage::sql::Database;

/// The cookie that carries the log-in form's own CSRF token (there is no
/// session yet to hold one).
const LOGIN_COOKIE: &str = "pos_office_login";
/// The cookie a browser that logged in keeps: its device secret, so its
/// person skips the wait strangers' wrong passwords put on the account.
const DEVICE_COOKIE: &str = "pos_office_device";
/// How long a browser stays a known device without logging in again.
const DEVICE_DAYS: i64 = 400;

/// The address a request came from, when the listener recorded one.
pub struct ClientIp(Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<ClientIp, Self::Rejection> {
        Ok(ClientIp(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())))
    }
}

/// A `Set-Cookie` value for the back office's path.
fn set_cookie(name: &str, value: &str, max_age_s: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!("{name}={value}; Path=/office; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{secure}");
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static(""))
}

fn login_page(token: &str, email: &str, message: Option<&str>) -> Markup {
    layout::bare(
        "Log in to head office",
        html! {
            @if let Some(message) = message {
                p.error role="alert" { (message) }
            }
            form method="post" action="/office/login" {
                input type="hidden" name="csrf" value=(token);
                label for="email" { "E-mail" }
                input #email type="email" name="email" value=(email) autocomplete="username" required autofocus;
                label for="password" { "Password" }
                input #password type="password" name="password" autocomplete="current-password" required;
                button type="submit" { "Log in" }
            }
        },
    )
}

/// The log-in form, with a fresh token in its own cookie.
fn login_response<D>(office: &Office<D>, status: StatusCode, email: &str, message: Option<&str>) -> Response {
    let token = random_secret(16);
    let mut response = (status, login_page(&token, email, message)).into_response();
    response.headers_mut().append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, &token, 3600, office.secure));
    response
}

pub async fn form<D: Database>(State(office): State<Office<D>>) -> Response {
    login_response(&office, StatusCode::OK, "", None)
}

pub async fn submit<D: Database>(
    State(office): State<Office<D>>,
    ClientIp(ip): ClientIp,
    headers: axum::http::HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default().to_string();
    let (email, password) = (field("email"), field("password"));
    let expected = cookie(&headers, LOGIN_COOKIE);
    if expected.is_none() || expected.as_deref() != Some(field("csrf").as_str()) {
        return login_response(&office, StatusCode::FORBIDDEN, &email, Some("The form expired: log in again."));
    }
    let device = cookie(&headers, DEVICE_COOKIE);
    if let Some(wait) = ip.and_then(|ip| office.throttle.address_paused(ip)) {
        // A device its person logged in from before is never shut out by others' guesses.
        let (attempt, known) = (email.clone(), device.clone());
        let known = match known {
            Some(device) => office.run(move |head_office| head_office.knows_device(&attempt, &device)).await,
            None => Ok(false),
        };
        if !known.unwrap_or(false) {
            let message = format!("Too many failed log-ins from here: try again in {} min.", wait.as_secs() / 60 + 1);
            return login_response(&office, StatusCode::TOO_MANY_REQUESTS, &email, Some(&message));
        }
    }
    let attempt = email.clone();
    let outcome = office.run(move |head_office| head_office.log_in(&attempt, &password, device.as_deref())).await;
    let failed = |office: &Office<D>| {
        if let Some(ip) = ip {
            office.throttle.address_failed(ip);
        }
    };
    match outcome {
        Ok(LogIn::Session { token, device }) => {
            tracing::info!(%email, "office log-in");
            let mut response = Redirect::to("/office/").into_response();
            let cookies = response.headers_mut();
            cookies.append(header::SET_COOKIE, set_cookie(COOKIE, &token, SESSION_LONGEST_MS / 1000, office.secure));
            cookies.append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, "", 0, office.secure));
            cookies.append(header::SET_COOKIE, set_cookie(DEVICE_COOKIE, &device, DEVICE_DAYS * 86_400, office.secure));
            response
        }
        Ok(LogIn::Refused) => {
            failed(&office);
            let message = "Wrong e-mail or password. After several wrong tries, each next try of an account \
                           waits a little longer; a browser that logged in to it before does not wait.";
            login_response(&office, StatusCode::UNAUTHORIZED, &email, Some(message))
        }
        Err(error) => Refusal::Store(error).into_response(),
    }
}

/// Back to the log-in page, the session's cookie cleared.
fn logged_out<D>(office: &Office<D>) -> Response {
    let mut response = Redirect::to("/office/login").into_response();
    response.headers_mut().append(header::SET_COOKIE, set_cookie(COOKIE, "", 0, office.secure));
    response
}

pub async fn log_out<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, Refusal> {
    signed.check(&form, Permission::Read)?;
    office.run(move |head_office| head_office.log_out(&signed.token)).await?;
    Ok(logged_out(&office))
}

pub async fn log_out_everywhere<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, Refusal> {
    signed.check(&form, Permission::Read)?;
    let user = signed.session.user.id;
    office.run(move |head_office| head_office.log_out_everywhere(user)).await?;
    Ok(logged_out(&office))
}

fn password_page(signed: &Signed, message: Option<&str>) -> Markup {
    let title = if signed.session.user.must_change { "Choose your password" } else { "Change your password" };
    layout::page(
        title,
        signed,
        "",
        html! {
            @if let Some(message) = message {
                p.error role="alert" { (message) }
            }
            form method="post" action="/office/password" {
                (csrf(signed))
                @if !signed.session.user.must_change {
                    label for="current" { "Your current password" }
                    input #current type="password" name="current" autocomplete="current-password" required;
                }
                label for="password" { "New password (at least " (PASSWORD_MIN_CHARS) " characters)" }
                input #password type="password" name="password" autocomplete="new-password" required minlength=(PASSWORD_MIN_CHARS);
                label for="again" { "The same again" }
                input #again type="password" name="again" autocomplete="new-password" required;
                button type="submit" { "Save the password" }
            }
            p { "Saving a new password logs you out on every other device." }
            form method="post" action="/office/logout-everywhere" {
                (csrf(signed))
                button type="submit" { "Log out on every device" }
            }
        },
    )
}

pub async fn password_form(signed: Signed) -> Markup {
    password_page(&signed, None)
}

pub async fn change_password<D: Database>(
    State(office): State<Office<D>>,
    signed: Signed,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, Refusal> {
    signed.check(&form, Permission::Read)?;
    let password = form.get("password").cloned().unwrap_or_default();
    if form.get("again") != Some(&password) {
        return Ok((StatusCode::BAD_REQUEST, password_page(&signed, Some("The two passwords differ."))).into_response());
    }
    let session = signed.session.clone();
    let (token, current) = (signed.token.clone(), form.get("current").cloned());
    let saved = office
        .run(move |head_office| head_office.set_office_password(&session, &token, current.as_deref(), &password))
        .await;
    match saved {
        Ok(()) => Ok(Redirect::to("/office/?done=Your+password+is+saved").into_response()),
        Err(crate::storage::StoreError::BadRequest(message)) => {
            Ok((StatusCode::BAD_REQUEST, password_page(&signed, Some(&message))).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
