//! Runs one `pos-terminal` command against the headless core and prints
//! its result as text or JSON.

pub mod args;
mod card;
mod credit;
mod devices;
mod fiscal;
mod orders;
mod stock;

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use pos_shared::journal::CashDirection;
use pos_shared::money::Money;
use pos_shared::pricing::{Discount, TaxMode};
use pos_shared::report::SessionReport;
use pos_shared::roles::Role;
use pos_shared::tender::{Tender, TenderKind};
use pos_terminal::demo::{DEMO_CASHIER, DEMO_FLOAT, DEMO_MANAGER, create_demo};
use pos_terminal::devices::display::Shown;
use pos_terminal::new_store::NewStore;
use pos_terminal::returns::{ReturnItem, ReturnRequest};
use pos_terminal::sale::Committed;
use pos_terminal::session::CashCount;
use pos_terminal::{Cart, Terminal};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::json;

use args::{
    CatalogCommand, Cli, Command, DirectionArg, JournalCommand, ReportArg, RoleArg, SessionCommand, UserCommand,
};

fn data_dir(cli: &Cli) -> Result<PathBuf> {
    if let Some(dir) = &cli.data_dir {
        return Ok(dir.clone());
    }
    directories::ProjectDirs::from("org", "opencounter", "pos-terminal")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or_else(|| anyhow!("no home directory: pass --data-dir"))
}

/// Prints `value` as JSON, or the text `render` makes of it.
pub(crate) fn emit<T: Serialize>(json: bool, value: &T, render: impl FnOnce(&T) -> String) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        print!("{}", render(value));
    }
    Ok(())
}

/// `CODE` or `CODE*QTY`.
pub(crate) fn parse_item(text: &str) -> Result<ReturnItem> {
    let (code, qty) = match text.rsplit_once('*') {
        Some((code, qty)) => {
            let qty = Decimal::from_str_exact(qty.trim())
                .map_err(|_| anyhow!("quantity in “{text}” must be a number, like {code}*2 or {code}*0.350"))?;
            (code, Some(qty))
        }
        None => (text, None),
    };
    if code.trim().is_empty() {
        bail!("item “{text}” has no code");
    }
    Ok(ReturnItem { code: code.trim().to_string(), line: None, qty })
}

/// `CODE`, `CODE*QTY`, and either with `@LINE`: the receipt line it was sold on.
fn parse_return_item(text: &str) -> Result<ReturnItem> {
    let Some((item, line)) = text.rsplit_once('@') else {
        return parse_item(text);
    };
    let line = line
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|l| *l > 0)
        .ok_or_else(|| anyhow!("receipt line in “{text}” must be a line number, like {item}@2"))?;
    Ok(ReturnItem { line: Some(line), ..parse_item(item)? })
}

pub(crate) fn parse_tenders(texts: &[String]) -> Result<Vec<Tender>> {
    Ok(texts.iter().map(|t| t.parse::<Tender>()).collect::<Result<_, _>>()?)
}

pub fn run(cli: Cli) -> Result<()> {
    let dir = data_dir(&cli)?;
    let json = cli.json;
    let Some(command) = cli.command else {
        if let Some(failed) = pos_terminal::app::renderer::relaunch_with_choice() {
            return Err(anyhow!("the app could not start: {failed}"));
        }
        return pos_terminal::app::run(dir).map_err(|e| anyhow!("the window could not open: {e}"));
    };
    match command {
        Command::Status => print_status(&Terminal::open(&dir)?, json),
        Command::Init(a) => {
            let new = NewStore {
                name: a.store,
                terminal: a.terminal,
                store_code: a.store_code,
                terminal_code: a.terminal_code,
                currency: a.currency,
                tax_mode: if a.prices_include_tax { TaxMode::Inclusive } else { TaxMode::Exclusive },
                header_lines: a.header,
                manager: a.manager_name.clone(),
                manager_pin: a.manager_pin,
            };
            let (terminal, pin) = Terminal::create_store(&dir, &new)?;
            let info = json!({ "data_dir": dir, "terminal_id": terminal.settings().terminal_id, "manager": a.manager_name, "manager_pin": pin });
            emit(json, &info, |_| {
                format!(
                    "Store created in {}\nManager {} can log in with PIN {pin}; add staff with “pos-terminal user add”.\n",
                    dir.display(),
                    a.manager_name
                )
            })
        }
        Command::Demo => {
            let terminal = create_demo(&dir)?;
            let info = json!({ "data_dir": dir, "products": terminal.product_count()?, "manager_pin": DEMO_MANAGER.1, "cashier_pin": DEMO_CASHIER.1 });
            emit(json, &info, |_| {
                format!(
                    "Demo store created in {}, till open with a float of {DEMO_FLOAT}\nManager {} PIN {}, cashier {} PIN {}\n",
                    dir.display(),
                    DEMO_MANAGER.0,
                    DEMO_MANAGER.1,
                    DEMO_CASHIER.0,
                    DEMO_CASHIER.1
                )
            })
        }
        Command::User(UserCommand::Add { name, role, new_pin, actor }) => {
            let role = match role {
                RoleArg::Cashier => Role::Cashier,
                RoleArg::Manager => Role::Manager,
            };
            let mut terminal = Terminal::open(&dir)?;
            let adder = actor.login(&mut terminal)?;
            let user = terminal.add_user(&adder, &name, role, &new_pin, actor.approver().as_ref())?;
            emit(json, &user, |u| format!("Added {} ({})\n", u.name, u.role))
        }
        Command::User(UserCommand::Pin { name, current, new }) => {
            Terminal::open(&dir)?.change_pin(&name, &current, &new)?;
            emit(json, &json!({ "user": name, "changed": true }), |_| format!("{name}'s PIN is changed\n"))
        }
        Command::User(UserCommand::List) => {
            let users = Terminal::open(&dir)?.users()?;
            emit(json, &users, |users| users.iter().map(|u| format!("{}\t{}\n", u.name, u.role)).collect())
        }
        Command::Catalog(CatalogCommand::Import { file }) => {
            let input = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let summary = Terminal::open(&dir)?.import_catalog(&input)?;
            emit(json, &summary, |s| {
                format!("Imported: {} added, {} updated, {} barcodes\n", s.added, s.updated, s.barcodes)
            })
        }
        Command::Catalog(CatalogCommand::Search { text }) => {
            let found = Terminal::open(&dir)?.search_products(&text, 20)?;
            emit(json, &found, |found| found.iter().map(|p| format!("{}\t{}\t{}\n", p.sku, p.price, p.name)).collect())
        }
        Command::Session(SessionCommand::Open { user, pin, float }) => {
            let mut terminal = Terminal::open(&dir)?;
            let user = terminal.login_with(user.as_deref(), &pin)?;
            let session = terminal.open_session(&user, Money::parse_non_negative(&float)?)?;
            emit(json, &session, |s| {
                format!("Session {} opened by {} with a float of {}\n", s.id, s.opened_by, s.float)
            })
        }
        Command::Sell(a) => sell(&dir, json, a),
        Command::Receive(a) => stock::receive(&dir, json, a),
        Command::Adjust(a) => stock::adjust(&dir, json, a),
        Command::Po(c) => stock::purchase_orders(&dir, json, c),
        Command::Ship(a) => stock::ship(&dir, json, a),
        Command::Count(c) => stock::count(&dir, json, c),
        Command::Order(c) => orders::order(&dir, json, c),
        Command::Collect(a) => orders::collect(&dir, json, a),
        Command::Return(a) => take_return(&dir, json, a),
        Command::Giftcard(c) => credit::giftcard(&dir, json, c),
        Command::Account(c) => credit::account(&dir, json, c),
        Command::Card(c) => card::card(&dir, json, c),
        Command::Fiscal(c) => fiscal::fiscal(&dir, json, c),
        Command::Cash(a) => {
            let mut terminal = Terminal::open(&dir)?;
            let user = a.actor.login(&mut terminal)?;
            let direction = match a.direction {
                DirectionArg::In => CashDirection::In,
                DirectionArg::Out => CashDirection::Out,
            };
            let amount = Money::parse_non_negative(&a.amount)?;
            let seq = terminal.cash_move(&user, direction, amount, &a.reason, a.actor.approver().as_ref())?;
            let info = json!({ "seq": seq, "direction": direction, "amount": amount });
            emit(json, &info, |_| format!("Cash {} {amount} recorded\n", direction.as_str()))
        }
        Command::Report(a) => {
            let mut terminal = Terminal::open(&dir)?;
            let user = a.actor.login(&mut terminal)?;
            let report: SessionReport = match a.kind {
                ReportArg::X if !a.counted.is_empty() => bail!("--counted goes with a Z report"),
                ReportArg::X => terminal.x_report()?,
                ReportArg::Z => {
                    let count = match a.no_count {
                        Some(reason) => CashCount::NotCounted(reason),
                        None => CashCount::Counted(parse_tenders(&a.counted)?),
                    };
                    terminal.z_report(&user, &count, a.actor.approver().as_ref())?
                }
            };
            let width = terminal.receipt_columns();
            let doc = terminal.report_doc(&report);
            emit(json, &report, |_| doc.render_text(width))?;
            match a.kind {
                ReportArg::X if terminal.devices().printer.is_some() => {
                    if let Err(problem) = terminal.print_now(&doc)? {
                        eprintln!("warning: {problem}; the X report was not printed");
                    }
                    Ok(())
                }
                ReportArg::X => Ok(()),
                ReportArg::Z => {
                    devices::print_queued(&mut terminal);
                    Ok(())
                }
            }
        }
        Command::Stock { code } => {
            let levels = Terminal::open(&dir)?.stock_levels(code.as_deref())?;
            emit(json, &levels, |levels| {
                levels
                    .iter()
                    .map(|l| {
                        let held = match l.reserved.is_zero() {
                            true => String::new(),
                            false => format!("\treserved {}\tavailable {}", l.reserved, l.available),
                        };
                        format!("{}\t{}\t{}\t{}{held}\n", l.sku, l.on_hand, l.unit, l.name)
                    })
                    .collect()
            })
        }
        Command::Journal(JournalCommand::Verify) => {
            let summary = Terminal::open(&dir)?.verify_journal()?;
            emit(json, &summary, |s| {
                format!(
                    "Journal OK: {} entries, {} sales and returns, last seq {}, last hash {}\n",
                    s.entries, s.sales, s.last_seq, s.last_hash
                )
            })
        }
        Command::Reprint { receipt, actor } => {
            let mut terminal = Terminal::open(&dir)?;
            let receipt = receipt.parse()?;
            let user = actor.login(&mut terminal)?;
            let doc = terminal.reprint(&user, &receipt)?;
            emit(json, &doc, |d| d.render_text(terminal.receipt_columns()))
        }
        Command::Token(args::TokenCommand::Renew) => {
            let mut terminal = Terminal::open(&dir)?;
            runtime()?.block_on(pos_terminal::sync::run::renew_token(&mut terminal))?;
            emit(json, &json!({ "renewed": true }), |_| {
                "A new token from head office is kept; the old one ends when this one is first used.\n".to_string()
            })
        }
        Command::Trust { fingerprint, actor } => {
            let fingerprint: pos_shared::fingerprint::Fingerprint = fingerprint.parse()?;
            let mut terminal = Terminal::open(&dir)?;
            let user = actor.login(&mut terminal)?;
            terminal.trust_certificate(&user, &fingerprint, actor.approver().as_ref())?;
            emit(json, &json!({ "trusted": fingerprint.to_string() }), |_| {
                format!("Head office's certificate {fingerprint} is trusted from now on, and only it.\n")
            })
        }
        Command::Enroll { server, code, fingerprint, insecure } => {
            let fingerprint = fingerprint.map(|f| f.parse()).transpose()?;
            let trust = pos_terminal::sync::trust::Trust { fingerprint, insecure, ..Default::default() };
            enroll(&dir, json, &server, &code, &trust)
        }
        Command::Sync(a) => sync(&dir, json, a),
        Command::Config(c) => devices::config(&dir, json, c),
        Command::Settings(c) => store_settings(&dir, json, c),
        Command::Favourites(c) => {
            let mut terminal = Terminal::open(&dir)?;
            if let args::FavouritesCommand::Set { skus, actor } = c {
                let user = actor.login(&mut terminal)?;
                terminal.set_favourites(&user, &skus, actor.approver().as_ref())?;
            }
            let favourites = terminal.favourites()?;
            emit(json, &favourites, |f| f.iter().map(|p| format!("{}\t{}\t{}\n", p.sku, p.price, p.name)).collect())
        }
        Command::Devices(args::DevicesCommand::List) => devices::devices(json),
        Command::Print(c) => devices::print(&dir, json, c),
        Command::Scanner(c) => devices::scanner(&dir, c),
        Command::Scale(c) => devices::scale(&dir, json, c),
        Command::Display(c) => devices::display(&dir, c),
        Command::Labels(c) => devices::labels(&dir, json, c),
        Command::Drawer(a) => {
            let mut terminal = Terminal::open(&dir)?;
            let user = a.actor.login(&mut terminal)?;
            terminal.open_drawer(&user, &a.reason, a.actor.approver().as_ref())?;
            devices::print_queued(&mut terminal);
            emit(json, &json!({ "opened": true }), |_| "Drawer opened\n".to_string())
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

fn enroll(
    dir: &std::path::Path,
    json: bool,
    server: &str,
    code: &str,
    trust: &pos_terminal::sync::trust::Trust,
) -> Result<()> {
    let (terminal, first_sync) = runtime()?.block_on(pos_terminal::sync::run::enroll(dir, server, code, trust))?;
    let settings = terminal.settings();
    let info = json!({
        "terminal_id": settings.terminal_id,
        "store": settings.store_name,
        "first_sync": first_sync.as_ref().map_err(ToString::to_string),
    });
    emit(json, &info, |_| {
        let sync = match &first_sync {
            Ok(report) => format!("{} products and their users pulled", report.products_pulled),
            Err(e) => format!("first sync failed ({e}); “pos-terminal sync” will retry"),
        };
        format!("Enrolled as {} of {}; {sync}\n", settings.terminal_id, settings.store_name)
    })
}

fn sync(dir: &std::path::Path, json: bool, a: args::SyncArgs) -> Result<()> {
    let mut terminal = Terminal::open(dir)?;
    if a.status {
        let status = terminal.sync_status()?;
        return emit(json, &status, |s| {
            let last = s.last_success_ms.map_or("never".to_string(), pos_terminal::clock::local_time_text);
            let held: String = s
                .held
                .iter()
                .map(|h| format!("entry {} held at head office for a person to decide: {}\n", h.seq, h.reason))
                .collect();
            format!(
                "server {}; {} entries pending; last success {last}{}\n{held}",
                s.server.as_deref().unwrap_or("(not enrolled)"),
                s.pending,
                s.last_error.as_ref().map(|e| format!("; last error: {e}")).unwrap_or_default()
            )
        });
    }
    let client = pos_terminal::sync::run::enrolled_client(&terminal)?;
    let runtime = runtime()?;
    if !a.once {
        let interval = std::time::Duration::from_secs(a.interval.max(1));
        runtime.block_on(pos_terminal::sync::run::run_forever(&mut terminal, interval));
        return Ok(());
    }
    let report = runtime.block_on(pos_terminal::sync::run::sync_once(&mut terminal, &client))?;
    // New prices came down: the manager learns how many shelf labels are due.
    let labels_due = if report.products_pulled > 0 { terminal.labels_due_count()? } else { 0 };
    let held = terminal.held_at_head_office()?.len();
    emit(json, &report, |r| {
        let labels = match labels_due {
            0 => String::new(),
            n => format!("{n} shelf labels due: pos-terminal labels print --changed\n"),
        };
        let labels = match held {
            0 => labels,
            n => format!("{labels}{n} entries held at head office for a decision: pos-terminal sync --status\n"),
        };
        format!(
            "Synced: {} entries pushed, {} products pulled, {} orders pulled, {} stock lines\n{labels}",
            r.pushed, r.products_pulled, r.orders_pulled, r.stock_items
        )
    })
}

/// Shows the receipt, then sends it (and the drawer kick) to the printer.
pub(crate) fn print_receipt(terminal: &mut Terminal, json: bool, committed: &Committed) -> Result<()> {
    // Stamped with its entry's signature (what came before it signed too).
    let doc = terminal.receipt_doc(committed)?;
    let width = terminal.receipt_columns();
    emit(json, &committed.record, |_| doc.render_text(width))?;
    devices::print_queued(terminal);
    Ok(())
}

fn sell(dir: &std::path::Path, json: bool, a: args::SellArgs) -> Result<()> {
    let mut terminal = Terminal::open(dir)?;
    let user = a.actor.login(&mut terminal)?;
    if a.training {
        terminal.set_training(&user, true, a.actor.approver().as_ref())?;
    }
    let mut cart = Cart::default();
    for text in &a.items {
        let item = parse_item(text)?;
        let weighed =
            terminal.find_code(&item.code).is_ok_and(|f| f.product.unit.is_measured() && f.embedded.is_none());
        // A weight typed for a weighed item: with a scale, a manager's.
        let typed = if weighed { item.qty } else { None };
        // A weighed item with no weight given is weighed on the scale.
        let added = match typed {
            Some(kg) => terminal.add_typed_weight(&user, &mut cart, &item.code, kg, a.actor.approver().as_ref()),
            None => terminal.add_item(&mut cart, &item.code, item.qty),
        };
        let added = match added {
            Err(pos_terminal::CoreError::NeedsWeight(..)) if a.weigh => {
                let weight = terminal.weigh()?.value();
                terminal.add_item(&mut cart, &item.code, Some(weight))?
            }
            added => added?,
        };
        if let Some(warning) = added.warning {
            eprintln!("warning: {warning}");
        }
    }
    if let Some(customer) = &a.customer {
        terminal.attach_customer(&mut cart, customer)?;
    }
    for coupon in &a.coupons {
        terminal.add_coupon(&mut cart, coupon)?;
    }
    if let Some(discount) = &a.discount {
        let discount: Discount = discount.parse()?;
        terminal.set_sale_discount(&user, &mut cart, Some(discount), a.actor.approver().as_ref())?;
    }
    let mut payments = a.payments.clone();
    let through_terminal = card::take_terminal_payment(&mut payments)?;
    let (mut tenders, cards) = credit::parse_payments(&payments)?;
    if let Some(amount) = through_terminal {
        tenders.push(card::terminal_tender(&terminal, &cart, &tenders, amount)?);
    }
    let prepared = terminal.prepare_sale(&user, &cart, &tenders, &cards)?;
    let committed = card::commit(&mut terminal, prepared, through_terminal.is_some(), a.external_card.as_deref())?;
    let sale = &committed.record;
    if let Some(problem) = terminal.show_customer(&Shown::change(sale.handed_over(), sale.change)) {
        eprintln!("warning: {problem}");
    }
    print_receipt(&mut terminal, json, &committed)
}

fn store_settings(dir: &std::path::Path, json: bool, command: args::SettingsCommand) -> Result<()> {
    let mut terminal = Terminal::open(dir)?;
    if let args::SettingsCommand::Set { key, value, actor } = command {
        let user = actor.login(&mut terminal)?;
        terminal.change_setting(&user, &key, &value, actor.approver().as_ref())?;
    }
    let s = terminal.settings();
    let shown = json!({
        "refund_cash_limit": s.refund_cash_limit,
        "discount_limit_percent": s.discount_limit_percent,
        "tax_mode": s.pricing().tax_mode,
        "cash_increment": s.cash_increment,
        "account_offline_allowance_percent": s.account_allowance_percent,
        "giftcard_offline_limit": s.giftcard_offline_limit,
    });
    emit(json, &shown, |_| {
        format!(
            "refund-cash-limit: {}\ndiscount-limit: {}%\naccount-offline-allowance: {}%\ngiftcard-offline-limit: {}\n",
            s.refund_cash_limit, s.discount_limit_percent, s.account_allowance_percent, s.giftcard_offline_limit
        )
    })
}

fn take_return(dir: &std::path::Path, json: bool, a: args::ReturnArgs) -> Result<()> {
    let mut terminal = Terminal::open(dir)?;
    let user = a.actor.login(&mut terminal)?;
    if a.training {
        terminal.set_training(&user, true, a.actor.approver().as_ref())?;
    }
    let request = ReturnRequest {
        original: a.receipt.as_deref().map(str::parse).transpose()?,
        items: a.items.iter().map(|i| parse_return_item(i)).collect::<Result<_>>()?,
        damaged: a.damaged,
        // A card refund goes through the till's card terminal when it has one.
        refund_to: a
            .refund
            .as_deref()
            .map(|r| if r == "card-terminal" { "card" } else { r })
            .map(str::parse::<TenderKind>)
            .transpose()?,
        store_credit: a.store_credit,
        approver: a.actor.approver(),
    };
    let prepared = terminal.prepare_return(&user, request)?;
    let committed = card::commit(&mut terminal, prepared, false, a.external_card.as_deref())?;
    print_receipt(&mut terminal, json, &committed)
}

fn print_status(terminal: &Terminal, json: bool) -> Result<()> {
    let settings = terminal.settings();
    let session = terminal.current_session()?;
    let info = json!({
        "store": settings.store_name,
        "terminal_id": settings.terminal_id,
        "session": session,
        "products": terminal.product_count()?,
        "pending_sync": terminal.pending_sync_count()?,
    });
    emit(json, &info, |_| {
        let session = match &session {
            Some(s) => format!("session {} open since {}", s.id, pos_terminal::clock::local_time_text(s.opened_at_ms)),
            None => "no open session".to_string(),
        };
        format!(
            "{} ({}): {session}. Run “pos-terminal --help” for commands.\n",
            settings.store_name, settings.terminal_id
        )
    })
}
