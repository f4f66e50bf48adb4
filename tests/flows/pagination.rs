//! Catalog pages never skip a change: tills page through the catalog in
//! small pages while head office changes prices from two connections (a
//! server and its command line), and every till ends with every change.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use pos_shared::money::Money;
use pos_sync_server::storage::sqlite::{CODE_VALID_HOURS, SqliteStore};
use pos_sync_server::storage::{SyncStore, TerminalAuth};
use pos_tests::generated::catalog_csv;

const PRODUCTS: usize = 300;
const CHANGES: u64 = 400;
const PAGE: usize = 7;

/// A till's copy of the catalog: SKU to price, and its cursor.
#[derive(Default)]
struct Copy {
    prices: HashMap<String, String>,
    cursor: u64,
}

impl Copy {
    /// Pulls pages until head office says there is no more.
    fn pull(&mut self, store: &SqliteStore, auth: &TerminalAuth) {
        loop {
            let page = store.catalog_page(auth, self.cursor, PAGE).unwrap();
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

#[test]
fn tills_paging_while_prices_change_end_with_every_change() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.sqlite");
    let server = SqliteStore::open(&db).unwrap();
    server.add_store("Paris", "EUR", true).unwrap();
    server.import_catalog(catalog_csv(PRODUCTS).as_bytes()).unwrap();
    let tills: Vec<TerminalAuth> = (0..3)
        .map(|i| {
            let code = server.add_terminal("S01", &format!("Till {i}"), CODE_VALID_HOURS).unwrap().enrollment_code;
            server.authenticate(&server.enroll(&code).unwrap().token).unwrap()
        })
        .collect();
    let command_line = SqliteStore::open(&db).unwrap();
    let writers_done = AtomicBool::new(false);
    let copies: Vec<Copy> = std::thread::scope(|scope| {
        let copies: Vec<_> = tills
            .iter()
            .map(|auth| {
                let (server, done) = (&server, &writers_done);
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
        let writers: Vec<_> = [&server, &command_line]
            .into_iter()
            .enumerate()
            .map(|(w, store)| {
                scope.spawn(move || {
                    for round in 0..CHANGES {
                        let sku = format!("G{:07}", (round * 7 + w as u64 * 3) % PRODUCTS as u64);
                        store.set_price(&sku, Money::from_minor(10_000 + round as i64 * 2 + w as i64)).unwrap();
                    }
                })
            })
            .collect();
        writers.into_iter().for_each(|w| w.join().unwrap());
        writers_done.store(true, Ordering::SeqCst);
        copies.into_iter().map(|c| c.join().unwrap()).collect()
    });
    let mut truth = Copy::default();
    truth.pull(&server, &tills[0]);
    assert_eq!(truth.prices.len(), PRODUCTS);
    for (i, copy) in copies.iter().enumerate() {
        let differ: Vec<_> = truth.prices.iter().filter(|(sku, price)| copy.prices.get(*sku) != Some(price)).collect();
        assert!(differ.is_empty(), "till {i} missed {} changes, e.g. {:?}", differ.len(), differ.first());
    }
}
