//! Benchmarks a durable sale commit (pricing, settlement, journal hash and
//! every row in one `synchronous=FULL` transaction) against a bare SQLite
//! commit of the same rows, interleaved in the same run. Goal: ratio <= 1.15.
//! The entry's signature is made right after the commit (`sign_pending`,
//! with the receipt), timed apart and with the commit.

use std::time::{Duration, Instant};

use pos_shared::journal::{Event, Hash32, canonical_bytes, chain_hash};
use pos_terminal::Cart;
use pos_terminal::db;
use pos_terminal::demo::{DEMO_CASHIER, create_demo};
use pos_terminal::records::insert_sale;
use pos_terminal::sale::Committed;
use pos_tests::bench::{micros, quantile, report};
use rusqlite::{Connection, TransactionBehavior, params};

const SALES: usize = 400;
const CART: [&str; 5] = ["BAK0001", "DAI0004", "GRO0010", "WIN0003", "HOU0002"];

/// Writes the rows of an already-computed sale as plain inserts in one
/// transaction: the same rows the terminal writes, with no work around them.
fn bare_commit(conn: &mut Connection, committed: &Committed, payload: &[u8], prev: &Hash32, hash: &Hash32) -> Duration {
    let started = Instant::now();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).expect("begin");
    tx.prepare_cached(
        "INSERT INTO journal (seq, kind, at_ms, payload, prev_hash, hash) VALUES (?1, 'sale', ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut s| s.execute(params![committed.seq.0, committed.at_ms, payload, prev.0, hash.0]))
    .expect("journal row");
    tx.prepare_cached("INSERT INTO outbox (seq) VALUES (?1)")
        .and_then(|mut s| s.execute([committed.seq.0]))
        .expect("outbox row");
    insert_sale(&tx, &committed.record, committed.seq, committed.at_ms).expect("sale rows");
    tx.commit().expect("commit");
    started.elapsed()
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut terminal = create_demo(&dir.path().join("store")).expect("demo store");
    let cashier = terminal.login(DEMO_CASHIER.0, DEMO_CASHIER.1).expect("login");
    let mut cart = Cart::default();
    for sku in CART {
        terminal.add_item(&mut cart, sku, None).expect("item");
    }
    let total = terminal.cart_totals(&cart).expect("totals").total;
    let tenders = [format!("card:{total}").parse().expect("tender")];

    let mut bare = db::open(&dir.path().join("bare.sqlite")).expect("bare db");
    bare.execute(
        "INSERT INTO sessions (id, opened_by, opened_at_ms, float_minor, open_seq) VALUES (1, 'x', 0, 0, 0)",
        [],
    )
    .expect("session row");
    let terminal_id = terminal.settings().terminal_id.clone();
    let mut prev = Hash32::GENESIS;
    terminal.sign_pending().expect("sign the demo's entries");
    let (mut durable, mut baseline, mut signing, mut signed) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..SALES {
        let started = Instant::now();
        let committed = terminal.commit_sale(&cashier, &cart, &tenders).expect("commit");
        durable.push(started.elapsed());
        let sign_started = Instant::now();
        assert_eq!(terminal.sign_pending().expect("sign"), 1);
        signing.push(sign_started.elapsed());
        signed.push(started.elapsed());

        let event = Event::Sale(Box::new(committed.record.clone()));
        let payload = canonical_bytes(&terminal_id, committed.seq, committed.at_ms, &event);
        let hash = chain_hash(&prev, &payload);
        baseline.push(bare_commit(&mut bare, &committed, &payload, &prev, &hash));
        prev = hash;
    }
    let durable_p50 = quantile(&mut durable, 0.5);
    let baseline_p50 = quantile(&mut baseline, 0.5);
    report("sale_commit_p50", micros(durable_p50) / 1000.0, "ms");
    report("sale_commit_p99", micros(quantile(&mut durable, 0.99)) / 1000.0, "ms");
    report("bare_sqlite_commit_p50", micros(baseline_p50) / 1000.0, "ms");
    report("sale_commit_ratio", durable_p50.as_secs_f64() / baseline_p50.as_secs_f64(), "x");
    report("entry_signature_p50", micros(quantile(&mut signing, 0.5)), "us");
    let signed_p50 = quantile(&mut signed, 0.5);
    report("sale_commit_and_sign_ratio", signed_p50.as_secs_f64() / baseline_p50.as_secs_f64(), "x");
}
