//! Head office's price rules as the pricing engine reads them: price lists
//! (per store, per customer group, with validity dates and quantity breaks)
//! and promotions (their kind, what they apply to, when, by coupon, and
//! whether they combine), with the promotion file's parser
//! (`docs/promotions.md`).

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::{Discount, PricingError};
use crate::money::Money;

fn invalid(message: String) -> PricingError {
    PricingError::Invalid(message)
}

/// A calendar day, `YYYY-MM-DD`, held as the number `YYYYMMDD` so days
/// compare as numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(u32);

impl Day {
    pub fn new(year: u32, month: u32, day: u32) -> Result<Day, PricingError> {
        if !(2000..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return Err(invalid(format!("{year:04}-{month:02}-{day:02} is not a day")));
        }
        Ok(Day(year * 10_000 + month * 100 + day))
    }
}

impl FromStr for Day {
    type Err = PricingError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || invalid(format!("“{s}” is not a day like 2026-12-24"));
        let parts: Vec<&str> = s.trim().split('-').collect();
        let [y, m, d] = parts.as_slice() else { return Err(bad()) };
        let number = |t: &str| t.parse::<u32>().map_err(|_| bad());
        Day::new(number(y)?, number(m)?, number(d)?)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.0 / 10_000, self.0 / 100 % 100, self.0 % 100)
    }
}

/// The local moment a cart is priced at: its day, weekday (1 Monday to 7
/// Sunday) and minute of the day. The caller reads the clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Moment {
    pub day: Day,
    pub weekday: u8,
    pub minute: u16,
}

/// From `from` to `to` (both days included, either open).
fn within(day: Day, from: Option<Day>, to: Option<Day>) -> bool {
    from.is_none_or(|f| day >= f) && to.is_none_or(|t| day <= t)
}

/// A price list: prices that replace the catalog's for one store, one
/// customer group, or both, between two days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceList {
    pub name: String,
    pub store: Option<String>,
    pub group: Option<String>,
    pub from: Option<Day>,
    pub to: Option<Day>,
    pub prices: Vec<ListPrice>,
}

/// A product's price on a list from a quantity on (thousandths; 1,000 for
/// the first piece).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListPrice {
    pub sku: String,
    pub min_milli: i64,
    pub price: Money,
}

impl PriceList {
    /// Whether the list prices for `store` and `group` on `day`.
    pub fn applies(&self, store: &str, group: Option<&str>, day: Day) -> bool {
        self.store.as_deref().is_none_or(|s| s == store)
            && self.group.as_deref().is_none_or(|g| Some(g) == group)
            && within(day, self.from, self.to)
    }

    /// How specific the list is: a group's list beats a store's, which
    /// beats one for everyone.
    pub fn specificity(&self) -> u8 {
        u8::from(self.store.is_some()) + 2 * u8::from(self.group.is_some())
    }
}

/// What a promotion does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromotionKind {
    /// Of every `buy + get` units, the `get` cheapest are `percent` off
    /// (100: free).
    BuyGet { buy: u32, get: u32, percent: Decimal },
    /// Any `qty` units of the targets together for `price`.
    MixMatch { qty: u32, price: Money },
    /// `percent` off every unit of the targets.
    PercentOff { percent: Decimal },
    /// `amount` off every unit (or kilogram) of the targets.
    AmountOff { amount: Money },
    /// Off the basket (its targets' part) once it reaches `min_total`.
    Basket { min_total: Money, off: Discount },
}

impl PromotionKind {
    pub fn name(&self) -> &'static str {
        match self {
            PromotionKind::BuyGet { .. } => "buy_get",
            PromotionKind::MixMatch { .. } => "mix_match",
            PromotionKind::PercentOff { .. } => "percent_off",
            PromotionKind::AmountOff { .. } => "amount_off",
            PromotionKind::Basket { .. } => "basket",
        }
    }

    /// Item promotions claim the units they discount; a basket promotion
    /// discounts what is left after them.
    pub fn is_basket(&self) -> bool {
        matches!(self, PromotionKind::Basket { .. })
    }
}

/// When a promotion runs: between two days, on some weekdays, between two
/// times of the day.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Window {
    pub from: Option<Day>,
    pub to: Option<Day>,
    /// Bit 0 Monday to bit 6 Sunday; 0 means every day.
    pub weekdays: u8,
    /// Minutes of the day, start included, end not.
    pub hours: Option<(u16, u16)>,
}

impl Window {
    pub fn contains(&self, at: Moment) -> bool {
        within(at.day, self.from, self.to)
            && (self.weekdays == 0 || self.weekdays & (1 << (at.weekday - 1)) != 0)
            && self.hours.is_none_or(|(start, end)| at.minute >= start && at.minute < end)
    }
}

/// A promotion as head office defines it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Promotion {
    pub code: String,
    pub name: String,
    pub kind: PromotionKind,
    /// Products it applies to; with `categories` empty too, everything.
    pub skus: Vec<String>,
    pub categories: Vec<String>,
    pub window: Window,
    /// The code a customer gives for it; none: it applies by itself.
    pub coupon: Option<String>,
    /// How many sales may use its coupon, over all stores (head office
    /// counts and flags any beyond).
    pub uses: Option<u32>,
    /// Never combined with another promotion on the same sale.
    pub exclusive: bool,
}

impl Promotion {
    pub fn targets_everything(&self) -> bool {
        self.skus.is_empty() && self.categories.is_empty()
    }
}

/// The promotion file's columns, in order (`docs/promotions.md`).
pub const PROMOTION_COLUMNS: [&str; 19] = [
    "code",
    "name",
    "kind",
    "products",
    "categories",
    "buy",
    "get",
    "percent",
    "amount",
    "qty",
    "price",
    "min_total",
    "from",
    "to",
    "days",
    "hours",
    "coupon",
    "uses",
    "exclusive",
];

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn weekday_index(name: &str) -> Result<u8, PricingError> {
    let name = name.trim().to_ascii_lowercase();
    WEEKDAYS
        .iter()
        .position(|d| name.starts_with(d))
        .map(|i| i as u8)
        .ok_or_else(|| invalid(format!("“{name}” is not a weekday (mon ... sun)")))
}

/// `mon-fri`, `sat|sun`, `mon|wed-fri`, or empty for every day.
fn parse_weekdays(text: &str) -> Result<u8, PricingError> {
    let mut mask = 0u8;
    for part in text.split('|').map(str::trim).filter(|p| !p.is_empty()) {
        let (first, last) = match part.split_once('-') {
            Some((a, b)) => (weekday_index(a)?, weekday_index(b)?),
            None => (weekday_index(part)?, weekday_index(part)?),
        };
        if last < first {
            return Err(invalid(format!("days “{part}” run backwards")));
        }
        (first..=last).for_each(|d| mask |= 1 << d);
    }
    Ok(mask)
}

fn parse_minute(text: &str) -> Result<u16, PricingError> {
    let bad = || invalid(format!("“{text}” is not a time like 17:00"));
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 24 || m > 59 || h * 60 + m > 24 * 60 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// `17:00-19:00`, or empty for all day.
fn parse_hours(text: &str) -> Result<Option<(u16, u16)>, PricingError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let (a, b) = text.split_once('-').ok_or_else(|| invalid(format!("hours “{text}” must look like 17:00-19:00")))?;
    let (start, end) = (parse_minute(a)?, parse_minute(b)?);
    if end <= start {
        return Err(invalid(format!("hours “{text}” end before they start")));
    }
    Ok(Some((start, end)))
}

fn list(text: &str) -> Vec<String> {
    text.split('|').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect()
}

fn optional<T>(text: &str, parse: impl Fn(&str) -> Result<T, PricingError>) -> Result<Option<T>, PricingError> {
    let text = text.trim();
    if text.is_empty() { Ok(None) } else { parse(text).map(Some) }
}

fn required<T>(
    fields: &Fields<'_>,
    column: &str,
    parse: impl Fn(&str) -> Result<T, PricingError>,
) -> Result<T, PricingError> {
    optional(fields.get(column), parse)?
        .ok_or_else(|| invalid(format!("a {} promotion needs “{column}”", fields.get("kind"))))
}

fn whole(text: &str) -> Result<u32, PricingError> {
    match text.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(invalid(format!("“{text}” is not a whole number above 0"))),
    }
}

fn percent(text: &str) -> Result<Decimal, PricingError> {
    match Decimal::from_str_exact(text.trim_end_matches('%')) {
        Ok(p) if p > Decimal::ZERO && p <= Decimal::ONE_HUNDRED => Ok(p.normalize()),
        _ => Err(invalid(format!("“{text}” is not a percentage above 0 and at most 100"))),
    }
}

fn amount(text: &str) -> Result<Money, PricingError> {
    Money::parse_non_negative(text).map_err(|_| invalid(format!("“{text}” is not an amount like 2.50")))
}

/// One row's fields by column name.
struct Fields<'a>(&'a [&'a str]);

impl Fields<'_> {
    fn get(&self, column: &str) -> &str {
        let index = PROMOTION_COLUMNS.iter().position(|c| *c == column).expect("a known column");
        self.0.get(index).map_or("", |f| f.trim())
    }
}

/// The coupon, its allowed uses and whether it is exclusive.
fn parse_terms(fields: &Fields<'_>) -> Result<(Option<String>, Option<u32>, bool), PricingError> {
    let coupon = optional(fields.get("coupon"), |c| Ok(c.to_uppercase()))?;
    let uses = optional(fields.get("uses"), whole)?;
    let exclusive = match fields.get("exclusive").to_ascii_lowercase().as_str() {
        "" | "no" => false,
        "yes" => true,
        other => return Err(invalid(format!("exclusive “{other}” must be yes or no"))),
    };
    if uses.is_some() && coupon.is_none() {
        return Err(invalid("“uses” counts a coupon's uses: give the coupon too".into()));
    }
    Ok((coupon, uses, exclusive))
}

/// A promotion from one row of the promotion file, in
/// [`PROMOTION_COLUMNS`] order.
pub fn parse_promotion(row: &[&str]) -> Result<Promotion, PricingError> {
    let fields = Fields(row);
    let code = fields.get("code").to_uppercase();
    if code.is_empty() || code.len() > 40 || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(invalid(format!("code “{code}” must be 1 to 40 letters, digits, - or _")));
    }
    let name = fields.get("name");
    if name.is_empty() || name.chars().count() > 60 {
        return Err(invalid("a promotion needs a name of at most 60 characters".into()));
    }
    let kind = match fields.get("kind") {
        "buy_get" => PromotionKind::BuyGet {
            buy: required(&fields, "buy", whole)?,
            get: required(&fields, "get", whole)?,
            percent: optional(fields.get("percent"), percent)?.unwrap_or(Decimal::ONE_HUNDRED),
        },
        "mix_match" => {
            let qty = required(&fields, "qty", whole)?;
            if qty < 2 {
                return Err(invalid("a mix and match needs a qty of at least 2".into()));
            }
            PromotionKind::MixMatch { qty, price: required(&fields, "price", amount)? }
        }
        "percent_off" => PromotionKind::PercentOff { percent: required(&fields, "percent", percent)? },
        "amount_off" => PromotionKind::AmountOff { amount: required(&fields, "amount", amount)? },
        "basket" => {
            let off = match (optional(fields.get("percent"), percent)?, optional(fields.get("amount"), amount)?) {
                (Some(p), None) => Discount::Percent(p),
                (None, Some(a)) if !a.is_zero() => Discount::Amount(a),
                _ => return Err(invalid("a basket promotion takes either “percent” or “amount”".into())),
            };
            PromotionKind::Basket { min_total: optional(fields.get("min_total"), amount)?.unwrap_or_default(), off }
        }
        other => {
            return Err(invalid(format!(
                "kind “{other}” is not one of buy_get, mix_match, percent_off, amount_off, basket"
            )));
        }
    };
    let window = Window {
        from: optional(fields.get("from"), str::parse)?,
        to: optional(fields.get("to"), str::parse)?,
        weekdays: parse_weekdays(fields.get("days"))?,
        hours: parse_hours(fields.get("hours"))?,
    };
    if let (Some(from), Some(to)) = (window.from, window.to)
        && to < from
    {
        return Err(invalid(format!("it ends ({to}) before it starts ({from})")));
    }
    let (coupon, uses, exclusive) = parse_terms(&fields)?;
    let (skus, categories) = (list(fields.get("products")), list(fields.get("categories")));
    if !kind.is_basket() && skus.is_empty() && categories.is_empty() {
        return Err(invalid(format!("a {} promotion needs products or categories", kind.name())));
    }
    Ok(Promotion { code, name: name.to_string(), kind, skus, categories, window, coupon, uses, exclusive })
}

/// Every promotion of a promotion file (a header line, then one per row),
/// with its row's fields; every bad row is named, by line, and then none
/// is taken.
pub fn read_promotions(csv_bytes: &[u8]) -> Result<Vec<(Promotion, Vec<String>)>, Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(csv_bytes);
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_ascii_lowercase()).collect(),
        Err(e) => return Err(vec![format!("line 1: {e}")]),
    };
    if header != PROMOTION_COLUMNS {
        return Err(vec![format!("line 1: the columns must be {}", PROMOTION_COLUMNS.join(","))]);
    }
    let (mut found, mut errors) = (Vec::new(), Vec::new());
    let mut codes = std::collections::HashSet::new();
    for record in reader.records() {
        let result = record.map_err(|e| e.to_string()).and_then(|r| {
            let line = r.position().map_or(0, |p| p.line());
            let fields: Vec<&str> = r.iter().collect();
            let row = fields.iter().map(|f| f.trim().to_string()).collect();
            parse_promotion(&fields).map_err(|e| format!("line {line}: {e}")).and_then(|p| {
                match codes.insert(p.code.clone()) {
                    true => Ok((p, row)),
                    false => Err(format!("line {line}: {} is there twice", p.code)),
                }
            })
        });
        match result {
            Ok(p) => found.push(p),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(found) } else { Err(errors) }
}
