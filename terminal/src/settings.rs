//! The store's settings, kept in the `meta` table and loaded once at open.

use std::str::FromStr;

use pos_shared::barcode::EmbeddedConfig;
use pos_shared::ids::TerminalId;
use pos_shared::money::{Money, RoundingMode};
use pos_shared::pins;
use pos_shared::pricing::{PricingRules, TaxMode};
use pos_shared::receipt::StoreHeader;
use rusqlite::{Connection, OptionalExtension};
use rust_decimal::Decimal;

use crate::error::{CoreError, CoreResult};
use crate::users::Credentials;

/// How far past their credit limit a customer may go on account while the
/// till is offline, as a percentage of the limit, unless the store sets its own.
pub fn default_account_allowance() -> Decimal {
    Decimal::from(20)
}

/// Most a gift card may pay at this till per day while it is offline.
pub fn default_giftcard_offline_limit() -> Money {
    Money::from_minor(50_00)
}

/// Cash refunds above this need a manager unless the store sets its own limit.
pub fn default_refund_cash_limit() -> Money {
    Money::from_minor(50_00)
}

#[derive(Clone, Debug, PartialEq)]
pub struct StoreSettings {
    pub store_name: String,
    pub terminal_name: String,
    pub terminal_id: TerminalId,
    pub currency: String,
    pub tax_mode: TaxMode,
    pub rounding: RoundingMode,
    /// Cash rounding step, e.g. 0.05; none for exact cash.
    pub cash_increment: Option<Money>,
    /// Discounts above this percentage need a manager.
    pub discount_limit_percent: Decimal,
    /// Cash refunds above this amount need a manager.
    pub refund_cash_limit: Money,
    /// The fewest digits in a manager's PIN (6 to 12).
    pub manager_pin_digits: usize,
    /// Whether a cashier may log in by PIN alone, without choosing their name.
    pub pin_only_login: bool,
    /// Percent of a credit limit a sale on account may go beyond it offline.
    pub account_allowance_percent: Decimal,
    /// Most one gift card pays here per day while offline.
    pub giftcard_offline_limit: Money,
    pub embedded: EmbeddedConfig,
    pub header_lines: Vec<String>,
    pub footer_lines: Vec<String>,
}

impl StoreSettings {
    pub fn new(store_name: &str, terminal_name: &str, terminal_id: TerminalId, currency: &str) -> CoreResult<Self> {
        let currency = currency.trim().to_ascii_uppercase();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(CoreError::Invalid(format!("currency “{currency}” must be a 3-letter code like EUR")));
        }
        if ["JPY", "KRW", "BHD", "KWD", "TND"].contains(&currency.as_str()) {
            return Err(CoreError::Invalid(format!(
                "currency {currency} does not have 2 minor digits, which is all this version supports"
            )));
        }
        if store_name.trim().is_empty() || terminal_name.trim().is_empty() {
            return Err(CoreError::Invalid("store and terminal names must not be empty".into()));
        }
        Ok(StoreSettings {
            store_name: store_name.trim().to_string(),
            terminal_name: terminal_name.trim().to_string(),
            terminal_id,
            currency,
            tax_mode: TaxMode::Inclusive,
            rounding: RoundingMode::HalfUp,
            cash_increment: None,
            discount_limit_percent: Decimal::from(10),
            refund_cash_limit: default_refund_cash_limit(),
            manager_pin_digits: pins::MANAGER_DIGITS,
            pin_only_login: false,
            account_allowance_percent: default_account_allowance(),
            giftcard_offline_limit: default_giftcard_offline_limit(),
            embedded: EmbeddedConfig::default(),
            header_lines: Vec::new(),
            footer_lines: vec!["Thank you for shopping with us".into()],
        })
    }

    pub fn pricing(&self) -> PricingRules {
        PricingRules { tax_mode: self.tax_mode, rounding: self.rounding }
    }

    pub fn header(&self) -> StoreHeader {
        StoreHeader {
            name: self.store_name.clone(),
            lines: self.header_lines.clone(),
            footer: self.footer_lines.clone(),
        }
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("store_name", self.store_name.clone()),
            ("terminal_name", self.terminal_name.clone()),
            ("terminal_id", self.terminal_id.to_string()),
            ("currency", self.currency.clone()),
            ("tax_mode", if self.tax_mode == TaxMode::Inclusive { "inclusive" } else { "exclusive" }.into()),
            ("rounding", if self.rounding == RoundingMode::HalfUp { "half-up" } else { "half-even" }.into()),
            ("cash_increment", self.cash_increment.map(|m| m.to_string()).unwrap_or_default()),
            ("discount_limit_percent", self.discount_limit_percent.to_string()),
            ("refund_cash_limit", self.refund_cash_limit.to_string()),
            ("manager_pin_digits", self.manager_pin_digits.to_string()),
            ("pin_only_login", on_off(self.pin_only_login).into()),
            ("account_allowance_percent", self.account_allowance_percent.to_string()),
            ("giftcard_offline_limit", self.giftcard_offline_limit.to_string()),
            ("embedded", serde_json::to_string(&self.embedded).expect("layouts serialise")),
            ("header_lines", self.header_lines.join("\n")),
            ("footer_lines", self.footer_lines.join("\n")),
        ]
    }

    pub fn save(&self, conn: &Connection) -> CoreResult<()> {
        let mut stmt = conn.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?;
        for (key, value) in self.pairs() {
            stmt.execute((key, value))?;
        }
        Ok(())
    }

    /// Loads the settings; `None` when the store was never initialised.
    pub fn load(conn: &Connection) -> CoreResult<Option<StoreSettings>> {
        let get = |key: &str| -> CoreResult<Option<String>> {
            Ok(conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
        };
        let Some(terminal_id) = get("terminal_id")? else {
            return Ok(None);
        };
        let text = |key: &str| -> CoreResult<String> { Ok(get(key)?.unwrap_or_default()) };
        let corrupt = |key: &str| CoreError::Invalid(format!("setting “{key}” is not valid"));
        let lines = |value: String| -> Vec<String> { value.lines().map(str::to_string).collect() };
        let cash_increment = text("cash_increment")?;
        Ok(Some(StoreSettings {
            store_name: text("store_name")?,
            terminal_name: text("terminal_name")?,
            terminal_id: terminal_id.parse()?,
            currency: text("currency")?,
            tax_mode: match text("tax_mode")?.as_str() {
                "exclusive" => TaxMode::Exclusive,
                _ => TaxMode::Inclusive,
            },
            rounding: RoundingMode::from_str(&text("rounding")?)?,
            cash_increment: if cash_increment.is_empty() { None } else { Some(cash_increment.parse()?) },
            discount_limit_percent: text("discount_limit_percent")?
                .parse()
                .map_err(|_| corrupt("discount_limit_percent"))?,
            refund_cash_limit: match get("refund_cash_limit")? {
                Some(limit) => limit.parse().map_err(|_| corrupt("refund_cash_limit"))?,
                None => default_refund_cash_limit(),
            },
            manager_pin_digits: match get("manager_pin_digits")? {
                Some(digits) => pins::parse_manager_digits(&digits).map_err(|_| corrupt("manager_pin_digits"))?,
                None => pins::MANAGER_DIGITS,
            },
            pin_only_login: text("pin_only_login")? == "on",
            account_allowance_percent: match get("account_allowance_percent")? {
                Some(p) => p.parse().map_err(|_| corrupt("account_allowance_percent"))?,
                None => default_account_allowance(),
            },
            giftcard_offline_limit: match get("giftcard_offline_limit")? {
                Some(limit) => limit.parse().map_err(|_| corrupt("giftcard_offline_limit"))?,
                None => default_giftcard_offline_limit(),
            },
            embedded: serde_json::from_str(&text("embedded")?).map_err(|_| corrupt("embedded"))?,
            header_lines: lines(text("header_lines")?),
            footer_lines: lines(text("footer_lines")?),
        }))
    }
}

/// The store settings a manager may change by name.
pub const SETTABLE: [&str; 7] = [
    "tax-mode",
    "refund-cash-limit",
    "discount-limit",
    "manager-pin-digits",
    "pin-only-login",
    "account-offline-allowance",
    "giftcard-offline-limit",
];

/// A percentage from 0 to 100 (`10` or `10%`).
fn percent(value: &str) -> Option<Decimal> {
    Decimal::from_str_exact(value.trim().trim_end_matches('%'))
        .ok()
        .filter(|p| *p >= Decimal::ZERO && *p <= Decimal::ONE_HUNDRED)
        .map(|p| p.normalize())
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

impl crate::Terminal {
    /// Changes one store setting by name (`tax-mode`, inclusive or
    /// exclusive: whether prices include tax; `refund-cash-limit`, an amount;
    /// `discount-limit`, a percentage; `manager-pin-digits`, 6 to 12;
    /// `pin-only-login`, on or off; `account-offline-allowance`, a
    /// percentage of a credit limit; `giftcard-offline-limit`, an amount): a manager's decision, approved by
    /// `approver` when `actor` is not one. A bad name or value changes
    /// nothing.
    pub fn change_setting(
        &mut self,
        actor: &crate::Operator,
        key: &str,
        value: &str,
        approver: Option<&Credentials>,
    ) -> CoreResult<()> {
        let invalid = |why: String| CoreError::Invalid(format!("setting “{key}”: {why}"));
        let change: Box<dyn FnOnce(&mut StoreSettings)> = match key {
            "tax-mode" => {
                let mode = match value.trim() {
                    "inclusive" => TaxMode::Inclusive,
                    "exclusive" => TaxMode::Exclusive,
                    _ => return Err(invalid(format!("“{value}” must be inclusive or exclusive"))),
                };
                Box::new(move |s| s.tax_mode = mode)
            }
            "refund-cash-limit" => {
                let limit = Money::parse_non_negative(value).map_err(|e| invalid(e.to_string()))?;
                Box::new(move |s| s.refund_cash_limit = limit)
            }
            "discount-limit" => {
                let percent =
                    percent(value).ok_or_else(|| invalid(format!("“{value}” must be a percentage from 0 to 100")))?;
                Box::new(move |s| s.discount_limit_percent = percent)
            }
            "account-offline-allowance" => {
                let percent =
                    percent(value).ok_or_else(|| invalid(format!("“{value}” must be a percentage from 0 to 100")))?;
                Box::new(move |s| s.account_allowance_percent = percent)
            }
            "giftcard-offline-limit" => {
                let limit = Money::parse_non_negative(value).map_err(|e| invalid(e.to_string()))?;
                Box::new(move |s| s.giftcard_offline_limit = limit)
            }
            "manager-pin-digits" => {
                let digits = pins::parse_manager_digits(value).map_err(invalid)?;
                Box::new(move |s| s.manager_pin_digits = digits)
            }
            "pin-only-login" => {
                let on = match value.trim() {
                    "on" => true,
                    "off" => false,
                    _ => return Err(invalid(format!("“{value}” must be on or off"))),
                };
                Box::new(move |s| s.pin_only_login = on)
            }
            _ => return Err(invalid(format!("unknown; the settings are {}", SETTABLE.join(", ")))),
        };
        let detail = format!("{key} = {value}");
        self.authorize(actor, pos_shared::roles::Permission::ChangeSettings, approver, detail)?;
        self.update_settings(change)
    }
}
