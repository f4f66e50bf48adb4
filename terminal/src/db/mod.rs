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
    include_str!("schema_v5.sql"),
    include_str!("schema_v6.sql"),
    include_str!("schema_v7.sql"),
    include_str!("schema_v8.sql"),
    include_str!("schema_v9.sql"),
    include_str!("schema_v10.sql"),
    include_str!("schema_v11.sql"),
    include_str!("schema_v12.sql"),
    include_str!("schema_v13.sql"),
    include_str!("schema_v14.sql"),
    include_str!("schema_v15.sql"),
    include_str!("schema_v16.sql"),
];

/// The database file inside a data directory.
pub const DB_FILE: &str = "terminal.sqlite";

/// Opens (creating if needed) the terminal's database, durable and migrated;
/// one from a newer version of the till is refused untouched.
pub fn open(path: &Path) -> Result<Connection, pos_sqlite::OpenError> {
    // 32 MB of page cache: a 200,000-product catalog and its search index.
    let options = pos_sqlite::Options { cache_kib: 32_000, busy_timeout: std::time::Duration::from_secs(5) };
    pos_sqlite::open(path, options, MIGRATIONS)
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
        conn.execute(
            "INSERT INTO journal (seq, kind, at_ms, payload, prev_hash, hash) VALUES (1, 'x', 0, x'00', x'00', x'00')",
            [],
        )
        .unwrap();
        conn.execute("INSERT INTO stock_movements (seq, sku, qty_milli, reason) VALUES (1, 'A', -1000, 'sale')", [])
            .unwrap();
        let err = conn.execute("UPDATE stock_movements SET qty_milli = 0", []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
        assert!(conn.execute("DELETE FROM journal", []).is_err());
        let err = conn.execute("UPDATE journal SET payload = x'01'", []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
        conn.execute("UPDATE journal SET signature = x'02' WHERE seq = 1", []).unwrap();
        let err = conn.execute("UPDATE journal SET signature = x'03' WHERE seq = 1", []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "a signature is set once: {err}");
    }
}
