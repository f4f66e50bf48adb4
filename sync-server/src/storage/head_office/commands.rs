//! Head office's verbs that change or read its set-up: stores, terminals,
//! the catalog, keys, customers' channels, orders, suppliers, purchase
//! orders, transfers and reordering; each one transaction.

use pos_shared::journal::Credit;
use pos_shared::money::Money;
use pos_shared::orders::OrderStatus;
use pos_shared::protocol::{WireOrder, WirePurchaseOrder};
use pos_shared::roles::Role;
use rust_decimal::Decimal;

use super::HeadOffice;
use crate::storage::rules::admin::{self, TerminalCreated};
use crate::storage::rules::purchasing::{self, PoLineRequest};
use crate::storage::rules::reorder::{self, ReorderPolicy, ReorderRow};
use crate::storage::rules::{catalog, credit, keys, meta, order_views, orders, prices, quarantine};
use crate::storage::sql::Database;
use crate::storage::{ChannelAuth, StoreResult};

impl<D: Database> HeadOffice<D> {
    /// Gives the database a new epoch: after restoring it from a backup.
    pub fn new_epoch(&self) -> StoreResult<String> {
        self.db.write(|tx| meta::new_epoch(tx))
    }

    /// The fingerprint of the certificate `serve` presents, as the last
    /// `serve --tls-cert` or `tls self-signed` recorded it.
    pub fn tls_fingerprint(&self) -> StoreResult<Option<String>> {
        self.db.snapshot(|tx| admin::tls_fingerprint(tx))
    }

    pub fn set_tls_fingerprint(&self, fingerprint: &pos_shared::fingerprint::Fingerprint) -> StoreResult<()> {
        self.db.write(|tx| admin::set_tls_fingerprint(tx, fingerprint))
    }

    /// Announces the certificate head office presents next (see
    /// [`admin::set_next_tls_fingerprint`]).
    pub fn set_next_tls_fingerprint(&self, fingerprint: &pos_shared::fingerprint::Fingerprint) -> StoreResult<()> {
        self.db.write(|tx| admin::set_next_tls_fingerprint(tx, fingerprint))
    }

    /// Adds a store; its code is `S01`, `S02`, ... in order of creation.
    pub fn add_store(
        &self,
        name: &str,
        currency: &str,
        prices_include_tax: bool,
        time_zone: Option<&str>,
    ) -> StoreResult<String> {
        self.db.write(|tx| admin::add_store(tx, name, currency, prices_include_tax, time_zone))
    }

    /// The id of a store named by code (`S01`) or name.
    pub fn store_id(&self, store: &str) -> StoreResult<i64> {
        self.db.snapshot(|tx| admin::store_id(tx, store))
    }

    /// Adds a terminal to a store and returns its one-time enrollment code.
    pub fn add_terminal(&self, store: &str, name: &str, valid_hours: u32) -> StoreResult<TerminalCreated> {
        self.db.write(|tx| admin::add_terminal(tx, store, name, valid_hours))
    }

    /// Adds a terminal under the id a till already holds (see `admin::add_terminal_with_id`).
    pub fn add_terminal_with_id(&self, id: &str, name: &str, valid_hours: u32) -> StoreResult<TerminalCreated> {
        self.db.write(|tx| admin::add_terminal_with_id(tx, id, name, valid_hours))
    }

    /// A new one-time enrollment code for a terminal that is not revoked.
    pub fn new_enrollment_code(&self, terminal_id: &str, valid_hours: u32) -> StoreResult<TerminalCreated> {
        self.db.write(|tx| admin::new_enrollment_code(tx, terminal_id, valid_hours))
    }

    /// Revokes a terminal's token: its next call gets 401.
    pub fn revoke_terminal(&self, terminal_id: &str) -> StoreResult<()> {
        self.db.write(|tx| admin::revoke_terminal(tx, terminal_id))
    }

    /// Imports a catalog CSV (the terminal's format): all rows or none.
    pub fn import_catalog(&self, csv: &[u8]) -> StoreResult<usize> {
        self.db.write(|tx| catalog::import_catalog(tx, csv))
    }

    /// Sets the price of the product a SKU or barcode names.
    pub fn set_price(&self, code: &str, price: Money) -> StoreResult<String> {
        self.db.write(|tx| catalog::set_price(tx, code, price))
    }

    /// Stops selling a product; terminals keep it for old receipts and returns.
    pub fn archive_product(&self, code: &str) -> StoreResult<String> {
        self.db.write(|tx| catalog::archive_product(tx, code))
    }

    /// Adds a user who can log in at the tills of `store`, or of every
    /// store; a name that exists is refused (see [`catalog::add_user`]).
    pub fn add_user(&self, name: &str, role: Role, pin: &str, store: Option<&str>) -> StoreResult<()> {
        self.db.write(|tx| catalog::add_user(tx, name, role, pin, store))
    }

    /// The entries held for a person to decide (with `decided`, those
    /// decided too), of one terminal or all.
    pub fn held_entries(&self, terminal: Option<&str>, decided: bool) -> StoreResult<Vec<quarantine::HeldEntry>> {
        self.db.snapshot(|tx| quarantine::list(tx, terminal, decided))
    }

    /// A person's decision on a held entry: accepted, it is applied now.
    pub fn decide_held(
        &self,
        terminal: &str,
        seq: u64,
        decision: quarantine::Decision,
        by: &str,
        reason: Option<&str>,
    ) -> StoreResult<quarantine::HeldEntry> {
        self.db.write(|tx| quarantine::decide(tx, terminal, seq, decision, by, reason))
    }

    /// Changes a till user's role, store or PIN (see [`catalog::change_user`]).
    pub fn change_user(&self, name: &str, change: catalog::UserChange<'_>) -> StoreResult<()> {
        self.db.write(|tx| catalog::change_user(tx, name, change))
    }

    /// Adds a customer; returns their code (`C000001`, ...).
    pub fn add_customer(&self, customer: &catalog::NewCustomer<'_>) -> StoreResult<String> {
        self.db.write(|tx| catalog::add_customer(tx, customer))
    }

    /// Sets a customer's account terms.
    pub fn set_account(&self, code: &str, terms: &credit::AccountTerms<'_>) -> StoreResult<()> {
        self.db.write(|tx| credit::set_account(tx, code, terms))
    }

    /// Records a payment received on an account; returns what is still owed.
    pub fn take_payment(&self, code: &str, amount: &str, reference: &str) -> StoreResult<Money> {
        self.db.write(|tx| credit::take_payment(tx, code, amount, reference))
    }

    /// Every customer with an account and what they owe.
    pub fn accounts(&self) -> StoreResult<Vec<credit::AccountRow>> {
        self.db.snapshot(|tx| credit::accounts(tx))
    }

    /// A terminal's fiscal archive of a closed month or year.
    pub fn fiscal_archive(&self, terminal: &str, period: pos_shared::fiscal::Period) -> StoreResult<Vec<u8>> {
        self.db.snapshot(|tx| super::super::rules::fiscal::archive(tx, terminal, period))
    }

    /// A customer's account or a gift card, move by move.
    pub fn statement(&self, of: &Credit) -> StoreResult<credit::Statement> {
        self.db.snapshot(|tx| credit::statement(tx, of))
    }

    /// Adds (or changes) a price list.
    pub fn add_price_list(&self, list: &prices::NewPriceList<'_>) -> StoreResult<()> {
        self.db.write(|tx| prices::add_price_list(tx, list))
    }

    /// Sets a product's price on a list; returns its SKU.
    pub fn set_list_price(&self, list: &str, code: &str, price: Money, min_qty: Option<&str>) -> StoreResult<String> {
        self.db.write(|tx| prices::set_list_price(tx, list, code, price, min_qty))
    }

    /// Adds (or changes) a pack of a product; returns its SKU.
    pub fn add_pack(&self, code: &str, qty: &str, barcode: Option<&str>, price: Option<Money>) -> StoreResult<String> {
        self.db.write(|tx| prices::add_pack(tx, code, qty, barcode, price))
    }

    /// Imports a promotion file, all or nothing.
    pub fn import_promotions(&self, csv: &[u8]) -> StoreResult<usize> {
        self.db.write(|tx| prices::import_promotions(tx, csv))
    }

    /// Every price list with how many prices it holds.
    pub fn price_lists(&self) -> StoreResult<Vec<prices::PriceListRow>> {
        self.db.snapshot(|tx| prices::price_lists(tx))
    }

    /// Every promotion with what it cost and sold.
    pub fn promotions(&self) -> StoreResult<Vec<prices::PromotionFigures>> {
        self.db.snapshot(|tx| prices::promotion_figures(tx))
    }

    /// Issues (or replaces) the API key of a channel, creating the channel
    /// if it is new. The key is shown once; only its hash is kept.
    pub fn issue_channel_key(&self, name: &str) -> StoreResult<String> {
        self.db.write(|tx| keys::issue_channel_key(tx, name))
    }

    /// Issues an API key for head office's reports; shown once.
    pub fn issue_office_key(&self, name: &str, scope: &str) -> StoreResult<String> {
        self.db.write(|tx| keys::issue_office_key(tx, name, scope))
    }

    /// The channel a name gives, for head office's own orders.
    pub fn channel_by_name(&self, name: &str) -> StoreResult<ChannelAuth> {
        self.db.snapshot(|tx| keys::channel_by_name(tx, name))
    }

    /// Lets channel `channel` see and order for customer `code`.
    pub fn link_customer(&self, code: &str, channel: &str) -> StoreResult<()> {
        self.db.write(|tx| orders::link_customer(tx, code, keys::channel_by_name(tx, channel)?.id))
    }

    /// Orders, newest first, optionally of one store and status.
    pub fn orders(&self, store: Option<&str>, status: Option<OrderStatus>) -> StoreResult<Vec<WireOrder>> {
        self.db.snapshot(|tx| {
            let store_id = store.map(|s| admin::store_id(tx, s)).transpose()?;
            order_views::orders(tx, store_id, status)
        })
    }

    /// Adds a supplier and how many days its deliveries take.
    pub fn add_supplier(&self, name: &str, lead_time_days: u32) -> StoreResult<()> {
        self.db.write(|tx| purchasing::add_supplier(tx, name, lead_time_days))
    }

    /// Orders goods from a supplier for a store; all lines or none.
    pub fn create_purchase_order(
        &self,
        supplier: &str,
        store: &str,
        lines: &[PoLineRequest],
    ) -> StoreResult<WirePurchaseOrder> {
        self.db.write(|tx| purchasing::create_purchase_order(tx, supplier, store, lines))
    }

    /// Moves goods from one store to another.
    pub fn create_transfer(&self, from: &str, to: &str, lines: &[PoLineRequest]) -> StoreResult<WirePurchaseOrder> {
        self.db.write(|tx| purchasing::create_transfer(tx, from, to, lines))
    }

    /// Sends a draft to its store: its tills pull it at their next sync.
    pub fn send_purchase_order(&self, number: &str) -> StoreResult<WirePurchaseOrder> {
        self.db.write(|tx| purchasing::send_purchase_order(tx, number))
    }

    pub fn purchase_order(&self, number: &str) -> StoreResult<WirePurchaseOrder> {
        self.db.snapshot(|tx| purchasing::load(tx, number))
    }

    /// Purchase orders, newest first, optionally of one store.
    pub fn purchase_orders(&self, store: Option<&str>) -> StoreResult<Vec<WirePurchaseOrder>> {
        self.db.snapshot(|tx| {
            let store_id = store.map(|s| admin::store_id(tx, s)).transpose()?;
            purchasing::purchase_orders(tx, store_id)
        })
    }

    /// Sets a store's reorder point and order-up-to level for a product.
    pub fn set_reorder_level(&self, store: &str, code: &str, point: Decimal, up_to: Decimal) -> StoreResult<String> {
        self.db.write(|tx| reorder::set_reorder_level(tx, admin::store_id(tx, store)?, code, point, up_to))
    }

    /// Records who products are bought from, and in which pack.
    pub fn assign_supplier(
        &self,
        supplier: &str,
        codes: &[String],
        pack: Option<(Decimal, Option<Money>)>,
    ) -> StoreResult<Vec<String>> {
        self.db.write(|tx| reorder::assign_supplier(tx, supplier, codes, pack))
    }

    /// What to order now, per store and product.
    pub fn reorder_suggestions(&self, store: Option<&str>, policy: ReorderPolicy) -> StoreResult<Vec<ReorderRow>> {
        self.db.snapshot(|tx| {
            let store_id = store.map(|s| admin::store_id(tx, s)).transpose()?;
            reorder::reorder_suggestions(tx, store_id, policy)
        })
    }

    /// Turns today's suggestions into draft purchase orders, one per store
    /// and supplier; products with no supplier stay in the suggestions.
    pub fn draft_reorder(&self, store: Option<&str>, policy: ReorderPolicy) -> StoreResult<Vec<WirePurchaseOrder>> {
        self.db.write(|tx| {
            let store_id = store.map(|s| admin::store_id(tx, s)).transpose()?;
            reorder::draft_reorder(tx, store_id, policy)
        })
    }
}
