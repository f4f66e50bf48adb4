//! Regenerates the README's back-office screenshots: head office with the
//! demo catalog, a till that sells, receives and syncs, then the
//! dashboard, the catalog search, a product's ledger and the promotions with
//! what they cost in a headless
//! Chromium. Usage: `office-shots OUT_DIR` (see scripts/office-screenshots.sh).

use std::path::PathBuf;

use anyhow::{Context, Result};
use pos_tests::browser::Browser;
use pos_tests::head_office::{HqDb, ServerProcess, admin_ok, enroll_till_cli, head_office};
use pos_tests::{as_cashier, as_manager, cli_ok};

fn main() -> Result<()> {
    let out = PathBuf::from(std::env::args().nth(1).context("usage: office-shots OUT_DIR")?);
    std::fs::create_dir_all(&out)?;
    let work = tempfile::tempdir()?;
    let db = HqDb::sqlite(work.path());
    head_office(&db);
    admin_ok(&db, &["store", "add", "--name", "Bordeaux Chartrons"]);
    admin_ok(&db, &["terminal", "add", "--store", "S03", "--name", "Caisse 1"]);
    let added = admin_ok(&db, &["--json", "office", "user", "add", "--email", "claire@example.com", "--role", "buyer"]);
    let password =
        serde_json::from_str::<serde_json::Value>(&added)?["password"].as_str().context("password")?.to_string();
    let promotions = work.path().join("promotions.csv");
    std::fs::write(
        &promotions,
        format!(
            "{}\nBAG2,Second baguette half price,buy_get,BAK0001,,1,1,50,,,,,,,,,,,\n\
             PANIER30,5% off above 30.00,basket,,,,,5,,,,30.00,,,,,,,\n\
             BIENVENUE,Welcome: 5.00 off,basket,,,,,,5.00,,,,,,,,BIENVENUE,500,\n",
            pos_shared::pricing::rules::PROMOTION_COLUMNS.join(",")
        ),
    )?;
    admin_ok(&db, &["promo", "import", promotions.to_str().context("path")?]);
    admin_ok(&db, &["pricelist", "add", "Trade", "--group", "trade"]);
    admin_ok(&db, &["pricelist", "price", "Trade", "BAK0001", "4.20"]);
    admin_ok(&db, &["pricelist", "price", "Trade", "BAK0001", "3.90", "--min-qty", "10"]);
    admin_ok(
        &db,
        &["customer", "add", "--name", "Bistrot du Coin", "--group", "trade", "--credit-limit", "500", "--terms", "30"],
    );
    let server = ServerProcess::start(&db);
    for (store, till) in [("S01", "till-paris"), ("S02", "till-lyon")] {
        let till = work.path().join(till);
        enroll_till_cli(&db, &server.url, store, &till);
        cli_ok(&till, &as_manager(&["receive", "--ref", "BL-2211", "--item", "BAK0001*40", "--item", "DAI0004*12"]));
        for basket in [&["BAK0001", "DAI0004"][..], &["BAK0001"], &["BAK0001", "GRO0010", "BAK0001"], &["WIN0003"]] {
            let mut args = vec!["sell"];
            for sku in basket {
                args.extend(["--item", sku]);
            }
            args.extend(["--pay", "cash:200"]);
            cli_ok(&till, &as_cashier(&args));
        }
        cli_ok(&till, &["sync", "--once"]);
    }
    let paris = work.path().join("till-paris");
    cli_ok(&paris, &as_cashier(&["sell", "--item", "BAK0001*10", "--customer", "C000001", "--pay", "account:29.25"]));
    cli_ok(&paris, &as_cashier(&["account", "pay", "--customer", "C000001", "--amount", "15", "--pay", "cash:15"]));
    cli_ok(&paris, &["sync", "--once"]);
    admin_ok(&db, &["customer", "pay", "C000001", "10.00", "--reference", "transfer 2026-12"]);
    let browser = Browser::open(&server.url);
    browser.visit("/office/login");
    browser.fill("#email", "claire@example.com");
    browser.fill("#password", &password);
    browser.click("form button");
    browser.fill("#password", "correct horse battery staple");
    browser.fill("#again", "correct horse battery staple");
    browser.click("form[action='/office/password'] button");
    browser.wait_for_text("Your password is saved");
    browser.visit("/office/");
    browser.wait_for_text("Best sellers");
    browser.screenshot(&out.join("dashboard.png"));
    browser.visit("/office/catalog");
    browser.fill("#q", "pain");
    browser.wait_for_text("products match");
    browser.screenshot(&out.join("catalog.png"));
    browser.visit("/office/products/BAK0001");
    browser.wait_for_text("Stock ledger");
    browser.script("document.querySelector('main h2').scrollIntoView(); return null");
    browser.screenshot(&out.join("product-ledger.png"));
    browser.visit("/office/prices");
    browser.wait_for_text("Second baguette half price");
    browser.screenshot(&out.join("prices.png"));
    browser.visit("/office/customers/C000001");
    browser.wait_for_text("Owed 4.25");
    browser.screenshot(&out.join("customer-statement.png"));
    println!("wrote {}", out.display());
    Ok(())
}
