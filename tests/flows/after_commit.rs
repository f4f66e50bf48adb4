//! A sale is reported as it was recorded: whatever fails after its commit
//! (signing it while the till's sync holds the database; a full disk is
//! the core's unit test `receipts::tests`) never tells the cashier it
//! failed, and a sale reported failed is never in the journal. Otherwise
//! the customer pays twice.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use pos_terminal::Cart;
use pos_tests::head_office::shop_with_a_till;
use pos_tests::{Store, as_cashier, barcode, cli, cli_ok, tenders};

#[test]
fn a_sale_whose_signature_must_wait_prints_unsigned_and_is_signed_before_it_is_pushed() {
    let mut store = Store::open();
    let cashier = store.cashier();
    let mut cart = Cart::default();
    store.terminal.add_item(&mut cart, &barcode("BAK0001"), None).unwrap();
    let committed = store.terminal.commit_sale(&cashier, &cart, &tenders(&["cash:5"])).unwrap();

    // Another process (the till's sync) writes while the receipt is made.
    let other = rusqlite::Connection::open(store.path().join(pos_terminal::db::DB_FILE)).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let doc = store.terminal.receipt_doc(&committed).expect("the sale is recorded: its receipt prints");
    let text = doc.render_text(42);
    assert!(text.contains("not signed yet"), "{text}");
    assert!(text.contains(&committed.record.receipt_no.to_string()), "{text}");
    other.execute_batch("COMMIT").unwrap();

    let outgoing = store.terminal.outbox_batch(100).unwrap();
    let entry = outgoing.iter().find(|e| e.seq == committed.seq.0).expect("the sale goes up");
    assert!(entry.signature.is_some(), "signed before it is pushed");
    store.terminal.verify_journal().expect("the journal verifies");
}

/// Receipt numbers `pos-terminal sell` printed, and how many sells said they failed.
struct Outcomes {
    reported: Vec<String>,
    failed: usize,
}

fn sell_once(till: &Path, outcomes: &mut Outcomes) {
    let out = cli(till, &as_cashier(&["--json", "sell", "--item", "BAK0001", "--pay", "cash:5"]));
    if out.status.success() {
        let sale: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the receipt as JSON");
        outcomes.reported.push(sale["receipt_no"].as_str().expect("receipt_no").to_string());
    } else {
        outcomes.failed += 1;
    }
}

/// The receipts the till's journal holds, read straight from its database.
fn recorded(till: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(till.join(pos_terminal::db::DB_FILE)).unwrap();
    let mut stmt = conn.prepare("SELECT receipt_no FROM sales ORDER BY seq").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
}

#[test]
fn sales_made_while_the_till_syncs_are_reported_as_they_were_recorded() {
    let work = tempfile::tempdir().unwrap();
    let (db, _server, till) = shop_with_a_till(work.path());

    // The till's sync runs beside the cashier's sales, as the app's does.
    let selling = AtomicBool::new(true);
    let mut outcomes = Outcomes { reported: Vec::new(), failed: 0 };
    let syncs = std::thread::scope(|scope| {
        let syncer = scope.spawn(|| {
            let mut passes = 0;
            while selling.load(Ordering::Relaxed) && passes < 500 {
                cli(&till, &["sync", "--once"]);
                passes += 1;
            }
            passes
        });
        for _ in 0..60 {
            sell_once(&till, &mut outcomes);
        }
        selling.store(false, Ordering::Relaxed);
        syncer.join().unwrap()
    });
    assert!(syncs > 1, "the sync ran beside the sales");
    assert_eq!(recorded(&till), outcomes.reported, "every sale reported made is recorded, and only those");
    assert_eq!(outcomes.reported.len() + outcomes.failed, 60);
    cli_ok(&till, &["sync", "--once"]);
    cli_ok(&till, &["journal", "verify"]);
    let at_head_office = db.count("SELECT COUNT(*) FROM sales", &[]);
    assert_eq!(at_head_office, outcomes.reported.len() as i64, "every recorded sale reached head office");
}
