//! The demo store: a small French supermarket with the catalog from
//! `assets/`, a manager, a cashier (who may log in by PIN alone, as a small
//! shop might choose), opening stock and an open till with a 100.00 float:
//! ready to sell.

use std::path::Path;

use pos_shared::quantity::Quantity;
use pos_shared::roles::Role;

use crate::error::CoreResult;
use crate::{StoreSettings, Terminal};

/// The demo catalog, built into the binary so the demo works anywhere.
pub const DEMO_CATALOG: &str = include_str!("../../assets/demo-catalog.csv");

pub const DEMO_MANAGER: (&str, &str) = ("Marie", "246810");
pub const DEMO_CASHIER: (&str, &str) = ("Camille", "1111");
pub const DEMO_FLOAT: &str = "100.00";

/// Creates the demo store in `dir`; refuses a directory that has a store.
pub fn create_demo(dir: &Path) -> CoreResult<Terminal> {
    let mut settings = StoreSettings::new("Épicerie du Marché", "Caisse 1", "S01-T01".parse()?, "EUR")?;
    settings.header_lines = vec!["12 rue des Halles, 75001 Paris".into(), "TVA FR40 123456789".into()];
    settings.footer_lines = vec!["Merci de votre visite !".into(), "Returns within 30 days with this receipt".into()];
    settings.pin_only_login = true;
    let mut terminal = Terminal::init(dir, settings)?;
    // A demo is tried on a desktop: in a window, not full screen like a till.
    let mut devices = terminal.devices().clone();
    devices.set("window", "windowed")?;
    terminal.replace_devices(devices)?;
    let manager = terminal.create_user(DEMO_MANAGER.0, Role::Manager, DEMO_MANAGER.1)?;
    terminal.create_user(DEMO_CASHIER.0, Role::Cashier, DEMO_CASHIER.1)?;
    terminal.import_catalog(DEMO_CATALOG.as_bytes())?;
    // The demo shop's shelves are labelled already: labels fall due when a price changes.
    terminal.conn.execute(
        "INSERT OR REPLACE INTO label_prices (sku, price_minor, printed_at_ms) SELECT sku, price_minor, 0 FROM products",
        [],
    )?;
    let opening: Vec<(String, Quantity)> = terminal
        .stock_levels(None)?
        .into_iter()
        .filter_map(|level| {
            let milli = level.reorder_point.map(|p| p * rust_decimal::Decimal::from(4))?;
            Some((level.sku, Quantity::try_from(milli).ok()?))
        })
        .collect();
    terminal.receive_stock(&manager, "opening stock", &opening)?;
    // A store with no head office: its few customers are seeded here.
    let mut customers = terminal.conn.prepare("INSERT INTO customers (code, name, email) VALUES (?1, ?2, ?3)")?;
    for customer in [
        ["C000001", "Café de Flore", "compta@cafedeflore.example"],
        ["C000002", "Hélène Martin", "helene.martin@example.org"],
        ["C000003", "Boulangerie Dupont", "contact@dupont.example"],
    ] {
        customers.execute(customer)?;
    }
    drop(customers);
    terminal.open_session(&manager, DEMO_FLOAT.parse()?)?;
    Ok(terminal)
}
