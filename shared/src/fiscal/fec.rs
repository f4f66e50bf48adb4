//! France's accounting export, the FEC (fichier des écritures comptables,
//! Livre des procédures fiscales art. A47 A-1): a period's Z reports as
//! balanced entries, one per Z, in the 18 tab-separated fields the article
//! lists, dates as YYYYMMDD and amounts with a decimal comma. The fields
//! are described in `docs/fiscal.md`.

use crate::accounting::Accounts;
use crate::money::Money;
use crate::report::SessionReport;

/// The header line: the article's field names, in its order.
pub const FIELDS: [&str; 18] = [
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
];

/// One Z report and the local date it was made, `YYYYMMDD`.
pub struct DatedZ<'a> {
    pub report: &'a SessionReport,
    pub date: String,
}

/// An amount as the FEC writes it: `1234,50`.
fn amount(money: Money) -> String {
    money.to_string().replace('.', ",")
}

/// The FEC text of `zs` for the till `terminal`: the header, then each Z's
/// lines (money taken per tender net of refunds, sales and VAT per rate,
/// gift cards sold and payments on account, cash rounding, the cash
/// counted over or short), each Z's debits equal to its credits.
pub fn export(terminal: &str, zs: &[DatedZ<'_>], accounts: &Accounts) -> String {
    let mut out = FIELDS.join("\t");
    out.push_str("\r\n");
    for dated in zs {
        let z = dated.report;
        let number = z.z_no.unwrap_or_default();
        let mut lines: Vec<(String, String, Money)> = Vec::new();
        let mut post = |account: &str, label: String, debit: Money| {
            if !debit.is_zero() {
                lines.push((account.to_string(), label, debit));
            }
        };
        let mut taken = Money::ZERO;
        for tender in &z.tenders {
            let net = tender.sales - tender.refunds;
            taken += net;
            post(accounts.tender(tender.kind), format!("Z {number} encaissements {}", tender.kind), net);
        }
        let mut booked = Money::ZERO;
        for band in &z.taxes {
            let rate = band.rate.percent().normalize().to_string();
            let sales = accounts.sales_by_rate.get(&rate).unwrap_or(&accounts.sales);
            let vat = accounts.vat_by_rate.get(&rate).unwrap_or(&accounts.vat);
            post(sales, format!("Z {number} ventes {}", band.rate.label()), -band.base);
            post(vat, format!("Z {number} TVA {}", band.rate.label()), -band.tax);
            booked += band.base + band.tax;
        }
        post(&accounts.gift_cards, format!("Z {number} cartes cadeaux et acomptes"), -z.credit_sold);
        booked += z.credit_sold;
        // What was taken beyond the sales: cash rounding.
        post(&accounts.rounding, format!("Z {number} arrondi"), booked - taken);
        let variance: Money = z.tenders.iter().filter_map(|t| t.variance).sum();
        post(&accounts.cash, format!("Z {number} écart de caisse"), variance);
        post(&accounts.cash_variance, format!("Z {number} écart de caisse"), -variance);
        for (account, label, debit) in lines {
            let (debit, credit) = if debit.is_negative() { (Money::ZERO, -debit) } else { (debit, Money::ZERO) };
            let fields = [
                "CAI".to_string(),
                format!("Caisse {terminal}"),
                format!("Z{number:06}"),
                dated.date.clone(),
                account,
                label.clone(),
                String::new(),
                String::new(),
                format!("Z{number}"),
                dated.date.clone(),
                label,
                amount(debit),
                amount(credit),
                String::new(),
                String::new(),
                dated.date.clone(),
                String::new(),
                String::new(),
            ];
            out.push_str(&fields.join("\t"));
            out.push_str("\r\n");
        }
    }
    out
}
