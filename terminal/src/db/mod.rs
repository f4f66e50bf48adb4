//! Opening the terminal's SQLite file durably and migrating its schema by
//! `user_version`.

use std::path::Path;

use rusqlite::Connection;

/// Migrations in order; `user_version` is how many have run.
const MIGRATIONS: &[&str] = &[
    include_str!("schema_v1.sql"),
    include_str!("schema_v2.sql"),
    include_str!("schema_v3.sql"),
    include_str!("schema_v4.sql"),
];

/// The database file inside a data directory.
pub const DB_FILE: &str = "terminal.sqlite";

/// Opens (creating if needed) the database with WAL and `synchronous=FULL`:
/// a commit that returned survives a power cut.
pub fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // 32 MB of page cache: a 200,000-product catalog and its search index.
    conn.pragma_update(None, "cache_size", -32_000)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(64);
    migrate(&conn)?;
    Ok(conn)
}

fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let version: usize = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_run_once_and_set_the_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        drop(open(&path).unwrap());
        let conn = open(&path).unwrap();
        let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, MIGRATIONS.len());
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn movements_and_journal_refuse_updates() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join(DB_FILE)).unwrap();
        conn.execute("INSERT INTO journal VALUES (1, 'x', 0, x'00', x'00', x'00')", []).unwrap();
        conn.execute("INSERT INTO stock_movements (seq, sku, qty_milli, reason) VALUES (1, 'A', -1000, 'sale')", [])
            .unwrap();
        let err = conn.execute("UPDATE stock_movements SET qty_milli = 0", []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
        assert!(conn.execute("DELETE FROM journal", []).is_err());
    }
}
