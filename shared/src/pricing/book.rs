//! The price book: price lists and promotions indexed by product and
//! category, and [`PriceBook::apply`], which prices a cart's lines by them.
//! The till, head office's recomputation and the tests all call it.
//!
//! The rules, stated once (`docs/promotions.md` says them to people):
//! - A line's price is set by the most specific list that prices it today
//!   at the cart's quantity of the product (a list for the customer's group
//!   beats one for the store, which beats one for everyone; the catalog's
//!   price when none does); among equally specific ones the lowest price,
//!   then the list's name, wins.
//! - Item promotions (buy X get Y, mix and match, percent or amount off)
//!   claim the units they discount, and a unit is discounted by one item
//!   promotion at most: the promotion worth most to the customer on what
//!   is still unclaimed goes first (ties: the lower code), and so on.
//! - Basket promotions then take their part off what is left, in code
//!   order, each on the amount after item promotions, never below zero.
//! - An exclusive promotion never combines with another: the engine prices
//!   the sale with each exclusive one alone and with all the others
//!   together, and keeps what costs the customer least (ties: the others
//!   together, then the lower code).
//! - Lines whose price was set by hand, by a price barcode or by a pack's
//!   own price take no list price and no promotion. Nothing depends on the
//!   order of the lines.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use super::rules::{Moment, PriceList, Promotion, PromotionKind};
use super::{PromotionShare, TicketLine, allocate_proportionally};
use crate::money::{Money, RoundingMode};

/// What the catalog says of a line's product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductFacts {
    pub price: Money,
    pub category: String,
}

/// Who buys, where and when, with the coupons they gave.
#[derive(Clone, Copy, Debug)]
pub struct Occasion<'a> {
    pub store: &'a str,
    pub group: Option<&'a str>,
    pub at: Moment,
    pub coupons: &'a [String],
}

/// A list's price for a product from a quantity on.
#[derive(Clone, Copy, Debug)]
struct Break {
    list: usize,
    min_milli: i64,
    price: Money,
}

/// Price lists and promotions, indexed for pricing carts.
#[derive(Clone, Debug, Default)]
pub struct PriceBook {
    lists: Vec<PriceList>,
    breaks: HashMap<String, Vec<Break>>,
    promotions: Vec<Promotion>,
    by_sku: HashMap<String, Vec<usize>>,
    by_category: HashMap<String, Vec<usize>>,
    everywhere: Vec<usize>,
}

impl PriceBook {
    pub fn new(lists: Vec<PriceList>, mut promotions: Vec<Promotion>) -> PriceBook {
        promotions.sort_by(|a, b| a.code.cmp(&b.code));
        let mut book = PriceBook { promotions, ..PriceBook::default() };
        for (list, price_list) in lists.iter().enumerate() {
            for p in &price_list.prices {
                let entry = Break { list, min_milli: p.min_milli, price: p.price };
                book.breaks.entry(p.sku.clone()).or_default().push(entry);
            }
        }
        book.lists = lists;
        for (i, promotion) in book.promotions.iter().enumerate() {
            if promotion.targets_everything() {
                book.everywhere.push(i);
            }
            for sku in &promotion.skus {
                book.by_sku.entry(sku.clone()).or_default().push(i);
            }
            for category in &promotion.categories {
                book.by_category.entry(category.clone()).or_default().push(i);
            }
        }
        book
    }

    pub fn is_empty(&self) -> bool {
        self.lists.is_empty() && self.promotions.is_empty()
    }

    /// The promotion a coupon code opens, if any.
    pub fn coupon(&self, code: &str) -> Option<&Promotion> {
        let code = code.trim().to_uppercase();
        self.promotions.iter().find(|p| p.coupon.as_deref() == Some(code.as_str()))
    }

    /// The list price of `sku` for `milli` thousandths on this occasion,
    /// with the list's name; none when no list prices it.
    pub fn list_price(&self, sku: &str, milli: i64, occasion: &Occasion<'_>) -> Option<(Money, &str)> {
        let breaks = self.breaks.get(sku)?;
        breaks
            .iter()
            .filter(|b| b.min_milli <= milli)
            .map(|b| (b, &self.lists[b.list]))
            .filter(|(_, list)| list.applies(occasion.store, occasion.group, occasion.at.day))
            .min_by(|(a, la), (b, lb)| {
                (lb.specificity(), a.price, &la.name).cmp(&(la.specificity(), b.price, &lb.name))
            })
            .map(|(b, list)| (b.price, list.name.as_str()))
    }

    /// Sets each line's price from the lists and its promotions from the
    /// promotions; `facts` is the catalog's word on each line's product.
    pub fn apply(&self, lines: &mut [TicketLine], facts: &[ProductFacts], occasion: &Occasion<'_>, mode: RoundingMode) {
        let priced: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].priced_by_rules()).collect();
        let mut milli_of: HashMap<&str, i64> = HashMap::new();
        for &i in &priced {
            *milli_of.entry(lines[i].sku.as_str()).or_default() += lines[i].qty.milli();
        }
        let list_prices: Vec<(usize, Option<(Money, String)>)> = priced
            .iter()
            .map(|&i| {
                let found = self.list_price(&lines[i].sku, milli_of[lines[i].sku.as_str()], occasion);
                (i, found.map(|(price, name)| (price, name.to_string())))
            })
            .collect();
        for line in lines.iter_mut() {
            line.promotions.clear();
        }
        for (i, found) in list_prices {
            let line = &mut lines[i];
            (line.unit_price, line.price_list) = match found {
                Some((price, name)) => (price, Some(name)),
                None => (facts[i].price, None),
            };
        }
        let cart = Units::of(lines, &priced, mode);
        let targets = self.candidates(&cart, lines, facts, occasion);
        let outcome = self.best(&cart, &targets);
        for (line, mut shares) in outcome.shares.into_iter().enumerate() {
            shares.sort_by_key(|s| s.0);
            lines[line].promotions = shares
                .into_iter()
                .filter(|(_, amount)| !amount.is_zero())
                .map(|(p, amount)| {
                    let promotion = &self.promotions[p];
                    PromotionShare {
                        code: promotion.code.clone(),
                        name: promotion.name.clone(),
                        amount,
                        basket: promotion.kind.is_basket(),
                    }
                })
                .collect();
        }
    }

    /// The promotions that could touch this cart today, in code order,
    /// each with the lines it targets (in canonical order), found through
    /// the indexes rather than by comparing every line with every promotion.
    fn candidates(
        &self,
        cart: &Units,
        lines: &[TicketLine],
        facts: &[ProductFacts],
        occasion: &Occasion<'_>,
    ) -> Targets {
        let mut found: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &i in &cart.order {
            let by_sku = self.by_sku.get(&lines[i].sku).into_iter().flatten();
            let by_category = self.by_category.get(&facts[i].category).into_iter().flatten();
            for &p in by_sku.chain(by_category).chain(&self.everywhere) {
                let targeted = found.entry(p).or_default();
                if targeted.last() != Some(&i) {
                    targeted.push(i);
                }
            }
        }
        let coupons: Vec<String> = occasion.coupons.iter().map(|c| c.trim().to_uppercase()).collect();
        found.retain(|&p, _| {
            let promotion = &self.promotions[p];
            promotion.window.contains(occasion.at) && promotion.coupon.as_ref().is_none_or(|c| coupons.contains(c))
        });
        Targets(found.into_iter().collect())
    }

    /// The cheapest outcome for the customer under the exclusivity rule.
    fn best(&self, cart: &Units, targets: &Targets) -> Outcome {
        let candidates: Vec<usize> = targets.0.iter().map(|t| t.0).collect();
        let (exclusive, combined): (Vec<usize>, Vec<usize>) =
            candidates.iter().partition(|&&p| self.promotions[p].exclusive);
        let mut best = self.evaluate(cart, &combined, targets);
        for p in exclusive {
            let alone = self.evaluate(cart, &[p], targets);
            if alone.total > best.total {
                best = alone;
            }
        }
        best
    }

    /// Item promotions greedily, then basket promotions, in code order.
    fn evaluate(&self, cart: &Units, promotions: &[usize], targets: &Targets) -> Outcome {
        let mut outcome = Outcome { shares: vec![Vec::new(); cart.amount.len()], total: Money::ZERO };
        let mut free = cart.count.clone();
        let (baskets, items): (Vec<usize>, Vec<usize>) =
            promotions.iter().partition(|&&p| self.promotions[p].kind.is_basket());
        // Each item promotion's claim on what is free, worked out again
        // only when a chosen one took units of its lines.
        let mut claims: Vec<Option<Claim>> =
            items.iter().map(|&p| Some(self.claim(p, cart, &free, targets.of(p)))).collect();
        let mut touched = vec![false; cart.amount.len()];
        loop {
            let mut best: Option<usize> = None;
            for (at, claim) in claims.iter().enumerate() {
                let Some(claim) = claim else { continue };
                let to_beat = best.and_then(|b| claims[b].as_ref()).map_or(Money::ZERO, |b| b.total);
                if claim.total > to_beat {
                    best = Some(at);
                }
            }
            let Some(at) = best else { break };
            let claim = claims[at].take().expect("the best claim is there");
            touched.iter_mut().for_each(|t| *t = false);
            for &(line, units) in &claim.units {
                free[line] -= units;
                touched[line] = true;
            }
            outcome.add(items[at], claim.discounts);
            for (k, slot) in claims.iter_mut().enumerate() {
                if slot.is_some() && targets.of(items[k]).iter().any(|&line| touched[line]) {
                    *slot = Some(self.claim(items[k], cart, &free, targets.of(items[k])));
                }
            }
        }
        let mut left: Vec<Money> =
            (0..cart.amount.len()).map(|i| cart.amount[i] - outcome.shares[i].iter().map(|s| s.1).sum()).collect();
        let after_items = left.clone();
        for p in baskets {
            let promotion = &self.promotions[p];
            let PromotionKind::Basket { min_total, off } = &promotion.kind else { continue };
            let mut weights = vec![Money::ZERO; left.len()];
            let mut base = Money::ZERO;
            for &i in targets.of(p) {
                weights[i] = left[i];
                base += after_items[i];
            }
            let room: Money = weights.iter().copied().sum();
            if base.is_zero() || base < *min_total {
                continue;
            }
            let discount = off.on(base, cart.mode).unwrap_or(base).min(room);
            let shares = allocate_proportionally(discount, &weights, &cart.rank);
            for (i, share) in shares.iter().enumerate() {
                left[i] -= *share;
            }
            outcome.add(p, shares.into_iter().enumerate().collect());
        }
        outcome
    }

    /// What item promotion `p` would take off the units still free.
    fn claim(&self, p: usize, cart: &Units, free: &[u32], targets: &[usize]) -> Claim {
        let promotion = &self.promotions[p];
        let lines: Vec<usize> = targets.iter().copied().filter(|&i| free[i] > 0).collect();
        let mut claim = Claim::default();
        let hundred = Decimal::ONE_HUNDRED;
        match &promotion.kind {
            PromotionKind::PercentOff { percent } => {
                for i in lines {
                    let base = cart.part(i, free[i]);
                    claim.take(i, free[i], Money::round(base.amount() * percent / hundred, cart.mode));
                }
            }
            PromotionKind::AmountOff { amount } => {
                for i in lines {
                    let per_unit = (*amount).min(cart.unit_price[i]);
                    let qty = if cart.measured[i] { cart.qty[i] } else { Decimal::from(free[i]) };
                    let off = Money::round(per_unit.amount() * qty, cart.mode).min(cart.part(i, free[i]));
                    claim.take(i, free[i], off);
                }
            }
            PromotionKind::BuyGet { buy, get, percent } => {
                let units = cart.pieces(&lines, free);
                let group = (buy + get) as usize;
                for chunk in units.chunks_exact(group) {
                    for (n, &(line, price)) in chunk.iter().enumerate() {
                        let off = if n >= *buy as usize { price.amount() * percent / hundred } else { Decimal::ZERO };
                        claim.take(line, 1, Money::round(off, cart.mode));
                    }
                }
            }
            PromotionKind::MixMatch { qty, price } => {
                let units = cart.pieces(&lines, free);
                for chunk in units.chunks_exact(*qty as usize) {
                    let prices: Vec<Money> = chunk.iter().map(|u| u.1).collect();
                    let sum: Money = prices.iter().copied().sum();
                    if sum <= *price {
                        break;
                    }
                    let keys: Vec<usize> = chunk.iter().map(|u| cart.rank[u.0]).collect();
                    for (unit, off) in chunk.iter().zip(allocate_proportionally(sum - *price, &prices, &keys)) {
                        claim.take(unit.0, 1, off);
                    }
                }
            }
            PromotionKind::Basket { .. } => {}
        }
        claim
    }
}

/// The cart as the engine sees it: its lines priced by rules, in an order
/// that does not depend on scanning, with their units.
struct Units {
    /// Indexes of the lines priced by rules, in canonical order.
    order: Vec<usize>,
    /// Each line's place in that order (for ties), by line index.
    rank: Vec<usize>,
    count: Vec<u32>,
    measured: Vec<bool>,
    qty: Vec<Decimal>,
    unit_price: Vec<Money>,
    amount: Vec<Money>,
    mode: RoundingMode,
}

impl Units {
    fn of(lines: &[TicketLine], priced: &[usize], mode: RoundingMode) -> Units {
        let mut order = priced.to_vec();
        order.sort_by(|&a, &b| line_key(&lines[a]).cmp(&line_key(&lines[b])).then(a.cmp(&b)));
        let mut rank = vec![usize::MAX; lines.len()];
        for (place, &i) in order.iter().enumerate() {
            rank[i] = place;
        }
        let in_rules = |i: usize| rank[i] != usize::MAX;
        let count = (0..lines.len())
            .map(|i| match (in_rules(i), lines[i].unit.is_measured()) {
                (false, _) => 0,
                (true, true) => 1,
                (true, false) => u32::try_from(lines[i].qty.milli() / 1000).unwrap_or(0),
            })
            .collect();
        let amount =
            lines.iter().enumerate().map(|(i, l)| if in_rules(i) { l.amount(mode) } else { Money::ZERO }).collect();
        Units {
            rank,
            order,
            count,
            measured: lines.iter().map(|l| l.unit.is_measured()).collect(),
            qty: lines.iter().map(|l| l.qty.value()).collect(),
            unit_price: lines.iter().map(|l| l.unit_price).collect(),
            amount,
            mode,
        }
    }

    /// The amount of `units` free units of a line (all of a measured line).
    fn part(&self, line: usize, units: u32) -> Money {
        if self.measured[line] {
            self.amount[line]
        } else {
            Money::from_minor(self.unit_price[line].minor() * i64::from(units))
        }
    }

    /// The free pieces of `lines`, dearest first (ties in canonical order).
    fn pieces(&self, lines: &[usize], free: &[u32]) -> Vec<(usize, Money)> {
        let mut units: Vec<(usize, Money)> = lines
            .iter()
            .filter(|&&i| !self.measured[i])
            .flat_map(|&i| std::iter::repeat_n((i, self.unit_price[i]), free[i] as usize))
            .collect();
        units.sort_by(|a, b| b.1.cmp(&a.1).then(self.rank[a.0].cmp(&self.rank[b.0])));
        units
    }
}

/// The lines each candidate promotion targets, by promotion, sorted.
struct Targets(Vec<(usize, Vec<usize>)>);

impl Targets {
    fn of(&self, promotion: usize) -> &[usize] {
        let at = self.0.binary_search_by_key(&promotion, |t| t.0).expect("a candidate");
        &self.0[at].1
    }
}

/// What orders lines whatever order they were scanned in: product, price,
/// quantity, then the manual discount (percentages before amounts).
fn line_key(line: &TicketLine) -> (&str, Money, crate::quantity::Quantity, Option<(u8, Decimal)>) {
    let discount = line.discount.map(|d| match d {
        super::Discount::Percent(p) => (0, p),
        super::Discount::Amount(a) => (1, a.amount()),
    });
    (line.sku.as_str(), line.unit_price, line.qty, discount)
}

/// What one item promotion would take: units per line and their discount.
#[derive(Default)]
struct Claim {
    units: Vec<(usize, u32)>,
    discounts: Vec<(usize, Money)>,
    total: Money,
}

impl Claim {
    fn take(&mut self, line: usize, units: u32, discount: Money) {
        self.units.push((line, units));
        self.discounts.push((line, discount));
        self.total += discount;
    }
}

/// Each line's discounts by promotion, and their total.
struct Outcome {
    shares: Vec<Vec<(usize, Money)>>,
    total: Money,
}

impl Outcome {
    fn add(&mut self, promotion: usize, discounts: Vec<(usize, Money)>) {
        for (line, amount) in discounts {
            self.total += amount;
            let shares = &mut self.shares[line];
            match shares.iter_mut().find(|s| s.0 == promotion) {
                Some(share) => share.1 += amount,
                None => shares.push((promotion, amount)),
            }
        }
    }
}

/// The ticket lines a recorded sale was priced from, as head office reads
/// them back from the journal: each line's manual discount as it was given
/// (else what its discount holds beyond its promotions), a line sold by
/// the pack keeps its pack, and a line priced neither by a list, nor by
/// the pack, nor at the catalog's price was priced by hand (or by its
/// barcode).
pub fn lines_of_record(record: &[crate::journal::SaleLineRecord], facts: &[ProductFacts]) -> Vec<TicketLine> {
    record
        .iter()
        .zip(facts)
        .map(|(line, fact)| {
            let mut ticket =
                TicketLine::new(&line.sku, &line.name, line.unit, line.qty, line.unit_price, line.tax_rate);
            let manual = line.line_discount - line.promotion_discount();
            ticket.discount = line.discount.or((!manual.is_zero()).then_some(super::Discount::Amount(manual)));
            ticket.pack_size = line.pack_size;
            ticket.price_by_hand =
                line.price_list.is_none() && line.pack_size.is_none() && line.unit_price != fact.price;
            ticket
        })
        .collect()
}
