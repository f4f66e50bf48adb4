//! Before any handler reads a body: a request that needs a credential must
//! carry a valid one (so nobody uploads 16 MiB without a key), and what is
//! guessed is throttled, longer each time: a credential that keeps failing,
//! from anywhere; enrollment codes, per address and all together, for
//! enrolling only; wrong tokens or keys from an address. A request with a
//! valid credential is never refused for other requests' failures: the
//! tills of a shop share its address with its guest Wi-Fi.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{Shared, bearer, blocking};
use crate::error::ApiError;
use crate::storage::StoreError;
use crate::storage::rules::throttle;

/// Failures allowed within [`WINDOW`] before a pause, unless the server
/// is told otherwise.
pub const FAILURES: u32 = 10;
const WINDOW: Duration = Duration::from_millis(throttle::WINDOW_MS.unsigned_abs());
/// Addresses and credentials remembered at most (the oldest go first).
const REMEMBERED: usize = 100_000;

/// Who failed, as this process counts it: a client address, or a
/// credential (by a short hash). Wrong enrollment codes are counted in the
/// database, for every server of the chain (`rules::throttle`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Who {
    Address(IpAddr),
    Credential(String),
}

/// Failures of every address together before enrollment pauses, as a
/// multiple of what one address may fail.
const ENROLLING_TOGETHER: u32 = 10;

#[derive(Clone, Debug)]
struct Record {
    failures: u32,
    window_start: Instant,
    pauses: u32,
    paused_until: Option<Instant>,
}

/// Failures per address and per credential, and how many are allowed.
#[derive(Clone)]
pub struct Throttle {
    records: Arc<Mutex<HashMap<Who, Record>>>,
    allowed: u32,
}

impl Throttle {
    /// Pauses an address or credential after `allowed` failures in a row.
    pub fn new(allowed: u32) -> Throttle {
        Throttle { records: Arc::default(), allowed: allowed.max(1) }
    }

    /// How long an address must still wait, if it is paused.
    pub(crate) fn address_paused(&self, address: IpAddr) -> Option<Duration> {
        self.paused(&[Who::Address(address)], Instant::now())
    }

    /// Counts a failure of an address.
    pub(crate) fn address_failed(&self, address: IpAddr) {
        self.failed(&[Who::Address(address)], Instant::now());
    }

    fn paused(&self, who: &[Who], now: Instant) -> Option<Duration> {
        let records = self.records.lock().unwrap_or_else(|p| p.into_inner());
        who.iter()
            .filter_map(|w| records.get(w)?.paused_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max()
    }

    fn failed(&self, who: &[Who], now: Instant) {
        let mut records = self.records.lock().unwrap_or_else(|p| p.into_inner());
        if records.len() >= REMEMBERED {
            records.retain(|_, r| now.duration_since(r.window_start) < WINDOW || r.paused_until > Some(now));
        }
        for w in who {
            let record = records.entry(w.clone()).or_insert(Record {
                failures: 0,
                window_start: now,
                pauses: 0,
                paused_until: None,
            });
            if now.duration_since(record.window_start) > WINDOW {
                record.failures = 0;
                record.window_start = now;
            }
            record.failures += 1;
            if record.failures >= self.allowed {
                let pause = Duration::from_millis(throttle::pause_ms(record.pauses).unsigned_abs());
                record.paused_until = Some(now + pause);
                record.pauses += 1;
                record.failures = 0;
                record.window_start = now;
                tracing::warn!(who = ?w, seconds = pause.as_secs(), "too many failures: paused");
            }
        }
    }
}

/// What a path needs before its body is read.
enum Needs {
    Terminal,
    Channel,
    /// A head-office key of this scope (`reports` or `metrics`).
    Office(&'static str),
    Nothing,
}

fn needs(path: &str) -> Needs {
    match path {
        "/v1/push" | "/v1/token" | "/v1/catalog" | "/v1/stock" | "/v1/orders" | "/v1/purchase-orders" => {
            Needs::Terminal
        }
        p if p.starts_with("/v1/channel/") => Needs::Channel,
        p if p.starts_with("/v1/reports/") => Needs::Office("reports"),
        "/metrics" => Needs::Office("metrics"),
        _ => Needs::Nothing,
    }
}

fn millis(ms: i64) -> Duration {
    Duration::from_millis(ms.unsigned_abs())
}

fn too_many(wait: Duration, what: &'static str) -> Response {
    let seconds = wait.as_millis().div_ceil(1000).max(1) as u64;
    let mut response = ApiError::TooManyFailures { what, seconds }.into_response();
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// Refuses what is paused, checks credentials before the body (handing the
/// handler who it is: a `TerminalAuth` or `ChannelAuth` extension, so no
/// handler authenticates twice), and counts failures: refused credentials
/// (401) and refused enrollment codes.
pub async fn guard(State((store, throttle)): State<(Shared, Throttle)>, request: Request, next: Next) -> Response {
    let now = Instant::now();
    let address = crate::listener::peer(&request).map(|peer| peer.ip());
    let credential = bearer(request.headers()).ok();
    let credential_who =
        credential.as_ref().map(|secret| Who::Credential(crate::storage::secret_hash(secret)[..16].to_string()));
    let path = request.uri().path().to_string();
    // Recognising a till by its key is guessed like a code and paused like one.
    let enrolling = path == "/v1/enroll" || path == "/v1/recognize";
    if let Some(wait) = credential_who.as_ref().and_then(|w| throttle.paused(std::slice::from_ref(w), now)) {
        return too_many(wait, "too many failures with this credential");
    }
    let from = address.map(|a| format!("enrolling from {a}"));
    let counted = |allowed: u32| -> Vec<(String, u32)> {
        let together = ("enrolling".to_string(), allowed.saturating_mul(ENROLLING_TOGETHER));
        from.iter().map(|key| (key.clone(), allowed)).chain([together]).collect()
    };
    if enrolling {
        let (shared, from_here) = (store.clone(), from.clone());
        let paused = blocking(move || {
            let here = match &from_here {
                Some(key) => shared.enrolling_paused(&[key])?,
                None => None,
            };
            Ok((here, shared.enrolling_paused(&["enrolling"])?))
        })
        .await;
        match paused {
            Ok((Some(ms), _)) => return too_many(millis(ms), "too many wrong enrollment codes from this address"),
            Ok((None, Some(ms))) => {
                return too_many(millis(ms), "too many wrong enrollment codes at head office, from every address");
            }
            Ok((None, None)) => {}
            Err(refused) => return refused.into_response(),
        }
    }
    let mut request = request;
    let checked = match (needs(&path), credential) {
        (Needs::Nothing, _) => Ok(()),
        (_, None) => Err(ApiError::Store(StoreError::Unauthorized)),
        (Needs::Terminal, Some(token)) => {
            let store = store.clone();
            blocking(move || store.authenticate(&token)).await.map(|auth| {
                request.extensions_mut().insert(auth);
            })
        }
        (Needs::Channel, Some(key)) => {
            let store = store.clone();
            blocking(move || store.channel_by_key(&key)).await.map(|auth| {
                request.extensions_mut().insert(auth);
            })
        }
        (Needs::Office(needed), Some(key)) => {
            let store = store.clone();
            match blocking(move || store.office_key_scope(&key)).await {
                Ok(Some(scope)) if scope == needed => Ok(()),
                // A good key for another job: refused, but no guess.
                Ok(Some(scope)) => {
                    return ApiError::Store(StoreError::Forbidden(format!("this key reads {scope}, not {needed}")))
                        .into_response();
                }
                Ok(None) => Err(ApiError::Store(StoreError::Unauthorized)),
                Err(e) => Err(e),
            }
        }
    };
    // A refused credential from an address that keeps guessing them: paused.
    let address_wait = address.and_then(|a| throttle.paused(&[Who::Address(a)], now));
    let response = match (checked, address_wait) {
        (Ok(()), _) => next.run(request).await,
        (Err(_), Some(wait)) => return too_many(wait, "too many wrong tokens or keys from this address"),
        (Err(refused), None) => refused.into_response(),
    };
    let status = response.status();
    if status == StatusCode::UNAUTHORIZED {
        let who: Vec<Who> = address.map(Who::Address).into_iter().chain(credential_who).collect();
        throttle.failed(&who, now);
    } else if enrolling && (status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN) {
        let keys = counted(throttle.allowed);
        let noted = blocking(move || {
            let keys: Vec<(&str, u32)> = keys.iter().map(|(key, allowed)| (key.as_str(), *allowed)).collect();
            store.enrolling_failed(&keys)
        })
        .await;
        if let Err(error) = noted {
            tracing::warn!(?error, "could not count a wrong enrollment code");
        }
    }
    response
}
