//! Sync benchmarks: ingest of movements (idempotent, reconciled) against a
//! bare SQLite bulk insert of the same rows (goal >= 0.5x and >= 100k
//! movements/s); catch-up of a terminal that sold 10,000 sales offline
//! (goal <= 3 s on loopback); first catalog pull of 200,000 products onto
//! a fresh terminal (goal <= 5 s).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pos_shared::ids::TerminalId;
use pos_shared::journal::SaleRecord;
use pos_shared::money::Money;
use pos_shared::protocol::WireEntry;
use pos_shared::tender::{Tender, TenderKind};
use pos_sync_server::storage::SyncStore;
use pos_sync_server::storage::head_office::HeadOffice;
use pos_sync_server::storage::rules::admin::CODE_VALID_HOURS;
use pos_sync_server::storage::sqlite::SqliteDb;
use pos_terminal::Cart;
use pos_terminal::sync::run::{client_for, enroll, sync_once};
use pos_tests::bench::{ingest_and_replay, office_cookie, page_p95_ms, report, serve_in_background};
use pos_tests::generated::catalog_csv;
use pos_tests::journals::{LINES, sale_journal};
use rusqlite::{Connection, params};

const INGEST_SALES: u64 = 20_000;
const BATCH: usize = 500;

/// A server database with one store and one enrolled terminal.
fn enrolled_store(path: &Path) -> (HeadOffice<SqliteDb>, pos_sync_server::storage::TerminalAuth) {
    let store = HeadOffice::new(SqliteDb::open(path).unwrap());
    store.add_store("Bench", "EUR", true, None).unwrap();
    // Head office holds only sales of products its catalog has.
    store.import_catalog(catalog_csv(50_000).as_bytes()).unwrap();
    let created = store.add_terminal("S01", "Till", CODE_VALID_HOURS).unwrap();
    let token = store.enroll(&created.enrollment_code, None, None).unwrap().token;
    let auth = store.authenticate(&token).unwrap();
    (store, auth)
}

/// The same rows ingest writes, as plain inserts in transactions of `BATCH` sales.
fn bare_insert(path: &Path, entries: &[(WireEntry, SaleRecord)]) -> Duration {
    drop(enrolled_store(path));
    let mut conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    let started = Instant::now();
    for chunk in entries.chunks(BATCH) {
        let tx = conn.transaction().unwrap();
        for (entry, record) in chunk {
            let receipt = record.receipt_no.to_string();
            tx.prepare_cached("INSERT INTO journal (terminal_id, seq, kind, at_ms, payload, hash) VALUES ('S01-T01', ?1, 'sale', 0, ?2, ?3)")
                .unwrap()
                .execute(params![entry.seq, entry.payload.get().as_bytes(), entry.hash.0])
                .unwrap();
            tx.prepare_cached(
                "INSERT INTO sales (receipt_no, terminal_id, store_id, seq, kind, at_ms, cashier, total_minor, tax_minor, discount_minor)
                 VALUES (?1, 'S01-T01', 1, ?2, 'sale', 0, 'Camille', 995, 50, 0)",
            )
            .unwrap()
            .execute(params![receipt, entry.seq])
            .unwrap();
            for line in &record.lines {
                tx.prepare_cached("INSERT INTO sale_lines (receipt_no, line_no, sku, qty_milli, net_minor, gross_minor) VALUES (?1, ?2, ?3, 1000, 189, 199)")
                    .unwrap()
                    .execute(params![receipt, line.line_no, line.sku])
                    .unwrap();
                tx.prepare_cached("INSERT INTO stock_movements (store_id, terminal_id, seq, sku, qty_milli, reason) VALUES (1, 'S01-T01', ?1, ?2, -1000, 'sale')")
                    .unwrap()
                    .execute(params![entry.seq, line.sku])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    started.elapsed()
}

fn bench_ingest(dir: &Path) {
    let terminal: TerminalId = "S01-T01".parse().unwrap();
    let entries: Vec<_> = sale_journal(terminal, INGEST_SALES, 50_000).collect();
    let wire: Vec<WireEntry> = entries.iter().map(|(e, _)| e.clone()).collect();
    let (store, auth) = enrolled_store(&dir.join("ingest.sqlite"));
    let moved = (INGEST_SALES * LINES * 1000) as i64;
    let (ingest, replay) = ingest_and_replay(&store, &auth, &wire, BATCH, moved);
    let bare = bare_insert(&dir.join("bare.sqlite"), &entries);
    let movements = (INGEST_SALES * LINES) as f64;
    report("ingest_movements_per_s", movements / ingest.as_secs_f64(), "movements/s");
    report("bare_insert_movements_per_s", movements / bare.as_secs_f64(), "movements/s");
    report("ingest_vs_bare_ratio", bare.as_secs_f64() / ingest.as_secs_f64(), "x");
    report("replay_movements_per_s", movements / replay.as_secs_f64(), "movements/s");
}

/// Serves `db` in the background on a free port; returns its URL.
fn serve(runtime: &tokio::runtime::Runtime, db: &Path) -> String {
    serve_in_background(runtime, Arc::new(HeadOffice::new(SqliteDb::open(db).unwrap())))
}

fn head_office(db: &Path, catalog: &[u8]) -> String {
    let store = HeadOffice::new(SqliteDb::open(db).unwrap());
    store.add_store("Paris", "EUR", true, None).unwrap();
    store.import_catalog(catalog).unwrap();
    store.add_user("Camille", pos_shared::roles::Role::Cashier, pos_tests::CASHIER_PIN, None).unwrap();
    store.add_terminal("S01", "Till", CODE_VALID_HOURS).unwrap().enrollment_code
}

fn bench_catch_up(dir: &Path, runtime: &tokio::runtime::Runtime) {
    let db = dir.join("catchup-server.sqlite");
    let code = head_office(&db, pos_terminal::demo::DEMO_CATALOG.as_bytes());
    let url = serve(runtime, &db);
    let (mut terminal, first) =
        runtime.block_on(enroll(&dir.join("catchup-till"), &url, &code, &Default::default())).unwrap();
    first.unwrap();
    let cashier = terminal.login(pos_tests::CASHIER_NAME, pos_tests::CASHIER_PIN).unwrap();
    terminal.open_session(&cashier, Money::from_minor(10_000)).unwrap();
    let mut cart = Cart::default();
    for sku in ["BAK0001", "DAI0004", "GRO0010"] {
        terminal.add_item(&mut cart, sku, None).unwrap();
    }
    let total = terminal.cart_totals(&cart).unwrap().total;
    let pay = [Tender { kind: TenderKind::Card, amount: total }];
    for _ in 0..10_000 {
        terminal.commit_sale(&cashier, &cart, &pay).unwrap();
    }
    let client = client_for(&terminal).unwrap().unwrap();
    let started = Instant::now();
    let report_ = runtime.block_on(sync_once(&mut terminal, &client)).unwrap();
    let elapsed = started.elapsed();
    assert_eq!(report_.pushed, 10_001, "10,000 sales and the session");
    report("catch_up_10k_sales", elapsed.as_secs_f64(), "s");
}

fn bench_catalog_pull(dir: &Path, runtime: &tokio::runtime::Runtime) {
    let db = dir.join("catalog-server.sqlite");
    let code = head_office(&db, catalog_csv(200_000).as_bytes());
    let url = serve(runtime, &db);
    let started = Instant::now();
    let (terminal, first) =
        runtime.block_on(enroll(&dir.join("fresh-till"), &url, &code, &Default::default())).unwrap();
    let elapsed = started.elapsed();
    assert_eq!(first.unwrap().products_pulled, 200_000);
    assert_eq!(terminal.product_count().unwrap(), 200_000);
    report("catalog_pull_200k", elapsed.as_secs_f64(), "s");
    bench_catalog_search(runtime, &db);
}

/// The back office's search as a buyer types, on the same 200,000
/// products: each keystroke's request (prefixes of a name, a SKU, a
/// barcode, and words that match nothing, which read every product).
fn bench_catalog_search(runtime: &tokio::runtime::Runtime, db: &Path) {
    let office = Arc::new(HeadOffice::new(SqliteDb::open(db).unwrap()));
    let cookie = office_cookie(&office);
    let url = serve_in_background(runtime, office);
    let mut typed = Vec::new();
    for word in [pos_tests::generated::generated_name(123_456), "G0150".into(), "zzqx".into(), "nothing at all".into()]
    {
        for end in 1..=word.chars().count().min(12) {
            let prefix: String = word.chars().take(end).collect();
            typed.push(format!("/office/catalog/search?q={}", prefix.replace(' ', "+")));
        }
    }
    typed.push(format!("/office/catalog/search?q={}", pos_tests::generated::generated_barcode(4_242)));
    report("office_catalog_search_p95_ms", page_p95_ms(&url, &cookie, &typed, 5), "ms");
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    bench_ingest(dir.path());
    bench_catch_up(dir.path(), &runtime);
    bench_catalog_pull(dir.path(), &runtime);
}
