//! One bad entry never stops a till: an entry head office will not apply
//! (here signed by another key, as after a botched repair) is held with its
//! bytes and the reason, the till's later entries are applied, prices still
//! come down, the till says what is held, and a person accepts or rejects
//! it, once, with their name and reason kept.

use std::path::Path;

use pos_terminal::signer::KeyFile;
use pos_tests::head_office::{
    HqDb, ServerProcess, admin_ok, admin_refused, enroll_till_cli, head_office, shop_with_a_till,
};
use pos_tests::{as_cashier, cli_ok};

fn sell(till: &Path) {
    cli_ok(till, &as_cashier(&["sell", "--item", "BAK0004", "--pay", "cash:5"]));
}

/// Sells once with `key` in place of the till's own signing key.
fn sell_signed_by(till: &Path, key: &Path) {
    let own = std::fs::read(till.join("signing.key")).unwrap();
    std::fs::copy(key, till.join("signing.key")).unwrap();
    sell(till);
    std::fs::write(till.join("signing.key"), own).unwrap();
}

/// A signing key that is not the till's, as a file.
fn foreign_key(work: &Path) -> std::path::PathBuf {
    let stranger = work.join("stranger");
    std::fs::create_dir_all(&stranger).unwrap();
    let _made = KeyFile::load_or_create(&stranger).unwrap();
    stranger.join("signing.key")
}

fn sales(db: &HqDb) -> i64 {
    db.count("SELECT COUNT(*) FROM sales", &[])
}

#[test]
fn one_refused_entry_is_held_and_the_tills_later_entries_and_pulls_go_on() {
    let work = tempfile::tempdir().unwrap();
    let (db, _server, till) = shop_with_a_till(work.path());
    let foreign_key = foreign_key(work.path());

    sell(&till); // seq 2
    sell_signed_by(&till, &foreign_key); // seq 3: held
    sell(&till); // seq 4
    sell_signed_by(&till, &foreign_key); // seq 5: held
    sell(&till); // seq 6
    admin_ok(&db, &["price", "set", "BAK0004", "0.99"]);
    let synced = cli_ok(&till, &["sync", "--once"]);
    assert!(synced.contains("6 entries pushed"), "{synced}");
    assert!(synced.contains("2 entries held at head office for a decision"), "{synced}");
    let tills = admin_ok(&db, &["terminal", "list"]);
    assert!(tills.contains("entries received 6\twaiting for a decision 2"), "{tills}");
    assert_eq!(sales(&db), 3, "the sales around the held ones are applied");
    let found = cli_ok(&till, &["--json", "catalog", "search", "BAK0004"]);
    assert!(found.contains("0.99"), "the new price came down: {found}");
    let status = cli_ok(&till, &["sync", "--status"]);
    assert!(status.contains("0 entries pending"), "{status}");
    assert!(
        status.contains("entry 3 held at head office for a person to decide: its signature does not verify"),
        "{status}"
    );
    assert!(status.contains("entry 5 held"), "{status}");
    let held = admin_ok(&db, &["quarantine", "list"]);
    assert!(held.contains("S01-T01\tseq 3\tits signature does not verify") && held.contains("seq 5"), "{held}");

    // Bad decisions are refused and change nothing.
    for (args, says) in [
        (vec!["quarantine", "accept", "S01-T01", "3", "--by", " "], "say who decides"),
        (
            vec!["quarantine", "accept", "S01-T01", "4", "--by", "Claire"],
            "entry 4 of S01-T01 is not waiting for a decision",
        ),
        (vec!["quarantine", "accept", "S09-T01", "3", "--by", "Claire"], "no terminal S09-T01"),
        (vec!["quarantine", "reject", "S01-T01", "3", "--by", "Claire"], "say why it is rejected"),
    ] {
        let refused = admin_refused(&db, &args);
        assert!(refused.contains(says), "{args:?}: {refused}");
    }
    assert_eq!(admin_ok(&db, &["quarantine", "list"]), held);

    let accepted = admin_ok(
        &db,
        &["quarantine", "accept", "S01-T01", "3", "--by", "Claire", "--reason", "key swapped in a repair"],
    );
    assert!(accepted.contains("accepted by Claire: key swapped in a repair"), "{accepted}");
    assert_eq!(sales(&db), 4, "accepted: applied as it is");
    let again = admin_refused(&db, &["quarantine", "reject", "S01-T01", "3", "--by", "Luc", "--reason", "no"]);
    assert!(again.contains("was accepted by Claire already"), "{again}");
    admin_ok(&db, &["quarantine", "reject", "S01-T01", "5", "--by", "Claire", "--reason", "a test sale"]);
    assert_eq!(sales(&db), 4, "rejected: applied to nothing");

    assert!(cli_ok(&till, &["sync", "--once"]).contains("0 entries pushed"));
    let status = cli_ok(&till, &["sync", "--status"]);
    assert!(!status.contains("held"), "nothing is held any more: {status}");
    assert_eq!(admin_ok(&db, &["quarantine", "list"]), "No entry waits for a decision.\n");
    let all = admin_ok(&db, &["quarantine", "list", "--all"]);
    let decided = [
        "seq 3\tits signature does not verify with the terminal's key\tsale S01-T01-000002 0.91\taccepted by Claire: key swapped in a repair",
        "seq 5\tits signature does not verify with the terminal's key\tsale S01-T01-000004 0.91\trejected by Claire: a test sale",
    ];
    assert!(decided.iter().all(|line| all.contains(line)), "{all}");
    // The bytes are kept: applied entries in the journal, the rejected one held.
    assert_eq!(db.count("SELECT COUNT(*) FROM journal WHERE terminal_id = 'S01-T01'", &[]), 5);
    let rejected = db.count("SELECT COUNT(*) FROM quarantine WHERE seq = 5 AND decision = 'rejected'", &[]);
    assert_eq!(rejected, 1);
}

/// A push head office refuses outright (here: its seq already holds
/// another entry the till's key signed, as when an old device comes back)
/// fails the pass, but prices, orders and stock still come down.
#[test]
fn a_refused_push_never_keeps_the_pulls_from_coming_down() {
    use crate::forged::{chained, push};
    use pos_tests::head_office::{client, enrolled_terminal};
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    let dir = work.path().join("till");
    let mut till = enrolled_terminal(&db, &server.url, "S01", &dir);
    crate::sync::random_sale(&mut till);
    let key = KeyFile::load_or_create(&dir).unwrap();
    let outgoing = till.outbox_batch(10).unwrap();
    let mut other: serde_json::Value = serde_json::from_str(outgoing[1].payload.get()).unwrap();
    other["event"]["cashier"] = "Marie".into();
    let (status, _, message) =
        push(&server.url, &till, vec![outgoing[0].clone(), chained(outgoing[0].hash, 2, &other, &key)]);
    assert_eq!(status, 200, "{message}");

    admin_ok(&db, &["price", "set", "BAK0004", "0.99"]);
    let sync = client(&till);
    let refused = crate::sync::runtime().block_on(pos_terminal::sync::run::sync_once(&mut till, &sync));
    assert!(refused.unwrap_err().to_string().contains("differs from the one applied"));
    let price = till.product_by_sku("BAK0004").unwrap().unwrap().price;
    assert_eq!(price.to_string(), "0.99", "the new price came down all the same");
    assert!(till.sync_status().unwrap().last_error.is_some(), "the pass says it failed");
}

/// An admin decides in the back office: the held entry, why, a reason
/// typed, Accept; the entry is applied and the decision is in the audit log.
#[test]
fn an_admin_accepts_a_held_entry_in_the_back_office() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let password = crate::office::account(&db, "claire@example.com", "admin");
    let server = ServerProcess::start(&db);
    let till = work.path().join("till");
    enroll_till_cli(&db, &server.url, "S01", &till);
    sell(&till); // seq 2
    sell_signed_by(&till, &foreign_key(work.path())); // seq 3: held
    cli_ok(&till, &["sync", "--once"]);
    assert_eq!(sales(&db), 1);

    let browser = pos_tests::browser::Browser::open(&server.url);
    crate::office::log_in(&browser, "claire@example.com", &password);
    browser.visit("/office/");
    let board = browser.wait_for_text("is every sale in?");
    assert!(board.contains("incomplete: 1 held for a decision"), "{board}");
    browser.visit("/office/stores");
    let page = browser.wait_for_text("Entries held for a decision");
    assert!(page.contains("its signature does not verify with the terminal's key"), "{page}");
    assert!(browser.unlabelled_fields().is_empty(), "{:?}", browser.unlabelled_fields());
    browser.fill("#why-S01-T01-3", "repaired till, old key");
    browser.click("form[action='/office/held/S01-T01/3'] button[value='accept']");
    let done = browser.wait_for_text("Entry accepted");
    assert!(done.contains("No entry waits for a decision"), "{done}");
    assert_eq!(sales(&db), 2, "accepted: applied");
    let held = admin_ok(&db, &["quarantine", "list", "--all"]);
    assert!(held.contains("accepted by claire@example.com: repaired till, old key"), "{held}");
    browser.visit("/office/audit");
    assert!(browser.wait_for_text("held.decide").contains("S01-T01 entry 3"));
}
