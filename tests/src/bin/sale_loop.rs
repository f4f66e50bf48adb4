//! Crash-test child: says `ready` once logged in, then commits sales in a
//! loop and reports each one on stdout only after its COMMIT returned, until
//! it is killed.

use std::io::Write;

use anyhow::{Context, Result};
use pos_terminal::{Cart, Terminal};

const SKUS: [&str; 6] = ["BAK0001", "DAI0001", "GRO0004", "WIN0002", "HOU0003", "SNK0005"];

fn main() -> Result<()> {
    let dir = std::env::args().nth(1).context("usage: sale-loop DATA_DIR")?;
    let mut terminal = Terminal::open(dir.as_ref())?;
    let cashier = terminal.login(pos_tests::CASHIER_NAME, pos_tests::CASHIER_PIN)?;
    let mut state = u64::from(std::process::id()) | 1;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready")?;
    out.flush()?;
    loop {
        let mut cart = Cart::default();
        for _ in 0..1 + next(4) {
            let qty = rust_decimal::Decimal::from(1 + next(3));
            terminal.add_item(&mut cart, SKUS[next(SKUS.len())], Some(qty))?;
        }
        let total = terminal.cart_totals(&cart)?.total;
        let committed = terminal.commit_sale(&cashier, &cart, &pos_tests::tenders(&[&format!("card:{total}")]))?;
        writeln!(out, "{} {} {}", committed.record.receipt_no, committed.seq, committed.record.lines.len())?;
        out.flush()?;
    }
}
