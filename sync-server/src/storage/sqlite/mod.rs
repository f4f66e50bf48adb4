//! The SQLite database: one WAL file, one writing connection behind a fair
//! lock (writes serialise anyway) and a pool of read-only connections for
//! pages and reports, so a long read never holds up a push; migrations by
//! `user_version`.

mod readers;
mod tx;

use std::path::Path;

use parking_lot::{FairMutex, FairMutexGuard};
use readers::Readers;
use rusqlite::Connection;

use crate::storage::sql::Database;
use crate::storage::{StoreError, StoreResult, zones};

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
    include_str!("../schema_v10.sql"),
    include_str!("../schema_v11.sql"),
    include_str!("../schema_v12.sql"),
    include_str!("../schema_v13.sql"),
    include_str!("../schema_v14.sql"),
    include_str!("../schema_v15.sql"),
    include_str!("../schema_v16.sql"),
    include_str!("../schema_v17.sql"),
];

pub struct SqliteDb {
    conn: FairMutex<Connection>,
    readers: Readers,
}

impl SqliteDb {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> StoreResult<SqliteDb> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Internal(e.to_string()))?;
        }
        let options = pos_sqlite::Options { cache_kib: 64_000, busy_timeout: std::time::Duration::from_secs(10) };
        let conn = pos_sqlite::open(path, options, MIGRATIONS)?;
        with_store_clocks(&conn)?;
        conn.execute("UPDATE stores SET time_zone = ?1 WHERE time_zone IS NULL", [zones::process_zone()])?;
        Ok(SqliteDb { conn: FairMutex::new(conn), readers: Readers::new(path, options) })
    }

    /// The one writing connection, handed out in turn (a panic while
    /// holding it leaves nothing half-written: SQLite rolled back).
    fn conn(&self) -> FairMutexGuard<'_, Connection> {
        self.conn.lock()
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

/// Gives `conn` `pos_local_time(ms, zone, format)`: a time in a store's
/// zone, as PostgreSQL's `AT TIME ZONE` does (SQLite knows only UTC and the
/// process's zone).
fn with_store_clocks(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("pos_local_time", 3, flags, |ctx| {
        let (ms, zone, format): (Option<i64>, Option<String>, String) = (ctx.get(0)?, ctx.get(1)?, ctx.get(2)?);
        Ok(ms.and_then(|ms| zones::local_text(ms, zone.as_deref().unwrap_or("UTC"), &format)))
    })
}

impl Database for SqliteDb {
    type Tx<'a> = Connection;

    /// `BEGIN IMMEDIATE` on the writer.
    fn write<T>(&self, mut work: impl FnMut(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // A newer server migrated the file since it was opened: no writes.
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > MIGRATIONS.len() as i64 {
            return Err(crate::storage::newer_schema(version, MIGRATIONS.len()));
        }
        let out = work(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// A read transaction on a reader.
    fn snapshot<T>(&self, mut work: impl FnMut(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let mut conn = self.readers.get()?;
        let tx = conn.transaction()?;
        work(&tx)
    }

    fn schema_current(&self) -> StoreResult<bool> {
        let conn = self.readers.get()?;
        let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        Ok(version == MIGRATIONS.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A write that finds the disk full (here, the file at the most pages
    /// it may have) is head office unavailable, a 503 to try again, never
    /// a 500; and `/readyz` says not ready for a while.
    #[test]
    fn a_full_disk_is_unavailable_not_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        let db = SqliteDb::open(&dir.path().join("hq.sqlite")).unwrap();
        let pages: i64 = db.conn().pragma_query_value(None, "page_count", |r| r.get(0)).unwrap();
        db.conn().pragma_update(None, "max_page_count", pages + 2).unwrap();
        let big = "x".repeat(64 * 1024);
        let written = db.write(|tx| {
            crate::storage::sql::Tx::run(tx, "INSERT INTO meta (key, value) VALUES ('filler', ?1)", &[&big])
        });
        match written {
            Err(StoreError::Unavailable(said)) => assert!(said.contains("disk is full"), "{said}"),
            other => panic!("a full disk answered {other:?}"),
        }
        assert!(crate::storage::disk_recently_full());
        let kept: Option<String> = db
            .snapshot(|tx| crate::storage::sql::Tx::row(tx, "SELECT value FROM meta WHERE key = 'filler'", &[]))
            .unwrap()
            .map(|row| row.get(0).unwrap());
        assert_eq!(kept, None, "nothing was written");
    }
}
