//! Tampering with the database is found by `journal verify`, which names the
//! first bad seq.

use pos_terminal::Cart;
use pos_tests::{Store, cli, tenders};

/// A store with three card sales; returns the seq of the second.
fn three_sales() -> (Store, u64) {
    let mut store = Store::open();
    let cashier = store.cashier();
    let mut seqs = Vec::new();
    for sku in ["BAK0001", "DAI0001", "WIN0001"] {
        let mut cart = Cart::default();
        store.terminal.add_item(&mut cart, sku, None).unwrap();
        let total = store.terminal.cart_totals(&cart).unwrap().total;
        seqs.push(store.terminal.commit_sale(&cashier, &cart, &tenders(&[&format!("card:{total}")])).unwrap().seq.0);
    }
    (store, seqs[1])
}

fn tamper(store: &Store, sql: &str) {
    let conn = rusqlite::Connection::open(store.path().join(pos_terminal::db::DB_FILE)).unwrap();
    conn.execute_batch(sql).unwrap();
}

fn verify_fails_naming(store: &Store, seq: u64, words: &str) {
    let out = cli(store.path(), &["journal", "verify"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "verify must fail; stdout: {}", String::from_utf8_lossy(&out.stdout));
    assert!(stderr.contains(&format!("seq {seq}")), "{stderr}");
    assert!(stderr.contains(words), "{stderr} should say {words}");
}

#[test]
fn an_edited_sale_row_is_named() {
    let (store, seq) = three_sales();
    assert!(cli(store.path(), &["journal", "verify"]).status.success());
    tamper(&store, &format!("UPDATE sales SET total_minor = total_minor - 100 WHERE seq = {seq}"));
    verify_fails_naming(&store, seq, "S01-T01-000002 in the tables differs");
}

#[test]
fn an_edited_line_or_payment_is_named() {
    let (store, seq) = three_sales();
    tamper(
        &store,
        &format!("UPDATE payments SET tender = 'cash' WHERE sale_id = (SELECT id FROM sales WHERE seq = {seq})"),
    );
    verify_fails_naming(&store, seq, "differs");
}

#[test]
fn a_rewritten_journal_entry_breaks_the_chain() {
    let (store, seq) = three_sales();
    tamper(
        &store,
        &format!(
            "DROP TRIGGER journal_no_update;
             UPDATE journal SET payload = CAST(replace(CAST(payload AS TEXT), 'Camille', 'Mallory') AS BLOB) WHERE seq = {seq};"
        ),
    );
    verify_fails_naming(&store, seq, "hash does not match");
}

#[test]
fn a_deleted_entry_is_a_gap() {
    let (store, seq) = three_sales();
    tamper(
        &store,
        &format!(
            "DROP TRIGGER journal_no_delete; PRAGMA foreign_keys = OFF; DELETE FROM outbox WHERE seq = {seq}; DELETE FROM journal WHERE seq = {seq};"
        ),
    );
    verify_fails_naming(&store, seq, "missing");
}

/// `journal verify` reads one snapshot: random sales committing from
/// another connection while it runs never make an honest journal look
/// broken (they used to, between reading the journal and counting sales).
#[test]
fn verify_never_cries_wolf_while_the_till_sells() {
    let store = Store::open();
    let dir = store.path().to_path_buf();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let selling = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut till = pos_terminal::Terminal::open(&dir).unwrap();
            for _ in 0..150 {
                crate::sync::random_sale(&mut till);
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        })
    };
    let mut verified = 0;
    while !done.load(std::sync::atomic::Ordering::SeqCst) {
        if let Err(e) = store.terminal.verify_journal() {
            panic!("an untouched journal was called broken after {verified} good runs: {e}");
        }
        verified += 1;
    }
    selling.join().unwrap();
    assert!(verified > 0, "verify ran while the sales went in");
    assert_eq!(store.terminal.verify_journal().unwrap().sales, 150);
}
