//! Newer data, older binary: neither the till nor head office opens a
//! database a newer version wrote, and a head office whose database a newer
//! server migrated takes no push and no write until it is upgraded.

use std::path::Path;

use pos_tests::head_office::{HqDb, admin_refused, shop_with_a_till};
use pos_tests::{as_cashier, cli_ok, cli_refused};

fn user_version(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap()
}

fn set_user_version(db: &Path, version: i64) {
    rusqlite::Connection::open(db).unwrap().pragma_update(None, "user_version", version).unwrap();
}

fn journal_length(till: &Path) -> i64 {
    let conn = rusqlite::Connection::open(till.join(pos_terminal::db::DB_FILE)).unwrap();
    conn.query_row("SELECT COUNT(*) FROM journal", [], |r| r.get(0)).unwrap()
}

#[test]
fn a_till_refuses_a_database_from_a_newer_version_and_changes_nothing() {
    let work = tempfile::tempdir().unwrap();
    let till = work.path().join("till");
    cli_ok(&till, &["demo"]);
    let file = till.join(pos_terminal::db::DB_FILE);
    let newer = user_version(&file) + 1;
    set_user_version(&file, newer);
    let entries = journal_length(&till);

    let refused = cli_refused(&till, &as_cashier(&["sell", "--item", "BAK0001", "--pay", "cash:5"]));
    assert!(refused.contains("written by a newer version"), "{refused}");
    assert!(cli_refused(&till, &["status"]).contains("newer version"));
    assert_eq!(journal_length(&till), entries, "nothing recorded");
    assert_eq!(user_version(&file), newer, "nothing migrated back");

    set_user_version(&file, newer - 1);
    cli_ok(&till, &as_cashier(&["sell", "--item", "BAK0001", "--pay", "cash:5"]));
}

/// Moves head office's schema version by `by`, as a newer server's
/// migration (or putting it back) would.
fn move_schema(db: &HqDb, by: i64) {
    match (db.path(), db.postgres_schema()) {
        (Some(file), _) => set_user_version(file, user_version(file) + by),
        (None, Some(schema)) => schema.execute(&format!("UPDATE schema_version SET version = version + {by}")),
        (None, None) => unreachable!("head office is SQLite or PostgreSQL"),
    }
}

/// Runs `sync --once`: whether it worked, and what it said on stderr.
fn sync(till: &Path) -> (bool, String) {
    let out = pos_tests::cli(till, &["sync", "--once"]);
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn head_office_on_a_newer_schema_takes_no_push_and_no_write() {
    let work = tempfile::tempdir().unwrap();
    let (db, server, till) = shop_with_a_till(work.path());
    cli_ok(&till, &as_cashier(&["sell", "--item", "BAK0001", "--pay", "cash:5"]));
    let sales_before = db.count("SELECT COUNT(*) FROM sales", &[]);

    move_schema(&db, 1);
    let (synced, refused) = sync(&till);
    assert!(!synced && refused.contains("503") && refused.contains("newer than this server knows"), "{refused}");
    let ready = reqwest::blocking::get(format!("{}/readyz", server.url)).unwrap();
    assert_eq!(ready.status().as_u16(), 503);
    let written = admin_refused(&db, &["store", "add", "--name", "Marseille"]);
    assert!(written.contains("newer"), "{written}");

    move_schema(&db, -1);
    let (synced, said) = sync(&till);
    assert!(synced, "the push goes through once the schema is this server's again: {said}");
    assert_eq!(db.count("SELECT COUNT(*) FROM sales", &[]), sales_before + 1, "the sale arrived once, after");
    assert_eq!(db.count("SELECT COUNT(*) FROM stores", &[]), 2, "no store was added");
}
