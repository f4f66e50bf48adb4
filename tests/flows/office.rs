//! The web back office in a real Chromium against a real server process,
//! with real tills (`pos-terminal`): a price changed in the browser is
//! sold at the counter after one sync and shows in the audit log; a till
//! added in the browser enrolls with the code the page shows and is
//! refused once revoked; a purchase order made and sent in the browser is
//! received short at the till and the page shows it; a viewer's hand-made
//! POST, a form without its token and wrong passwords are refused; a
//! catalog CSV with a bad check digit lists the line and writes nothing.

use pos_sync_server::storage::head_office::HeadOffice;
use pos_sync_server::storage::postgres::PgDb;
use pos_sync_server::storage::rules::insights::Period;
use pos_sync_server::storage::rules::sales::SalesBy;
use pos_sync_server::storage::sql::Database;
use pos_sync_server::storage::sqlite::SqliteDb;
use pos_tests::browser::Browser;
use pos_tests::head_office::{HqDb, ServerProcess, admin_ok, enroll_till_cli, head_office};
use pos_tests::{as_cashier, as_manager, cli, cli_ok as ok};

/// The password people choose at their first log-in in these tests.
const CHOSEN: &str = "correct horse battery staple";

/// Adds a back-office account; returns its one-time password.
pub(crate) fn account(db: &HqDb, email: &str, role: &str) -> String {
    let out = admin_ok(db, &["--json", "office", "user", "add", "--email", email, "--role", role]);
    let added: serde_json::Value = serde_json::from_str(&out).expect("json");
    added["password"].as_str().expect("password").to_string()
}

/// Logs in with the keyboard as a person does (e-mail, Tab, password,
/// Enter), choosing their own password at the first log-in.
pub(crate) fn log_in(browser: &Browser, email: &str, one_time: &str) {
    browser.visit("/office/login");
    browser.fill("#email", email);
    browser.keys("#email", &format!("\u{E004}{one_time}\u{E007}"));
    browser.wait_for_text("Choose your password");
    assert!(browser.unlabelled_fields().is_empty(), "{:?}", browser.unlabelled_fields());
    browser.fill("#password", CHOSEN);
    browser.fill("#again", CHOSEN);
    browser.click("form[action='/office/password'] button");
    browser.wait_for_text("Your password is saved");
}

/// Head office with the demo catalog, a till of S01 enrolled and open,
/// and a buyer signed in to the back office.
struct Counter {
    work: tempfile::TempDir,
    db: HqDb,
    server: ServerProcess,
    till: std::path::PathBuf,
    browser: Browser,
}

impl Counter {
    fn with_a_buyer() -> Counter {
        let work = tempfile::tempdir().unwrap();
        let db = HqDb::new(work.path());
        head_office(&db);
        let password = account(&db, "buyer@example.com", "buyer");
        let server = ServerProcess::start(&db);
        let till = work.path().join("till");
        enroll_till_cli(&db, &server.url, "S01", &till);
        let browser = Browser::open(&server.url);
        log_in(&browser, "buyer@example.com", &password);
        Counter { work, db, server, till, browser }
    }
}

fn price_of(db: &HqDb, sku: &str) -> i64 {
    db.count("SELECT price_minor FROM products WHERE sku = ?1", &[&sku])
}

#[test]
fn a_price_changed_in_the_browser_is_sold_at_the_till_and_audited() {
    let Counter { work: _work, db, server: _server, till, browser } = Counter::with_a_buyer();
    assert!(browser.text("h1").contains("Dashboard"));
    assert!(browser.unlabelled_fields().is_empty(), "{:?}", browser.unlabelled_fields());

    browser.visit("/office/catalog");
    browser.fill("#q", "baguette trad");
    browser.wait_for_text("BAK0001");
    browser.click("#results a[href='/office/products/BAK0001']");
    browser.wait_for_text("Stock ledger");
    assert!(browser.unlabelled_fields().is_empty(), "{:?}", browser.unlabelled_fields());
    browser.fill("#price", "0.9x");
    browser.click("form.product button[type=submit]");
    browser.wait_for_text("price:");
    let problem = browser.text("#problem");
    assert!(problem.starts_with("price:"), "the mistake is shown beside the form: {problem}");
    assert_eq!(browser.script("return document.querySelector('#price').value"), "0.9x", "as typed");
    assert_eq!(price_of(&db, "BAK0001"), 487, "nothing changed");
    browser.fill("#price", "0,99");
    browser.click("form.product button[type=submit]");
    browser.wait_for_text("Saved");
    assert_eq!(price_of(&db, "BAK0001"), 99);

    ok(&till, &["sync", "--once"]);
    let sold = ok(&till, &as_cashier(&["sell", "--item", "BAK0001", "--pay", "cash:5"]));
    assert!(sold.contains("Baguette tradition                    0.99"), "{sold}");
    ok(&till, &["sync", "--once"]);

    browser.visit("/office/audit?action=product.save");
    let audit = browser.wait_for_text("buyer@example.com");
    assert!(audit.contains("BAK0001") && audit.contains("price: 4.87") && audit.contains("price: 0.99"), "{audit}");
    browser.visit("/office/products/BAK0001");
    let ledger = browser.wait_for_text("on hand");
    assert!(ledger.contains("sale") && ledger.contains("S01-T01 #"), "the sale is in the ledger: {ledger}");
    browser.visit("/office/");
    let board = browser.wait_for_text("Tills: is every sale in?");
    assert!(board.contains("complete"), "the till pushed everything: {board}");
    match db.path() {
        Some(path) => dashboard_agrees_with_the_reports(&HeadOffice::new(SqliteDb::open(path).unwrap())),
        None => dashboard_agrees_with_the_reports(&HeadOffice::new(PgDb::open(db.address()).unwrap())),
    }
}

/// The dashboard's figures are the sales report's: per store, and the
/// best sellers by product over the same days.
fn dashboard_agrees_with_the_reports<D: Database>(office: &HeadOffice<D>) {
    let board = office.dashboard().unwrap();
    let (from, to) = (board.week_from.as_str(), board.today.as_str());
    let week = Period { from: Some(from), to: Some(to) };
    let mut by_product = office.sales_report(SalesBy::Product, week).unwrap();
    by_product.sort_by(|a, b| b.net.cmp(&a.net).then_with(|| a.key.cmp(&b.key)));
    by_product.truncate(board.top_products.len());
    assert!(!by_product.is_empty());
    assert_eq!(board.top_products, by_product);
    let by_store = office.sales_report(SalesBy::Store, week).unwrap();
    let stores: Vec<_> = board.week_figures.iter().map(|f| (f.store.clone(), f.net, f.tickets)).collect();
    assert_eq!(stores, by_store.iter().map(|r| (r.key.clone(), r.net, r.receipts)).collect::<Vec<_>>());
}

#[test]
fn a_till_added_in_the_browser_enrolls_with_the_code_shown_and_is_refused_once_revoked() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let password = account(&db, "admin@example.com", "admin");
    let server = ServerProcess::start(&db);
    let browser = Browser::open(&server.url);
    log_in(&browser, "admin@example.com", &password);
    browser.visit("/office/stores");
    browser.choose("#till-store", "S02");
    browser.fill("#till-name", "Comptoir");
    browser.click("form[action='/office/tills'] button");
    browser.wait_for_text("Enrollment code");
    let code = browser.text("#enrollment-code");
    assert_eq!(code.len(), 12, "{code}");
    assert!(browser.script("return document.querySelector('.qr svg') !== null") == serde_json::json!(true));

    let till = work.path().join("till");
    let enrolled = ok(&till, &["enroll", "--server", &server.url, "--code", &code]);
    assert!(enrolled.contains("Enrolled as S02-T01"), "{enrolled}");
    ok(&till, &["sync", "--once"]);

    browser.visit("/office/stores");
    browser.click("a[aria-label='Revoke S02-T01']");
    browser.wait_for_text("This cannot be undone");
    browser.click("form[action='/office/tills/S02-T01/revoke'] button");
    browser.wait_for_text("Till S02-T01 revoked");
    let refused = cli(&till, &["sync", "--once"]);
    assert!(!refused.status.success(), "a revoked till's sync is refused");
    browser.visit("/office/audit");
    let audit = browser.wait_for_text("till.revoke");
    assert!(audit.contains("till.add") && !audit.contains(&code), "the code is never logged: {audit}");
}

#[test]
fn a_purchase_order_sent_from_the_browser_is_received_short_and_the_page_shows_it() {
    let Counter { work: _work, db, server: _server, till, browser } = Counter::with_a_buyer();

    browser.visit("/office/purchasing");
    browser.fill("#supplier-name", "Moulins Bio");
    browser.fill("#lead", "3");
    browser.click("form[action='/office/suppliers'] button");
    browser.wait_for_text("Supplier added");
    browser.choose("#po-supplier", "Moulins Bio");
    browser.choose("#po-store", "S01");
    browser.fill("#po-lines", "BAK0004 10 0.40\nWIN0003 6 3.10");
    browser.click("form[action='/office/purchase-orders'] button");
    browser.wait_for_text("Created");
    let number = browser.path().trim_start_matches("/office/purchase-orders/").split('?').next().unwrap().to_string();
    assert_eq!(browser.text("#po-status"), "open", "an order made by hand goes to the store's tills at once");

    ok(&till, &["sync", "--once"]);
    ok(&till, &as_manager(&["receive", "--po", &number, "--item", "BAK0004*6", "--item", "WIN0003*6"]));
    ok(&till, &["sync", "--once"]);

    browser.visit(&format!("/office/purchase-orders/{number}"));
    let page = browser.wait_for_text("State:");
    assert_eq!(browser.text("#po-status"), "partial", "{page}");
    let bread = browser.text("tbody tr:first-child");
    assert!(bread.starts_with("BAK0004") && bread.contains(" 10 6 4 "), "ordered 10, received 6, short 4: {bread}");
    browser.visit("/office/products/BAK0004");
    let ledger = browser.wait_for_text("Stock ledger");
    assert!(ledger.contains("delivery") && ledger.contains(&number), "the receipt names its order: {ledger}");
    assert!(ledger.contains("S01 Paris Halles: 6 on hand"), "{ledger}");

    // A reorder suggestion becomes a draft, sent from its page.
    admin_ok(&db, &["supplier", "assign", "Moulins Bio", "BAK0004"]);
    admin_ok(&db, &["reorder", "set", "BAK0004", "--store", "S01", "--point", "10", "--up-to", "20"]);
    browser.visit("/office/purchasing");
    browser.click("form[action='/office/reorder'] button");
    browser.wait_for_text("1 draft purchase orders");
    let draft = browser.script(
        "return [...document.querySelectorAll('tbody tr')].filter(r => r.cells[3] && r.cells[3].textContent === 'draft')
           .map(r => r.querySelector('a').getAttribute('href'))",
    );
    let draft = draft.as_array().unwrap();
    assert_eq!(draft.len(), 1, "{draft:?}");
    browser.visit(draft[0].as_str().unwrap());
    assert_eq!(browser.text("#po-status"), "draft");
    let lines = browser.text("tbody tr:first-child");
    assert!(lines.starts_with("BAK0004") && lines.contains(" 10 0 10 "), "20 up to, 6 on hand, 4 on order: {lines}");
    browser.click("form[action$='/send'] button");
    browser.wait_for_text("Sent to the store");
    assert_eq!(browser.text("#po-status"), "open");
}

#[test]
fn a_viewer_cannot_post_a_price_forms_need_their_token_and_guessing_locks_nobody_out() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let viewer = account(&db, "viewer@example.com", "viewer");
    let admin = account(&db, "admin@example.com", "admin");
    let server = ServerProcess::start(&db);
    let browser = Browser::open(&server.url);
    log_in(&browser, "viewer@example.com", &viewer);
    browser.visit("/office/products/BAK0001");
    browser.wait_for_text("Stock ledger");
    assert_eq!(browser.script("return document.querySelector('form.product fieldset').disabled"), true);
    let csrf = browser.script("return document.querySelector('input[name=csrf]').value");
    let cookie = format!("pos_office={}", browser.cookie("pos_office"));
    let http = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let post = |cookie: &str, form: &[(&str, &str)]| {
        http.post(format!("{}/office/products", server.url)).header("cookie", cookie).form(form).send().unwrap()
    };
    let change = [("sku", "BAK0001"), ("name", "Baguette tradition"), ("price", "0.01"), ("tax_rate", "5.5")];
    let mut by_viewer = change.to_vec();
    by_viewer.push(("csrf", csrf.as_str().unwrap()));
    let refused = post(&cookie, &by_viewer);
    assert_eq!(refused.status(), 403);
    assert!(refused.text().unwrap().contains("Your role (viewer) may not do this"));
    assert_eq!(price_of(&db, "BAK0001"), 487, "nothing changed");

    let admin_browser = Browser::open(&server.url);
    log_in(&admin_browser, "admin@example.com", &admin);
    let admin_cookie = format!("pos_office={}", admin_browser.cookie("pos_office"));
    let tokenless = post(&admin_cookie, &change);
    assert_eq!(tokenless.status(), 403, "a form without its CSRF token is refused");
    let mut wrong_token = change.to_vec();
    wrong_token.push(("csrf", csrf.as_str().unwrap()));
    assert_eq!(post(&admin_cookie, &wrong_token).status(), 403, "another session's token is refused");
    assert_eq!(price_of(&db, "BAK0001"), 487, "nothing changed");
    assert_eq!(db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'product.save'", &[]), 0);

    // A stranger guessing the admin's password slows the account down, never
    // locks it, and learns nothing of which e-mails exist.
    let stranger = Browser::open(&server.url);
    let try_as = |browser: &Browser, email: &str, password: &str, expect: &str| {
        browser.visit("/office/login");
        browser.fill("#email", email);
        browser.fill("#password", password);
        browser.click("form button");
        browser.wait_for_text(expect)
    };
    let wrong = "Wrong e-mail or password";
    for attempt in 1..=10 {
        let answer = try_as(&stranger, "admin@example.com", &format!("guess number {attempt}"), wrong);
        assert_eq!(try_as(&stranger, "nobody@example.com", "guess", wrong), answer, "an unknown e-mail reads the same");
    }
    // The admin's own browser, which logged in before, is not kept out.
    try_as(&admin_browser, "admin@example.com", CHOSEN, "Tills: is every sale in?");
}

#[test]
fn a_catalog_csv_with_a_bad_check_digit_lists_the_line_and_writes_nothing() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let password = account(&db, "buyer@example.com", "buyer");
    let server = ServerProcess::start(&db);
    let browser = Browser::open(&server.url);
    log_in(&browser, "buyer@example.com", &password);
    let csv = work.path().join("prices.csv");
    std::fs::write(
        &csv,
        "sku,name,price,barcode\nBAK0001,Baguette tradition,1.25,\nNEW0001,Galette,3.50,4006381333932\nNEW0002,Crêpe,2.00,\n",
    )
    .unwrap();
    let versions = db.count("SELECT value FROM counters WHERE name = 'catalog_version'", &[]);
    browser.visit("/office/catalog");
    browser.upload("#file", &csv);
    browser.click("form[action='/office/catalog/import'] button");
    let preview = browser.wait_for_text("bad line");
    assert!(preview.contains("1 bad line: nothing will be imported"), "{preview}");
    let line = browser.text("table.errors tbody tr");
    assert!(line.starts_with("3 ") && line.contains("check digit"), "{line}");
    assert_eq!(browser.script("return document.querySelector('form[action$=confirm]') === null"), true);
    assert_eq!(price_of(&db, "BAK0001"), 487);
    assert_eq!(db.count("SELECT COUNT(*) FROM products WHERE sku IN ('NEW0001', 'NEW0002')", &[]), 0);
    assert_eq!(db.count("SELECT value FROM counters WHERE name = 'catalog_version'", &[]), versions);

    std::fs::write(&csv, "sku,name,price\nBAK0001,Baguette tradition,1.25\nNEW0002,Crêpe,2.00\n").unwrap();
    browser.visit("/office/catalog");
    browser.upload("#file", &csv);
    browser.click("form[action='/office/catalog/import'] button");
    let preview = browser.wait_for_text("1 new, 1 changed");
    assert!(preview.contains("4.87") && preview.contains("1.25"), "the change is shown before and after: {preview}");
    assert_eq!(price_of(&db, "BAK0001"), 487, "a preview writes nothing");
    browser.click("form[action$=confirm] button");
    browser.wait_for_text("Imported 2 products");
    assert_eq!(price_of(&db, "BAK0001"), 125);
}

#[test]
fn sessions_end_when_idle_when_too_old_and_everywhere_at_once() {
    use pos_sync_server::storage::rules::office::{self, LogIn, OfficeRole, SESSION_IDLE_MS, SESSION_LONGEST_MS};

    let work = tempfile::tempdir().unwrap();
    let head_office = HeadOffice::new(SqliteDb::open(&work.path().join("hq.sqlite")).unwrap());
    let password = head_office.add_office_user("claire@example.com", OfficeRole::Viewer).unwrap();
    let log_in = || match head_office.log_in("claire@example.com", &password, None).unwrap() {
        LogIn::Session { token, .. } => token,
        other => panic!("{other:?}"),
    };
    let (laptop, phone) = (log_in(), log_in());
    assert_eq!(head_office.log_in("claire@example.com", "not it", None).unwrap(), LogIn::Refused);
    assert_eq!(head_office.log_in("nobody@example.com", &password, None).unwrap(), LogIn::Refused);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let live_at =
        |token: &str, at: i64| head_office.db().snapshot(|tx| office::session(tx, token, at)).unwrap().is_some();
    assert!(live_at(&laptop, now) && live_at(&phone, now));
    assert!(!live_at(&laptop, now + SESSION_IDLE_MS + 1_000), "two idle hours end a session");
    assert!(!live_at(&laptop, now + SESSION_LONGEST_MS + 1_000), "and so do twelve hours");
    let user = head_office.office_session(&laptop).unwrap().unwrap().user;
    assert!(user.must_change, "a one-time password must be replaced");
    assert_eq!(head_office.log_out_everywhere(user.id).unwrap(), 2);
    assert!(
        head_office.office_session(&laptop).unwrap().is_none() && head_office.office_session(&phone).unwrap().is_none()
    );
    assert!(head_office.office_session("not a token").unwrap().is_none());
}

/// Changing a password asks for the current one (but at the first log-in,
/// just made with the one-time password), refuses the same one again, and
/// ends every other session of that person: a stolen session ends with it.
#[test]
fn a_password_change_asks_for_the_current_one_and_ends_every_other_session() {
    use pos_sync_server::storage::rules::office::{LogIn, OfficeRole};

    let work = tempfile::tempdir().unwrap();
    let head_office = HeadOffice::new(SqliteDb::open(&work.path().join("hq.sqlite")).unwrap());
    let one_time = head_office.add_office_user("claire@example.com", OfficeRole::Buyer).unwrap();
    let log_in = |password: &str| match head_office.log_in("claire@example.com", password, None).unwrap() {
        LogIn::Session { token, .. } => token,
        other => panic!("{other:?}"),
    };
    let (laptop, phone) = (log_in(&one_time), log_in(&one_time));
    let session = |token: &str| head_office.office_session(token).unwrap();
    let chosen = "a long enough first choice";
    head_office.set_office_password(&session(&laptop).unwrap(), &laptop, None, chosen).unwrap();
    assert!(session(&phone).is_none(), "the other session ended");
    assert!(session(&laptop).is_some(), "the one that changed it goes on");

    let phone = log_in(chosen);
    let laptop_session = session(&laptop).unwrap();
    let refused = |current: Option<&str>, new: &str| {
        head_office.set_office_password(&laptop_session, &laptop, current, new).unwrap_err().to_string()
    };
    assert!(refused(None, "another good password").contains("current password"));
    assert!(refused(Some("not it at all"), "another good password").contains("current password"));
    assert!(refused(Some(chosen), chosen).contains("other than the one you have"));
    assert!(refused(Some(chosen), "short").contains("at least 12"));
    assert!(session(&phone).is_some(), "a refused change ends nothing");
    head_office.set_office_password(&laptop_session, &laptop, Some(chosen), "another good password").unwrap();
    assert!(session(&phone).is_none(), "a change ends every other session");
    assert_eq!(head_office.log_in("claire@example.com", chosen, None).unwrap(), LogIn::Refused);
}

/// Wrong passwords slow an account down, never lock it: past a few, the
/// next try from a browser that never logged in to it waits (and reads as
/// a wrong password, as an unknown e-mail does), while the browser its
/// person logged in from gets in at once.
#[test]
fn wrong_passwords_slow_an_account_but_its_known_devices_get_in() {
    use pos_sync_server::storage::rules::office::{FREE_FAILURES, LogIn, OfficeRole, wait_after};
    use pos_sync_server::storage::sql::Tx;

    assert_eq!(
        (wait_after(FREE_FAILURES - 1), wait_after(FREE_FAILURES), wait_after(FREE_FAILURES + 1)),
        (0, 2_000, 4_000)
    );
    assert_eq!(wait_after(100), 15 * 60_000, "never more than 15 minutes");
    let work = tempfile::tempdir().unwrap();
    let head_office = HeadOffice::new(SqliteDb::open(&work.path().join("hq.sqlite")).unwrap());
    let email = "claire@example.com";
    let password = head_office.add_office_user(email, OfficeRole::Viewer).unwrap();
    let LogIn::Session { device, .. } = head_office.log_in(email, &password, None).unwrap() else {
        panic!("the first log-in works")
    };
    for _ in 0..FREE_FAILURES {
        assert_eq!(head_office.log_in(email, "a stranger's guess", None).unwrap(), LogIn::Refused);
    }
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let account = "SELECT failed_logins, locked_until_ms FROM office_users WHERE email = 'claire@example.com'";
    let row = head_office.db().snapshot(|tx| tx.row(account, &[])).unwrap().unwrap();
    let (failures, waits_until): (i64, i64) = (row.get(0).unwrap(), row.get(1).unwrap());
    assert_eq!(failures, FREE_FAILURES);
    assert!(waits_until >= now + 1_000, "the account's next try waits");
    // However slow this machine, the account is still waiting below.
    let wait_a_minute = "UPDATE office_users SET locked_until_ms = ?1 WHERE email = 'claire@example.com'";
    head_office.db().write(|tx| tx.run(wait_a_minute, &[&(now + 60_000)])).unwrap();
    assert_eq!(head_office.log_in(email, &password, None).unwrap(), LogIn::Refused, "another browser waits");
    assert_eq!(head_office.log_in(email, &password, Some("never seen")).unwrap(), LogIn::Refused);
    let own = head_office.log_in(email, &password, Some(&device)).unwrap();
    assert!(matches!(own, LogIn::Session { device: ref kept, .. } if *kept == device), "{own:?}");
    assert!(
        matches!(head_office.log_in(email, &password, None).unwrap(), LogIn::Session { .. }),
        "its log-in forgot the failures"
    );
}

#[test]
fn the_catalog_search_finds_words_in_any_order_sku_prefixes_and_barcodes() {
    fn found<D: Database>(office: &HeadOffice<D>, query: &str) -> Vec<String> {
        office.search_products(query).unwrap().into_iter().map(|p| p.sku).collect()
    }
    fn check<D: Database>(office: &HeadOffice<D>) {
        assert_eq!(found(office, "tradition BAGUETTE"), ["BAK0001", "BAK0003", "BAK0002"], "by name");
        assert_eq!(found(office, "3602850684422"), ["BAK0001"], "a barcode");
        assert!(found(office, "bak000").len() >= 9, "a SKU's start");
        assert_eq!(found(office, "bak0001")[0], "BAK0001", "the exact SKU first");
        assert!(found(office, "zzqx%_").is_empty(), "wildcards are text");
        assert!(found(office, "reserve BORDEAUX").contains(&"WIN0003".to_string()), "accents ignored");
        assert!(found(office, "   ").is_empty());
    }
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    /// The search, then again on a database from before the index (indexed once).
    fn run<D: Database>(office: &HeadOffice<D>, db: &HqDb) {
        check(office);
        db.query("DELETE FROM product_words", &[]);
        assert_eq!(office.index_products().unwrap(), 528);
        assert_eq!(office.index_products().unwrap(), 0, "once");
        check(office);
    }
    match db.path() {
        Some(path) => run(&HeadOffice::new(SqliteDb::open(path).unwrap()), &db),
        None => run(&HeadOffice::new(PgDb::open(db.address()).unwrap()), &db),
    }
}

#[test]
fn promotions_imported_in_the_browser_are_sold_at_the_till_and_their_cost_shown() {
    let counter = Counter::with_a_buyer();
    let Counter { work, db, till, browser, .. } = &counter;
    let file = work.path().join("promotions.csv");
    let header = pos_shared::pricing::rules::PROMOTION_COLUMNS.join(",");
    let croissants = "CROISS3,Croissants 3 for 2,buy_get,BAK0007,,2,1,,,,,,,,,,,,";
    std::fs::write(&file, format!("{header}\n{croissants}\nTYPO,Typo,percent_of,BAK0001,,,,10,,,,,,,,,,,\n")).unwrap();
    browser.visit("/office/prices");
    browser.upload("#file", &file);
    browser.click("form[action='/office/prices/promotions'] button");
    let refused = browser.wait_for_text("nothing was imported");
    assert!(refused.contains("line 3: kind “percent_of”"), "{refused}");
    assert_eq!(db.count("SELECT COUNT(*) FROM promotions", &[]), 0, "a bad file imports nothing");

    std::fs::write(&file, format!("{header}\n{croissants}\n")).unwrap();
    browser.visit("/office/prices");
    browser.upload("#file", &file);
    browser.click("form[action='/office/prices/promotions'] button");
    browser.wait_for_text("Imported 1 promotions");
    assert_eq!(db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'promotions.import'", &[]), 1);
    ok(till, &["sync", "--once"]);
    let sold = ok(till, &as_cashier(&["sell", "--item", "BAK0007*3", "--pay", "card:8.30"]));
    assert!(sold.contains("Croissants 3 for 2"), "{sold}");
    ok(till, &["sync", "--once"]);
    browser.visit("/office/prices");
    let row = browser.text("section[aria-labelledby=promotions-h] tbody tr");
    assert!(row.starts_with("CROISS3") && row.contains("4.15"), "what it cost is on the page: {row}");
}

#[test]
fn an_accountant_reads_a_customers_statement_and_records_a_payment_received() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    let password = account(&db, "accounts@example.com", "accountant");
    admin_ok(&db, &["customer", "add", "--name", "Bistrot du Coin", "--credit-limit", "100", "--terms", "30"]);
    let server = ServerProcess::start(&db);
    let till = work.path().join("till");
    enroll_till_cli(&db, &server.url, "S01", &till);
    ok(&till, &["sync", "--once"]);
    ok(&till, &as_cashier(&["sell", "--item", "BAK0001*10", "--customer", "C000001", "--pay", "account:48.70"]));
    ok(&till, &as_cashier(&["giftcard", "sell", "--card", "GC12345678", "--amount", "30", "--pay", "cash:30"]));
    ok(&till, &["sync", "--once"]);
    // The limit lowered since: the customer is now over it.
    admin_ok(&db, &["customer", "account", "C000001", "--credit-limit", "40"]);
    let browser = Browser::open(&server.url);
    log_in(&browser, "accounts@example.com", &password);

    browser.visit("/office/customers");
    let row = browser.text("section[aria-labelledby=accounts-h] tbody tr");
    assert!(row.contains("C000001 Bistrot du Coin") && row.contains("48.70 over the limit"), "{row}");
    browser.fill("#card", "GC12345678");
    browser.click("form[action='/office/giftcards'] button");
    let card = browser.wait_for_text("Balance 30.00");
    assert!(card.contains("sold"), "{card}");

    browser.visit("/office/customers/C000001");
    assert!(browser.unlabelled_fields().is_empty(), "{:?}", browser.unlabelled_fields());
    let page = browser.text("main");
    assert!(page.contains("sale on account") && page.contains("Owed 48.70"), "{page}");
    browser.fill("#amount", "4O.00");
    browser.fill("#reference", "transfer 2026-12");
    browser.click("form.payment button");
    let refused = browser.wait_for_text("amount 4O.00");
    assert!(!refused.is_empty());
    assert_eq!(db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'account.payment'", &[]), 0, "nothing recorded");
    browser.visit("/office/customers/C000001");
    browser.fill("#amount", "40.00");
    browser.fill("#reference", "transfer 2026-12");
    browser.click("form.payment button");
    browser.wait_for_text("Payment recorded: 8.70 owed");
    let page = browser.text("main");
    assert!(page.contains("transfer 2026-12") && page.contains("head office"), "{page}");
    assert_eq!(db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'account.payment'", &[]), 1);
    ok(&till, &["sync", "--once"]);
    assert!(ok(&till, &["account", "show", "C000001"]).contains("owes 8.70"), "the till learns of the payment");
}
