//! Table and property tests of ticket pricing.

use super::*;
use proptest::prelude::*;
use rust_decimal_macros::dec;

fn line(sku: &str, qty: &str, unit: Unit, price: &str, rate: &str) -> TicketLine {
    TicketLine::new(sku, sku, unit, Quantity::parse(qty, unit).unwrap(), price.parse().unwrap(), rate.parse().unwrap())
}

const INCL: PricingRules = PricingRules { tax_mode: TaxMode::Inclusive, rounding: RoundingMode::HalfUp };
const EXCL: PricingRules = PricingRules { tax_mode: TaxMode::Exclusive, rounding: RoundingMode::HalfUp };

fn m(text: &str) -> Money {
    text.parse().unwrap()
}

struct Case {
    name: &'static str,
    lines: Vec<TicketLine>,
    sale_discount: Option<&'static str>,
    rules: PricingRules,
    want_total: &'static str,
    want_tax: &'static str,
    want_discount: &'static str,
}

fn check(case: Case) {
    let discount = case.sale_discount.map(|d| d.parse().unwrap());
    let totals = price_ticket(&case.lines, discount, case.rules).unwrap();
    assert_eq!(totals.total, m(case.want_total), "{}: total", case.name);
    assert_eq!(totals.tax, m(case.want_tax), "{}: tax", case.name);
    assert_eq!(totals.discount, m(case.want_discount), "{}: discount", case.name);
}

#[test]
fn pricing_table() {
    let mut discounted = line("MILK", "2", Unit::Each, "4.99", "5.5");
    discounted.discount = Some("10%".parse().unwrap());
    let mut embedded = line("CHEESE", "1", Unit::Each, "0", "5.5");
    embedded.fixed_amount = Some(m("7.43"));
    let cases = vec![
        Case {
            name: "inclusive single",
            lines: vec![line("A", "1", Unit::Each, "2.99", "20")],
            sale_discount: None,
            rules: INCL,
            want_total: "2.99",
            want_tax: "0.50",
            want_discount: "0",
        },
        Case {
            name: "exclusive US",
            lines: vec![line("A", "3", Unit::Each, "1.99", "8.875")],
            sale_discount: None,
            rules: EXCL,
            want_total: "6.50",
            want_tax: "0.53",
            want_discount: "0",
        },
        Case {
            name: "weighed",
            lines: vec![line("APPLE", "0.333", Unit::Kg, "3.99", "5.5")],
            sale_discount: None,
            rules: INCL,
            want_total: "1.33",
            want_tax: "0.07",
            want_discount: "0",
        },
        Case {
            name: "line discount",
            lines: vec![discounted],
            sale_discount: None,
            rules: INCL,
            want_total: "8.98",
            want_tax: "0.47",
            want_discount: "1.00",
        },
        Case {
            name: "embedded price",
            lines: vec![embedded],
            sale_discount: None,
            rules: INCL,
            want_total: "7.43",
            want_tax: "0.39",
            want_discount: "0",
        },
        Case {
            name: "sale discount spread over two rates",
            lines: vec![line("WINE", "1", Unit::Each, "10.00", "20"), line("BREAD", "1", Unit::Each, "5.00", "5.5")],
            sale_discount: Some("5.00"),
            rules: INCL,
            want_total: "10.00",
            want_tax: "1.28",
            want_discount: "5.00",
        },
        Case {
            name: "percent sale discount, exclusive",
            lines: vec![line("A", "1", Unit::Each, "10.00", "10"), line("B", "1", Unit::Each, "0.99", "0")],
            sale_discount: Some("10%"),
            rules: EXCL,
            want_total: "10.79",
            want_tax: "0.90",
            want_discount: "1.10",
        },
        Case {
            name: "empty ticket",
            lines: vec![],
            sale_discount: None,
            rules: INCL,
            want_total: "0",
            want_tax: "0",
            want_discount: "0",
        },
    ];
    for case in cases {
        check(case);
    }
}

#[test]
fn sale_discount_shares_follow_largest_remainder() {
    let lines = vec![line("WINE", "1", Unit::Each, "10.00", "20"), line("BREAD", "1", Unit::Each, "5.00", "5.5")];
    let totals = price_ticket(&lines, Some("5.00".parse().unwrap()), INCL).unwrap();
    let shares: Vec<String> = totals.lines.iter().map(|l| l.sale_discount.to_string()).collect();
    assert_eq!(shares, ["3.33", "1.67"]);
    assert_eq!(totals.taxes.len(), 2);
    assert_eq!(totals.taxes[0].rate.label(), "5.5%");
}

#[test]
fn discount_larger_than_amount_is_refused() {
    let lines = vec![line("A", "1", Unit::Each, "2.00", "20")];
    let err = price_ticket(&lines, Some("2.01".parse().unwrap()), INCL).unwrap_err();
    assert!(matches!(err, PricingError::DiscountTooLarge { .. }), "{err}");
}

#[test]
fn discount_and_rate_parsing() {
    assert_eq!("10%".parse::<Discount>().unwrap(), Discount::Percent(dec!(10)));
    assert_eq!("2.5".parse::<Discount>().unwrap(), Discount::Amount(m("2.50")));
    for bad in ["0%", "101%", "-1", "abc%", "0", "1.001"] {
        assert!(bad.parse::<Discount>().is_err(), "{bad}");
    }
    assert_eq!("5.5%".parse::<TaxRate>().unwrap().label(), "5.5%");
    assert!("120".parse::<TaxRate>().is_err());
}

fn arb_line() -> impl Strategy<Value = TicketLine> {
    (
        "[A-F]{1,3}",
        1i64..=50_000,
        1i64..=20,
        prop_oneof![Just("0"), Just("5.5"), Just("10"), Just("20")],
        prop::option::of(1i64..=50),
    )
        .prop_map(|(sku, price_minor, qty, rate, percent)| {
            let qty = Quantity::new(Decimal::from(qty), Unit::Each).unwrap();
            let mut line =
                TicketLine::new(&sku, &sku, Unit::Each, qty, Money::from_minor(price_minor), rate.parse().unwrap());
            line.discount = percent.map(|p| Discount::Percent(Decimal::from(p)));
            line
        })
}

proptest! {
    #[test]
    fn tax_breakdown_sums_to_tax_total(
        lines in prop::collection::vec(arb_line(), 0..12),
        sale_percent in prop::option::of(1i64..=40),
        exclusive in any::<bool>(),
    ) {
        let rules = if exclusive { EXCL } else { INCL };
        let discount = sale_percent.map(|p| Discount::Percent(Decimal::from(p)));
        let totals = price_ticket(&lines, discount, rules).unwrap();
        let band_tax: Money = totals.taxes.iter().map(|b| b.tax).sum();
        let band_base: Money = totals.taxes.iter().map(|b| b.base).sum();
        prop_assert_eq!(band_tax, totals.tax);
        prop_assert_eq!(band_base + band_tax, totals.total);
        prop_assert_eq!(totals.subtotal - totals.discount + if exclusive { totals.tax } else { Money::ZERO }, totals.total);
    }

    #[test]
    fn totals_do_not_depend_on_line_order(
        lines in prop::collection::vec(arb_line(), 1..10),
        sale_minor in 1i64..500,
        rotate in 0usize..10,
    ) {
        let discount = Some(Discount::Amount(Money::from_minor(sale_minor)));
        let mut reordered = lines.clone();
        reordered.reverse();
        let len = reordered.len();
        reordered.rotate_left(rotate % len);
        let a = price_ticket(&lines, discount, INCL);
        let b = price_ticket(&reordered, discount, INCL);
        match (a, b) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.total, b.total);
                prop_assert_eq!(a.tax, b.tax);
                prop_assert_eq!(a.taxes, b.taxes);
                prop_assert_eq!(a.discount, b.discount);
            }
            (Err(_), Err(_)) => {}
            (a, b) => prop_assert!(false, "one order priced, the other failed: {a:?} {b:?}"),
        }
    }

    #[test]
    fn allocation_is_exact(weights in prop::collection::vec(0i64..100_000, 1..20), total in 0i64..100_000) {
        let weights: Vec<Money> = weights.into_iter().map(Money::from_minor).collect();
        let keys: Vec<usize> = (0..weights.len()).collect();
        let sum: Money = weights.iter().copied().sum();
        prop_assume!(!sum.is_zero() && Money::from_minor(total) <= sum);
        let shares = allocate_proportionally(Money::from_minor(total), &weights, &keys);
        prop_assert_eq!(shares.iter().copied().sum::<Money>(), Money::from_minor(total));
        for (share, weight) in shares.iter().zip(&weights) {
            prop_assert!(share <= weight);
        }
    }
}
