//! The price book: each promotion kind and price lists worked through by
//! hand, bad promotion files, and properties over random carts and rules.

use super::rules::{ListPrice, Moment, PriceList, Promotion, parse_promotion, read_promotions};
use super::*;
use proptest::prelude::*;

const INCL: PricingRules = PricingRules { tax_mode: TaxMode::Inclusive, rounding: RoundingMode::HalfUp };

fn m(text: &str) -> Money {
    text.parse().unwrap()
}

/// Tuesday 2026-12-01 at `hh:mm`.
fn tuesday(hh: u16, mm: u16) -> Moment {
    Moment { day: "2026-12-01".parse().unwrap(), weekday: 2, minute: hh * 60 + mm }
}

/// A promotion from `code,name,kind,...` in the file's column order.
fn promo(row: &str) -> Promotion {
    let fields: Vec<&str> = row.split(',').collect();
    parse_promotion(&fields).unwrap_or_else(|e| panic!("{row}: {e}"))
}

/// The catalog of these examples: SKU, price, category.
const CATALOG: [(&str, &str, &str); 7] = [
    ("COFFEE", "3.00", "Grocery"),
    ("TEA", "2.00", "Grocery"),
    ("BAGUETTE", "1.10", "Bakery"),
    ("BREAD", "2.45", "Bakery"),
    ("YOGURT", "0.40", "Dairy"),
    ("WINE", "10.00", "Drinks"),
    ("CHEESE", "18.00", "Dairy"),
];

fn facts(sku: &str) -> ProductFacts {
    let (_, price, category) = CATALOG.iter().find(|c| c.0 == sku).expect("a product of the examples");
    ProductFacts { price: m(price), category: category.to_string() }
}

fn cart(items: &[(&str, u32)]) -> Vec<TicketLine> {
    items
        .iter()
        .map(|(sku, qty)| {
            let qty = Quantity::new((*qty).into(), Unit::Each).unwrap();
            TicketLine::new(sku, sku, Unit::Each, qty, facts(sku).price, "5.5".parse().unwrap())
        })
        .collect()
}

struct Priced {
    lines: Vec<TicketLine>,
    totals: Totals,
}

fn price(book: &PriceBook, items: &[(&str, u32)], group: Option<&str>, at: Moment, coupons: &[&str]) -> Priced {
    let mut lines = cart(items);
    let line_facts: Vec<ProductFacts> = lines.iter().map(|l| facts(&l.sku)).collect();
    let coupons: Vec<String> = coupons.iter().map(|c| c.to_string()).collect();
    let occasion = Occasion { store: "S01", group, at, coupons: &coupons };
    book.apply(&mut lines, &line_facts, &occasion, RoundingMode::HalfUp);
    let totals = price_ticket(&lines, None, INCL).unwrap();
    Priced { lines, totals }
}

fn book(promotions: &[&str]) -> PriceBook {
    PriceBook::new(Vec::new(), promotions.iter().map(|p| promo(p)).collect())
}

fn shares(line: &TicketLine) -> Vec<(String, Money)> {
    line.promotions.iter().map(|p| (p.code.clone(), p.amount)).collect()
}

#[test]
fn buy_two_get_one_free_takes_the_cheapest_of_each_three() {
    let book = book(&["B2G1,Coffee 3 for 2,buy_get,COFFEE|TEA,,2,1,,,,,,,,,,,,"]);
    // 3 coffees: 9.00, the third free: 6.00.
    let p = price(&book, &[("COFFEE", 3)], None, tuesday(12, 0), &[]);
    assert_eq!(p.totals.total, m("6.00"));
    // Coffee 3.00 x4 and tea 2.00 x2, dearest first: (3, 3, 3) (3, 2, 2):
    // a coffee and a tea free, 5.00 off 16.00.
    let p = price(&book, &[("TEA", 2), ("COFFEE", 4)], None, tuesday(12, 0), &[]);
    assert_eq!(p.totals.discount, m("5.00"));
    assert_eq!(p.totals.total, m("11.00"));
    assert_eq!(shares(&p.lines[0]), vec![("B2G1".to_string(), m("2.00"))]);
    assert_eq!(shares(&p.lines[1]), vec![("B2G1".to_string(), m("3.00"))]);
    // Two coffees: nothing yet.
    assert!(price(&book, &[("COFFEE", 2)], None, tuesday(12, 0), &[]).totals.discount.is_zero());
}

#[test]
fn buy_one_get_one_half_price() {
    let book = book(&["BOGOHALF,Second wine half price,buy_get,WINE,,1,1,50,,,,,,,,,,,"]);
    // 3 wines at 10.00: one pair, the second 5.00 off; the third full price.
    let p = price(&book, &[("WINE", 3)], None, tuesday(12, 0), &[]);
    assert_eq!(p.totals.total, m("25.00"));
}

#[test]
fn mix_and_match_bundles_the_dearest_units_and_splits_the_saving_to_the_cent() {
    let book = book(&["BAKE3,Any 3 bakery for 5.00,mix_match,TEA,Bakery,,,,,3,5.00,,,,,,,,"]);
    // Bread 2.45 x2 and tea 2.00 are the dearest three: 6.90 for 5.00, 1.90
    // off, split 2.45 : 2.45 : 2.00 (0.675, 0.675, 0.551 -> 0.67+0.68, 0.55).
    // The baguette 1.10 is left at full price.
    let p = price(&book, &[("BAGUETTE", 1), ("BREAD", 2), ("TEA", 1)], None, tuesday(12, 0), &[]);
    assert_eq!(p.totals.discount, m("1.90"));
    assert_eq!(p.totals.total, m("6.10"));
    assert_eq!(p.lines[0].promotions, vec![]);
    assert_eq!(shares(&p.lines[1]), vec![("BAKE3".to_string(), m("1.35"))]);
    assert_eq!(shares(&p.lines[2]), vec![("BAKE3".to_string(), m("0.55"))]);
    // Four baguettes for 4.00 (a bakery's "4 for 4.00"), the fifth at 1.10.
    let book = super::PriceBook::new(
        Vec::new(),
        vec![promo("BAG4,4 baguettes for 4.00,mix_match,BAGUETTE,,,,,,4,4.00,,,,,,,,")],
    );
    let p = price(&book, &[("BAGUETTE", 5)], None, tuesday(12, 0), &[]);
    assert_eq!(p.totals.total, m("5.10"));
}

#[test]
fn percent_off_a_category_in_its_happy_hour_only() {
    let book = book(&["HAPPY,Bakery -20% 17-19h,percent_off,,Bakery,,,20,,,,,,,mon-fri,17:00-19:00,,,"]);
    let items = [("BREAD", 2), ("TEA", 1)];
    // 4.90 of bread, 20 %: 0.98 off; the tea is not bakery.
    assert_eq!(price(&book, &items, None, tuesday(17, 30), &[]).totals.total, m("5.92"));
    assert!(price(&book, &items, None, tuesday(19, 0), &[]).totals.discount.is_zero(), "19:00 is over");
    assert!(price(&book, &items, None, tuesday(16, 59), &[]).totals.discount.is_zero());
    let saturday = Moment { day: "2026-12-05".parse().unwrap(), weekday: 6, minute: 17 * 60 + 30 };
    assert!(price(&book, &items, None, saturday, &[]).totals.discount.is_zero(), "weekdays only");
}

#[test]
fn amount_off_never_takes_a_line_below_zero() {
    let book = book(&["YOG50,Yogurt 0.50 off,amount_off,YOGURT,,,,,0.50,,,,,,,,,,"]);
    let p = price(&book, &[("YOGURT", 3)], None, tuesday(12, 0), &[]);
    assert_eq!(p.totals.total, m("0.00"), "0.40 each, 0.50 off each: free, not negative");
    assert_eq!(p.totals.lines[0].net, Money::ZERO);
}

#[test]
fn basket_threshold_and_coupon() {
    let book = book(&[
        "BASKET10,10% off above 50.00,basket,,,,,10,,,,50.00,,,,,,,",
        "WELCOME5,Welcome 5.00 off,basket,,,,,,5.00,,,,,,,,WELCOME5,1,",
    ]);
    let below = price(&book, &[("WINE", 4), ("TEA", 4)], None, tuesday(12, 0), &[]);
    assert_eq!(below.totals.total, m("48.00"), "48.00 is below 50.00");
    // 60.00: 6.00 off, spread 10 % on each line.
    let p = price(&book, &[("WINE", 5), ("TEA", 5)], None, tuesday(12, 0), &[]);
    assert_eq!(p.totals.total, m("54.00"));
    assert_eq!(shares(&p.lines[0]), vec![("BASKET10".to_string(), m("5.00"))]);
    assert_eq!(shares(&p.lines[1]), vec![("BASKET10".to_string(), m("1.00"))]);
    // With the coupon: both, each on 60.00: 6.00 + 5.00.
    let p = price(&book, &[("WINE", 5), ("TEA", 5)], None, tuesday(12, 0), &["welcome5"]);
    assert_eq!(p.totals.total, m("49.00"));
    assert_eq!(book.coupon("Welcome5").map(|p| p.uses), Some(Some(1)));
}

#[test]
fn an_exclusive_promotion_is_never_combined_and_wins_only_when_better() {
    let book = book(&[
        "WINE50,Wine half price,percent_off,WINE,,,,50,,,,,,,,,,,yes",
        "WINE20,Wine -20%,percent_off,WINE,,,,20,,,,,,,,,,,",
        "BASKET10,10% off,basket,,,,,10,,,,,,,,,,,",
    ]);
    // Wine 10.00 + tea 2.00. Together: 2.00 off the wine, then 10 % of
    // 10.00 = 1.00: 3.00. Alone, half price: 5.00. The customer gets 5.00.
    let p = price(&book, &[("WINE", 1), ("TEA", 1)], None, tuesday(12, 0), &[]);
    assert_eq!(p.totals.discount, m("5.00"));
    assert_eq!(shares(&p.lines[0]), vec![("WINE50".to_string(), m("5.00"))]);
    assert!(p.lines[1].promotions.is_empty(), "nothing stacks on an exclusive promotion");
    // With more tea the others together are worth more: 2.00 + 10 % of
    // 48.00 = 6.80.
    let p = price(&book, &[("WINE", 1), ("TEA", 20)], None, tuesday(12, 0), &[]);
    assert_eq!(p.totals.discount, m("6.80"));
    assert!(p.lines.iter().all(|l| l.promotions.iter().all(|s| s.code != "WINE50")));
}

#[test]
fn one_unit_takes_one_item_promotion_the_best_first() {
    let book = book(&[
        "A10,Coffee -10%,percent_off,COFFEE,,,,10,,,,,,,,,,,",
        "B2G1,Coffee 3 for 2,buy_get,COFFEE,,2,1,,,,,,,,,,,,",
    ]);
    // 4 coffees: 3 for 2 saves 3.00 on three of them, then 10 % of the
    // fourth 0.30. Never 10 % of all four on top.
    let p = price(&book, &[("COFFEE", 4)], None, tuesday(12, 0), &[]);
    assert_eq!(p.totals.discount, m("3.30"));
}

fn lists() -> Vec<PriceList> {
    let list = |name: &str, store: Option<&str>, group: Option<&str>, prices: &[(&str, i64, &str)]| PriceList {
        name: name.into(),
        store: store.map(Into::into),
        group: group.map(Into::into),
        from: Some("2026-11-01".parse().unwrap()),
        to: Some("2026-12-31".parse().unwrap()),
        prices: prices
            .iter()
            .map(|(sku, min, p)| ListPrice { sku: sku.to_string(), min_milli: *min, price: m(p) })
            .collect(),
    };
    vec![
        list("Trade", None, Some("trade"), &[("BAGUETTE", 1000, "1.00"), ("BAGUETTE", 10_000, "0.95")]),
        list("Paris", Some("S02"), None, &[("BAGUETTE", 1000, "1.25")]),
        list("Local", Some("S01"), None, &[("BAGUETTE", 1000, "1.05"), ("COFFEE", 1000, "3.20")]),
    ]
}

#[test]
fn price_lists_by_group_store_quantity_and_date() {
    let book = PriceBook::new(lists(), Vec::new());
    let at = tuesday(12, 0);
    // At S01 with no customer: the store's list, 1.05.
    let p = price(&book, &[("BAGUETTE", 9)], None, at, &[]);
    assert_eq!((p.lines[0].unit_price, p.lines[0].price_list.as_deref()), (m("1.05"), Some("Local")));
    // A trade customer: the group's list beats the store's: 1.00; from 10 on, 0.95.
    let p = price(&book, &[("BAGUETTE", 9)], Some("trade"), at, &[]);
    assert_eq!(p.totals.total, m("9.00"));
    let p = price(&book, &[("BAGUETTE", 4), ("BAGUETTE", 6)], Some("trade"), at, &[]);
    assert_eq!(p.totals.total, m("9.50"), "the break counts the product over the whole cart");
    // The store list raises coffee for everyone at S01; the catalog's price
    // after the list ends.
    assert_eq!(price(&book, &[("COFFEE", 1)], None, at, &[]).totals.total, m("3.20"));
    let january = Moment { day: "2027-01-04".parse().unwrap(), weekday: 1, minute: 720 };
    let p = price(&book, &[("COFFEE", 1)], Some("trade"), january, &[]);
    assert_eq!((p.totals.total, p.lines[0].price_list.clone()), (m("3.00"), None));
}

#[test]
fn lines_priced_by_hand_take_no_rule() {
    let book = PriceBook::new(lists(), vec![promo("ALL,Everything -50%,percent_off,,Bakery,,,50,,,,,,,,,,,")]);
    let mut lines = cart(&[("BAGUETTE", 2)]);
    lines[0].unit_price = m("0.80");
    lines[0].price_by_hand = true;
    let occasion = Occasion { store: "S01", group: None, at: tuesday(12, 0), coupons: &[] };
    book.apply(&mut lines, &[facts("BAGUETTE")], &occasion, RoundingMode::HalfUp);
    assert_eq!((lines[0].unit_price, lines[0].promotions.len()), (m("0.80"), 0));
}

#[test]
fn bad_promotion_files_name_every_bad_line_and_take_none() {
    let header = super::rules::PROMOTION_COLUMNS.join(",");
    let file = format!(
        "{header}\nOK1,Fine,percent_off,TEA,,,,10,,,,,,,,,,,\nBAD 1,Space in code,percent_off,TEA,,,,10,,,,,,,,,,,\n\
         P3,No targets,percent_off,,,,,10,,,,,,,,,,,\nP4,Too much,percent_off,TEA,,,,120,,,,,,,,,,,\n\
         P5,Odd hours,percent_off,TEA,,,,10,,,,,,,,19:00-17:00,,,\nP6,Which day,percent_off,TEA,,,,10,,,,,,,someday,,,,\n\
         P7,Uses without coupon,basket,,,,,10,,,,,,,,,,3,\nP8,Unknown,spin_wheel,TEA,,,,,,,,,,,,,,,\n\
         OK1,Twice,percent_off,TEA,,,,10,,,,,,,,,,,\nP9,Backwards,percent_off,TEA,,,,10,,,,,2026-12-31,2026-12-01,,,,,\n"
    );
    let errors = read_promotions(file.as_bytes()).unwrap_err();
    for (line, says) in [
        (3, "code"),
        (4, "needs products or categories"),
        (5, "percentage"),
        (6, "end before"),
        (7, "weekday"),
        (8, "coupon"),
        (9, "kind"),
        (10, "twice"),
        (11, "ends"),
    ] {
        assert!(
            errors.iter().any(|e| e.starts_with(&format!("line {line}:")) && e.contains(says)),
            "line {line} should say {says}: {errors:?}"
        );
    }
    assert_eq!(errors.len(), 9, "{errors:?}");
    assert!(read_promotions(b"code,name\nX,Y").is_err(), "the columns are checked");
}

/// The lines a till journals for a priced ticket.
fn journaled(lines: &[TicketLine], totals: &Totals) -> Vec<crate::journal::SaleLineRecord> {
    lines
        .iter()
        .zip(&totals.lines)
        .enumerate()
        .map(|(i, (l, p))| crate::journal::SaleLineRecord {
            line_no: i as u32 + 1,
            sku: l.sku.clone(),
            name: l.name.clone(),
            unit: l.unit,
            qty: l.qty,
            unit_price: l.unit_price,
            tax_rate: l.tax_rate,
            gross: p.gross,
            line_discount: p.line_discount,
            sale_discount: p.sale_discount,
            net: p.net,
            tax: p.tax,
            original_line: None,
            price_list: l.price_list.clone(),
            promotions: l.promotions.clone(),
            discount: l.discount,
            pack_size: l.pack_size,
        })
        .collect()
}

#[test]
fn head_office_prices_a_case_sold_at_its_own_price_again_as_the_till_did() {
    let book = book(&["CHEESE10,Cheese -10%,percent_off,CHEESE,,,,10,,,,,,,,,,,"]);
    // A case of 6 cheeses at 90.00 (not 6 x 18.00), and one cheese alone.
    let mut lines = cart(&[("CHEESE", 6), ("CHEESE", 1)]);
    (lines[0].unit_price, lines[0].pack_size) = (m("90.00"), Some(Quantity::new(6.into(), Unit::Each).unwrap()));
    let facts = vec![facts("CHEESE"), facts("CHEESE")];
    let occasion = Occasion { store: "S01", group: None, at: tuesday(12, 0), coupons: &[] };
    book.apply(&mut lines, &facts, &occasion, RoundingMode::HalfUp);
    let till = price_ticket(&lines, None, INCL).unwrap();
    assert_eq!(till.total, m("106.20"), "the case at its price, the promotion on the single cheese only");
    let mut again = lines_of_record(&journaled(&lines, &till), &facts);
    book.apply(&mut again, &facts, &occasion, RoundingMode::HalfUp);
    assert_eq!(price_ticket(&again, None, INCL).unwrap(), till);
}

fn arb_promotion() -> impl Strategy<Value = Promotion> {
    let skus = prop::sample::subsequence(vec!["COFFEE", "TEA", "BAGUETTE", "BREAD", "YOGURT", "WINE", "CHEESE"], 1..3);
    let categories = prop::sample::subsequence(vec!["Bakery", "Dairy", "Grocery"], 0..2);
    (0u8..5, skus, categories, 1u32..4, 1u32..3, 1u32..=100, 1i64..2000, any::<bool>(), 0u8..3).prop_map(
        |(kind, skus, categories, a, b, percent, amount, exclusive, n)| {
            let amount = Money::from_minor(amount).to_string();
            let mut fields = vec![String::new(); super::rules::PROMOTION_COLUMNS.len()];
            let mut set = |column: &str, value: String| {
                let at = super::rules::PROMOTION_COLUMNS.iter().position(|c| *c == column).unwrap();
                fields[at] = value;
            };
            set("code", format!("P{n}{kind}{}", amount.replace('.', "")));
            set("name", "Random".into());
            if kind < 4 {
                set("products", skus.join("|"));
                set("categories", categories.join("|"));
            }
            match kind {
                0 => {
                    set("kind", "buy_get".into());
                    set("buy", a.to_string());
                    set("get", b.to_string());
                    set("percent", percent.to_string());
                }
                1 => {
                    set("kind", "mix_match".into());
                    set("qty", (a + 1).to_string());
                    set("price", amount);
                }
                2 => {
                    set("kind", "percent_off".into());
                    set("percent", percent.to_string());
                }
                3 => {
                    set("kind", "amount_off".into());
                    set("amount", amount);
                }
                _ => {
                    set("kind", "basket".into());
                    set("percent", percent.to_string());
                    set("min_total", amount);
                }
            }
            set("exclusive", if exclusive { "yes" } else { "no" }.into());
            promo(&fields.join(","))
        },
    )
}

fn arb_cart() -> impl Strategy<Value = Vec<(usize, u32, Option<u32>)>> {
    prop::collection::vec((0usize..CATALOG.len(), 1u32..8, prop::option::of(1u32..30)), 1..12)
}

fn build(items: &[(usize, u32, Option<u32>)]) -> Vec<TicketLine> {
    items
        .iter()
        .map(|&(product, qty, manual)| {
            let sku = CATALOG[product].0;
            let mut line = cart(&[(sku, qty)]).remove(0);
            line.discount = manual.map(|p| Discount::Percent(p.into()));
            line
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_till_and_head_office_agree_in_any_scanning_order(
        promotions in prop::collection::vec(arb_promotion(), 0..6),
        items in arb_cart(),
        trade in any::<bool>(),
        rotate in 0usize..12,
    ) {
        let mut codes = std::collections::HashSet::new();
        let promotions: Vec<Promotion> = promotions.into_iter().filter(|p| codes.insert(p.code.clone())).collect();
        let book = PriceBook::new(lists(), promotions);
        let group = trade.then_some("trade");
        let occasion = Occasion { store: "S01", group, at: tuesday(12, 0), coupons: &[] };
        let price_all = |mut lines: Vec<TicketLine>| {
            let line_facts: Vec<ProductFacts> = lines.iter().map(|l| facts(&l.sku)).collect();
            book.apply(&mut lines, &line_facts, &occasion, RoundingMode::HalfUp);
            let totals = price_ticket(&lines, None, INCL);
            (lines, line_facts, totals)
        };
        let (lines, line_facts, totals) = price_all(build(&items));
        let Ok(totals) = totals else { return Ok(()) };
        // Every line's discounts add up, none below zero.
        for (line, priced) in lines.iter().zip(&totals.lines) {
            prop_assert!(line.promotion_discount() <= priced.line_discount);
            prop_assert_eq!(priced.gross - priced.line_discount - priced.sale_discount, priced.net);
            prop_assert!(!priced.net.is_negative(), "{line:?} {priced:?}");
        }
        // Another scanning order: the same total.
        let mut reordered = items.clone();
        reordered.reverse();
        let len = reordered.len();
        reordered.rotate_left(rotate % len);
        let (_, _, again) = price_all(build(&reordered));
        let again = again.expect("the same cart in another order prices too");
        prop_assert_eq!(again.total, totals.total);
        prop_assert_eq!(again.discount, totals.discount);
        // Head office reads the journaled lines back and prices them again.
        let records = journaled(&lines, &totals);
        let mut recomputed = lines_of_record(&records, &line_facts);
        book.apply(&mut recomputed, &line_facts, &occasion, RoundingMode::HalfUp);
        let server = price_ticket(&recomputed, None, INCL).expect("head office prices what the till priced");
        prop_assert_eq!(server, totals);
    }
}
