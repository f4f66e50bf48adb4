//! Benchmarks closing a busy day: a session of 5,000 sales (one to three
//! lines each, cash, card and split tenders, some returns), then the X
//! report (five runs, median) and the Z report that closes it, figures
//! checked against the sales made. Goal: Z report <= 100 ms.

use std::time::{Duration, Instant};

use pos_shared::money::Money;
use pos_shared::tender::{Tender, TenderKind};
use pos_terminal::Cart;
use pos_terminal::demo::create_demo;
use pos_terminal::returns::{ReturnItem, ReturnRequest};
use pos_tests::bench::{quantile, report};
use rand::Rng;

const SALES: usize = 5_000;
const SKUS: [&str; 6] = ["BAK0001", "BAK0004", "DAI0013", "DAI0049", "WIN0003", "HYG0001"];

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut terminal = create_demo(dir.path()).unwrap();
    let cashier = terminal.login(pos_tests::CASHIER_NAME, pos_tests::CASHIER_PIN).unwrap();
    let manager = terminal.login(pos_tests::MANAGER_NAME, pos_tests::MANAGER_PIN).unwrap();
    let mut rng = rand::rng();
    let mut takings = Money::ZERO;
    for i in 0..SALES {
        let mut cart = Cart::default();
        for _ in 0..rng.random_range(1..=3) {
            terminal.add_item(&mut cart, SKUS[rng.random_range(0..SKUS.len())], None).unwrap();
        }
        let total = terminal.cart_totals(&cart).unwrap().total;
        let tenders = match i % 3 {
            0 => vec![Tender { kind: TenderKind::Card, amount: total }],
            1 => vec![Tender { kind: TenderKind::Cash, amount: total + Money::from_minor(500) }],
            _ => {
                let card = Money::from_minor(total.minor() / 2);
                vec![
                    Tender { kind: TenderKind::Card, amount: card },
                    Tender { kind: TenderKind::Cash, amount: total - card },
                ]
            }
        };
        let sale = terminal.commit_sale(&cashier, &cart, &tenders).unwrap();
        takings += sale.record.total;
        if i % 100 == 0 {
            let request = ReturnRequest {
                original: Some(sale.record.receipt_no.clone()),
                items: vec![ReturnItem { code: sale.record.lines[0].sku.clone(), ..ReturnItem::default() }],
                ..ReturnRequest::default()
            };
            takings -= terminal.commit_return(&cashier, request).unwrap().record.total;
        }
    }
    let mut x_runs: Vec<Duration> = (0..5)
        .map(|_| {
            let start = Instant::now();
            let x = terminal.x_report().unwrap();
            let took = start.elapsed();
            assert_eq!(x.net_total, takings, "the X report adds up the day");
            took
        })
        .collect();
    let start = Instant::now();
    let z = terminal
        .z_report(&manager, &pos_terminal::session::CashCount::NotCounted("the test counts nothing".into()), None)
        .unwrap();
    let z_took = start.elapsed();
    assert_eq!(z.net_total, takings, "the Z report adds up the day");
    report("x_report_5000_sales", quantile(&mut x_runs, 0.5).as_secs_f64() * 1e3, "ms");
    report("z_report_5000_sales", z_took.as_secs_f64() * 1e3, "ms");
}
