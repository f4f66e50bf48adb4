//! Benchmarks re-pricing a cart by head office's rules at the till: a
//! 50-line cart with 5,000 active promotions and 20 price lists over a
//! 200,000-product catalog (goal p99 <= 1 ms), against the same cart
//! priced with no rules at all, measured in the same run.

use std::time::Instant;

use pos_shared::pricing::rules::PROMOTION_COLUMNS;
use pos_shared::protocol::{CatalogPage, PROTOCOL_VERSION, WireListPrice, WirePriceList, WirePromotion};
use pos_terminal::Cart;
use pos_terminal::demo::create_demo;
use pos_tests::bench::{micros, quantile, report};
use pos_tests::generated::catalog_csv;

const PRODUCTS: usize = 200_000;
const PROMOTIONS: usize = 5_000;
const LISTS: usize = 20;
const PRICES_PER_LIST: usize = 2_000;
const LINES: usize = 50;
const ROUNDS: usize = 2_000;

fn sku(i: usize) -> String {
    format!("G{:07}", i % PRODUCTS)
}

/// Promotion `n`: every kind in turn, mostly on one to three products, one
/// in fifty on a whole category (5,000 products), one in ten exclusive, one
/// in five hundred a basket promotion (ten in all).
fn promotion(n: usize) -> WirePromotion {
    let mut fields = vec![String::new(); PROMOTION_COLUMNS.len()];
    let mut set = |column: &str, value: String| {
        fields[PROMOTION_COLUMNS.iter().position(|c| *c == column).expect("a column")] = value;
    };
    set("code", format!("P{n:05}"));
    set("name", format!("Promotion {n}"));
    if n.is_multiple_of(50) {
        set("categories", format!("Cat{}", n / 50 % 40));
    } else {
        let products: Vec<String> = (0..1 + n % 3).map(|k| sku(n * 37 + k * 7_919)).collect();
        set("products", products.join("|"));
    }
    match n % 500 {
        499 => {
            set("kind", "basket".into());
            set("percent", "5".into());
            set("min_total", format!("{}.00", 20 + n % 80));
            set("products", String::new());
            set("categories", String::new());
        }
        k if k % 4 == 0 => {
            set("kind", "buy_get".into());
            set("buy", (1 + n % 3).to_string());
            set("get", "1".into());
        }
        k if k % 4 == 1 => {
            set("kind", "mix_match".into());
            set("qty", "3".into());
            set("price", "5.00".into());
        }
        k if k % 4 == 2 => {
            set("kind", "percent_off".into());
            set("percent", (5 + n % 30).to_string());
        }
        _ => {
            set("kind", "amount_off".into());
            set("amount", "0.20".into());
        }
    }
    set("exclusive", if n % 10 == 3 { "yes" } else { "no" }.into());
    WirePromotion { fields }
}

fn rules() -> CatalogPage {
    let price_lists = (0..LISTS)
        .map(|l| WirePriceList {
            name: format!("List{l:02}"),
            store: (l % 2 == 0).then(|| "S01".into()),
            group: (l % 3 == 0).then(|| "trade".into()),
            from: None,
            to: None,
        })
        .collect();
    let list_prices = (0..LISTS)
        .flat_map(|l| {
            (0..PRICES_PER_LIST).map(move |k| WireListPrice {
                list: format!("List{l:02}"),
                sku: sku(l * 9_973 + k * 13),
                min_qty: ["1", "5", "10"][k % 3].into(),
                price: format!("{}.{:02}", 1 + k % 20, k % 100),
            })
        })
        .collect();
    CatalogPage {
        protocol_version: PROTOCOL_VERSION,
        products: Vec::new(),
        users: Vec::new(),
        customers: Vec::new(),
        price_lists,
        list_prices,
        promotions: (0..PROMOTIONS).map(promotion).collect(),
        packs: Vec::new(),
        next_cursor: 0,
        more: false,
    }
}

/// The cart: half its products under promotions of their own, a few
/// units each.
fn fill(terminal: &pos_terminal::Terminal) -> Cart {
    let mut cart = Cart::default();
    for line in 0..LINES {
        let product = if line % 2 == 0 { sku(line * 37 * 11) } else { sku(line * 104_729) };
        let qty = rust_decimal::Decimal::from(1 + line % 4);
        terminal.add_item(&mut cart, &product, Some(qty)).expect("add");
    }
    cart
}

fn reprice_p99(terminal: &pos_terminal::Terminal, cart: &mut Cart) -> f64 {
    let mut samples = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        terminal.reprice(cart).expect("reprice");
        terminal.cart_totals(cart).expect("totals");
        samples.push(started.elapsed());
    }
    micros(quantile(&mut samples, 0.99))
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut terminal = create_demo(dir.path()).expect("demo store");
    terminal.import_catalog(catalog_csv(PRODUCTS).as_bytes()).expect("import");

    let mut cart = fill(&terminal);
    let baseline = reprice_p99(&terminal, &mut cart);
    report("price_cart_without_rules_p99_us", baseline, "us");

    let started = Instant::now();
    terminal.apply_catalog_page(&rules()).expect("rules");
    terminal.price_book().expect("load the price book");
    report("price_rules_load_s", started.elapsed().as_secs_f64(), "s");
    let mut cart = fill(&terminal);
    let discounted = cart.lines.iter().filter(|l| !l.promotions.is_empty()).count();
    let listed = cart.lines.iter().filter(|l| l.price_list.is_some()).count();
    assert!(discounted >= 10 && listed >= 1, "the cart must meet the rules: {discounted} promoted, {listed} listed");
    let p99 = reprice_p99(&terminal, &mut cart);
    report("price_cart_with_promotions_p99_us", p99, "us");
    report("price_cart_with_promotions_ratio", p99 / baseline.max(1.0), "x");
}
