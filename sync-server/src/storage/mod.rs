//! Storage behind the sync API: a trait the handlers call, so a PostgreSQL
//! backend can follow the SQLite one without touching the API.

pub mod head_office;
pub mod postgres;
pub mod rules;
pub mod sql;
pub mod sqlite;
pub mod zones;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use pos_shared::protocol::PurchaseOrdersPage;
use pos_shared::protocol::{
    Availability, CatalogPage, EnrollResponse, LinesChange, OrderAction, OrderRequest, OrdersPage, PushResponse,
    StockSnapshot, WireEntry, WireOrder,
};

/// A sales channel, authenticated by its API key or named at head office.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelAuth {
    pub id: i64,
    pub name: String,
    /// Head office acting through a channel (its command line) sees every
    /// customer; a channel's API key sees only its own.
    pub head_office: bool,
}

/// Whose orders a caller may see and change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Head office: every order.
    HeadOffice,
    /// A channel: only the orders it placed.
    Channel(i64),
}

impl Scope {
    pub fn sees(self, channel_id: i64) -> bool {
        match self {
            Scope::HeadOffice => true,
            Scope::Channel(id) => id == channel_id,
        }
    }
}

/// An authenticated terminal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalAuth {
    pub terminal_id: String,
    pub store_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("missing, wrong or revoked token or API key")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("expected seq {expected}, got {got}")]
    Gap { expected: u64, got: u64 },
    #[error("entry {seq} breaks the hash chain: {reason}")]
    BrokenChain { seq: u64, reason: String },
    /// A well-chained entry head office will not apply (out of bounds, not
    /// adding up, or impossible to record); flagged for head office.
    #[error("entry {seq} cannot be applied: {reason}")]
    Unappliable { seq: u64, reason: String },
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// A terminal's cursor is beyond anything this database ever issued:
    /// it was restored from an older backup, and the terminal must pull again.
    #[error("cursor {cursor} is beyond head office's {head}: pull everything again")]
    CursorAhead { cursor: u64, head: u64 },
    /// Head office cannot take this now (its database is from a newer
    /// version of the server): 503, try again once it is upgraded.
    #[error("{0}")]
    Unavailable(String),
    #[error("storage failure: {0}")]
    Internal(String),
}

/// Head office's database at schema `found`, newer than this build's `known`.
pub(crate) fn newer_schema(found: i64, known: usize) -> StoreError {
    StoreError::Unavailable(format!(
        "head office's database is at schema {found}, newer than this server knows ({known}): it takes no \
         writes; upgrade this server"
    ))
}

impl From<pos_sqlite::OpenError> for StoreError {
    fn from(e: pos_sqlite::OpenError) -> Self {
        match e {
            pos_sqlite::OpenError::Newer { .. } => StoreError::Unavailable(e.to_string()),
            pos_sqlite::OpenError::Sqlite(e) => e.into(),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    /// A full disk is head office unavailable (503, try again), not a failure.
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => disk_full(),
            _ => StoreError::Internal(e.to_string()),
        }
    }
}

/// When a write last found the disk full (milliseconds since the epoch; 0: never).
static DISK_FULL_AT: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// How long `/readyz` says "not ready" after a write found the disk full.
pub const DISK_FULL_NOT_READY_MS: i64 = 60_000;

/// A write found the disk full: noted for `/readyz`, and a 503 for the caller.
pub fn disk_full() -> StoreError {
    DISK_FULL_AT.store(now_ms(), std::sync::atomic::Ordering::Relaxed);
    StoreError::Unavailable("head office's disk is full: nothing was written; try again once space is freed".into())
}

/// Whether a write found the disk full within [`DISK_FULL_NOT_READY_MS`].
pub fn disk_recently_full() -> bool {
    let at = DISK_FULL_AT.load(std::sync::atomic::Ordering::Relaxed);
    at > 0 && now_ms() - at < DISK_FULL_NOT_READY_MS
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Hex SHA-256 of a secret: tokens and enrollment codes are stored only so.
pub(crate) fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A random secret of `bytes` bytes, hex encoded.
pub(crate) fn random_secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A name head office stores and sends to tills (a store, terminal,
/// customer, supplier, user): bounded and free of control characters, so
/// it always fits in a journal entry and on a receipt.
pub fn check_name(what: &str, name: &str) -> StoreResult<()> {
    pos_shared::entry_rules::check_text(what, name).map_err(StoreError::BadRequest)
}

/// Whether the database can serve, for `/readyz` and `/metrics`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Readiness {
    /// Its schema is the one this build migrates to.
    pub schema_current: bool,
    /// Entries refused or flagged, waiting for a person at head office.
    pub open_flags: u64,
}

/// What the sync API needs from storage. Calls block; the API runs them
/// off the async runtime.
pub trait SyncStore: Send + Sync + 'static {
    /// The database's epoch (new after a restore from a backup).
    fn epoch(&self) -> StoreResult<String>;
    /// Whether the database answers, with this build's schema.
    fn readiness(&self) -> StoreResult<Readiness>;

    /// Turns a one-time enrollment code into a terminal token.
    /// Spends a one-time code; the terminal's public key, when it sends
    /// one, is registered: its entries must then be signed with it.
    /// Spends an enrollment code (see `admin::enroll`); `own_id` is the
    /// till's id when it enrolls again with its journal.
    fn enroll(&self, code: &str, public_key: Option<&[u8]>, own_id: Option<&str>) -> StoreResult<EnrollResponse>;
    /// How long enrolling from these throttle keys must still wait (ms), as
    /// every server of the chain counts it (see `rules::throttle`).
    fn enrolling_paused(&self, keys: &[&str]) -> StoreResult<Option<i64>>;
    /// Counts a wrong enrollment code against each key, which may fail so often.
    fn enrolling_failed(&self, keys: &[(&str, u32)]) -> StoreResult<()>;
    /// Takes the token of a till that proves who it is with its key (see `admin::recognize`).
    fn recognize(&self, request: &pos_shared::protocol::RecognizeRequest) -> StoreResult<()>;
    /// Who holds this bearer token.
    fn authenticate(&self, token: &str) -> StoreResult<TerminalAuth>;
    /// A new token for an authenticated till (see `admin::renew_token`).
    fn renew_token(&self, auth: &TerminalAuth) -> StoreResult<String>;
    /// Applies consecutive journal entries at most once each.
    fn push(&self, auth: &TerminalAuth, entries: &[WireEntry]) -> StoreResult<PushResponse>;
    /// Records that a till pushed and how many entries it still holds, for
    /// head office to see whose figures are complete.
    fn note_push(&self, auth: &TerminalAuth, still_pending: u64) -> StoreResult<()>;
    /// Catalog changes after `since`, with the staff of the terminal's store.
    fn catalog_page(&self, auth: &TerminalAuth, since: u64, limit: usize) -> StoreResult<CatalogPage>;
    /// Central on-hand of the terminal's store.
    fn stock_snapshot(&self, auth: &TerminalAuth) -> StoreResult<StockSnapshot>;
    /// The terminal's store's orders changed after `since`.
    fn orders_page(&self, auth: &TerminalAuth, since: u64, limit: usize) -> StoreResult<OrdersPage>;
    /// The terminal's store's purchase orders changed after `since`.
    fn purchase_orders_page(&self, auth: &TerminalAuth, since: u64, limit: usize) -> StoreResult<PurchaseOrdersPage>;
}

/// What the channel API needs: orders placed, seen and changed by the
/// channel that owns them, and available-to-promise.
pub trait OrderDesk: Send + Sync + 'static {
    fn channel_by_key(&self, key: &str) -> StoreResult<ChannelAuth>;
    /// A new quote or order; `false` when an idempotency key replayed an earlier one.
    fn place_order(
        &self,
        channel: &ChannelAuth,
        request: &OrderRequest,
        idempotency_key: Option<&str>,
    ) -> StoreResult<(WireOrder, bool)>;
    fn order(&self, scope: Scope, number: &str) -> StoreResult<WireOrder>;
    fn confirm_order(&self, scope: Scope, number: &str, action: &OrderAction) -> StoreResult<WireOrder>;
    fn cancel_order(&self, scope: Scope, number: &str, action: &OrderAction) -> StoreResult<WireOrder>;
    fn change_order_lines(&self, scope: Scope, number: &str, change: &LinesChange) -> StoreResult<WireOrder>;
    fn availability(&self, codes: &[String], store: Option<&str>) -> StoreResult<Vec<Availability>>;
}

/// A report as the API hands it out: JSON rows, or CSV with a header.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportTable {
    pub json: serde_json::Value,
    pub csv: String,
}

/// What the report API needs: head-office keys and reports by name.
pub trait ReportDesk: Send + Sync + 'static {
    /// What a head-office key reads (`reports` or `metrics`); none if it is no key.
    fn office_key_scope(&self, key: &str) -> StoreResult<Option<String>>;
    fn report_table(&self, name: &str, params: &std::collections::HashMap<String, String>) -> StoreResult<ReportTable>;
}

/// Everything the HTTP API serves from.
pub trait Backend: SyncStore + OrderDesk + ReportDesk {}

impl<T: SyncStore + OrderDesk + ReportDesk> Backend for T {}
