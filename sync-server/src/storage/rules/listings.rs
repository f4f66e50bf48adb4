//! What the back office lists that no report does: stores, till staff and
//! suppliers; and a till user switched off.

use serde::Serialize;

use super::catalog::next_version;
use crate::storage::sql::Tx;
use crate::storage::{StoreError, StoreResult};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoreRow {
    pub code: String,
    pub name: String,
    pub currency: String,
    pub tax_mode: String,
    /// The IANA time zone its days and hours are counted in.
    pub time_zone: String,
}

pub fn stores(tx: &impl Tx) -> StoreResult<Vec<StoreRow>> {
    tx.rows("SELECT code, name, currency, tax_mode, COALESCE(time_zone, 'UTC') FROM stores ORDER BY code", &[])?
        .iter()
        .map(|r| {
            Ok(StoreRow {
                code: r.get(0)?,
                name: r.get(1)?,
                currency: r.get(2)?,
                tax_mode: r.get(3)?,
                time_zone: r.get(4)?,
            })
        })
        .collect()
}

/// A person who logs in at the tills.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StaffRow {
    pub name: String,
    pub role: String,
    /// The store they work at; none: every store.
    pub store: Option<String>,
    pub active: bool,
}

pub fn staff(tx: &impl Tx) -> StoreResult<Vec<StaffRow>> {
    tx.rows(
        "SELECT u.name, u.role, s.code, u.active FROM users u LEFT JOIN stores s ON s.id = u.store_id
         ORDER BY s.code, u.name",
        &[],
    )?
    .iter()
    .map(|r| Ok(StaffRow { name: r.get(0)?, role: r.get(1)?, store: r.get(2)?, active: r.get(3)? }))
    .collect()
}

/// Stops a till user logging in, at every till after its next sync.
pub fn deactivate_user(tx: &impl Tx, name: &str) -> StoreResult<()> {
    let version = next_version(tx, "catalog_version")?;
    let changed =
        tx.run("UPDATE users SET active = 0, version = ?2 WHERE name = ?1 AND active = 1", &[&name.trim(), &version])?;
    if changed == 0 {
        return Err(StoreError::NotFound(format!("no active till user `{}`", pos_shared::entry_rules::excerpt(name))));
    }
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SupplierRow {
    pub name: String,
    pub lead_time_days: u32,
}

pub fn suppliers(tx: &impl Tx) -> StoreResult<Vec<SupplierRow>> {
    tx.rows("SELECT name, lead_time_days FROM suppliers ORDER BY name", &[])?
        .iter()
        .map(|r| Ok(SupplierRow { name: r.get(0)?, lead_time_days: r.get(1)? }))
        .collect()
}
