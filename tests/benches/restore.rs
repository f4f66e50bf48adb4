//! Head office restored from a backup that lost the last hour: 30 tills of
//! 200 sales each, the last 50 of each made after the backup. The figure
//! is the time from the restored server's start until head office holds
//! every sale again, each till syncing once in parallel as it would at its
//! next pass, no new sale needed (goal <= 10 s).

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use pos_shared::money::Money;
use pos_shared::tender::{Tender, TenderKind};
use pos_sync_server::storage::head_office::HeadOffice;
use pos_sync_server::storage::rules::admin::CODE_VALID_HOURS;
use pos_sync_server::storage::sqlite::SqliteDb;
use pos_terminal::sync::run::{enroll, sync_once};
use pos_terminal::{Cart, Terminal};
use pos_tests::bench::{report, serve_in_background};

const TILLS: usize = 30;
const SALES: usize = 200;
const AFTER_BACKUP: usize = 50;

fn sell(terminal: &mut Terminal, count: usize) {
    let cashier = terminal.login(pos_tests::CASHIER_NAME, pos_tests::CASHIER_PIN).unwrap();
    let mut cart = Cart::default();
    for sku in ["BAK0001", "DAI0004", "GRO0010"] {
        terminal.add_item(&mut cart, sku, None).unwrap();
    }
    let pay = [Tender { kind: TenderKind::Card, amount: terminal.cart_totals(&cart).unwrap().total }];
    for _ in 0..count {
        terminal.commit_sale(&cashier, &cart, &pay).unwrap();
    }
}

/// Syncs every till once, each on its own thread, through `url`.
fn sync_all(tills: Vec<Terminal>, url: &str) -> Vec<Terminal> {
    let threads: Vec<_> = tills
        .into_iter()
        .map(|mut terminal| {
            let url = url.to_string();
            std::thread::spawn(move || {
                let client = pos_tests::head_office::client_via(&terminal, &url, 500);
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                runtime.block_on(sync_once(&mut terminal, &client)).unwrap();
                terminal
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

fn sales_held(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT COUNT(*) FROM sales", [], |r| r.get(0)).unwrap()
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = dir.path().join("head-office.sqlite");
    let office = Arc::new(HeadOffice::new(SqliteDb::open(&db).unwrap()));
    office.add_store("Paris", "EUR", true, None).unwrap();
    office.import_catalog(pos_terminal::demo::DEMO_CATALOG.as_bytes()).unwrap();
    office.add_user("Camille", pos_shared::roles::Role::Cashier, pos_tests::CASHIER_PIN, None).unwrap();
    office.add_user("Marie", pos_shared::roles::Role::Manager, pos_tests::MANAGER_PIN, None).unwrap();
    let url = serve_in_background(&runtime, office.clone());

    let mut tills: Vec<Terminal> = (0..TILLS)
        .map(|i| {
            let code = office.add_terminal("S01", &format!("Till {i}"), CODE_VALID_HOURS).unwrap().enrollment_code;
            let till_dir = dir.path().join(format!("till-{i}"));
            let (mut terminal, first) = runtime.block_on(enroll(&till_dir, &url, &code, &Default::default())).unwrap();
            first.unwrap();
            let manager = terminal.login(pos_tests::MANAGER_NAME, pos_tests::MANAGER_PIN).unwrap();
            terminal.open_session(&manager, Money::from_minor(10_000)).unwrap();
            sell(&mut terminal, SALES - AFTER_BACKUP);
            terminal
        })
        .collect();
    tills = sync_all(tills, &url);
    let backup = dir.path().join("backup.sqlite");
    rusqlite::Connection::open(&db).unwrap().execute("VACUUM INTO ?1", [backup.to_str().unwrap()]).unwrap();
    // The hour the backup lost.
    for terminal in &mut tills {
        sell(terminal, AFTER_BACKUP);
    }
    tills = sync_all(tills, &url);
    assert_eq!(sales_held(&db), (TILLS * SALES) as i64);

    // Head office comes back from the backup, on a server of its own.
    let restored = dir.path().join("restored.sqlite");
    std::fs::copy(&backup, &restored).unwrap();
    let restored_office = HeadOffice::new(SqliteDb::open(&restored).unwrap());
    restored_office.new_epoch().unwrap();
    let started = Instant::now();
    let restored_url = serve_in_background(&runtime, Arc::new(restored_office));
    let tills = sync_all(tills, &restored_url);
    let elapsed = started.elapsed();
    assert_eq!(sales_held(&restored), (TILLS * SALES) as i64, "head office holds every sale again");
    assert!(tills.iter().all(|t| t.pending_sync_count().unwrap() == 0));
    report("restore_resync_s", elapsed.as_secs_f64(), "s");
}
