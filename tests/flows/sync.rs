//! Sync end to end: real server process, enrolled terminals selling at the
//! same time, and central stock equal to the sum of every terminal's own
//! movements, exactly.

use std::collections::BTreeMap;
use std::path::Path;

use pos_shared::journal::CashDirection;
use pos_terminal::returns::{ReturnItem, ReturnRequest};
use pos_terminal::sync::client::SyncClient;
use pos_terminal::sync::run::sync_once;
use pos_terminal::{Cart, Terminal};
use pos_tests::head_office::{HqDb, ServerProcess, client, enrolled_terminal, head_office};
use pos_tests::{MANAGER_PIN, tenders};
use rand::Rng;
use rusqlite::Connection;
use rust_decimal::Decimal;

pub const SKUS: [&str; 8] = ["BAK0001", "BAK0004", "DAI0001", "DAI0013", "GRO0004", "WIN0002", "HOU0003", "FRU0003"];

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// Sells one to three random lines for card; returns the receipt number.
pub fn random_sale(terminal: &mut Terminal) -> String {
    let mut rng = rand::rng();
    let cashier = terminal.login(pos_tests::CASHIER_NAME, pos_tests::CASHIER_PIN).unwrap();
    let mut cart = Cart::default();
    for _ in 0..rng.random_range(1..=3) {
        let sku = SKUS[rng.random_range(0..SKUS.len())];
        let qty = if sku.starts_with("FRU") {
            Decimal::new(rng.random_range(100..2000), 3)
        } else {
            Decimal::from(rng.random_range(1..4))
        };
        terminal.add_item(&mut cart, sku, Some(qty)).unwrap();
    }
    let total = terminal.cart_totals(&cart).unwrap().total;
    terminal.commit_sale(&cashier, &cart, &tenders(&[&format!("card:{total}")])).unwrap().record.receipt_no.to_string()
}

/// Returns the first line of a receipt (one piece, or the whole weight).
pub fn return_first_line(terminal: &mut Terminal, receipt: &str) {
    let cashier = terminal.login(pos_tests::CASHIER_NAME, pos_tests::CASHIER_PIN).unwrap();
    let (sale, _) = terminal.sale_record(&receipt.parse().unwrap()).unwrap().unwrap();
    let line = &sale.lines[0];
    let qty = if line.unit.is_measured() { None } else { Some(Decimal::ONE) };
    let request = ReturnRequest {
        original: Some(sale.receipt_no.clone()),
        items: vec![ReturnItem { code: line.sku.clone(), line: None, qty }],
        ..Default::default()
    };
    terminal.commit_return(&cashier, request).unwrap();
}

/// `(store, sku) -> on-hand` at head office.
pub fn central_stock(server_db: &HqDb) -> BTreeMap<(String, String), i64> {
    let rows = server_db.query(
        "SELECT s.code, m.sku, CAST(SUM(m.qty_milli) AS BIGINT) FROM stock_movements m JOIN stores s ON s.id = m.store_id
         GROUP BY s.code, m.sku",
        &[],
    );
    rows.iter().map(|r| ((r.get(0).unwrap(), r.get(1).unwrap()), r.get(2).unwrap())).collect()
}

/// `(store, sku) -> sum of the terminals' own movements`.
pub fn terminals_stock(terminals: &[&Path]) -> BTreeMap<(String, String), i64> {
    let mut sums = BTreeMap::new();
    for dir in terminals {
        let terminal = Terminal::open(dir).unwrap();
        let store = terminal.settings().terminal_id.as_str()[..3].to_string();
        let conn = Connection::open(dir.join(pos_terminal::db::DB_FILE)).unwrap();
        let mut stmt = conn.prepare("SELECT sku, SUM(qty_milli) FROM stock_movements GROUP BY sku").unwrap();
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).unwrap() {
            let (sku, qty) = row.unwrap();
            *sums.entry((store.clone(), sku)).or_insert(0) += qty;
        }
    }
    sums
}

fn count(db: &Path, sql: &str, terminal: &str) -> i64 {
    Connection::open(db).unwrap().query_row(sql, [terminal], |r| r.get(0)).unwrap()
}

/// Server and terminal hold the same entries, sales and movements: nothing
/// lost, nothing applied twice.
pub fn assert_same_facts(server_db: &HqDb, terminal_dir: &Path) {
    let id = Terminal::open(terminal_dir).unwrap().settings().terminal_id.to_string();
    let local = terminal_dir.join(pos_terminal::db::DB_FILE);
    let pairs = [
        ("SELECT COUNT(*) FROM journal WHERE terminal_id = ?1", "SELECT COUNT(*) FROM journal WHERE ?1 = ?1"),
        ("SELECT COUNT(*) FROM sales WHERE terminal_id = ?1", "SELECT COUNT(*) FROM sales WHERE ?1 = ?1"),
        (
            "SELECT COUNT(*) FROM stock_movements WHERE terminal_id = ?1",
            "SELECT COUNT(*) FROM stock_movements WHERE ?1 = ?1",
        ),
    ];
    for (central, own) in pairs {
        assert_eq!(server_db.count(central, &[&id]), count(&local, own, &id), "{id}: {central}");
    }
}

fn sync(terminal: &mut Terminal, client: &SyncClient) {
    runtime().block_on(sync_once(terminal, client)).expect("sync");
}

/// One pass with the terminal's own enrolled client.
fn sync_enrolled(terminal: &mut Terminal) {
    let client = client(terminal);
    sync(terminal, &client);
}

#[test]
fn three_terminals_selling_at_once_reconcile_exactly() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    let dirs: Vec<_> = ["t1", "t2", "t3"].iter().map(|n| work.path().join(n)).collect();
    let stores = ["S01", "S01", "S02"];
    let threads: Vec<_> = dirs
        .iter()
        .zip(stores)
        .map(|(dir, store)| {
            let mut terminal = enrolled_terminal(&db, &server.url, store, dir);
            std::thread::spawn(move || {
                let client = client(&terminal);
                let manager = terminal.login(pos_tests::MANAGER_NAME, MANAGER_PIN).unwrap();
                for round in 1..=40 {
                    let receipt = random_sale(&mut terminal);
                    if round % 8 == 0 {
                        return_first_line(&mut terminal, &receipt);
                    }
                    if round % 13 == 0 {
                        terminal.cash_move(&manager, CashDirection::In, "10".parse().unwrap(), "change", None).unwrap();
                    }
                    if round % 5 == 0 {
                        sync(&mut terminal, &client);
                    }
                }
                terminal
                    .z_report(
                        &manager,
                        &pos_terminal::session::CashCount::NotCounted("the test counts nothing".into()),
                        None,
                    )
                    .unwrap();
                sync(&mut terminal, &client);
                assert_eq!(terminal.pending_sync_count().unwrap(), 0);
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("terminal thread");
    }
    let paths: Vec<&Path> = dirs.iter().map(|d| d.as_path()).collect();
    assert_eq!(central_stock(&db), terminals_stock(&paths));
    for dir in &dirs {
        assert_same_facts(&db, dir);
    }
}

#[test]
fn terminals_see_what_the_others_sold_and_archived_items_stay_returnable() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let server = ServerProcess::start(&db);
    let mut first = enrolled_terminal(&db, &server.url, "S01", &work.path().join("t1"));
    let mut second = enrolled_terminal(&db, &server.url, "S01", &work.path().join("t2"));
    let cashier = first.login(pos_tests::CASHIER_NAME, pos_tests::CASHIER_PIN).unwrap();
    let mut cart = Cart::default();
    first.add_item(&mut cart, "BAK0004", Some(Decimal::from(3))).unwrap();
    let total = first.cart_totals(&cart).unwrap().total;
    let receipt = first.commit_sale(&cashier, &cart, &tenders(&[&format!("card:{total}")])).unwrap().record.receipt_no;
    sync_enrolled(&mut first);
    sync_enrolled(&mut second);
    assert_eq!(second.known_stock_milli("BAK0004").unwrap(), -3000, "the other till's sale is known here");
    let added = second.add_item(&mut Cart::default(), "BAK0004", None).unwrap();
    assert!(added.warning.unwrap().contains("only -3 of BAK0004"));

    pos_tests::head_office::admin_ok(&db, &["catalog", "archive", "BAK0004"]);
    sync_enrolled(&mut first);
    let refused = first.add_item(&mut Cart::default(), "BAK0004", None).unwrap_err();
    assert!(refused.to_string().contains("no longer sold"), "{refused}");
    return_first_line(&mut first, &receipt.to_string());
    let cashier = first.login(pos_tests::CASHIER_NAME, pos_tests::CASHIER_PIN).unwrap();
    assert!(first.reprint(&cashier, &receipt).unwrap().render_text(42).contains("COPY 1"));
}
