//! Benchmarks head office's sales report over 10 million generated stock
//! movements: ten stores, a year of sales (3.34 million receipts of three
//! lines, one in a hundred a return) over a 2,000-product catalog, with
//! their journal entries and movements, written straight into the server's
//! tables. The first report rolls every sale up (reported on its own); the
//! figure is then the slowest of the reports by product, category, store,
//! day, hour and cashier (median of three each). Goal: <= 1 s.
//!
//! Meanwhile 20 tills push (five sales per push, each till every second,
//! straight into the store as the API would): the p99 of a push while the
//! first roll-up and the reports run, against the p99 of the same pushes
//! with no report, measured after. Goal: <= 100 ms.
//!
//! Run on SQLite, then on PostgreSQL (the local server, a fresh schema;
//! its figures are prefixed `pg_`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pos_shared::ids::TerminalId;
use pos_shared::protocol::WireEntry;
use pos_sync_server::storage::head_office::HeadOffice;
use pos_sync_server::storage::postgres::PgDb;
use pos_sync_server::storage::rules::admin::CODE_VALID_HOURS;
use pos_sync_server::storage::rules::insights::Period;
use pos_sync_server::storage::rules::sales::SalesBy;
use pos_sync_server::storage::sql::Database;
use pos_sync_server::storage::sqlite::SqliteDb;
use pos_sync_server::storage::{SyncStore, TerminalAuth};
use pos_tests::bench::{office_cookie, page_p95_ms, quantile, report, serve_in_background};
use pos_tests::generated::catalog_csv;
use pos_tests::journals::sale_journal;
use pos_tests::postgres::TestDatabase;

const STORES: i64 = 10;
const SALES: i64 = 3_340_000;
const LINES: i64 = 3;
const PRODUCTS: usize = 2_000;

/// The stores, their terminals and the catalog.
fn set_up<D: Database>(store: &HeadOffice<D>) {
    for i in 1..=STORES {
        store.add_store(&format!("Store {i}"), "EUR", true, None).unwrap();
        store.add_terminal(&format!("S{i:02}"), "Till", CODE_VALID_HOURS).unwrap();
    }
    store.import_catalog(catalog_csv(PRODUCTS).as_bytes()).unwrap();
}

/// Writes the journal, sales, lines and movements into SQLite.
fn generate_sqlite(db: &std::path::Path) {
    set_up(&HeadOffice::new(SqliteDb::open(db).unwrap()));
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.pragma_update(None, "synchronous", "OFF").unwrap();
    conn.execute_batch(&format!(
        "BEGIN;
         CREATE TEMP TABLE gen AS
           WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {SALES} - 1)
           SELECT i, (i % {STORES}) + 1 AS store_id, i / {STORES} + 1 AS seq,
             1767225600000 + (i * 9441) % 31536000000 / 3600000 * 3600000 + 8 * 3600000 + (i % 11) * 3600000 AS at_ms
           FROM n;
         INSERT INTO journal (terminal_id, seq, kind, at_ms, payload, hash)
           SELECT printf('S%02d-T01', store_id), seq, CASE WHEN i % 100 = 99 THEN 'return' ELSE 'sale' END, at_ms, x'7b7d', x'00'
           FROM gen;
         INSERT INTO sales (receipt_no, terminal_id, store_id, seq, kind, at_ms, cashier, total_minor, tax_minor, discount_minor)
           SELECT printf('S%02d-T01-%07d', store_id, seq), printf('S%02d-T01', store_id), store_id, seq,
             CASE WHEN i % 100 = 99 THEN 'return' ELSE 'sale' END, at_ms, 'Cashier ' || (i % 3), 1000, 100, 0
           FROM gen;
         INSERT INTO sale_lines (receipt_no, line_no, sku, qty_milli, net_minor, gross_minor)
           SELECT printf('S%02d-T01-%07d', g.store_id, g.seq), k.line, printf('G%07d', (g.i * 7 + k.line * 131) % {PRODUCTS}),
             CASE WHEN g.i % 100 = 99 THEN -1000 ELSE 1000 END * k.line, 300 * k.line, 330 * k.line
           FROM gen g, (SELECT 1 AS line UNION ALL SELECT 2 UNION ALL SELECT 3) k;
         INSERT INTO stock_movements (store_id, terminal_id, seq, sku, qty_milli, reason)
           SELECT g.store_id, printf('S%02d-T01', g.store_id), g.seq, printf('G%07d', (g.i * 7 + k.line * 131) % {PRODUCTS}),
             -1000 * k.line, 'sale'
           FROM gen g, (SELECT 1 AS line UNION ALL SELECT 2 UNION ALL SELECT 3) k;
         INSERT INTO rollup_pending (journal_id) SELECT id FROM journal;
         COMMIT;"
    ))
    .unwrap();
    let movements: i64 = conn.query_row("SELECT COUNT(*) FROM stock_movements", [], |r| r.get(0)).unwrap();
    assert_eq!(movements, SALES * LINES);
    // Fold the generated gigabytes into the database now, or the first
    // push after them would pay for it and spoil the baseline.
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
}

/// The same rows in PostgreSQL.
fn generate_postgres(url: &str) {
    set_up(&HeadOffice::new(PgDb::open(url).unwrap()));
    let till = "'S' || lpad(g.store_id::text, 2, '0') || '-T01'";
    let receipt = format!("{till} || '-' || lpad(g.seq::text, 7, '0')");
    let kind = "CASE WHEN g.i % 100 = 99 THEN 'return' ELSE 'sale' END";
    let sku = "'G' || lpad(((g.i * 7 + k.line * 131) % 2000)::text, 7, '0')";
    let sql = format!(
        "CREATE TEMP TABLE gen AS
           SELECT i, (i % {STORES}) + 1 AS store_id, i / {STORES} + 1 AS seq,
             1767225600000 + (i * 9441) % 31536000000 / 3600000 * 3600000 + 8 * 3600000 + (i % 11) * 3600000 AS at_ms
           FROM generate_series(0::bigint, {SALES} - 1) i;
         INSERT INTO journal (terminal_id, seq, kind, at_ms, payload, hash)
           SELECT {till}, g.seq, {kind}, g.at_ms, '\\x7b7d'::bytea, '\\x00'::bytea FROM gen g;
         INSERT INTO sales (receipt_no, terminal_id, store_id, seq, kind, at_ms, cashier, total_minor, tax_minor, discount_minor)
           SELECT {receipt}, {till}, g.store_id, g.seq, {kind}, g.at_ms, 'Cashier ' || (g.i % 3), 1000, 100, 0 FROM gen g;
         INSERT INTO sale_lines (receipt_no, line_no, sku, qty_milli, net_minor, gross_minor)
           SELECT {receipt}, k.line, {sku}, CASE WHEN g.i % 100 = 99 THEN -1000 ELSE 1000 END * k.line,
             300 * k.line, 330 * k.line
           FROM gen g, generate_series(1, 3) AS k(line);
         INSERT INTO stock_movements (store_id, terminal_id, seq, sku, qty_milli, reason)
           SELECT g.store_id, {till}, g.seq, {sku}, -1000 * k.line, 'sale' FROM gen g, generate_series(1, 3) AS k(line);
         INSERT INTO rollup_pending (journal_id) SELECT id FROM journal;
         ANALYZE;"
    );
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        client.batch_execute(&sql).await.unwrap();
        let movements: i64 = client.query_one("SELECT COUNT(*) FROM stock_movements", &[]).await.unwrap().get(0);
        assert_eq!(movements, SALES * LINES);
    });
}

const TILLS: i64 = 20;
const SALES_PER_PUSH: usize = 5;
const PUSH_EVERY: Duration = Duration::from_secs(1);

/// A till pushing: who it is and the sales it has yet to send.
struct Till {
    auth: TerminalAuth,
    journal: Box<dyn Iterator<Item = WireEntry> + Send>,
    /// Sales it has pushed.
    sent: u64,
}

/// Twenty more tills, enrolled two per store.
fn tills<D: Database>(store: &HeadOffice<D>) -> Vec<Till> {
    (0..TILLS)
        .map(|i| {
            let code = store.add_terminal(&format!("S{:02}", i % STORES + 1), &format!("Pusher {i}"), CODE_VALID_HOURS);
            let token = store.enroll(&code.unwrap().enrollment_code, None, None).unwrap().token;
            let auth = store.authenticate(&token).unwrap();
            let terminal: TerminalId = auth.terminal_id.parse().unwrap();
            let journal = sale_journal(terminal, u64::MAX, PRODUCTS as u64).map(|(entry, _)| entry);
            Till { auth, journal: Box::new(journal), sent: 0 }
        })
        .collect()
}

/// Each till pushes its next sales every [`PUSH_EVERY`] while `work`
/// runs; returns what `work` returned and every push's latency.
fn pushing_while<T, D: Database>(
    store: &HeadOffice<D>,
    tills: &mut [Till],
    work: impl FnOnce() -> T,
) -> (T, Vec<Duration>) {
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let pushers: Vec<_> = tills
            .iter_mut()
            .map(|till| {
                let stop = &stop;
                scope.spawn(move || {
                    let mut latencies = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let batch: Vec<WireEntry> = till.journal.by_ref().take(SALES_PER_PUSH).collect();
                        let started = Instant::now();
                        let pushed = store.push(&till.auth, &batch).unwrap();
                        latencies.push(started.elapsed());
                        assert_eq!(pushed.acked_through, batch.last().unwrap().seq, "applied");
                        till.sent += batch.len() as u64;
                        std::thread::sleep(PUSH_EVERY.saturating_sub(started.elapsed()));
                    }
                    latencies
                })
            })
            .collect();
        let out = work();
        stop.store(true, Ordering::Relaxed);
        (out, pushers.into_iter().flat_map(|p| p.join().unwrap()).collect())
    })
}

fn p99_ms(mut latencies: Vec<Duration>) -> f64 {
    assert!(latencies.len() > 100, "enough pushes to have a p99: {}", latencies.len());
    quantile(&mut latencies, 0.99).as_secs_f64() * 1e3
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.sqlite");
    let started = Instant::now();
    generate_sqlite(&db);
    eprintln!("generated {} movements in SQLite in {:.0?}", SALES * LINES, started.elapsed());
    measure(Arc::new(HeadOffice::new(SqliteDb::open(&db).unwrap())), "");
    drop(dir);

    let database = TestDatabase::new();
    let started = Instant::now();
    generate_postgres(&database.url);
    eprintln!("generated {} movements in PostgreSQL in {:.0?}", SALES * LINES, started.elapsed());
    measure(Arc::new(HeadOffice::new(PgDb::open(&database.url).unwrap())), "pg_");
}

/// The first roll-up and the reports while tills push, then the same
/// pushes with no report; figures named with `prefix`.
fn measure<D: Database>(office: Arc<HeadOffice<D>>, prefix: &str) {
    let store = office.as_ref();
    let mut tills = tills(store);
    let all = Period::default();
    let start = Instant::now();
    let (first, during) = pushing_while(store, &mut tills, || {
        let first = store.sales_report(SalesBy::Store, all).unwrap();
        report(&format!("{prefix}sales_rollup_catch_up_10m"), start.elapsed().as_secs_f64(), "s");
        for by in [SalesBy::Product, SalesBy::Category, SalesBy::Day, SalesBy::Hour, SalesBy::Cashier] {
            assert!(!store.sales_report(by, all).unwrap().is_empty());
        }
        first
    });
    // The same pushes with no report, once the machine has written the
    // generated gigabytes out (measured first, its fsyncs waited for them).
    let ((), idle) = pushing_while(store, &mut tills, || std::thread::sleep(Duration::from_secs(10)));
    report(&format!("{prefix}push_p99_idle_ms"), p99_ms(idle), "ms");
    report(&format!("{prefix}push_p99_during_report_ms"), p99_ms(during), "ms");
    assert_eq!(first.len(), STORES as usize);
    let pushed = store.sales_report(SalesBy::Store, all).unwrap().iter().map(|r| r.receipts).sum::<u64>();
    assert!(first.iter().map(|r| r.receipts).sum::<u64>() >= SALES as u64, "every generated receipt");
    let sent: u64 = tills.iter().map(|t| t.sent).sum();
    assert_eq!(pushed, SALES as u64 + sent, "every receipt rolled up once, the pushed ones included");
    let mut slowest = Duration::ZERO;
    for by in [SalesBy::Product, SalesBy::Category, SalesBy::Store, SalesBy::Day, SalesBy::Hour, SalesBy::Cashier] {
        let mut runs: Vec<Duration> = (0..3)
            .map(|_| {
                let start = Instant::now();
                let rows = store.sales_report(by, all).unwrap();
                assert!(!rows.is_empty());
                start.elapsed()
            })
            .collect();
        slowest = slowest.max(quantile(&mut runs, 0.5));
    }
    let month = Period { from: Some("2026-03-01"), to: Some("2026-03-31") };
    let start = Instant::now();
    assert!(!store.sales_report(SalesBy::Product, month).unwrap().is_empty());
    report(&format!("{prefix}sales_report_one_month_10m"), start.elapsed().as_secs_f64() * 1e3, "ms");
    report(&format!("{prefix}sales_report_10m_movements"), slowest.as_secs_f64() * 1e3, "ms");
    // The back office's dashboard page over HTTP, as a browser asks for it.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let cookie = office_cookie(store);
    let url = serve_in_background(&runtime, office.clone());
    let dashboard = page_p95_ms(&url, &cookie, &["/office/".to_string()], 20);
    report(&format!("{prefix}office_dashboard_p95_ms"), dashboard, "ms");
}
