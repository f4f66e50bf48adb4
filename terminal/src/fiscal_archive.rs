//! The till's fiscal archive of a month or a year (its journal from the
//! closing of the month before to the period's own closing, signed, in the
//! format of `pos_shared::fiscal::archive`, what head office writes too),
//! and France's FEC export of the period's Z reports.

use chrono::TimeZone;
use pos_shared::accounting::Accounts;
use pos_shared::fiscal::audit::StoredEntry;
use pos_shared::fiscal::fec::{self, DatedZ};
use pos_shared::fiscal::{Period, archive};
use pos_shared::journal::Hash32;
use pos_shared::report::SessionReport;

use crate::Terminal;
use crate::error::{CoreError, CoreResult};

impl Terminal {
    /// The public key this till's entries are signed with.
    pub fn public_key(&self) -> [u8; 32] {
        self.signer.public_key()
    }

    /// The seqs a closed period's archive runs between (see `archive::range`).
    fn period_range(&self, period: Period) -> CoreResult<(u64, u64)> {
        let mut stmt = self.conn.prepare_cached("SELECT seq, period FROM period_closings ORDER BY seq")?;
        let closings = stmt
            .query_map([], |r| Ok((r.get::<_, u64>(0)?, r.get::<_, String>(1)?)))?
            .map(|row| {
                let (seq, period) = row?;
                Ok((seq, period.parse::<Period>().map_err(CoreError::Invalid)?))
            })
            .collect::<CoreResult<Vec<_>>>()?;
        archive::range(&closings, period).map_err(CoreError::Invalid)
    }

    /// The archive's bytes; refused for a period not closed yet.
    pub fn fiscal_archive(&self, period: Period) -> CoreResult<Vec<u8>> {
        let (from, to) = self.period_range(period)?;
        self.sign_pending()?;
        let _snapshot = self.conn.unchecked_transaction()?;
        let mut stmt = self.conn.prepare(
            "SELECT seq, payload, hash, signature, prev_hash FROM journal WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq",
        )?;
        let mut prev_hash = Hash32::GENESIS;
        let mut entries = Vec::new();
        let mut rows = stmt.query([from, to])?;
        while let Some(row) = rows.next()? {
            let hash = |bytes: Vec<u8>| Hash32::from_slice(&bytes).unwrap_or(Hash32::GENESIS);
            if entries.is_empty() {
                prev_hash = hash(row.get(4)?);
            }
            entries.push(StoredEntry {
                seq: row.get(0)?,
                canonical: row.get(1)?,
                hash: hash(row.get(2)?),
                signature: row.get(3)?,
            });
        }
        Ok(archive::write(&self.settings.terminal_id, period, &self.signer.public_key(), prev_hash, &entries))
    }

    /// France's FEC of a closed month or year: its Z reports as balanced
    /// entries on the default French chart of accounts.
    pub fn fiscal_export(&self, period: Period) -> CoreResult<String> {
        let (from, to) = self.period_range(period)?;
        let mut stmt = self.conn.prepare("SELECT payload FROM z_reports WHERE seq > ?1 AND seq < ?2 ORDER BY seq")?;
        let reports = stmt
            .query_map([from, to], |r| r.get::<_, Vec<u8>>(0))?
            .map(|payload| Ok(serde_json::from_slice::<SessionReport>(&payload?)?))
            .collect::<CoreResult<Vec<_>>>()?;
        let dated: Vec<DatedZ<'_>> = reports
            .iter()
            .map(|report| DatedZ {
                report,
                date: chrono::Local
                    .timestamp_millis_opt(report.at_ms)
                    .earliest()
                    .map(|t| t.format("%Y%m%d").to_string())
                    .unwrap_or_default(),
            })
            .collect();
        Ok(fec::export(&self.settings.terminal_id.to_string(), &dated, &Accounts::default()))
    }
}
