//! Signed journals: every entry a till makes is signed with the key it made
//! when its store was created, registered with head office at enrollment.
//! An entry edited and chained again offline, signed with another key, is
//! held (applied to nothing) and flagged by head office, and named by
//! `journal verify`.

use pos_shared::journal::Hash32;
use pos_shared::signing::Signer;
use pos_terminal::signer::KeyFile;
use pos_tests::Store;
use pos_tests::head_office::{HqDb, ServerProcess, admin_ok, enrolled_terminal, head_office};
use serde_json::Value;

use crate::forged::{chained, push};
use crate::sync::random_sale;

#[test]
fn an_entry_chained_again_and_signed_with_another_key_is_held_and_flagged() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    let lyon_dir = work.path().join("lyon");
    let mut lyon = enrolled_terminal(&db, &server.url, "S02", &lyon_dir);
    random_sale(&mut lyon);
    let honest = lyon.outbox_batch(10).unwrap();
    assert!(honest.iter().all(|e| e.signature.is_some()), "every entry is signed");
    let own = KeyFile::load_or_create(&lyon_dir).unwrap();
    std::fs::create_dir_all(work.path().join("elsewhere")).unwrap();
    let thief = KeyFile::load_or_create(&work.path().join("elsewhere")).unwrap();
    let mut sale: Value = serde_json::from_str(honest[1].payload.get()).unwrap();
    sale["event"]["cashier"] = "Mallory".into();
    let opened = honest[0].clone();

    let other_key = chained(opened.hash, 2, &sale, &thief);
    let (status, _, message) = push(&server.url, &lyon, vec![opened.clone(), other_key.clone()]);
    assert_eq!(status, 200, "held for a person, not applied: {message}");
    let held = admin_ok(&db, &["quarantine", "list"]);
    assert!(held.contains("seq 2\tits signature does not verify with the terminal's key"), "{held}");
    // Signed with the till's own key it would be applied: the signature is what held it.
    assert!(chained(opened.hash, 2, &sale, &own).signed_by(&own.public_key()));
    sale["seq"] = 3.into();
    let mut unsigned = chained(other_key.hash, 3, &sale, &own);
    unsigned.signature = None;
    for _ in 0..2 {
        let (status, _, message) = push(&server.url, &lyon, vec![unsigned.clone()]);
        assert_eq!(status, 200, "an unsigned entry from a till with a key is held too: {message}");
    }
    let flags = admin_ok(&db, &["flags"]);
    assert_eq!(flags.matches("its signature does not verify").count(), 2, "one flag an entry, however often: {flags}");
    assert_eq!(db.count("SELECT COUNT(*) FROM sales", &[]), 0, "nothing of them applied");

    // The till's own entries, signed with its key, take the place of the
    // entries held that it never wrote: kept as superseded, and flagged.
    let client = pos_tests::head_office::client(&lyon);
    crate::sync::runtime().block_on(pos_terminal::sync::run::sync_once(&mut lyon, &client)).unwrap();
    assert_eq!(lyon.pending_sync_count().unwrap(), 0);
    assert!(lyon.held_at_head_office().unwrap().is_empty());
    assert_eq!(admin_ok(&db, &["quarantine", "list"]), "No entry waits for a decision.\n");
    let all = admin_ok(&db, &["quarantine", "list", "--all"]);
    assert_eq!(all.matches("superseded by S02-T01").count(), 2, "{all}");
    assert!(admin_ok(&db, &["flags"]).contains("replaced by entries the till signed"));
    let cashiers = db.query("SELECT cashier FROM sales", &[]);
    assert_eq!(cashiers.len(), 1);
    assert_ne!(cashiers[0].get::<String>(0).unwrap(), "Mallory", "the forgery applied to nothing");
}

#[test]
fn journal_verify_names_an_entry_signed_with_another_key() {
    let mut store = Store::open();
    for _ in 0..3 {
        crate::sync::random_sale(&mut store.terminal);
    }
    assert!(store.terminal.sign_pending().unwrap() >= 4, "the opening, the stock received and the sales");
    assert_eq!(store.terminal.sign_pending().unwrap(), 0, "each entry is signed once");
    assert!(store.terminal.verify_journal().is_ok());
    std::fs::create_dir_all(store.path().join("elsewhere")).unwrap();
    let thief = KeyFile::load_or_create(&store.path().join("elsewhere")).unwrap();
    let conn = rusqlite::Connection::open(store.path().join("terminal.sqlite")).unwrap();
    let hash: Vec<u8> = conn.query_row("SELECT hash FROM journal WHERE seq = 4", [], |r| r.get(0)).unwrap();
    let forged = thief.sign(&Hash32::from_slice(&hash).unwrap());
    let resigned = conn.execute("UPDATE journal SET signature = ?1 WHERE seq = 4", [&forged[..]]);
    assert!(resigned.unwrap_err().to_string().contains("append-only"), "a signature is set once");
    let edited = conn.execute("UPDATE journal SET at_ms = at_ms + 1 WHERE seq = 4", []);
    assert!(edited.unwrap_err().to_string().contains("append-only"), "nothing else changes");
    conn.execute_batch("DROP TRIGGER journal_no_update;").unwrap();
    conn.execute("UPDATE journal SET signature = ?1 WHERE seq = 4", [&forged[..]]).unwrap();
    let err = store.terminal.verify_journal().unwrap_err().to_string();
    assert!(err.contains("seq 4") && err.contains("signature"), "{err}");
    conn.execute("UPDATE journal SET signature = NULL WHERE seq = 4", []).unwrap();
    let err = store.terminal.verify_journal().unwrap_err().to_string();
    assert!(err.contains("seq 4") && err.contains("unsigned"), "{err}");
}
