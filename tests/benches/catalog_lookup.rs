//! Benchmarks the scan path and search-as-you-type on a generated
//! 200,000-product catalog: scan-to-cart-line (goal p99 <= 200 us) and
//! name search (goal p99 <= 5 ms).

use std::time::Instant;

use pos_terminal::Cart;
use pos_terminal::demo::create_demo;
use pos_tests::bench::{micros, quantile, report};
use pos_tests::generated::{catalog_csv, generated_barcode, generated_name};

const PRODUCTS: usize = 200_000;
const SCANS: usize = 20_000;
const SEARCHES: usize = 3_000;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut terminal = create_demo(dir.path()).expect("demo store");
    let csv = catalog_csv(PRODUCTS);
    let started = Instant::now();
    terminal.import_catalog(csv.as_bytes()).expect("import");
    report("catalog_import_200k", started.elapsed().as_secs_f64(), "s");

    let mut scans = Vec::with_capacity(SCANS);
    let mut cart = Cart::default();
    for n in 0..SCANS {
        let code = generated_barcode((n * 7919) % PRODUCTS);
        if cart.lines.len() == 40 {
            cart = Cart::default();
        }
        let started = Instant::now();
        terminal.add_item(&mut cart, &code, None).expect("scan");
        scans.push(started.elapsed());
    }
    report("scan_to_cart_p50", micros(quantile(&mut scans, 0.50)), "us");
    report("scan_to_cart_p99", micros(quantile(&mut scans, 0.99)), "us");

    let mut searches = Vec::with_capacity(SEARCHES);
    let mut found = 0;
    for n in 0..SEARCHES {
        let name = generated_name((n * 104_729) % PRODUCTS);
        let typed_len = 2 + n % name.len().min(17);
        let typed: String = name.chars().take(typed_len).collect();
        let started = Instant::now();
        found += terminal.search_products(&typed, 20).expect("search").len();
        searches.push(started.elapsed());
    }
    assert!(found > SEARCHES, "searches found too little ({found}) to mean anything");
    report("name_search_p50", micros(quantile(&mut searches, 0.50)) / 1000.0, "ms");
    report("name_search_p99", micros(quantile(&mut searches, 0.99)) / 1000.0, "ms");
}
