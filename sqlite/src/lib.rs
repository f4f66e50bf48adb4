//! Opening a SQLite database durably (WAL, `synchronous=FULL`: a commit that
//! returned survives a power cut) and migrating it by `user_version`: the
//! one way the terminal and the sync server open theirs.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

/// What differs between the databases that open through here.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Page cache, in KiB.
    pub cache_kib: i64,
    /// How long a writer waits for another connection's write.
    pub busy_timeout: Duration,
}

/// Why a database was not opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// A newer version of the software wrote it: an older one would
    /// misread it, so nothing is read or written.
    #[error(
        "{path} was written by a newer version of this software (schema {found}; this version knows up to \
         {known}): run that version or a newer one; nothing was changed"
    )]
    Newer { path: String, found: usize, known: usize },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Opens (creating if needed) the database at `path` and runs the
/// `migrations` it has not run yet, each in its own transaction. A database
/// from a newer version (more migrations than these) is refused before
/// anything is written.
pub fn open(path: &Path, options: Options, migrations: &[&str]) -> Result<Connection, OpenError> {
    let conn = Connection::open(path)?;
    let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > migrations.len() {
        return Err(OpenError::Newer { path: path.display().to_string(), found: version, known: migrations.len() });
    }
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", -options.cache_kib)?;
    conn.busy_timeout(options.busy_timeout)?;
    conn.set_prepared_statement_cache_capacity(64);
    for (index, sql) in migrations.iter().enumerate().skip(version) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index + 1)?;
        tx.commit()?;
    }
    Ok(conn)
}

/// Opens a read-only connection to a database that [`open`] made: a
/// reader beside the writer (WAL lets it read while the writer writes).
pub fn open_reader(path: &Path, options: Options) -> rusqlite::Result<Connection> {
    use rusqlite::OpenFlags;
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.pragma_update(None, "cache_size", -options.cache_kib)?;
    conn.busy_timeout(options.busy_timeout)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: Options = Options { cache_kib: 2_000, busy_timeout: Duration::from_secs(1) };

    #[test]
    fn migrations_run_once_in_order_and_the_file_is_durable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let v1 = ["CREATE TABLE a (x INTEGER) STRICT;"];
        drop(open(&path, OPTIONS, &v1).unwrap());
        let v2 = ["CREATE TABLE a (x INTEGER) STRICT;", "ALTER TABLE a ADD COLUMN y TEXT;"];
        let conn = open(&path, OPTIONS, &v2).unwrap();
        let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, 2, "the first migration did not run twice");
        conn.execute("INSERT INTO a (x, y) VALUES (1, 'b')", []).unwrap();
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        let sync: i64 = conn.pragma_query_value(None, "synchronous", |r| r.get(0)).unwrap();
        assert_eq!((mode.as_str(), sync), ("wal", 2), "WAL with synchronous=FULL");
    }

    #[test]
    fn a_failing_migration_leaves_the_version_where_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let broken = ["CREATE TABLE a (x INTEGER) STRICT;", "CREATE TABLE b (oops"];
        assert!(open(&path, OPTIONS, &broken).is_err());
        let conn = open(&path, OPTIONS, &broken[..1]).unwrap();
        let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, 1);
    }

    #[test]
    fn a_database_from_a_newer_version_is_refused_and_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let v2 = ["CREATE TABLE a (x INTEGER) STRICT;", "ALTER TABLE a ADD COLUMN y TEXT;"];
        drop(open(&path, OPTIONS, &v2).unwrap());
        let before = std::fs::read(&path).unwrap();
        let refused = open(&path, OPTIONS, &v2[..1]).unwrap_err();
        assert!(matches!(refused, OpenError::Newer { found: 2, known: 1, .. }), "{refused}");
        assert!(refused.to_string().contains("newer version"), "{refused}");
        assert_eq!(std::fs::read(&path).unwrap(), before, "nothing written");
    }

    #[test]
    fn a_reader_sees_commits_and_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let writer = open(&path, OPTIONS, &["CREATE TABLE a (x INTEGER) STRICT;"]).unwrap();
        let reader = open_reader(&path, OPTIONS).unwrap();
        writer.execute("INSERT INTO a VALUES (1)", []).unwrap();
        let seen: i64 = reader.query_row("SELECT COUNT(*) FROM a", [], |r| r.get(0)).unwrap();
        assert_eq!(seen, 1);
        assert!(reader.execute("INSERT INTO a VALUES (2)", []).is_err(), "read-only");
    }
}
