//! The SQLite backend: one WAL database file, one writing connection
//! behind a mutex (writes serialise anyway) and a pool of read-only
//! connections for pages and reports, so a long read never holds up a
//! push; migrations by `user_version`.

mod accounting;
mod admin;
mod catalog;
mod collections;
mod ingest;
mod insights;
mod order_views;
mod orders;
mod purchasing;
mod readers;
mod reorder;
mod report_api;
mod reports;
mod rollup;
mod tx;

use std::path::Path;

use crate::storage::rules::meta;
use crate::storage::sql::Database;
use parking_lot::{FairMutex, FairMutexGuard};
use pos_shared::protocol::PurchaseOrdersPage;
use pos_shared::protocol::{
    Availability, CatalogPage, EnrollResponse, LinesChange, OrderAction, OrderRequest, OrdersPage, PushResponse,
    StockSnapshot, WireEntry, WireOrder,
};
use readers::{Reader, Readers};
use rusqlite::Connection;

pub use crate::storage::rules::admin::{CODE_VALID_HOURS, TerminalCreated};
pub use accounting::AccountingDay;
pub use insights::{Period, TOP_CUSTOMERS, WEAK_MARGIN_PERCENT};
pub use purchasing::PoLineRequest;
pub use reorder::ReorderPolicy;
pub use reports::{SalesBy, SalesRow, StockRow};

use super::{
    ChannelAuth, OrderDesk, Readiness, ReportDesk, ReportTable, Scope, StoreError, StoreResult, SyncStore, TerminalAuth,
};

const MIGRATIONS: &[&str] = &[
    include_str!("../schema_v1.sql"),
    include_str!("../schema_v2.sql"),
    include_str!("../schema_v3.sql"),
    include_str!("../schema_v4.sql"),
    include_str!("../schema_v5.sql"),
    include_str!("../schema_v6.sql"),
    include_str!("../schema_v7.sql"),
    include_str!("../schema_v8.sql"),
    include_str!("../schema_v9.sql"),
];

pub struct SqliteStore {
    conn: FairMutex<Connection>,
    readers: Readers,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> StoreResult<SqliteStore> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Internal(e.to_string()))?;
        }
        let options = pos_sqlite::Options { cache_kib: 64_000, busy_timeout: std::time::Duration::from_secs(10) };
        let conn = pos_sqlite::open(path, options, MIGRATIONS)?;
        Ok(SqliteStore { conn: FairMutex::new(conn), readers: Readers::new(path, options) })
    }

    /// A read-only connection of its own: for what only reads.
    fn read(&self) -> StoreResult<Reader<'_>> {
        self.readers.get()
    }

    /// The one writing connection, handed out in turn (a panic while
    /// holding it leaves nothing half-written: SQLite rolled back).
    fn conn(&self) -> FairMutexGuard<'_, Connection> {
        self.conn.lock()
    }
}

impl SqliteStore {
    /// Gives the database a new epoch: after restoring it from a backup.
    pub fn new_epoch(&self) -> StoreResult<String> {
        self.write(meta::new_epoch)
    }

    /// Writes a consistent copy of the database to `out` while it serves.
    pub fn backup(&self, out: &Path) -> StoreResult<()> {
        if out.exists() {
            return Err(StoreError::Conflict(format!("{} exists already", out.display())));
        }
        let out = out.to_str().ok_or_else(|| StoreError::BadRequest("the backup path is not UTF-8".into()))?;
        self.conn().execute("VACUUM INTO ?1", [out])?;
        Ok(())
    }
}

impl Database for SqliteStore {
    type Tx<'a> = Connection;

    /// `BEGIN IMMEDIATE` on the writer.
    fn write<T>(&self, mut work: impl FnMut(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = work(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// A read transaction on a reader.
    fn snapshot<T>(&self, mut work: impl FnMut(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let mut conn = self.read()?;
        let tx = conn.transaction()?;
        work(&tx)
    }
}

impl SyncStore for SqliteStore {
    fn epoch(&self) -> StoreResult<String> {
        self.snapshot(meta::epoch)
    }

    fn readiness(&self) -> StoreResult<Readiness> {
        self.snapshot(|tx| {
            let version: usize = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
            Ok(Readiness { schema_current: version == MIGRATIONS.len(), open_flags: meta::open_flags(tx)? })
        })
    }

    fn enroll(&self, code: &str) -> StoreResult<EnrollResponse> {
        self.write(|tx| crate::storage::rules::admin::enroll(tx, code))
    }

    fn authenticate(&self, token: &str) -> StoreResult<TerminalAuth> {
        crate::storage::rules::admin::authenticate(&*self.read()?, token)
    }

    fn push(&self, auth: &TerminalAuth, entries: &[WireEntry]) -> StoreResult<PushResponse> {
        ingest::push(&mut self.conn(), auth, entries)
    }

    fn catalog_page(&self, auth: &TerminalAuth, since: u64, limit: usize) -> StoreResult<CatalogPage> {
        self.snapshot(|tx| crate::storage::rules::catalog::page(tx, auth, since, limit))
    }

    fn stock_snapshot(&self, auth: &TerminalAuth) -> StoreResult<StockSnapshot> {
        reports::snapshot(&*self.read()?, auth)
    }

    fn orders_page(&self, auth: &TerminalAuth, since: u64, limit: usize) -> StoreResult<OrdersPage> {
        order_views::orders_page(&mut *self.read()?, auth, since, limit)
    }

    fn purchase_orders_page(&self, auth: &TerminalAuth, since: u64, limit: usize) -> StoreResult<PurchaseOrdersPage> {
        purchasing::po_page(&mut *self.read()?, auth, since, limit)
    }
}

impl OrderDesk for SqliteStore {
    fn channel_by_key(&self, key: &str) -> StoreResult<ChannelAuth> {
        SqliteStore::channel_by_key(self, key)
    }

    fn place_order(
        &self,
        channel: &ChannelAuth,
        request: &OrderRequest,
        idempotency_key: Option<&str>,
    ) -> StoreResult<(WireOrder, bool)> {
        SqliteStore::place_order(self, channel, request, idempotency_key)
    }

    fn order(&self, scope: Scope, number: &str) -> StoreResult<WireOrder> {
        SqliteStore::order(self, scope, number)
    }

    fn confirm_order(&self, scope: Scope, number: &str, action: &OrderAction) -> StoreResult<WireOrder> {
        SqliteStore::confirm_order(self, scope, number, action)
    }

    fn cancel_order(&self, scope: Scope, number: &str, action: &OrderAction) -> StoreResult<WireOrder> {
        SqliteStore::cancel_order(self, scope, number, action)
    }

    fn change_order_lines(&self, scope: Scope, number: &str, change: &LinesChange) -> StoreResult<WireOrder> {
        SqliteStore::change_order_lines(self, scope, number, change)
    }

    fn availability(&self, codes: &[String], store: Option<&str>) -> StoreResult<Vec<Availability>> {
        SqliteStore::availability(self, codes, store)
    }
}

impl ReportDesk for SqliteStore {
    fn office_key_valid(&self, key: &str) -> StoreResult<bool> {
        SqliteStore::office_key_valid(self, key)
    }

    fn report_table(&self, name: &str, params: &std::collections::HashMap<String, String>) -> StoreResult<ReportTable> {
        SqliteStore::report_table(self, name, params)
    }
}
