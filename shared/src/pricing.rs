//! Pricing a ticket: line amounts, line and sale discounts, tax per line and
//! per rate, totals, for tax-inclusive and tax-exclusive stores.
//!
//! Rules: every line amount is rounded to minor units by [`Money::round`]; a
//! sale discount is spread over the lines in proportion to their amounts by
//! largest remainder (ties broken by line content, never by position), so
//! totals do not depend on the order lines were scanned; tax is computed per
//! line and summed per rate.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::{Money, RoundingMode};
use crate::quantity::{Quantity, Unit};

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

/// Whether shelf prices include tax (EU retail) or tax is added (US).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaxMode {
    Inclusive,
    Exclusive,
}

/// A tax rate in percent, e.g. 20 or 5.5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct TaxRate(Decimal);

impl TaxRate {
    pub fn percent(self) -> Decimal {
        self.0
    }

    pub fn label(self) -> String {
        format!("{}%", self.0.normalize())
    }
}

impl TryFrom<Decimal> for TaxRate {
    type Error = PricingError;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        if value < Decimal::ZERO || value > HUNDRED || value.normalize().scale() > 3 {
            return Err(PricingError::Invalid(format!("tax rate {value}% must be 0 to 100")));
        }
        Ok(TaxRate(value.normalize()))
    }
}

impl From<TaxRate> for Decimal {
    fn from(rate: TaxRate) -> Decimal {
        rate.0
    }
}

impl FromStr for TaxRate {
    type Err = PricingError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim().trim_end_matches('%');
        let value = Decimal::from_str_exact(text)
            .map_err(|_| PricingError::Invalid(format!("tax rate “{s}” is not a percentage")))?;
        TaxRate::try_from(value)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    #[error("{0}")]
    Invalid(String),
    #[error("a discount of {discount} is more than the {amount} it applies to")]
    DiscountTooLarge { discount: Money, amount: Money },
}

/// A discount as typed: `10%` or `2.00`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Discount {
    Percent(Decimal),
    Amount(Money),
}

impl Discount {
    /// The discount on `amount`, rounded to minor units; never more than it.
    pub fn on(self, amount: Money, mode: RoundingMode) -> Result<Money, PricingError> {
        let discount = match self {
            Discount::Percent(p) => Money::round(amount.amount() * p / HUNDRED, mode),
            Discount::Amount(a) => a,
        };
        if discount > amount {
            return Err(PricingError::DiscountTooLarge { discount, amount });
        }
        Ok(discount)
    }

    /// This discount as a percentage of `amount` (for the manager limit).
    pub fn percent_of(self, amount: Money) -> Decimal {
        match self {
            Discount::Percent(p) => p,
            Discount::Amount(_) if amount.is_zero() => HUNDRED,
            Discount::Amount(a) => a.amount() * HUNDRED / amount.amount(),
        }
    }
}

impl FromStr for Discount {
    type Err = PricingError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || PricingError::Invalid(format!("discount “{s}” must look like 10% or 2.00"));
        let text = s.trim();
        if let Some(p) = text.strip_suffix('%') {
            let p = Decimal::from_str_exact(p.trim()).map_err(|_| bad())?;
            if p <= Decimal::ZERO || p > HUNDRED {
                return Err(PricingError::Invalid(format!("discount {p}% must be above 0 and at most 100")));
            }
            return Ok(Discount::Percent(p.normalize()));
        }
        let amount = Money::parse_non_negative(text).map_err(|_| bad())?;
        if amount.is_zero() {
            return Err(PricingError::Invalid("a discount of 0.00 is no discount".into()));
        }
        Ok(Discount::Amount(amount))
    }
}

impl fmt::Display for Discount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Discount::Percent(p) => write!(f, "{}%", p.normalize()),
            Discount::Amount(a) => write!(f, "{a}"),
        }
    }
}

/// One line of a ticket before pricing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketLine {
    pub sku: String,
    pub name: String,
    pub unit: Unit,
    pub qty: Quantity,
    pub unit_price: Money,
    pub tax_rate: TaxRate,
    pub discount: Option<Discount>,
    /// Set when the price embedded in a barcode fixes the line amount.
    pub fixed_amount: Option<Money>,
    /// The price list that set `unit_price`; none: the catalog's price.
    #[serde(default)]
    pub price_list: Option<String>,
    /// What promotions take off this line (set by the price book).
    #[serde(default)]
    pub promotions: Vec<PromotionShare>,
    /// A manager set the price by hand: no list or promotion touches it.
    #[serde(default)]
    pub price_by_hand: bool,
    /// Sold in packs of this many units at `unit_price` a pack (a case of
    /// 12 scanned by its own barcode); `qty` stays in units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pack_size: Option<Quantity>,
}

impl TicketLine {
    /// A line at `unit_price` with nothing set by rules or by hand yet.
    pub fn new(sku: &str, name: &str, unit: Unit, qty: Quantity, unit_price: Money, tax_rate: TaxRate) -> TicketLine {
        TicketLine {
            sku: sku.to_string(),
            name: name.to_string(),
            unit,
            qty,
            unit_price,
            tax_rate,
            discount: None,
            fixed_amount: None,
            price_list: None,
            promotions: Vec::new(),
            price_by_hand: false,
            pack_size: None,
        }
    }

    /// Whether price lists and promotions price this line: not one priced
    /// by hand, by its barcode, or by the pack.
    pub fn priced_by_rules(&self) -> bool {
        self.fixed_amount.is_none() && !self.price_by_hand && self.pack_size.is_none()
    }

    /// The line's amount before any discount: its barcode's price, packs at
    /// the pack's price, or units at the unit price.
    pub fn amount(&self, mode: RoundingMode) -> Money {
        match (self.fixed_amount, self.pack_size) {
            (Some(fixed), _) => fixed,
            (None, Some(pack)) if pack.milli() > 0 => {
                Money::round(self.unit_price.amount() * self.qty.value() / pack.value(), mode)
            }
            _ => Money::round(self.unit_price.amount() * self.qty.value(), mode),
        }
    }

    /// What promotions take off the line.
    pub fn promotion_discount(&self) -> Money {
        self.promotions.iter().map(|p| p.amount).sum()
    }
}

/// How a line sold by the pack reads: `2 x pack of 12 @ 40.00`.
pub fn packs_text(qty: Quantity, pack: Quantity, pack_price: Money) -> String {
    let packs = Quantity::from_milli(qty.milli() * 1000 / pack.milli().max(1));
    format!("{} x pack of {} @ {pack_price}", packs.display(), pack.display())
}

/// A promotion's discount on one line, named as the receipt shows it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PromotionShare {
    pub code: String,
    pub name: String,
    pub amount: Money,
    /// A basket promotion's share of this line: shown once for the whole
    /// sale, not under each line.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub basket: bool,
}

/// Each basket promotion of a sale's lines, with its whole amount, by code.
pub fn basket_promotions<'a>(lines: impl Iterator<Item = &'a [PromotionShare]>) -> Vec<(String, Money)> {
    let mut found: BTreeMap<&str, (String, Money)> = BTreeMap::new();
    for share in lines.flatten().filter(|s| s.basket) {
        found.entry(share.code.as_str()).or_insert_with(|| (share.name.clone(), Money::ZERO)).1 += share.amount;
    }
    found.into_values().collect()
}

/// The store's pricing settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricingRules {
    pub tax_mode: TaxMode,
    pub rounding: RoundingMode,
}

/// A line after pricing. `net` is in the store's price basis: tax included
/// for inclusive stores, before tax for exclusive ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    pub gross: Money,
    /// The line's promotions and its manual discount (taken off what the
    /// promotions leave).
    pub line_discount: Money,
    pub sale_discount: Money,
    pub net: Money,
    pub tax: Money,
}

/// Tax collected at one rate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxBand {
    pub rate: TaxRate,
    /// Amount before tax.
    pub base: Money,
    pub tax: Money,
}

impl TaxBand {
    /// A band with nothing in it yet.
    pub fn empty(rate: TaxRate) -> TaxBand {
        TaxBand { rate, base: Money::ZERO, tax: Money::ZERO }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub lines: Vec<PricedLine>,
    /// Sum of line amounts before any discount.
    pub subtotal: Money,
    /// Line and sale discounts together.
    pub discount: Money,
    pub taxes: Vec<TaxBand>,
    pub tax: Money,
    /// What the customer pays.
    pub total: Money,
}

/// Tax contained in (inclusive) or added to (exclusive) a line amount.
fn line_tax(net: Money, rate: TaxRate, rules: PricingRules) -> Money {
    let r = rate.percent();
    let tax = match rules.tax_mode {
        TaxMode::Inclusive => net.amount() * r / (HUNDRED + r),
        TaxMode::Exclusive => net.amount() * r / HUNDRED,
    };
    Money::round(tax, rules.rounding)
}

/// Splits `total` over `weights` in proportion, exactly, by largest
/// remainder; `tie_keys` order equal remainders so the result never depends
/// on the order of the weights.
pub fn allocate_proportionally<K: Ord>(total: Money, weights: &[Money], tie_keys: &[K]) -> Vec<Money> {
    let sum: i128 = weights.iter().map(|w| i128::from(w.minor())).sum();
    if sum == 0 {
        return vec![Money::ZERO; weights.len()];
    }
    // Exact shares as quotient and remainder over the same denominator, so
    // remainders order as the shares' fractions do.
    let total_minor = i128::from(total.minor());
    let exact: Vec<(i128, i128)> = weights
        .iter()
        .map(|w| {
            let scaled = total_minor * i128::from(w.minor());
            (scaled / sum, scaled % sum)
        })
        .collect();
    let mut minor: Vec<i64> = exact.iter().map(|e| i64::try_from(e.0).expect("bounded")).collect();
    let mut leftover = total.minor() - minor.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| (exact[b].1, weights[b], &tie_keys[b]).cmp(&(exact[a].1, weights[a], &tie_keys[a])));
    for &i in order.iter().cycle() {
        if leftover == 0 {
            break;
        }
        minor[i] += leftover.signum();
        leftover -= leftover.signum();
    }
    minor.into_iter().map(Money::from_minor).collect()
}

/// Prices a ticket; errors when a discount exceeds what it applies to.
pub fn price_ticket(
    lines: &[TicketLine],
    sale_discount: Option<Discount>,
    rules: PricingRules,
) -> Result<Totals, PricingError> {
    let mut gross = Vec::with_capacity(lines.len());
    let mut after_line = Vec::with_capacity(lines.len());
    let mut line_discounts = Vec::with_capacity(lines.len());
    for line in lines {
        let amount = line.amount(rules.rounding);
        let promoted = line.promotion_discount();
        if promoted > amount {
            return Err(PricingError::DiscountTooLarge { discount: promoted, amount });
        }
        let discount = promoted
            + match line.discount {
                Some(d) => d.on(amount - promoted, rules.rounding)?,
                None => Money::ZERO,
            };
        gross.push(amount);
        line_discounts.push(discount);
        after_line.push(amount - discount);
    }
    let after_sum: Money = after_line.iter().copied().sum();
    let sale_discount_total = match sale_discount {
        Some(d) => d.on(after_sum, rules.rounding)?,
        None => Money::ZERO,
    };
    let keys: Vec<(&str, TaxRate, Quantity)> = lines.iter().map(|l| (l.sku.as_str(), l.tax_rate, l.qty)).collect();
    let shares = allocate_proportionally(sale_discount_total, &after_line, &keys);

    let mut bands: BTreeMap<TaxRate, TaxBand> = BTreeMap::new();
    let mut priced = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let net = after_line[i] - shares[i];
        let tax = line_tax(net, line.tax_rate, rules);
        let base = match rules.tax_mode {
            TaxMode::Inclusive => net - tax,
            TaxMode::Exclusive => net,
        };
        let band = bands.entry(line.tax_rate).or_insert_with(|| TaxBand::empty(line.tax_rate));
        band.base += base;
        band.tax += tax;
        priced.push(PricedLine {
            gross: gross[i],
            line_discount: line_discounts[i],
            sale_discount: shares[i],
            net,
            tax,
        });
    }
    let tax: Money = priced.iter().map(|l| l.tax).sum();
    let net: Money = priced.iter().map(|l| l.net).sum();
    let total = match rules.tax_mode {
        TaxMode::Inclusive => net,
        TaxMode::Exclusive => net + tax,
    };
    Ok(Totals {
        subtotal: gross.iter().copied().sum(),
        discount: line_discounts.iter().copied().sum::<Money>() + sale_discount_total,
        taxes: bands.into_values().collect(),
        tax,
        total,
        lines: priced,
    })
}

mod book;
#[cfg(test)]
mod book_tests;
pub mod rules;
#[cfg(test)]
mod tests;

pub use book::{Occasion, PriceBook, ProductFacts, lines_of_record};
