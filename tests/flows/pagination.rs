//! Catalog pages never skip a change: tills page through the catalog in
//! small pages while head office changes prices from two connections (two
//! servers, or a server and its command line), and every till ends with
//! every change; on SQLite and on PostgreSQL.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use pos_shared::money::Money;
use pos_sync_server::storage::TerminalAuth;
use pos_sync_server::storage::postgres::PgDb;
use pos_sync_server::storage::rules::{admin, catalog};
use pos_sync_server::storage::sql::Database;
use pos_sync_server::storage::sqlite::SqliteDb;
use pos_tests::generated::catalog_csv;
use pos_tests::postgres::TestDatabase;

const PRODUCTS: usize = 300;
const CHANGES: u64 = 400;
const PAGE: usize = 7;
const TILLS: usize = 3;

/// A till's copy of the catalog: SKU to price, and its cursor.
#[derive(Default)]
struct Copy {
    prices: HashMap<String, String>,
    cursor: u64,
}

impl Copy {
    /// Pulls pages until head office says there is no more.
    fn pull(&mut self, db: &impl Database, auth: &TerminalAuth) {
        loop {
            let page = db.snapshot(|tx| catalog::page(tx, auth, self.cursor, PAGE)).unwrap();
            for product in page.products {
                self.prices.insert(product.sku, product.price);
            }
            assert!(page.next_cursor >= self.cursor, "a cursor never goes back");
            self.cursor = page.next_cursor;
            if !page.more {
                return;
            }
        }
    }
}

/// `server` and `command_line` are two connections to one database.
fn tills_paging_while_prices_change<D: Database + Sync>(server: &D, command_line: &D) {
    server.write(|tx| admin::add_store(tx, "Paris", "EUR", true, None)).unwrap();
    server.write(|tx| catalog::import_catalog(tx, catalog_csv(PRODUCTS).as_bytes())).unwrap();
    let auth = TerminalAuth { terminal_id: "S01-T01".into(), store_id: 1 };
    let writers_done = AtomicBool::new(false);
    let copies: Vec<Copy> = std::thread::scope(|scope| {
        let copies: Vec<_> = (0..TILLS)
            .map(|_| {
                let (auth, done) = (&auth, &writers_done);
                scope.spawn(move || {
                    let mut copy = Copy::default();
                    loop {
                        // One whole pull that starts after the last change.
                        let last_round = done.load(Ordering::SeqCst);
                        copy.pull(server, auth);
                        if last_round {
                            return copy;
                        }
                    }
                })
            })
            .collect();
        let writers: Vec<_> = [server, command_line]
            .into_iter()
            .enumerate()
            .map(|(w, db)| {
                scope.spawn(move || {
                    for round in 0..CHANGES {
                        let sku = format!("G{:07}", (round * 7 + w as u64 * 3) % PRODUCTS as u64);
                        let price = Money::from_minor(10_000 + round as i64 * 2 + w as i64);
                        db.write(|tx| catalog::set_price(tx, &sku, price)).unwrap();
                    }
                })
            })
            .collect();
        // The tills stop after the writers, even when a writer failed.
        let written: Vec<_> = writers.into_iter().map(|w| w.join()).collect();
        writers_done.store(true, Ordering::SeqCst);
        let copies = copies.into_iter().map(|c| c.join().unwrap()).collect();
        written.into_iter().for_each(|w| w.expect("a writer failed"));
        copies
    });
    let mut truth = Copy::default();
    truth.pull(server, &auth);
    assert_eq!(truth.prices.len(), PRODUCTS);
    for (i, copy) in copies.iter().enumerate() {
        let differ: Vec<_> = truth.prices.iter().filter(|(sku, price)| copy.prices.get(*sku) != Some(price)).collect();
        assert!(differ.is_empty(), "till {i} missed {} changes, e.g. {:?}", differ.len(), differ.first());
    }
}

#[test]
fn tills_paging_while_prices_change_end_with_every_change_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.sqlite");
    tills_paging_while_prices_change(&SqliteDb::open(&db).unwrap(), &SqliteDb::open(&db).unwrap());
}

#[test]
fn tills_paging_while_prices_change_end_with_every_change_on_postgres() {
    let database = TestDatabase::new();
    tills_paging_while_prices_change(&PgDb::open(&database.url).unwrap(), &PgDb::open(&database.url).unwrap());
}
