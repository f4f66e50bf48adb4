//! A terminal's fiscal archive of a closed month or year, written by head
//! office from the entries the till pushed (canonical bytes, hashes and
//! signatures as they came): the same bytes the till writes.

use pos_shared::fiscal::audit::StoredEntry;
use pos_shared::fiscal::{Period, archive};
use pos_shared::ids::TerminalId;
use pos_shared::journal::{CanonicalEntry, Event, Hash32};

use super::quarantine::WHOLE_JOURNAL;
use crate::storage::sql::Tx;
use crate::storage::{StoreError, StoreResult};

/// The archive's bytes; refused for an unknown terminal, one enrolled
/// without a key, or a period whose closing head office does not hold.
pub fn archive(tx: &impl Tx, terminal: &str, period: Period) -> StoreResult<Vec<u8>> {
    let terminal_id: TerminalId = terminal.parse().map_err(|e| StoreError::BadRequest(format!("{e}")))?;
    let key: Option<Vec<u8>> = tx
        .row("SELECT public_key FROM terminals WHERE id = ?1", &[&terminal])?
        .ok_or_else(|| StoreError::NotFound(format!("no terminal {terminal}")))?
        .get(0)?;
    let key = key.ok_or_else(|| {
        StoreError::BadRequest(format!("terminal {terminal} enrolled without a key: its entries are not signed"))
    })?;
    let mut closings = Vec::new();
    for row in tx.rows(
        "SELECT seq, payload FROM journal WHERE terminal_id = ?1 AND kind = 'period_closed' ORDER BY seq",
        &[&terminal],
    )? {
        let seq: u64 = row.get(0)?;
        let entry = CanonicalEntry::from_bytes(&row.get::<Vec<u8>>(1)?)
            .map_err(|e| StoreError::Internal(format!("closing {seq} unreadable: {e}")))?;
        if let Event::PeriodClosed(closing) = entry.event {
            closings.push((seq, closing.period));
        }
    }
    let (from, to) = archive::range(&closings, period)
        .map_err(|e| StoreError::NotFound(format!("{e} (or head office has not received its closing yet)")))?;
    let hash = |row: &crate::storage::sql::Row, at| -> StoreResult<Hash32> {
        Hash32::from_slice(&row.get::<Vec<u8>>(at)?)
            .ok_or_else(|| StoreError::Internal("a hash is not 32 bytes".into()))
    };
    let prev_hash = match from {
        1 => Hash32::GENESIS,
        _ => {
            let row = tx.row(
                &format!("SELECT hash FROM {WHOLE_JOURNAL} j WHERE terminal_id = ?1 AND seq = ?2"),
                &[&terminal, &(from - 1)],
            )?;
            hash(&row.ok_or_else(|| StoreError::Internal(format!("entry {} is missing", from - 1)))?, 0)?
        }
    };
    // Held entries too: the archive is the till's journal, byte for byte.
    let rows = tx.rows(
        &format!(
            "SELECT seq, payload, hash, signature FROM {WHOLE_JOURNAL} j
             WHERE terminal_id = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq"
        ),
        &[&terminal, &from, &to],
    )?;
    let entries = rows
        .iter()
        .map(|row| {
            Ok(StoredEntry { seq: row.get(0)?, canonical: row.get(1)?, hash: hash(row, 2)?, signature: row.get(3)? })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(archive::write(&terminal_id, period, &key, prev_hash, &entries))
}
