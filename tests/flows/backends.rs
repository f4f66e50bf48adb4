//! The rules written once over `storage::sql` give the same answers on
//! SQLite and on PostgreSQL (each test on a database of its own), and on
//! PostgreSQL two servers spending one enrollment code at once cannot both
//! win.

use pos_shared::money::Money;
use pos_shared::roles::Role;
use pos_sync_server::storage::TerminalAuth;
use pos_sync_server::storage::postgres::PgDb;
use pos_sync_server::storage::rules::catalog::NewCustomer;
use pos_sync_server::storage::rules::{admin, catalog, keys, meta};
use pos_sync_server::storage::sql::Database;
use pos_sync_server::storage::sqlite::SqliteDb;
use pos_sync_server::storage::{StoreError, StoreResult};
use pos_tests::postgres::TestDatabase;

/// Runs a check on a fresh SQLite database and on a fresh PostgreSQL
/// schema, as two tests.
macro_rules! on_both_backends {
    ($check:ident: $sqlite:ident, $postgres:ident) => {
        #[test]
        fn $sqlite() {
            let dir = tempfile::tempdir().unwrap();
            $check(&SqliteDb::open(&dir.path().join("hq.sqlite")).unwrap());
        }

        #[test]
        fn $postgres() {
            let database = TestDatabase::new();
            $check(&PgDb::open(&database.url).unwrap());
        }
    };
}

/// Stores, terminals and enrollment, as head office and tills use them.
fn stores_terminals_and_enrollment(db: &impl Database) {
    let add_store = |name: &str, currency: &str| db.write(|tx| admin::add_store(tx, name, currency, true, None));
    assert_eq!(add_store("Paris Halles", "eur").unwrap(), "S01");
    assert_eq!(add_store("Lyon", "EUR").unwrap(), "S02");
    assert!(matches!(add_store("PARIS HALLES", "EUR"), Err(StoreError::Conflict(_))), "names differ by more than case");
    assert!(matches!(add_store("Lille", "EU"), Err(StoreError::BadRequest(_))));
    assert_eq!(db.snapshot(|tx| admin::store_id(tx, "paris halles")).unwrap(), 1);
    assert!(matches!(db.snapshot(|tx| admin::store_id(tx, "S09")), Err(StoreError::NotFound(_))));

    let created = db.write(|tx| admin::add_terminal(tx, "S01", "Caisse 1", admin::CODE_VALID_HOURS)).unwrap();
    assert_eq!(created.terminal_id, "S01-T01");
    let enrolled = db.write(|tx| admin::enroll(tx, &created.enrollment_code, None, None)).unwrap();
    assert_eq!((enrolled.terminal_id.as_str(), enrolled.store.code.as_str()), ("S01-T01", "S01"));
    let again = db.write(|tx| admin::enroll(tx, &created.enrollment_code, None, None));
    assert!(matches!(again, Err(StoreError::NotFound(_))), "a code works once");
    let (auth, _) = db.snapshot(|tx| admin::authenticate(tx, &enrolled.token)).unwrap();
    assert_eq!((auth.terminal_id.as_str(), auth.store_id), ("S01-T01", 1));
    db.write(|tx| admin::revoke_terminal(tx, "S01-T01")).unwrap();
    assert!(matches!(db.snapshot(|tx| admin::authenticate(tx, &enrolled.token)), Err(StoreError::Unauthorized)));
    let fresh = db.write(|tx| admin::new_enrollment_code(tx, "S01-T01", 1));
    assert!(matches!(fresh, Err(StoreError::NotFound(_))), "not for a revoked terminal");
    assert_eq!(db.write(|tx| admin::add_terminal(tx, "S01", "Caisse 2", 1)).unwrap().terminal_id, "S01-T02");
}

on_both_backends!(stores_terminals_and_enrollment: stores_terminals_and_enrollment_on_sqlite, stores_terminals_and_enrollment_on_postgres);

const CATALOG: &str = "sku,name,price,barcode,category\nBAK0001,Baguette,1.10,4006381333931,Bakery\n\
    BAK0002,Croissant,0.95,,Bakery\nDAI0001,Milk,1.05,,Dairy\n";

/// Products, prices, staff and customers, paged down to a till.
fn the_catalog_pages_down(db: &impl Database) {
    db.write(|tx| admin::add_store(tx, "Paris", "EUR", true, None)).unwrap();
    db.write(|tx| admin::add_store(tx, "Lyon", "EUR", true, None)).unwrap();
    assert_eq!(db.write(|tx| catalog::import_catalog(tx, CATALOG.as_bytes())).unwrap(), 3);
    let clash = "sku,name,price,barcode\nX1,Thing,1.00,4006381333931\n";
    assert!(matches!(db.write(|tx| catalog::import_catalog(tx, clash.as_bytes())), Err(StoreError::BadRequest(_))));
    assert_eq!(db.write(|tx| catalog::set_price(tx, "4006381333931", Money::from_minor(120))).unwrap(), "BAK0001");
    assert_eq!(db.write(|tx| catalog::archive_product(tx, "bak0002")).unwrap(), "BAK0002", "SKUs ignore case");
    assert!(matches!(
        db.write(|tx| catalog::set_price(tx, "NOPE", Money::from_minor(1))),
        Err(StoreError::NotFound(_))
    ));
    db.write(|tx| catalog::add_user(tx, "Marie", Role::Manager, pos_tests::MANAGER_PIN, None)).unwrap();
    db.write(|tx| catalog::add_user(tx, "Camille", Role::Cashier, "1111", Some("S01"))).unwrap();
    db.write(|tx| catalog::add_user(tx, "Luc", Role::Cashier, "2222", Some("S02"))).unwrap();
    let taken = db.write(|tx| catalog::add_user(tx, "Zoé", Role::Cashier, "1111", Some("S01")));
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "a PIN alone names a cashier at a till");
    assert_eq!(
        db.write(|tx| catalog::add_customer(
            tx,
            &NewCustomer { name: "Ana Lima", email: Some("ana@example.org"), ..NewCustomer::default() }
        ))
        .unwrap(),
        "C000001"
    );

    let paris = TerminalAuth { terminal_id: "S01-T01".into(), store_id: 1 };
    let (mut cursor, mut products, mut users) = (0, Vec::new(), Vec::new());
    loop {
        let page = db.snapshot(|tx| catalog::page(tx, &paris, cursor, 2)).unwrap();
        assert!(page.products.len() <= 2);
        products.extend(page.products.into_iter().map(|p| (p.sku, p.price, p.archived, p.barcodes)));
        users.extend(page.users.into_iter().map(|u| (u.name, u.active, !u.pin_hash.is_empty())));
        assert!(page.next_cursor > cursor || !page.more);
        cursor = page.next_cursor;
        if !page.more {
            break;
        }
    }
    products.sort();
    assert_eq!(
        products,
        [
            ("BAK0001".into(), "1.20".into(), false, vec!["4006381333931".to_string()]),
            ("BAK0002".into(), "0.95".into(), true, vec![]),
            ("DAI0001".into(), "1.05".into(), false, vec![]),
        ]
    );
    users.sort();
    let lyon_staff_without_pin = ("Luc".to_string(), false, false);
    assert_eq!(users, [("Camille".into(), true, true), lyon_staff_without_pin, ("Marie".into(), true, true)]);
    let nothing_new = db.snapshot(|tx| catalog::page(tx, &paris, cursor, 2)).unwrap();
    assert!(nothing_new.products.is_empty() && !nothing_new.more && nothing_new.next_cursor == cursor);
    let ahead = db.snapshot(|tx| catalog::page(tx, &paris, cursor + 5, 2));
    assert!(matches!(ahead, Err(StoreError::CursorAhead { .. })), "a till restored from an older head office");
}

on_both_backends!(the_catalog_pages_down: the_catalog_pages_down_on_sqlite, the_catalog_pages_down_on_postgres);

/// The epoch tills watch for a restore, and the flags head office reads.
fn an_epoch_changes_only_when_told(db: &impl Database) {
    let first = db.snapshot(|tx| meta::epoch(tx)).unwrap();
    assert_eq!(first.len(), 32, "{first}");
    assert_eq!(db.snapshot(|tx| meta::epoch(tx)).unwrap(), first, "it stays until a restore");
    let second = db.write(|tx| meta::new_epoch(tx)).unwrap();
    assert_ne!(second, first);
    assert_eq!(db.snapshot(|tx| meta::epoch(tx)).unwrap(), second);
    assert_eq!(db.snapshot(|tx| meta::open_flags(tx)).unwrap(), 0);
}

on_both_backends!(an_epoch_changes_only_when_told: an_epoch_changes_only_when_told_on_sqlite, an_epoch_changes_only_when_told_on_postgres);

/// Report keys and channel keys: shown once, replaced by a new one.
fn keys_are_shown_once_and_replaced(db: &impl Database) {
    let key = db.write(|tx| keys::issue_office_key(tx, "finance", "reports")).unwrap();
    assert_eq!(db.snapshot(|tx| keys::office_key_scope(tx, &key)).unwrap().as_deref(), Some("reports"));
    let replaced = db.write(|tx| keys::issue_office_key(tx, "FINANCE", "reports")).unwrap();
    assert_eq!(db.snapshot(|tx| keys::office_key_scope(tx, &key)).unwrap(), None, "the name's old key stops working");
    assert!(db.snapshot(|tx| keys::office_key_scope(tx, &replaced)).unwrap().is_some());
    assert!(matches!(db.write(|tx| keys::issue_office_key(tx, "x", "everything")), Err(StoreError::BadRequest(_))));
    assert!(matches!(db.write(|tx| keys::issue_office_key(tx, " ", "reports")), Err(StoreError::BadRequest(_))));
    let web = db.write(|tx| keys::issue_channel_key(tx, "web")).unwrap();
    let channel = db.snapshot(|tx| keys::channel_by_key(tx, &web)).unwrap();
    assert_eq!((channel.name.as_str(), channel.head_office), ("web", false));
    assert_eq!(db.snapshot(|tx| keys::channel_by_name(tx, "Phone")).unwrap().name, "phone", "the three built in");
    assert!(matches!(db.snapshot(|tx| keys::channel_by_key(tx, "pos_ch_nope")), Err(StoreError::Unauthorized)));
    assert!(matches!(db.write(|tx| keys::issue_channel_key(tx, "counter")), Err(StoreError::BadRequest(_))));
}

on_both_backends!(keys_are_shown_once_and_replaced: keys_are_shown_once_and_replaced_on_sqlite, keys_are_shown_once_and_replaced_on_postgres);

/// Two servers (two pools) on one database, both migrating at start and
/// then enrolling with the same codes at the same moment: each code once.
#[test]
fn two_servers_on_postgres_spend_each_code_once() {
    let database = TestDatabase::new();
    let (first, second) = std::thread::scope(|scope| {
        let open = || scope.spawn(|| PgDb::open(&database.url).unwrap());
        let (a, b) = (open(), open());
        (a.join().unwrap(), b.join().unwrap())
    });
    first.write(|tx| admin::add_store(tx, "Paris", "EUR", true, None)).unwrap();
    for round in 0..20 {
        let code =
            first.write(|tx| admin::add_terminal(tx, "S01", &format!("Caisse {round}"), 1)).unwrap().enrollment_code;
        let spend = |db: &PgDb| db.write(|tx| admin::enroll(tx, &code, None, None));
        let results: Vec<StoreResult<_>> = std::thread::scope(|scope| {
            let (a, b) = (scope.spawn(|| spend(&first)), scope.spawn(|| spend(&second)));
            vec![a.join().unwrap(), b.join().unwrap()]
        });
        let won = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(won, 1, "round {round}: {results:?}");
        assert!(results.iter().any(|r| matches!(r, Err(StoreError::NotFound(_)))), "{results:?}");
    }
}

/// The trap of ids taken at insert: a push holding journal id N commits
/// after one holding N+1, and a report rolls up in between. The late sale
/// must still reach the report (it would be skipped for good behind a
/// high-water mark on journal ids).
#[test]
fn a_sale_committed_late_on_postgres_is_still_rolled_up() {
    use pos_shared::ids::TerminalId;
    use pos_sync_server::storage::SyncStore;
    use pos_sync_server::storage::head_office::HeadOffice;
    use pos_sync_server::storage::rules::insights::Period;
    use pos_sync_server::storage::rules::sales::SalesBy;

    let database = TestDatabase::new();
    let office = HeadOffice::new(PgDb::open(&database.url).unwrap());
    office.add_store("Paris", "EUR", true, None).unwrap();
    office.import_catalog(pos_tests::generated::catalog_csv(100).as_bytes()).unwrap();
    let till = |name: &str| {
        let code = office.add_terminal("S01", name, admin::CODE_VALID_HOURS).unwrap().enrollment_code;
        office.authenticate(&office.enroll(&code, None, None).unwrap().token).unwrap()
    };
    let (slow, quick) = (till("Slow"), till("Quick"));
    let journal = |auth: &TerminalAuth| {
        let terminal: TerminalId = auth.terminal_id.parse().unwrap();
        pos_tests::journals::sale_journal(terminal, 1, 100).next().unwrap()
    };
    let ((slow_entry, slow_sale), (quick_entry, _)) = (journal(&slow), journal(&quick));

    // Another session holds the slow sale's receipt number, uncommitted:
    // the slow push takes its journal id, then waits on that row.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (mut holder, connection) =
        runtime.block_on(tokio_postgres::connect(&database.url, tokio_postgres::NoTls)).unwrap();
    runtime.spawn(connection);
    let hold = runtime.block_on(holder.transaction()).unwrap();
    let receipt = slow_sale.receipt_no.to_string();
    runtime
        .block_on(hold.execute(
            "INSERT INTO sales (receipt_no, terminal_id, store_id, seq, kind, at_ms, cashier, total_minor, tax_minor,
               discount_minor) VALUES ($1, 'S01-T01', 1, 1, 'sale', 0, 'x', 0, 0, 0)",
            &[&receipt],
        ))
        .unwrap();
    let xid: String = runtime.block_on(hold.query_one("SELECT pg_current_xact_id()::text", &[])).unwrap().get(0);
    std::thread::scope(|scope| {
        let pushed = scope.spawn(|| office.push(&slow, std::slice::from_ref(&slow_entry)).unwrap());
        // The slow push waits on the holder once it has written its journal row.
        let waiting = || {
            let sql = "SELECT COUNT(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'
                       AND transactionid::text = $1";
            runtime.block_on(waiters(&database.url, sql, &xid)) > 0
        };
        while !waiting() {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        office.push(&quick, std::slice::from_ref(&quick_entry)).unwrap();
        let early = office.sales_report(SalesBy::Store, Period::default()).unwrap();
        assert_eq!(early.iter().map(|r| r.receipts).sum::<u64>(), 1, "only the quick sale has committed");
        runtime.block_on(hold.rollback()).unwrap();
        pushed.join().unwrap();
    });
    let late = office.sales_report(SalesBy::Store, Period::default()).unwrap();
    assert_eq!(late.iter().map(|r| r.receipts).sum::<u64>(), 2, "the late sale is rolled up too");
}

/// The count `sql` returns for `xid`, on a connection of its own.
async fn waiters(url: &str, sql: &str, xid: &str) -> i64 {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client.query_one(sql, &[&xid]).await.unwrap().get(0)
}
