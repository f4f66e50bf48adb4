//! A store's day as the books want it: net sales and tax per rate, money
//! taken per tender, refunds, cash rounding and variance, cost of goods sold
//! and stock moving in and out, turned into balanced double-entry lines on
//! account codes the business sets.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::pricing::TaxBand;
use crate::tender::{Tender, TenderKind};

/// Account codes; every field has a default (a French chart of accounts),
/// and sales and VAT can have a code per tax rate (`"5.5" = "70711"`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Accounts {
    pub cash: String,
    pub card: String,
    pub other: String,
    pub prepaid: String,
    /// Customers' accounts: sales on account, less what they paid.
    pub customer_accounts: String,
    /// What gift cards and store credit still owe their holders.
    pub gift_cards: String,
    pub sales: String,
    pub sales_by_rate: BTreeMap<String, String>,
    pub vat: String,
    pub vat_by_rate: BTreeMap<String, String>,
    pub rounding: String,
    pub cash_variance: String,
    pub cost_of_goods: String,
    pub inventory: String,
    pub goods_received: String,
    pub stock_losses: String,
    /// Goods shipped to another store and not received there yet.
    pub in_transit: String,
    /// Cash paid into or out of the drawer (to the bank, to a supplier).
    pub cash_transfers: String,
}

impl Default for Accounts {
    fn default() -> Accounts {
        let code = |c: &str| c.to_string();
        Accounts {
            cash: code("530"),
            card: code("5115"),
            other: code("5116"),
            prepaid: code("4191"),
            customer_accounts: code("411"),
            gift_cards: code("4196"),
            sales: code("707"),
            sales_by_rate: BTreeMap::new(),
            vat: code("44571"),
            vat_by_rate: BTreeMap::new(),
            rounding: code("658"),
            cash_variance: code("6588"),
            cost_of_goods: code("607"),
            inventory: code("37"),
            goods_received: code("408"),
            stock_losses: code("6037"),
            in_transit: code("38"),
            cash_transfers: code("58"),
        }
    }
}

impl Accounts {
    /// The account money taken by `kind` is booked on.
    pub fn tender(&self, kind: TenderKind) -> &str {
        match kind {
            TenderKind::Cash => &self.cash,
            TenderKind::Card => &self.card,
            TenderKind::Other => &self.other,
            TenderKind::Prepaid => &self.prepaid,
            TenderKind::Account => &self.customer_accounts,
            TenderKind::GiftCard => &self.gift_cards,
        }
    }
}

/// What a store's day adds up to. Sales figures are net of returns.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayFigures {
    /// Per tax rate: net sales before tax, and the tax.
    pub taxes: Vec<TaxBand>,
    /// Kept per tender, net of refunds.
    pub tenders: Vec<Tender>,
    /// Refunded on returns, tax included (already inside the figures above).
    pub refunds: Money,
    /// Added to what customers paid by cash rounding (negative: rounded down).
    pub cash_rounding: Money,
    /// Counted minus expected cash at the day's Z reports.
    pub cash_variance: Money,
    /// Goods sold, net of returns, at cost.
    pub cost_of_goods: Money,
    /// Goods received, at cost.
    pub deliveries: Money,
    /// Stock written off or found (damaged, expired, theft, own use, counts), at cost; positive is a loss.
    pub stock_losses: Money,
    /// Goods shipped to other stores, at the transfer's cost.
    #[serde(default)]
    pub transfers_out: Money,
    /// Goods received from other stores, at the transfer's cost.
    #[serde(default)]
    pub transfers_in: Money,
    /// Goods shipped to this store that never arrived, at the transfer's
    /// cost; negative when more came than was shipped.
    #[serde(default)]
    pub lost_in_transit: Money,
    /// Cash paid into the drawer during the day (not takings).
    #[serde(default)]
    pub cash_paid_in: Money,
    /// Cash paid out of the drawer during the day (to the bank, a supplier).
    #[serde(default)]
    pub cash_paid_out: Money,
    /// Paid at the counter on customers' accounts (in `tenders` too).
    #[serde(default)]
    pub account_payments: Money,
    /// Gift cards sold (in `tenders` too).
    #[serde(default)]
    pub gift_cards_sold: Money,
}

impl DayFigures {
    /// How much the stock's value changed: in minus out.
    pub fn stock_value_change(&self) -> Money {
        self.deliveries + self.transfers_in - self.transfers_out - self.cost_of_goods - self.stock_losses
    }
}

/// One journal line; exactly one of debit and credit is non-zero.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalLine {
    pub account: String,
    pub label: String,
    pub debit: Money,
    pub credit: Money,
}

/// Adds a line that debits `amount` to `account` (a negative amount credits it).
fn post(lines: &mut Vec<JournalLine>, account: &str, label: String, amount: Money) {
    if amount.is_zero() {
        return;
    }
    let (debit, credit) = if amount.is_negative() { (Money::ZERO, -amount) } else { (amount, Money::ZERO) };
    lines.push(JournalLine { account: account.to_string(), label, debit, credit });
}

/// The day as balanced double-entry lines.
pub fn journal_lines(day: &DayFigures, accounts: &Accounts) -> Vec<JournalLine> {
    let mut lines = Vec::new();
    for tender in &day.tenders {
        post(&mut lines, accounts.tender(tender.kind), format!("takings {}", tender.kind), tender.amount);
    }
    for band in &day.taxes {
        let rate = band.rate.percent().normalize().to_string();
        let sales = accounts.sales_by_rate.get(&rate).unwrap_or(&accounts.sales);
        let vat = accounts.vat_by_rate.get(&rate).unwrap_or(&accounts.vat);
        post(&mut lines, sales, format!("sales {}", band.rate.label()), -band.base);
        post(&mut lines, vat, format!("VAT {}", band.rate.label()), -band.tax);
    }
    post(&mut lines, &accounts.rounding, "cash rounding".into(), -day.cash_rounding);
    post(&mut lines, &accounts.customer_accounts, "payments on account".into(), -day.account_payments);
    post(&mut lines, &accounts.gift_cards, "gift cards sold".into(), -day.gift_cards_sold);
    // Each figure debits one account and credits another by the same amount.
    let pairs: [(&str, &str, &str, Money); 9] = [
        ("cash variance", &accounts.cash, &accounts.cash_variance, day.cash_variance),
        ("cost of goods sold", &accounts.cost_of_goods, &accounts.inventory, day.cost_of_goods),
        ("goods received", &accounts.inventory, &accounts.goods_received, day.deliveries),
        ("stock written off", &accounts.stock_losses, &accounts.inventory, day.stock_losses),
        ("goods shipped to other stores", &accounts.in_transit, &accounts.inventory, day.transfers_out),
        ("goods received from other stores", &accounts.inventory, &accounts.in_transit, day.transfers_in),
        ("lost in transit", &accounts.stock_losses, &accounts.in_transit, day.lost_in_transit),
        ("cash paid in", &accounts.cash, &accounts.cash_transfers, day.cash_paid_in),
        ("cash paid out", &accounts.cash_transfers, &accounts.cash, day.cash_paid_out),
    ];
    for (label, debit, credit, amount) in pairs {
        post(&mut lines, debit, label.into(), amount);
        post(&mut lines, credit, label.into(), -amount);
    }
    lines
}

/// Debits equal credits.
pub fn is_balanced(lines: &[JournalLine]) -> bool {
    let debit: Money = lines.iter().map(|l| l.debit).sum();
    let credit: Money = lines.iter().map(|l| l.credit).sum();
    debit == credit
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str) -> Money {
        text.parse().unwrap()
    }

    fn band(rate: &str, base: &str, tax: &str) -> TaxBand {
        TaxBand { rate: rate.parse().unwrap(), base: m(base), tax: m(tax) }
    }

    #[test]
    fn a_day_balances_and_lands_on_its_accounts() {
        let day = DayFigures {
            taxes: vec![band("5.5", "8.63", "0.47"), band("20", "23.57", "4.71")],
            tenders: vec![
                Tender { kind: TenderKind::Cash, amount: m("9.10") },
                Tender { kind: TenderKind::Card, amount: m("28.28") },
            ],
            refunds: m("28.28"),
            cash_rounding: Money::ZERO,
            cash_variance: m("-1.00"),
            cost_of_goods: m("19.92"),
            deliveries: m("98.72"),
            ..DayFigures::default()
        };
        let mut accounts = Accounts::default();
        accounts.sales_by_rate.insert("5.5".into(), "70711".into());
        let lines = journal_lines(&day, &accounts);
        assert!(is_balanced(&lines));
        let on = |account: &str| -> Money {
            lines.iter().filter(|l| l.account == account).map(|l| l.debit - l.credit).sum()
        };
        assert_eq!(on("530"), m("8.10"), "cash taken less the shortfall");
        assert_eq!(on("70711"), m("-8.63"));
        assert_eq!(on("707"), m("-23.57"));
        assert_eq!(on("44571"), m("-5.18"));
        assert_eq!(on("6588"), m("1.00"));
        assert_eq!(on("37"), m("78.80"), "stock value: in 98.72, out 19.92");
        assert_eq!(day.stock_value_change(), m("78.80"));
        assert!(lines.iter().all(|l| l.debit.is_zero() != l.credit.is_zero()), "one side per line");
    }

    #[test]
    fn cash_rounding_keeps_the_books_balanced() {
        let day = DayFigures {
            taxes: vec![band("20", "8.31", "1.66")],
            tenders: vec![Tender { kind: TenderKind::Cash, amount: m("9.95") }],
            cash_rounding: m("-0.02"),
            ..DayFigures::default()
        };
        let lines = journal_lines(&day, &Accounts::default());
        assert!(is_balanced(&lines), "{lines:?}");
        assert!(lines.iter().any(|l| l.account == "658" && l.debit == m("0.02")));
    }

    #[test]
    fn transfers_losses_on_the_way_and_cash_moves_are_booked() {
        let day = DayFigures {
            transfers_out: m("12.00"),
            transfers_in: m("5.00"),
            lost_in_transit: m("1.00"),
            cash_paid_in: m("20.00"),
            cash_paid_out: m("150.00"),
            ..DayFigures::default()
        };
        let lines = journal_lines(&day, &Accounts::default());
        assert!(is_balanced(&lines), "{lines:?}");
        let on = |account: &str| -> Money {
            lines.iter().filter(|l| l.account == account).map(|l| l.debit - l.credit).sum()
        };
        assert_eq!(on("37"), m("-7.00"), "stock: 12.00 out, 5.00 in");
        assert_eq!(on("38"), m("6.00"), "in transit: 12.00 shipped, 5.00 received, 1.00 lost");
        assert_eq!(on("6037"), m("1.00"));
        assert_eq!(on("530"), m("-130.00"), "the drawer: 20.00 in, 150.00 out");
        assert_eq!(on("58"), m("130.00"));
        assert_eq!(day.stock_value_change(), m("-7.00"));
    }

    #[test]
    fn credit_sold_and_spent_lands_on_the_accounts_it_owes() {
        // A 50.00 gift card sold for cash, 20.00 of it spent and 30.00 of
        // goods on account (sales 50.00 at 20 %), 10.00 paid on account by card.
        let day = DayFigures {
            taxes: vec![band("20", "41.67", "8.33")],
            tenders: vec![
                Tender { kind: TenderKind::Cash, amount: m("50.00") },
                Tender { kind: TenderKind::Card, amount: m("10.00") },
                Tender { kind: TenderKind::GiftCard, amount: m("20.00") },
                Tender { kind: TenderKind::Account, amount: m("30.00") },
            ],
            account_payments: m("10.00"),
            gift_cards_sold: m("50.00"),
            ..DayFigures::default()
        };
        let lines = journal_lines(&day, &Accounts::default());
        assert!(is_balanced(&lines), "{lines:?}");
        let on = |account: &str| -> Money {
            lines.iter().filter(|l| l.account == account).map(|l| l.debit - l.credit).sum()
        };
        assert_eq!(on("4196"), m("-30.00"), "the card still owes its holder 30.00");
        assert_eq!(on("411"), m("20.00"), "the customer owes 30.00 less the 10.00 paid");
    }

    #[test]
    fn unknown_account_names_are_refused() {
        let error = serde_json::from_str::<Accounts>(r#"{"cash": "530", "cashh": "1"}"#).unwrap_err().to_string();
        assert!(error.contains("cashh"), "{error}");
    }
}
