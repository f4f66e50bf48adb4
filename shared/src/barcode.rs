//! Retail barcodes: EAN-13, EAN-8, UPC-A and UPC-E with their check digits,
//! and GS1 in-store EAN-13s that embed a weight or a price (prefixes 20-29).

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::Money;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BarcodeError {
    #[error("unknown or misread barcode “{0}”: the check digit is wrong, scan it again")]
    CheckDigit(String),
    #[error("“{0}” is not a barcode: expected 8, 12 or 13 digits")]
    NotABarcode(String),
    #[error("embedded-barcode layout: {0}")]
    Layout(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Symbology {
    Ean13,
    Ean8,
    UpcA,
    UpcE,
}

/// A barcode whose check digit was verified.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Barcode {
    digits: String,
    symbology: Symbology,
}

/// GS1 mod-10 check digit of the digits before it (weights 3,1 from the right).
pub fn gs1_check_digit(payload: &str) -> u8 {
    let sum: u32 =
        payload.bytes().rev().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 }).sum();
    ((10 - sum % 10) % 10) as u8
}

fn has_valid_check(digits: &str) -> bool {
    let (payload, check) = digits.split_at(digits.len() - 1);
    gs1_check_digit(payload) == check.as_bytes()[0] - b'0'
}

/// Expands a UPC-E code (8 digits, number system 0 or 1) to its UPC-A form.
fn upc_e_to_upc_a(upc_e: &str) -> Option<String> {
    let d: Vec<char> = upc_e.chars().collect();
    if d[0] != '0' && d[0] != '1' {
        return None;
    }
    let (ns, m, check) = (d[0], &d[1..7], d[7]);
    let body: String = match m[5] {
        '0' | '1' | '2' => format!("{}{}{}0000{}{}{}", m[0], m[1], m[5], m[2], m[3], m[4]),
        '3' => format!("{}{}{}00000{}{}", m[0], m[1], m[2], m[3], m[4]),
        '4' => format!("{}{}{}{}00000{}", m[0], m[1], m[2], m[3], m[4]),
        _ => format!("{}{}{}{}{}0000{}", m[0], m[1], m[2], m[3], m[4], m[5]),
    };
    Some(format!("{ns}{body}{check}"))
}

impl Barcode {
    /// Parses scanned or typed digits; a wrong check digit is refused.
    pub fn parse(text: &str) -> Result<Barcode, BarcodeError> {
        let digits = text.trim();
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BarcodeError::NotABarcode(digits.to_string()));
        }
        let symbology = match digits.len() {
            13 => Symbology::Ean13,
            12 => Symbology::UpcA,
            // EAN-8 first: an 8-digit code valid as both is read as EAN-8.
            8 if has_valid_check(digits) => Symbology::Ean8,
            8 if upc_e_to_upc_a(digits).is_some_and(|a| has_valid_check(&a)) => Symbology::UpcE,
            8 => return Err(BarcodeError::CheckDigit(digits.to_string())),
            _ => return Err(BarcodeError::NotABarcode(digits.to_string())),
        };
        if matches!(symbology, Symbology::Ean13 | Symbology::UpcA) && !has_valid_check(digits) {
            return Err(BarcodeError::CheckDigit(digits.to_string()));
        }
        Ok(Barcode { digits: digits.to_string(), symbology })
    }

    pub fn symbology(&self) -> Symbology {
        self.symbology
    }

    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// The key a product is found by: GTIN-13 for EAN-13, UPC-A and UPC-E
    /// (so a UPC printed either way finds the same product), else EAN-8.
    pub fn lookup_key(&self) -> String {
        match self.symbology {
            Symbology::Ean13 | Symbology::Ean8 => self.digits.clone(),
            Symbology::UpcA => format!("0{}", self.digits),
            Symbology::UpcE => {
                format!("0{}", upc_e_to_upc_a(&self.digits).expect("checked at parse"))
            }
        }
    }
}

impl fmt::Display for Barcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits)
    }
}

/// What the value digits of an in-store barcode mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmbeddedKind {
    /// Weight in grams; the line quantity is kilograms.
    Weight,
    /// Price in minor units; the line is priced at exactly that.
    Price,
}

/// Layout of EAN-13s starting with one two-digit prefix:
/// `prefix(2) + item(item_digits) + value(10 - item_digits) + check(1)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EmbeddedLayout {
    pub prefix: u8,
    pub item_digits: usize,
    pub kind: EmbeddedKind,
}

/// Which prefixes carry weight or price, configurable per store.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EmbeddedConfig {
    pub layouts: Vec<EmbeddedLayout>,
}

impl Default for EmbeddedConfig {
    /// 21-23 weight, 24-26 price, each with a five-digit item code; 20 and
    /// 27-29 stay plain in-store codes.
    fn default() -> Self {
        let layout = |prefix, kind| EmbeddedLayout { prefix, item_digits: 5, kind };
        EmbeddedConfig {
            layouts: vec![
                layout(21, EmbeddedKind::Weight),
                layout(22, EmbeddedKind::Weight),
                layout(23, EmbeddedKind::Weight),
                layout(24, EmbeddedKind::Price),
                layout(25, EmbeddedKind::Price),
                layout(26, EmbeddedKind::Price),
            ],
        }
    }
}

impl EmbeddedConfig {
    /// Parses `21-23:weight:5,24-26:price:5` (prefix range, kind, item digits).
    pub fn parse(text: &str) -> Result<EmbeddedConfig, BarcodeError> {
        let mut layouts = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let bad = |why: &str| BarcodeError::Layout(format!("“{part}”: {why}"));
            let fields: Vec<&str> = part.split(':').collect();
            let [range, kind, item] = fields[..] else {
                return Err(bad("expected PREFIXES:weight|price:ITEM_DIGITS"));
            };
            let (lo, hi) = range.split_once('-').unwrap_or((range, range));
            let prefix = |p: &str| p.parse::<u8>().ok().filter(|n| (20..=29).contains(n));
            let (Some(lo), Some(hi)) = (prefix(lo), prefix(hi)) else {
                return Err(bad("prefixes must lie in 20-29"));
            };
            let kind = match kind {
                "weight" => EmbeddedKind::Weight,
                "price" => EmbeddedKind::Price,
                _ => return Err(bad("kind must be weight or price")),
            };
            let item_digits = item
                .parse::<usize>()
                .ok()
                .filter(|n| (4..=6).contains(n))
                .ok_or_else(|| bad("item digits must be 4, 5 or 6"))?;
            layouts.extend((lo..=hi).map(|prefix| EmbeddedLayout { prefix, item_digits, kind }));
        }
        Ok(EmbeddedConfig { layouts })
    }

    fn layout_for(&self, digits: &str) -> Option<&EmbeddedLayout> {
        let prefix: u8 = digits.get(..2)?.parse().ok()?;
        self.layouts.iter().find(|l| l.prefix == prefix)
    }
}

/// The value an in-store barcode carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmbeddedValue {
    /// Kilograms, three decimals.
    Weight(Decimal),
    Price(Money),
}

/// A scan, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scan {
    Plain(Barcode),
    /// `product` is the item's barcode with the value digits zeroed, as the
    /// catalog lists it.
    Embedded {
        product: Barcode,
        value: EmbeddedValue,
    },
}

impl Scan {
    /// Decodes scanned digits, with the store's embedded layouts.
    pub fn parse(text: &str, config: &EmbeddedConfig) -> Result<Scan, BarcodeError> {
        let barcode = Barcode::parse(text)?;
        let layout = match barcode.symbology() {
            Symbology::Ean13 => config.layout_for(barcode.digits()),
            _ => None,
        };
        let Some(layout) = layout else {
            return Ok(Scan::Plain(barcode));
        };
        let digits = barcode.digits();
        let value_start = 2 + layout.item_digits;
        let raw: i64 = digits[value_start..12].parse().expect("digits were checked");
        let value = match layout.kind {
            EmbeddedKind::Weight => EmbeddedValue::Weight(Decimal::new(raw, 3)),
            EmbeddedKind::Price => EmbeddedValue::Price(Money::from_minor(raw)),
        };
        let zeroed = format!("{}{}", &digits[..value_start], "0".repeat(12 - value_start));
        let product_digits = format!("{zeroed}{}", gs1_check_digit(&zeroed));
        let product = Barcode { digits: product_digits, symbology: Symbology::Ean13 };
        Ok(Scan::Embedded { product, value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digit_table() {
        let valid = [
            ("4006381333931", Symbology::Ean13),
            ("5901234123457", Symbology::Ean13),
            ("96385074", Symbology::Ean8),
            ("036000291452", Symbology::UpcA),
            ("04252614", Symbology::UpcE),
        ];
        for (code, symbology) in valid {
            let barcode = Barcode::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert_eq!(barcode.symbology(), symbology, "{code}");
        }
        for misread in ["4006381333932", "5901234123458", "96385075", "036000291453"] {
            assert!(
                matches!(Barcode::parse(misread), Err(BarcodeError::CheckDigit(_))),
                "{misread} should fail its check digit"
            );
        }
        for not_code in ["", "12345", "40063813339311", "40063813339a1"] {
            assert!(matches!(Barcode::parse(not_code), Err(BarcodeError::NotABarcode(_))), "{not_code}");
        }
    }

    #[test]
    fn upc_forms_share_a_lookup_key() {
        let upc_e = Barcode::parse("04252614").unwrap();
        let upc_a = Barcode::parse("042100005264").unwrap();
        assert_eq!(upc_e.lookup_key(), "0042100005264");
        assert_eq!(upc_a.lookup_key(), upc_e.lookup_key());
    }

    #[test]
    fn error_says_misread() {
        let message = Barcode::parse("4006381333932").unwrap_err().to_string();
        assert!(message.starts_with("unknown or misread barcode"), "{message}");
    }

    fn with_check(body: &str) -> String {
        format!("{body}{}", gs1_check_digit(body))
    }

    #[test]
    fn weight_embedded() {
        let scanned = with_check("210012301250");
        let Scan::Embedded { product, value } = Scan::parse(&scanned, &EmbeddedConfig::default()).unwrap() else {
            panic!("expected embedded");
        };
        assert_eq!(product.digits(), with_check("210012300000"));
        assert_eq!(value, EmbeddedValue::Weight(Decimal::new(1250, 3)));
    }

    #[test]
    fn price_embedded_with_custom_layout() {
        let config = EmbeddedConfig::parse("28:price:4").unwrap();
        let scanned = with_check("280042003499");
        let Scan::Embedded { product, value } = Scan::parse(&scanned, &config).unwrap() else {
            panic!("expected embedded");
        };
        assert_eq!(product.digits(), with_check("280042000000"));
        assert_eq!(value, EmbeddedValue::Price(Money::from_minor(3499)));
        let plain = Scan::parse(&with_check("210012301250"), &config).unwrap();
        assert!(matches!(plain, Scan::Plain(_)), "21 is not embedded in this layout");
    }

    #[test]
    fn layout_errors_name_the_part() {
        for bad in ["19:price:5", "21:volume:5", "21:weight:9", "21-x:price:5", "21"] {
            let err = EmbeddedConfig::parse(bad).unwrap_err().to_string();
            assert!(err.contains(bad), "{err} should name {bad}");
        }
    }
}
