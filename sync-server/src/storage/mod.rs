//! Storage behind the sync API: a trait the handlers call, so a PostgreSQL
//! backend can follow the SQLite one without touching the API.

pub mod sqlite;

use pos_shared::protocol::{CatalogPage, EnrollResponse, PushResponse, StockSnapshot, WireEntry};

/// An authenticated terminal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalAuth {
    pub terminal_id: String,
    pub store_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("missing, wrong or revoked token")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("expected seq {expected}, got {got}")]
    Gap { expected: u64, got: u64 },
    #[error("entry {seq} breaks the hash chain: {reason}")]
    BrokenChain { seq: u64, reason: String },
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("storage failure: {0}")]
    Internal(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Internal(e.to_string())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// What the sync API needs from storage. Calls block; the API runs them
/// off the async runtime.
pub trait SyncStore: Send + Sync + 'static {
    /// Turns a one-time enrollment code into a terminal token.
    fn enroll(&self, code: &str) -> StoreResult<EnrollResponse>;
    /// Who holds this bearer token.
    fn authenticate(&self, token: &str) -> StoreResult<TerminalAuth>;
    /// Applies consecutive journal entries at most once each.
    fn push(&self, auth: &TerminalAuth, entries: &[WireEntry]) -> StoreResult<PushResponse>;
    /// Catalog changes after `since`, at most `limit` products.
    fn catalog_page(&self, since: u64, limit: usize) -> StoreResult<CatalogPage>;
    /// Central on-hand of the terminal's store.
    fn stock_snapshot(&self, auth: &TerminalAuth) -> StoreResult<StockSnapshot>;
}
