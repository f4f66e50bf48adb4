//! Receipts, reports and the drawer through the real print path (queue,
//! escpos network driver, status checks) into a virtual printer, pinned as
//! transcripts; and a printer that dies mid-job or runs out of paper never
//! loses a receipt nor prints it twice.

use pos_shared::barcode::gs1_check_digit;
use pos_shared::journal::SaleRecord;
use pos_terminal::devices::printer::PrintError;
use pos_terminal::returns::{ReturnItem, ReturnRequest};
use pos_terminal::{Cart, Terminal};
use pos_tests::virtual_printer::VirtualPrinter;
use pos_tests::{Store, cli, tenders};
use rust_decimal::Decimal;

/// The demo store printing to a fresh virtual printer.
pub(crate) fn store_with_printer() -> (Store, VirtualPrinter) {
    let mut store = Store::open();
    let printer = VirtualPrinter::start();
    let manager = store.manager();
    store.terminal.set_device(&manager, "printer", &printer.address(), None).unwrap();
    (store, printer)
}

/// Dates and hashes change every run; the rest of a transcript must not.
fn stable(transcript: &str) -> String {
    let date = regex::Regex::new(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}").unwrap();
    let hash = regex::Regex::new(r"Last hash [0-9a-f]{16}").unwrap();
    // Each till signs with its own key: the signature differs run to run;
    // the entry's seq depends on the month closings the date brings.
    let signature = regex::Regex::new(r"Entry \d+ +signature [0-9a-f]{8}").unwrap();
    let text = hash.replace_all(&date.replace_all(transcript, "YYYY-MM-DD HH:MM"), "Last hash <hash>").to_string();
    signature.replace_all(&text, "Entry <seq>   signature <sig>").to_string()
}

/// Prints what is queued and returns the transcript of the jobs printed.
pub(crate) fn print(terminal: &mut Terminal, printer: &VirtualPrinter) -> String {
    let before = printer.printed().len();
    terminal.print_pending().unwrap().expect("the printer takes the job");
    stable(&printer.printed()[before..].join("\n"))
}

fn sell(
    terminal: &mut Terminal,
    items: &[(&str, Option<Decimal>)],
    discount: Option<&str>,
    pay: &[&str],
) -> SaleRecord {
    let cashier = terminal.login(pos_tests::CASHIER_NAME, pos_tests::CASHIER_PIN).unwrap();
    let mut cart = Cart::default();
    for (code, qty) in items {
        terminal.add_item(&mut cart, code, *qty).unwrap();
    }
    if let Some(d) = discount {
        terminal.set_sale_discount(&cashier, &mut cart, Some(d.parse().unwrap()), None).unwrap();
    }
    terminal.commit_sale(&cashier, &cart, &tenders(pay)).unwrap().record
}

fn weighed_apples() -> String {
    let body = "210010100350";
    format!("{body}{}", gs1_check_digit(body))
}

#[test]
fn receipt_transcripts() {
    let (mut store, printer) = store_with_printer();
    let t = &mut store.terminal;
    let card = |t: &Terminal, codes: &[(&str, Option<Decimal>)]| {
        let mut cart = Cart::default();
        for (code, qty) in codes {
            t.add_item(&mut cart, code, *qty).unwrap();
        }
        format!("card:{}", t.cart_totals(&cart).unwrap().total)
    };
    let plain = [("BAK0001", None), ("DAI0001", Some(Decimal::from(2)))];
    let pay = card(t, &plain);
    let first = sell(t, &plain, None, &[&pay]);
    insta::assert_snapshot!("plain_sale", print(t, &printer));

    sell(t, &[(weighed_apples().as_str(), None)], None, &["cash:5"]);
    insta::assert_snapshot!("weighed_item_cash_with_drawer", print(t, &printer));

    let mut cart = Cart::default();
    let cashier = t.login(pos_tests::CASHIER_NAME, pos_tests::CASHIER_PIN).unwrap();
    t.add_item(&mut cart, "WIN0001", None).unwrap();
    t.add_item(&mut cart, "DAI0013", None).unwrap();
    t.set_line_discount(&cashier, &mut cart, 0, Some("10%".parse().unwrap()), None).unwrap();
    t.set_sale_discount(&cashier, &mut cart, Some("1.00".parse().unwrap()), None).unwrap();
    let total = t.cart_totals(&cart).unwrap().total;
    t.commit_sale(&cashier, &cart, &tenders(&[&format!("card:{total}")])).unwrap();
    insta::assert_snapshot!("discounts", print(t, &printer));

    let rates = [("WIN0002", None), ("DEL0001", None), ("BAK0004", None), ("HYG0001", None)];
    let pay = card(t, &rates);
    sell(t, &rates, None, &[&pay]);
    insta::assert_snapshot!("several_tax_rates", print(t, &printer));

    sell(t, &[("WIN0003", Some(Decimal::from(2)))], None, &["card:20", "cash:50"]);
    insta::assert_snapshot!("split_tender_with_change", print(t, &printer));

    let request = ReturnRequest {
        original: Some(first.receipt_no.clone()),
        items: vec![ReturnItem { code: "DAI0001".into(), ..ReturnItem::default() }],
        ..Default::default()
    };
    t.commit_return(&cashier, request).unwrap();
    insta::assert_snapshot!("return", print(t, &printer));

    t.queue_reprint(&cashier, &first.receipt_no).unwrap();
    let copy = print(t, &printer);
    assert_eq!(copy.matches("*** COPY 1 ***").count(), 2, "marked at the top and the bottom");
    insta::assert_snapshot!("copy_reprint", copy);

    let manager = t.login(pos_tests::MANAGER_NAME, pos_tests::MANAGER_PIN).unwrap();
    t.z_report(&manager, &pos_terminal::session::CashCount::Counted(tenders(&["cash:150"])), None).unwrap();
    insta::assert_snapshot!("z_report", print(t, &printer));
}

#[test]
fn accents_and_the_euro_sign_print_through_the_code_page() {
    let (mut store, printer) = store_with_printer();
    let t = &mut store.terminal;
    t.queue_test_page().unwrap();
    let page = print(t, &printer);
    assert!(page.contains("\nEuro 12,50 € pound £ yen ¥\n"), "{page}");
    assert!(page.contains("\né è ê ë à â ç ù û ü ô ö ï î\nä ß ñ Ñ Ø å Ç É À Ü\n"), "{page}");
    insta::assert_snapshot!("test_page", page);
    sell(t, &[("DAI0013", None), ("DAI0049", None)], None, &["cash:30"]);
    let receipt = print(t, &printer);
    assert!(receipt.contains("Crème fraîche épaisse 20cl") && receipt.contains("OEufs plein air x6"), "{receipt}");
    assert!(receipt.contains("[code128 S01-T01-000001 (text below)]"), "the hyphens survive: {receipt}");
    assert!(!receipt.contains("[unknown"), "{receipt}");
}

#[test]
fn a_printer_switched_off_mid_job_prints_the_receipt_exactly_once() {
    let (mut store, printer) = store_with_printer();
    let port = printer.port;
    let t = &mut store.terminal;
    printer.die_after(300);
    let sale = sell(t, &[("BAK0001", None), ("DAI0001", None)], None, &["cash:20"]);
    let problem = t.print_pending().unwrap().unwrap_err();
    assert!(matches!(problem, PrintError::Interrupted(..) | PrintError::Unreachable(..)), "{problem}");
    assert!(printer.is_off() && printer.printed().is_empty(), "the torn job is not a receipt");
    let status = t.printer_status().unwrap();
    assert_eq!(status.pending, 1);
    assert!(status.last_error.is_some(), "the screen can say why");
    assert!(t.sale_record(&sale.receipt_no).unwrap().is_some(), "the sale stands");

    let unreachable = t.print_pending().unwrap().unwrap_err();
    assert!(matches!(unreachable, PrintError::Unreachable(..)), "{unreachable}");
    drop(printer);
    let back = VirtualPrinter::start_on(port);
    assert_eq!(t.print_pending().unwrap(), Ok(1));
    assert_eq!(t.print_pending().unwrap(), Ok(0), "nothing prints twice");
    let printed = back.printed().join("\n");
    assert_eq!(printed.matches("RECEIPT S01-T01-000001").count(), 1, "{printed}");
    assert!(printed.contains("[drawer pin 2 pulse 50ms off 500ms]"), "cash opens the drawer: {printed}");
}

#[test]
fn out_of_paper_waits_and_prints_once_paper_is_back() {
    let (mut store, printer) = store_with_printer();
    let t = &mut store.terminal;
    printer.set_paper_out(true);
    sell(t, &[("BAK0001", None)], None, &["card:4.87"]);
    let problem = t.print_pending().unwrap().unwrap_err();
    assert!(matches!(problem, PrintError::OutOfPaper(_)), "{problem}");
    assert!(problem.to_string().contains("out of paper"));
    assert!(printer.printed().is_empty());
    printer.set_paper_out(false);
    assert_eq!(t.print_pending().unwrap(), Ok(1));
    assert_eq!(printer.printed().len(), 1);
}

#[test]
fn a_missing_printer_never_stops_a_sale() {
    let store = Store::open();
    let d = store.path().to_path_buf();
    let d = d.as_path();
    drop(store.terminal);
    pos_tests::cli_ok(d, &pos_tests::as_manager(&["config", "set", "printer", "tcp://127.0.0.1:1"]));
    let out = cli(d, &pos_tests::as_cashier(&["sell", "--item", "BAK0001", "--pay", "cash:5"]));
    assert!(out.status.success(), "the sale goes through");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("printer tcp://127.0.0.1:1 is off or unreachable") && stderr.contains("waits in the queue"),
        "{stderr}"
    );
    let retry = cli(d, &["print", "pending"]);
    assert!(!retry.status.success());
    assert!(
        String::from_utf8_lossy(&retry.stderr).starts_with("error: printer tcp://127.0.0.1:1 is off or unreachable")
    );
    let bad = cli(d, &pos_tests::as_manager(&["config", "set", "printer", "usb://04b8"]));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("usb://VID:PID"), "the wrong part is named");
    let printer = VirtualPrinter::start();
    let out = cli(d, &["print", "test", "--printer", &printer.address()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(printer.printed()[0].contains("TEST PAGE"));
}

#[test]
fn x_reports_print_at_once_and_z_reports_through_the_queue() {
    let store = Store::open();
    let d = store.path().to_path_buf();
    drop(store.terminal);
    let printer = VirtualPrinter::start();
    pos_tests::cli_ok(&d, &pos_tests::as_manager(&["config", "set", "printer", &printer.address()]));
    let refused = pos_tests::cli_refused(&d, &pos_tests::as_cashier(&["config", "set", "paper-width", "58"]));
    assert!(refused.contains("may not change the store's settings"), "{refused}");
    pos_tests::cli_ok(&d, &pos_tests::as_manager(&["config", "set", "paper-width", "58"]));
    pos_tests::cli_ok(&d, &pos_tests::as_manager(&["report", "x"]));
    pos_tests::cli_ok(&d, &pos_tests::as_manager(&["drawer", "--reason", "change for a note"]));
    pos_tests::cli_ok(&d, &pos_tests::as_manager(&["report", "z", "--counted", "cash:100"]));
    let printed = printer.printed();
    assert!(printed[0].contains("X REPORT (not"), "{}", printed[0]);
    let tags = regex::Regex::new(r"^(<[a-z]+>)*").unwrap();
    let widest = printed[0].lines().filter(|l| !l.starts_with('[')).map(|l| tags.replace(l, "").chars().count()).max();
    assert_eq!(widest, Some(32), "58 mm paper: 32 columns");
    assert_eq!(printed[1], "[drawer pin 2 pulse 50ms off 500ms]", "a no-sale opens the drawer alone");
    assert!(printed[2].contains("Z REPORT #1"));
}
