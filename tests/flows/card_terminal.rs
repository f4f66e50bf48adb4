//! The card terminal: the amount goes from the sale to a ZVT terminal on a
//! loopback port that approves, declines, says nothing, drops the line or
//! waits for a card; only what it approved is ever recorded as paid, and a
//! payment it approved is never lost, even when the till is killed at any
//! point of it.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use pos_shared::journal::CardVia;
use pos_shared::money::Money;
use pos_terminal::card_payment::{CardOutcome, CardReply, ask_terminal};
use pos_terminal::devices::card_terminal::Answer;
use pos_terminal::{Cart, Terminal};
use pos_tests::virtual_card_terminal::{Booking, Seen, Step, VirtualCardTerminal};
use pos_tests::{Store, as_cashier, as_manager, cli_ok as ok, cli_refused as refused, tenders};
use rand::Rng;

fn journal_length(dir: &Path) -> String {
    ok(dir, &["journal", "verify"])
}

/// Every sale's card, as `(trace, amount)`, read from the till's database.
fn cards_in_sales(dir: &Path) -> Vec<(u32, Money)> {
    let conn = rusqlite::Connection::open(dir.join("terminal.sqlite")).expect("open the till's database");
    let mut stmt = conn.prepare("SELECT card_via FROM sales WHERE card_via IS NOT NULL").unwrap();
    let rows: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    rows.iter()
        .filter_map(|json| match serde_json::from_str::<CardVia>(json).expect("card_via") {
            CardVia::Terminal(auth) => Some((auth.trace, auth.amount)),
            CardVia::External { .. } => None,
        })
        .collect()
}

/// `sell` of a croissant as the cashier, paid with `pay`.
fn sell<'a>(pay: &[&'a str]) -> Vec<&'a str> {
    as_cashier(&[&["sell", "--item", "BAK0001"][..], pay].concat())
}

#[test]
fn a_card_goes_through_the_terminal_and_only_what_it_approved_is_recorded() {
    let store = Store::open();
    let dir = store.path();
    let no_terminal = refused(dir, &sell(&["--pay", "card-terminal"]));
    assert!(no_terminal.contains("no card terminal is set up"), "{no_terminal}");

    let pt = VirtualCardTerminal::start(&[Step::Approve]);
    ok(dir, &as_manager(&["config", "set", "card-terminal", &pt.address()]));
    let paid = ok(dir, &sell(&["--pay", "card-terminal"]));
    assert!(paid.contains("Card") && paid.contains("4.87"), "{paid}");
    assert!(paid.contains("Visa ****1234") && paid.contains("trace 000101"), "the terminal's approval printed: {paid}");
    assert_eq!(pt.bookings(), [Booking { trace: 101, amount_minor: 487, refund: false, approved: true }]);

    let before = journal_length(dir);
    for (step, says) in [
        (Step::Decline(5), "declined by the bank (code 5)"),
        (Step::DropBeforeBooking, "never booked"),
        (Step::Silent, "never booked"),
    ] {
        pt.script(&[step]);
        let said = refused(dir, &sell(&["--pay", "card-terminal"]));
        assert!(said.contains(says) && said.contains("nothing was recorded"), "{step:?}: {said}");
        assert_eq!(journal_length(dir), before, "{step:?}: nothing journaled");
    }

    // The terminal booked it but the line dropped before it said so: the
    // till asks its last transaction and records the sale.
    pt.script(&[Step::DropAfterBooking]);
    let recovered = ok(dir, &sell(&["--pay", "cash:2.00", "--pay", "card-terminal"]));
    assert!(recovered.contains("trace 000103") && recovered.contains("2.87"), "{recovered}");
    assert_eq!(pt.bookings().last().map(|b| (b.amount_minor, b.approved)), Some((287, true)));

    pt.script(&[Step::Approve]);
    let keyed = refused(dir, &sell(&["--pay", "card:4.87"]));
    assert!(keyed.contains("--external-card"), "a typed card needs a reason with a terminal here: {keyed}");
    let external = ok(dir, &sell(&["--pay", "card:4.87", "--external-card", "terminal out of paper"]));
    assert!(external.contains("other terminal: terminal out of paper"), "{external}");
    for (pay, says) in [
        ("card-terminal:0", "nothing is left to pay by card"),
        ("card-terminal:abc", "card-terminal:abc"),
        ("card-terminal:9.00", "only cash gives change"),
    ] {
        let said = refused(dir, &sell(&["--pay", pay]));
        assert!(said.contains(says), "{pay}: {said}");
    }
    assert_eq!(pt.bookings().len(), 3, "no bad payment reached the terminal");

    // A return of a card sale refunds through the terminal.
    let receipt = paid.split_whitespace().find(|w| w.starts_with("S01-T01-")).expect("receipt number").to_string();
    let refund = ok(dir, &as_cashier(&["return", "--receipt", &receipt, "--item", "BAK0001"]));
    assert!(refund.contains("trace 000104"), "{refund}");
    assert_eq!(pt.bookings().last(), Some(&Booking { trace: 104, amount_minor: 487, refund: true, approved: true }));

    // The terminal's day closes with the Z: 4.87 + 2.87 - 4.87.
    let z = ok(dir, &as_manager(&["report", "z", "--counted", "cash:102.00"]));
    assert!(z.contains("Card terminal: day closed, 2.87"), "{z}");
    let closed = refused(dir, &sell(&["--pay", "card-terminal"]));
    assert!(closed.contains("no open session"), "a card is never charged with the till closed: {closed}");
    assert_eq!(pt.bookings().len(), 4, "the terminal was not asked");

    ok(dir, &as_manager(&["config", "set", "card-terminal", "zvt://127.0.0.1:9?timeout=1"]));
    ok(dir, &as_manager(&["session", "open", "--float", "100"]));
    let before = journal_length(dir);
    let gone = refused(dir, &sell(&["--pay", "card-terminal"]));
    assert!(gone.contains("does not answer"), "{gone}");
    assert_eq!(journal_length(dir), before);
    assert_eq!(cards_in_sales(dir).len(), 3, "the sale, the recovered sale and the refund");
}

#[test]
fn the_cashier_cancels_while_the_terminal_waits_for_the_card() {
    let mut store = Store::open();
    let pt = VirtualCardTerminal::start(&[Step::WaitForCard(Duration::from_secs(5))]);
    let manager = store.manager();
    store.terminal.set_device(&manager, "card-terminal", &pt.address(), None).unwrap();
    let cashier = store.cashier();
    let terminal: &mut Terminal = &mut store.terminal;
    let mut cart = Cart::default();
    terminal.add_item(&mut cart, "BAK0001", None).unwrap();
    let prepared = terminal.prepare_sale(&cashier, &cart, &tenders(&["card:4.87"]), &[]).unwrap();
    let attempt = terminal.start_card_payment(prepared).unwrap();
    let again = terminal.prepare_sale(&cashier, &cart, &tenders(&["card:4.87"]), &[]).unwrap();
    let refused_again = terminal.start_card_payment(again).unwrap_err();
    assert!(refused_again.to_string().contains("not resolved yet"), "one open payment at a time: {refused_again}");

    let cancel = AtomicBool::new(false);
    let (address, dir) = (terminal.card_terminal().unwrap(), store.dir.path().to_path_buf());
    let reply = std::thread::scope(|s| {
        let asking = s.spawn(|| ask_terminal(&address, &dir, &attempt, &cancel));
        assert!(pt.wait_for(|s| matches!(s, Seen::Asked { .. }), Duration::from_secs(10)), "the terminal was asked");
        cancel.store(true, Ordering::SeqCst);
        asking.join().unwrap()
    });
    assert_eq!(reply, CardReply::Answered(Answer::Aborted(0x6C)));
    assert!(pt.seen().contains(&Seen::Aborted));
    let outcome = store.terminal.settle_card_reply(&attempt, reply).unwrap();
    assert_eq!(outcome, CardOutcome::Refused("cancelled on the terminal or by the till".into()));
    assert!(pt.bookings().is_empty());
    assert_eq!(store.terminal.unresolved_card_payment().unwrap(), None);
}

/// Kills `pos-terminal sell --pay card-terminal` at a random point: while it
/// starts, once the terminal is asked its last transaction, once it is
/// asked to pay, or once it booked; sometimes not at all.
fn sell_and_kill(dir: &Path, pt: &VirtualCardTerminal, rng: &mut impl Rng) {
    pt.forget_seen();
    let args = as_cashier(&["sell", "--item", "BAK0007", "--pay", "card-terminal"]);
    let mut child = Command::new(pos_tests::binary("pos-terminal"))
        .arg("--data-dir")
        .arg(dir)
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start pos-terminal");
    let moment: Option<fn(&Seen) -> bool> = match rng.random_range(0..5) {
        0 => Some(|_| true),
        1 => Some(|s| *s == Seen::AskedLast),
        2 => Some(|s| matches!(s, Seen::Asked { .. })),
        3 => Some(|s| matches!(s, Seen::Booked(_))),
        _ => None,
    };
    if let Some(moment) = moment {
        // The till may have finished before the moment came: then there is nothing to kill.
        if pt.wait_for(moment, Duration::from_secs(10)) {
            std::thread::sleep(Duration::from_millis(rng.random_range(0..40)));
        }
        let _ = child.kill();
    }
    child.wait().expect("the till stops");
}

#[test]
fn a_till_killed_at_any_point_of_a_card_payment_never_loses_nor_invents_one() {
    let store = Store::open();
    let dir = store.path();
    let pt = VirtualCardTerminal::start(&[Step::Approve, Step::Decline(5), Step::Approve, Step::DropAfterBooking]);
    ok(dir, &as_manager(&["config", "set", "card-terminal", &pt.address()]));
    let mut rng = rand::rng();
    for round in 0..24 {
        pt.set_delay(Duration::from_millis(rng.random_range(0..60)));
        pt.script(&[[Step::Approve, Step::Decline(5), Step::DropAfterBooking, Step::Silent][round % 4]]);
        sell_and_kill(dir, &pt, &mut rng);
        if round % 3 == 0 {
            ok(dir, &["card", "recover"]);
        }
    }
    ok(dir, &["card", "recover"]);
    assert!(ok(dir, &["journal", "verify"]).contains("Journal OK"));
    let mut in_sales: BTreeMap<u32, usize> = BTreeMap::new();
    for (trace, amount) in cards_in_sales(dir) {
        assert_eq!(amount, Money::from_minor(415), "trace {trace}");
        *in_sales.entry(trace).or_default() += 1;
    }
    let bookings = pt.bookings();
    let approved: Vec<u32> = bookings.iter().filter(|b| b.approved).map(|b| b.trace).collect();
    assert!(approved.len() >= 4, "the terminal approved some payments: {bookings:?}");
    for trace in &approved {
        assert_eq!(in_sales.get(trace), Some(&1), "approved trace {trace} is in exactly one sale: {in_sales:?}");
    }
    assert_eq!(in_sales.len(), approved.len(), "no sale claims a payment the terminal did not approve: {in_sales:?}");
}
