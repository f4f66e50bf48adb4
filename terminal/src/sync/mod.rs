//! Sync on the terminal's side: the outbox of journal entries going up, the
//! catalog and central stock coming down, and the state between runs. The
//! HTTP client is in `client`; the loop that drives both is in `run`.

pub mod client;
pub mod run;
pub mod trust;

use pos_shared::catalog::CatalogItem;
use pos_shared::journal::Hash32;
use pos_shared::money::Money;
use pos_shared::protocol::{CatalogPage, StockSnapshot, WireEntry, WireHeld};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::value::RawValue;

use crate::Terminal;
use crate::catalog::{BarcodeClash, SearchIndex, upsert_catalog};
use crate::error::{CoreError, CoreResult};

/// Most payload bytes one push carries: well under head office's 16 MiB
/// body limit, which a batch of large entries could otherwise pass.
pub const PUSH_BYTES: usize = 4 * 1024 * 1024;

/// SQL for the known stock of product row `p` (binding 2: the seq the
/// central snapshot includes): central on-hand plus this terminal's
/// movements since.
pub(crate) const KNOWN_STOCK: &str = "COALESCE((SELECT on_hand_milli FROM central_stock c WHERE c.sku = p.sku), 0)
    + COALESCE((SELECT SUM(qty_milli) FROM stock_movements m WHERE m.sku = p.sku AND m.seq > ?2), 0)";

/// Where a terminal syncs to, with which token, and how it checks the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enrollment {
    pub server: String,
    pub token: String,
    pub trust: trust::Trust,
}

/// What the status line and `pos-terminal sync status` show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub server: Option<String>,
    pub pending: u64,
    pub last_success_ms: Option<i64>,
    pub last_error: Option<String>,
    pub catalog_cursor: u64,
    /// This till's entries head office holds for a person to decide, as
    /// the last sync said (its later entries were applied).
    pub held: Vec<WireHeld>,
}

/// A pinned till follows the certificates head office says, over the
/// channel the pin already secured: the one it presents now becomes the
/// pin, the others are accepted too. An unpinned till ignores them.
fn follow_certificates(tx: &rusqlite::Transaction<'_>, certificates: &[String]) -> CoreResult<()> {
    let pinned: Option<String> =
        tx.query_row("SELECT value FROM sync_state WHERE key = 'fingerprint'", [], |r| r.get(0)).optional()?;
    let (Some(_), Some((now, others))) = (pinned, certificates.split_first()) else {
        return Ok(());
    };
    for text in certificates {
        text.parse::<pos_shared::fingerprint::Fingerprint>()
            .map_err(|e| CoreError::Invalid(format!("head office announced a certificate “{text}”: {e}")))?;
    }
    Terminal::set_sync_value(tx, "fingerprint", now)?;
    Terminal::set_sync_value(tx, "fingerprints_also", &others.join(","))
}

impl Terminal {
    pub(crate) fn sync_value(&self, key: &str) -> CoreResult<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM sync_state WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    pub(crate) fn set_sync_value(conn: &rusqlite::Connection, key: &str, value: &str) -> CoreResult<()> {
        conn.prepare_cached("INSERT OR REPLACE INTO sync_state (key, value) VALUES (?1, ?2)")?.execute([key, value])?;
        Ok(())
    }

    pub(crate) fn sync_number(&self, key: &str) -> CoreResult<u64> {
        Ok(self.sync_value(key)?.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// The epoch of head office's database when this till last synced.
    pub fn head_office_epoch(&self) -> CoreResult<Option<String>> {
        self.sync_value("epoch")
    }

    pub fn set_head_office_epoch(&mut self, epoch: &str) -> CoreResult<()> {
        Terminal::set_sync_value(&self.conn, "epoch", epoch)
    }

    /// Head office's database went back in time (restored from a backup):
    /// forgets every cursor and every document head office owns here (its
    /// orders, purchase orders and transfers), so the next pull brings its
    /// picture whole. What this till recorded is untouched; entries head
    /// office lacks are sent again when it says where it stands.
    pub fn forget_head_office_pages(&mut self) -> CoreResult<()> {
        let tx = self.conn.transaction()?;
        tx.execute_batch(
            "DELETE FROM order_lines; DELETE FROM orders; DELETE FROM po_lines; DELETE FROM purchase_orders;",
        )?;
        for cursor in ["catalog_cursor", "orders_cursor", "po_cursor"] {
            Terminal::set_sync_value(&tx, cursor, "0")?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn enrollment(&self) -> CoreResult<Option<Enrollment>> {
        let (Some(server), Some(token)) = (self.sync_value("server")?, self.sync_value("token")?) else {
            return Ok(None);
        };
        let fingerprint = match self.sync_value("fingerprint")? {
            Some(text) => Some(text.parse().map_err(|e: pos_shared::fingerprint::FingerprintError| {
                crate::CoreError::Invalid(format!("the pinned certificate: {e}"))
            })?),
            None => None,
        };
        let insecure = self.sync_value("insecure")?.as_deref() == Some("yes");
        let also = self.sync_value("fingerprints_also")?.unwrap_or_default();
        let also = also
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|e| CoreError::Invalid(format!("a certificate head office announced: {e}")))?;
        Ok(Some(Enrollment { server, token, trust: trust::Trust { fingerprint, also, insecure } }))
    }

    /// This till's proof, signed with its key, that the token it holds is
    /// its own: for a head office that lost it in a restore.
    pub fn recognition(&self, token: &str) -> pos_shared::protocol::RecognizeRequest {
        let terminal_id = self.settings.terminal_id.to_string();
        let signed_at_ms = self.clock.now_ms();
        let hash = pos_shared::protocol::recognition_hash(&terminal_id, token, signed_at_ms);
        pos_shared::protocol::RecognizeRequest {
            protocol_version: pos_shared::protocol::PROTOCOL_VERSION,
            terminal_id,
            token: token.to_string(),
            signed_at_ms,
            signature: hex::encode(self.signer.sign(&hash)),
        }
    }

    /// Keeps a renewed token (head office ends the old one once this one is used).
    pub fn set_token(&mut self, token: &str) -> CoreResult<()> {
        Terminal::set_sync_value(&self.conn, "token", token)
    }

    /// A manager trusts head office's certificate `fingerprint` from now
    /// on, and only it (after a switch this till missed): journaled.
    pub fn trust_certificate(
        &mut self,
        actor: &crate::Operator,
        fingerprint: &pos_shared::fingerprint::Fingerprint,
        approver: Option<&crate::users::Credentials>,
    ) -> CoreResult<()> {
        if self.sync_value("server")?.is_none() {
            return Err(CoreError::Invalid("this till is not enrolled with head office".into()));
        }
        let detail = format!("trust head office's certificate {fingerprint}");
        let approval = self.audited(actor, pos_shared::roles::Permission::ChangeSettings, approver, detail)?;
        let tx = self.begin_journaled(&[approval.event()])?;
        Terminal::set_sync_value(&tx, "fingerprint", &fingerprint.to_string())?;
        Terminal::set_sync_value(&tx, "fingerprints_also", "")?;
        tx.commit()
    }

    pub fn save_enrollment(&mut self, enrollment: &Enrollment) -> CoreResult<()> {
        let tx = self.conn.transaction()?;
        Terminal::set_sync_value(&tx, "server", &enrollment.server)?;
        Terminal::set_sync_value(&tx, "token", &enrollment.token)?;
        if let Some(fingerprint) = &enrollment.trust.fingerprint {
            Terminal::set_sync_value(&tx, "fingerprint", &fingerprint.to_string())?;
        }
        if enrollment.trust.insecure {
            Terminal::set_sync_value(&tx, "insecure", "yes")?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The oldest journal entries the server has not acknowledged, in seq
    /// order: at most `limit`, and never more
    /// than [`PUSH_BYTES`] of them (at least one), so a push stays under
    /// head office's body limit.
    pub fn outbox_batch(&self, limit: usize) -> CoreResult<Vec<WireEntry>> {
        self.sign_pending()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT j.seq, j.payload, j.prev_hash, j.hash, j.signature FROM outbox o JOIN journal j ON j.seq = o.seq
             WHERE o.acked_at_ms IS NULL ORDER BY o.seq LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as u64], |r| {
            let signature: Option<Vec<u8>> = r.get(4)?;
            Ok((
                r.get::<_, u64>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, Vec<u8>>(3)?,
                signature,
            ))
        })?;
        let mut entries = Vec::new();
        let mut bytes = 0;
        for row in rows {
            let (seq, payload, prev, hash, signature) = row?;
            if payload.len() > PUSH_BYTES {
                return Err(CoreError::Invalid(format!(
                    "journal entry {seq} is {} bytes, more than the {PUSH_BYTES} one push may carry: \
                     it was written by an older version; call support",
                    payload.len()
                )));
            }
            bytes += payload.len();
            if bytes > PUSH_BYTES && !entries.is_empty() {
                break;
            }
            let broken = |what: &str| CoreError::JournalBroken { seq, reason: what.to_string() };
            let text = String::from_utf8(payload).map_err(|_| broken("payload is not UTF-8"))?;
            entries.push(WireEntry {
                seq,
                payload: RawValue::from_string(text).map_err(|_| broken("payload is not JSON"))?,
                prev_hash: Hash32::from_slice(&prev).ok_or_else(|| broken("bad prev_hash"))?,
                hash: Hash32::from_slice(&hash).ok_or_else(|| broken("bad hash"))?,
                signature: signature.map(hex::encode),
            });
        }
        Ok(entries)
    }

    /// Marks every entry up to `seq` as applied by the server.
    pub fn mark_acked(&mut self, seq: u64) -> CoreResult<()> {
        let now = self.clock.now_ms();
        self.conn
            .prepare_cached("UPDATE outbox SET acked_at_ms = ?1 WHERE seq <= ?2 AND acked_at_ms IS NULL")?
            .execute(params![now, seq])?;
        Ok(())
    }

    /// Head office holds this till's entries only up to `seq - 1` although
    /// it acknowledged more (a gap answer; a stock snapshot's `through_seq`
    /// after head office was restored): everything from `seq` goes back in
    /// the outbox (head office skips what it has). Returns how many that
    /// were acknowledged go again.
    pub fn resend_from(&mut self, seq: u64) -> CoreResult<u64> {
        Ok(self
            .conn
            .execute("UPDATE outbox SET acked_at_ms = NULL WHERE seq >= ?1 AND acked_at_ms IS NOT NULL", [seq])?
            as u64)
    }

    pub fn catalog_cursor(&self) -> CoreResult<u64> {
        self.sync_number("catalog_cursor")
    }

    /// Applies one page of catalog changes and moves the cursor, all in one
    /// transaction. Archived products stay for old receipts and returns.
    pub fn apply_catalog_page(&mut self, page: &CatalogPage) -> CoreResult<usize> {
        let items: Vec<(u64, CatalogItem)> = page
            .products
            .iter()
            .enumerate()
            .map(|(i, p)| CatalogItem::try_from(p).map(|item| (i as u64 + 1, item)))
            .collect::<Result<_, _>>()
            .map_err(CoreError::Invalid)?;
        let tx = self.conn.transaction()?;
        upsert_catalog(&tx, &items, BarcodeClash::Reassign, SearchIndex::Deferred)?;
        {
            let mut users = tx.prepare_cached(
                "INSERT INTO users (name, role, pin_hash, active) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (name) DO UPDATE SET role = excluded.role, pin_hash = excluded.pin_hash, active = excluded.active",
            )?;
            for user in &page.users {
                if user.role != "cashier" && user.role != "manager" {
                    return Err(CoreError::Invalid(format!("user {} has an unknown role {}", user.name, user.role)));
                }
                users.execute(params![user.name, user.role, user.pin_hash, user.active])?;
            }
            let mut customers = tx.prepare_cached(
                "INSERT OR REPLACE INTO customers (code, name, email, phone, customer_group, credit_limit_minor, terms_days,
                   vat_number, address) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for c in &page.customers {
                let limit = c.credit_limit.map(Money::minor);
                customers.execute(params![
                    c.code,
                    c.name,
                    c.email,
                    c.phone,
                    c.group,
                    limit,
                    c.terms_days,
                    c.vat_number,
                    c.address
                ])?;
            }
        }
        crate::pricing::store_price_rules(&tx, page)?;
        Terminal::set_sync_value(&tx, "catalog_cursor", &page.next_cursor.to_string())?;
        tx.commit()?;
        Ok(items.len())
    }

    /// Replaces each document of a pulled page (an order, a purchase order)
    /// with head office's version and moves `cursor`, in one transaction.
    pub(crate) fn apply_doc_page<T>(
        &mut self,
        docs: &[T],
        through_seq: u64,
        cursor: &str,
        next_cursor: u64,
        store: fn(&rusqlite::Transaction<'_>, &T, u64) -> CoreResult<()>,
    ) -> CoreResult<usize> {
        let tx = self.conn.transaction()?;
        for doc in docs {
            store(&tx, doc, through_seq)?;
        }
        Terminal::set_sync_value(&tx, cursor, &next_cursor.to_string())?;
        tx.commit()?;
        Ok(docs.len())
    }

    /// Replaces the central stock picture with a fresh snapshot.
    pub fn apply_stock_snapshot(&mut self, snapshot: &StockSnapshot) -> CoreResult<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM central_stock", [])?;
        {
            let mut stmt = tx.prepare_cached("INSERT INTO central_stock (sku, on_hand_milli) VALUES (?1, ?2)")?;
            for item in &snapshot.items {
                stmt.execute(params![item.sku, item.on_hand_milli])?;
            }
        }
        crate::credit::store_balances(&tx, snapshot)?;
        Terminal::set_sync_value(&tx, "central_through_seq", &snapshot.through_seq.to_string())?;
        Terminal::set_sync_value(&tx, "held", &serde_json::to_string(&snapshot.held)?)?;
        follow_certificates(&tx, &snapshot.certificates)?;
        tx.commit()?;
        Ok(())
    }

    /// Remembers how the last sync went, for the status line.
    pub fn record_sync_outcome(&mut self, error: Option<&str>) -> CoreResult<()> {
        let now = self.clock.now_ms().to_string();
        match error {
            None => {
                Terminal::set_sync_value(&self.conn, "last_success_ms", &now)?;
                self.conn.execute("DELETE FROM sync_state WHERE key = 'last_error'", [])?;
            }
            Some(error) => Terminal::set_sync_value(&self.conn, "last_error", error)?,
        }
        Ok(())
    }

    pub fn sync_status(&self) -> CoreResult<SyncStatus> {
        Ok(SyncStatus {
            server: self.sync_value("server")?,
            pending: self.pending_sync_count()?,
            last_success_ms: self.sync_value("last_success_ms")?.and_then(|v| v.parse().ok()),
            last_error: self.sync_value("last_error")?,
            catalog_cursor: self.catalog_cursor()?,
            held: self.held_at_head_office()?,
        })
    }

    /// This till's entries head office holds, as the last sync said.
    pub fn held_at_head_office(&self) -> CoreResult<Vec<WireHeld>> {
        Ok(match self.sync_value("held")? {
            Some(text) => serde_json::from_str(&text)?,
            None => Vec::new(),
        })
    }

    /// Stock of `sku` as this terminal knows it: the store's central on-hand
    /// at the last sync plus this terminal's movements since; only its own
    /// movements before any sync.
    pub fn known_stock_milli(&self, sku: &str) -> CoreResult<i64> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {KNOWN_STOCK} FROM (SELECT ?1 AS sku) p"))?
            .query_row(params![sku, self.sync_number("central_through_seq")?], |r| r.get(0))?)
    }
}
