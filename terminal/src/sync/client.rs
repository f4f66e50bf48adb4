//! The HTTP client of the sync protocol (reqwest, rustls), with timeouts and
//! clear errors: a refusal carries the server's code and sentence.

use pos_shared::protocol::{
    CatalogPage, EPOCH_HEADER, EnrollRequest, EnrollResponse, ErrorBody, OrdersPage, PENDING_HEADER, PROTOCOL_VERSION,
    PurchaseOrdersPage, PushRequest, PushResponse, RecognizeRequest, StockSnapshot, TokenResponse, VERSION_HEADER,
    WireEntry,
};
use serde::de::DeserializeOwned;

use super::trust::Trust;

#[derive(Debug, Clone, thiserror::Error)]
pub enum SyncError {
    #[error("sync server unreachable: {0}")]
    Network(String),
    #[error("sync server refused ({status}): {}", .body.message)]
    Refused { status: u16, body: ErrorBody },
    #[error("{0}")]
    Local(String),
}

impl From<reqwest::Error> for SyncError {
    /// With its causes: a refused certificate says why, not just "error
    /// sending request".
    fn from(e: reqwest::Error) -> Self {
        let mut text = e.to_string();
        let mut cause = std::error::Error::source(&e);
        while let Some(inner) = cause {
            let said = inner.to_string();
            if !text.contains(&said) {
                text = format!("{text}: {said}");
            }
            cause = inner.source();
        }
        if text.contains("UnknownIssuer") {
            text.push_str(" (a self-signed head office: enroll with --fingerprint as `terminal add` printed it)");
        }
        SyncError::Network(text)
    }
}

impl From<crate::CoreError> for SyncError {
    fn from(e: crate::CoreError) -> Self {
        SyncError::Local(e.to_string())
    }
}

/// Entries per push request unless told otherwise.
pub const PUSH_BATCH: usize = 500;

/// A client for one server; `token` is empty before enrollment.
#[derive(Clone)]
pub struct SyncClient {
    http: reqwest::Client,
    base: String,
    token: String,
    terminal_id: String,
    push_batch: usize,
}

async fn decode<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, SyncError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response.json().await?);
    }
    let text = response.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(ErrorBody {
        error: "http".into(),
        message: format!("HTTP {status}: {}", text.chars().take(200).collect::<String>()),
        expected_seq: None,
    });
    Err(SyncError::Refused { status: status.as_u16(), body })
}

impl SyncClient {
    /// A client for `base`, refused before anything is sent when `trust`
    /// does not allow that address.
    pub fn new(base: &str, token: &str, terminal_id: &str, trust: &Trust) -> Result<SyncClient, SyncError> {
        trust.check(base)?;
        let http = trust.client()?;
        Ok(SyncClient {
            http,
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            terminal_id: terminal_id.to_string(),
            push_batch: PUSH_BATCH,
        })
    }

    /// Sends at most `entries` journal entries per push.
    pub fn with_push_batch(mut self, entries: usize) -> SyncClient {
        self.push_batch = entries.max(1);
        self
    }

    pub fn push_batch(&self) -> usize {
        self.push_batch
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Spends `code`, registering the till's signing key; `own_id` when the
    /// till enrolls again with its journal (a code for another is refused).
    pub async fn enroll(
        &self,
        code: &str,
        public_key: [u8; 32],
        own_id: Option<String>,
    ) -> Result<EnrollResponse, SyncError> {
        let request = EnrollRequest {
            protocol_version: PROTOCOL_VERSION,
            code: code.to_string(),
            public_key: Some(hex::encode(public_key)),
            terminal_id: own_id,
        };
        decode(self.http.post(self.url("/v1/enroll")).json(&request).send().await?).await
    }

    /// Proves to a head office that lost this till's token that it is the
    /// till it says (see [`crate::Terminal::recognition`]).
    pub async fn recognize(&self, request: &RecognizeRequest) -> Result<(), SyncError> {
        decode::<serde_json::Value>(self.http.post(self.url("/v1/recognize")).json(request).send().await?).await?;
        Ok(())
    }

    /// Sends `entries`, telling head office how many (`pending`, these
    /// included) the till still has to send.
    pub async fn push(&self, entries: Vec<WireEntry>, pending: u64) -> Result<PushResponse, SyncError> {
        let request =
            PushRequest { protocol_version: PROTOCOL_VERSION, terminal_id: self.terminal_id.clone(), entries };
        let post = self.http.post(self.url("/v1/push")).bearer_auth(&self.token).header(PENDING_HEADER, pending);
        let response = post.json(&request).send().await?;
        decode(response).await
    }

    /// A new token from head office; the current one works until it is used.
    pub async fn renew_token(&self) -> Result<TokenResponse, SyncError> {
        let post = self.http.post(self.url("/v1/token")).header(VERSION_HEADER, PROTOCOL_VERSION);
        decode(post.bearer_auth(&self.token).send().await?).await
    }

    pub async fn catalog(&self, since: u64, limit: usize) -> Result<CatalogPage, SyncError> {
        self.page("/v1/catalog", since, limit).await
    }

    /// Orders of this terminal's store changed after `since`.
    pub async fn orders(&self, since: u64, limit: usize) -> Result<OrdersPage, SyncError> {
        self.page("/v1/orders", since, limit).await
    }

    /// Purchase orders of this terminal's store changed after `since`.
    pub async fn purchase_orders(&self, since: u64, limit: usize) -> Result<PurchaseOrdersPage, SyncError> {
        self.page("/v1/purchase-orders", since, limit).await
    }

    async fn page<T: DeserializeOwned>(&self, path: &str, since: u64, limit: usize) -> Result<T, SyncError> {
        let response = self
            .http
            .get(self.url(path))
            .query(&[("since", since), ("limit", limit as u64)])
            .header(VERSION_HEADER, PROTOCOL_VERSION)
            .bearer_auth(&self.token)
            .send()
            .await?;
        decode(response).await
    }

    /// Head office's database epoch (from `/healthz`, which every server
    /// answers); none from a server too old to say.
    pub async fn epoch(&self) -> Result<Option<String>, SyncError> {
        let response = self.http.get(self.url("/healthz")).send().await?;
        let epoch = response.headers().get(EPOCH_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
        if !response.status().is_success() {
            return Err(SyncError::Refused {
                status: response.status().as_u16(),
                body: ErrorBody {
                    error: "http".into(),
                    message: "the server is not healthy".into(),
                    expected_seq: None,
                },
            });
        }
        Ok(epoch)
    }

    /// The store's central stock, telling head office how many entries the
    /// till still has to send (`pending`), so its dashboard knows even
    /// when the till had nothing to push.
    pub async fn stock(&self, pending: u64) -> Result<StockSnapshot, SyncError> {
        let response = self
            .http
            .get(self.url("/v1/stock"))
            .header(VERSION_HEADER, PROTOCOL_VERSION)
            .header(PENDING_HEADER, pending)
            .bearer_auth(&self.token)
            .send()
            .await?;
        decode(response).await
    }
}
