//! Head office over any [`Database`]: the API's traits and the command
//! line's verbs, each one transaction around the rules in
//! [`crate::storage::rules`]. The same code serves SQLite and PostgreSQL.

mod commands;
pub mod office;
mod reports;

use pos_shared::protocol::{
    Availability, CatalogPage, EnrollResponse, LinesChange, OrderAction, OrderRequest, OrdersPage, PurchaseOrdersPage,
    PushResponse, StockSnapshot, WireEntry, WireOrder,
};

use crate::storage::rules::{admin, catalog, ingest, keys, meta, order_views, orders, purchasing, sales, throttle};
use crate::storage::sql::Database;
use crate::storage::{
    ChannelAuth, OrderDesk, Readiness, ReportDesk, ReportTable, Scope, StoreResult, SyncStore, TerminalAuth,
};

/// Head office on one database.
pub struct HeadOffice<D> {
    db: D,
}

impl<D: Database> HeadOffice<D> {
    pub fn new(db: D) -> HeadOffice<D> {
        HeadOffice { db }
    }

    /// The database underneath, for what only one backend does (a SQLite backup).
    pub fn db(&self) -> &D {
        &self.db
    }
}

impl<D: Database> SyncStore for HeadOffice<D> {
    fn epoch(&self) -> StoreResult<String> {
        self.db.snapshot(|tx| meta::epoch(tx))
    }

    fn readiness(&self) -> StoreResult<Readiness> {
        let schema_current = self.db.schema_current()?;
        Ok(Readiness { schema_current, open_flags: self.db.snapshot(|tx| meta::open_flags(tx))? })
    }

    fn enroll(&self, code: &str, public_key: Option<&[u8]>, own_id: Option<&str>) -> StoreResult<EnrollResponse> {
        self.db.write(|tx| admin::enroll(tx, code, public_key, own_id))
    }

    fn enrolling_paused(&self, keys: &[&str]) -> StoreResult<Option<i64>> {
        self.db.snapshot(|tx| throttle::paused(tx, keys, crate::storage::now_ms()))
    }

    fn enrolling_failed(&self, keys: &[(&str, u32)]) -> StoreResult<()> {
        let now = crate::storage::now_ms();
        self.db.write(|tx| keys.iter().try_for_each(|(key, allowed)| throttle::failed(tx, key, *allowed, now)))
    }

    fn recognize(&self, request: &pos_shared::protocol::RecognizeRequest) -> StoreResult<()> {
        self.db.write(|tx| admin::recognize(tx, request))
    }

    fn authenticate(&self, token: &str) -> StoreResult<TerminalAuth> {
        let (auth, renewed) = self.db.snapshot(|tx| admin::authenticate(tx, token))?;
        if renewed {
            self.db.write(|tx| admin::promote_token(tx, token))?;
        }
        Ok(auth)
    }

    fn renew_token(&self, auth: &TerminalAuth) -> StoreResult<String> {
        self.db.write(|tx| admin::renew_token(tx, auth))
    }

    fn push(&self, auth: &TerminalAuth, entries: &[WireEntry]) -> StoreResult<PushResponse> {
        ingest::push(&self.db, auth, entries)
    }

    fn note_push(&self, auth: &TerminalAuth, still_pending: u64) -> StoreResult<()> {
        self.db.write(|tx| admin::note_push(tx, auth, still_pending))
    }

    fn catalog_page(&self, auth: &TerminalAuth, since: u64, limit: usize) -> StoreResult<CatalogPage> {
        self.db.snapshot(|tx| catalog::page(tx, auth, since, limit))
    }

    fn stock_snapshot(&self, auth: &TerminalAuth) -> StoreResult<StockSnapshot> {
        self.db.snapshot(|tx| sales::snapshot(tx, auth))
    }

    fn orders_page(&self, auth: &TerminalAuth, since: u64, limit: usize) -> StoreResult<OrdersPage> {
        self.db.snapshot(|tx| order_views::orders_page(tx, auth, since, limit))
    }

    fn purchase_orders_page(&self, auth: &TerminalAuth, since: u64, limit: usize) -> StoreResult<PurchaseOrdersPage> {
        self.db.snapshot(|tx| purchasing::po_page(tx, auth, since, limit))
    }
}

impl<D: Database> OrderDesk for HeadOffice<D> {
    fn channel_by_key(&self, key: &str) -> StoreResult<ChannelAuth> {
        self.db.snapshot(|tx| keys::channel_by_key(tx, key))
    }

    fn place_order(
        &self,
        channel: &ChannelAuth,
        request: &OrderRequest,
        idempotency_key: Option<&str>,
    ) -> StoreResult<(WireOrder, bool)> {
        self.db.write(|tx| orders::place_order(tx, channel, request, idempotency_key))
    }

    fn order(&self, scope: Scope, number: &str) -> StoreResult<WireOrder> {
        self.db.snapshot(|tx| order_views::order(tx, scope, number))
    }

    fn confirm_order(&self, scope: Scope, number: &str, action: &OrderAction) -> StoreResult<WireOrder> {
        self.db.write(|tx| orders::confirm_order(tx, scope, number, action))
    }

    fn cancel_order(&self, scope: Scope, number: &str, action: &OrderAction) -> StoreResult<WireOrder> {
        self.db.write(|tx| orders::cancel_order(tx, scope, number, action))
    }

    fn change_order_lines(&self, scope: Scope, number: &str, change: &LinesChange) -> StoreResult<WireOrder> {
        self.db.write(|tx| orders::change_order_lines(tx, scope, number, change))
    }

    fn availability(&self, codes: &[String], store: Option<&str>) -> StoreResult<Vec<Availability>> {
        self.db.snapshot(|tx| order_views::availability(tx, codes, store))
    }
}

impl<D: Database> ReportDesk for HeadOffice<D> {
    fn office_key_scope(&self, key: &str) -> StoreResult<Option<String>> {
        self.db.snapshot(|tx| keys::office_key_scope(tx, key))
    }

    fn report_table(&self, name: &str, params: &std::collections::HashMap<String, String>) -> StoreResult<ReportTable> {
        HeadOffice::report_table(self, name, params)
    }
}
