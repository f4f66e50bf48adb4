//! Shop scales on a serial line: the two protocols the scales we meet
//! speak, as bytes asked for and answers read (no I/O here). Both are
//! polled with `W`; `docs/hardware.md` gives the frames and their sources.
//!
//! - Mettler Toledo 8217 (the protocol Odoo drives): a stable weight comes
//!   back as `STX 01.234 CR` (kg, an `N` may follow the digits), anything
//!   else as `STX ? STATUS CR`, the status byte's bits saying why: 0 in
//!   motion, 1 over capacity, 2 under zero.
//! - CAS PD-II in its data-frame mode: `ST,GS,+  1.234kg CR LF`, where the
//!   first field is `ST` (stable), `US` (unstable) or `OL` (overload).

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::quantity::Quantity;

const STX: u8 = 0x02;
const CR: u8 = b'\r';

/// Which protocol a scale speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScaleProtocol {
    Toledo8217,
    CasPd2,
}

impl ScaleProtocol {
    pub fn name(self) -> &'static str {
        match self {
            ScaleProtocol::Toledo8217 => "8217",
            ScaleProtocol::CasPd2 => "cas",
        }
    }

    /// What asks the scale for its weight.
    pub fn request(self) -> &'static [u8] {
        b"W"
    }

    /// Whether `bytes` hold a whole answer (it ends at a CR).
    pub fn complete(self, bytes: &[u8]) -> bool {
        bytes.contains(&CR)
    }

    /// Reads one whole answer.
    pub fn parse(self, answer: &[u8]) -> Result<Reading, ScaleProblem> {
        let end = answer.iter().position(|b| *b == CR).unwrap_or(answer.len());
        let frame = &answer[..end];
        match self {
            ScaleProtocol::Toledo8217 => parse_8217(frame),
            ScaleProtocol::CasPd2 => parse_cas(frame),
        }
    }
}

impl FromStr for ScaleProtocol {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "8217" | "toledo" => Ok(ScaleProtocol::Toledo8217),
            "cas" | "pd2" | "pd-ii" => Ok(ScaleProtocol::CasPd2),
            other => Err(format!("scale protocol “{other}” must be 8217 or cas")),
        }
    }
}

impl fmt::Display for ScaleProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a scale said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// A stable weight in kg (zero when the pan is empty).
    Stable(Quantity),
    Motion,
    Overload,
    UnderZero,
}

impl Reading {
    /// The weight to sell: stable and above zero, else why not.
    pub fn weight(self) -> Result<Quantity, ScaleProblem> {
        match self {
            Reading::Stable(kg) if kg.milli() > 0 => Ok(kg),
            Reading::Stable(_) => Err(ScaleProblem::Empty),
            Reading::Motion => Err(ScaleProblem::Moving),
            Reading::Overload => Err(ScaleProblem::Overload),
            Reading::UnderZero => Err(ScaleProblem::UnderZero),
        }
    }
}

/// Why there is no weight to sell, as the cashier reads it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScaleProblem {
    #[error("nothing on the scale")]
    Empty,
    #[error("the scale is still moving: let it settle")]
    Moving,
    #[error("too heavy for the scale (overload)")]
    Overload,
    #[error("the scale reads below zero: empty it and zero it")]
    UnderZero,
    #[error("the scale does not answer: is it plugged in and on? ({0})")]
    NoAnswer(String),
    #[error("the scale's answer makes no sense ({0}): check its protocol setting")]
    Garbled(String),
}

fn garbled(frame: &[u8]) -> ScaleProblem {
    ScaleProblem::Garbled(format!("{:?}", String::from_utf8_lossy(frame)))
}

/// Kilograms as a scale writes them (`01.234`, `  0.5`), at most grams.
fn kilograms(text: &str, frame: &[u8]) -> Result<Quantity, ScaleProblem> {
    let kg = Decimal::from_str_exact(text.trim()).map_err(|_| garbled(frame))?;
    if kg.is_sign_negative() || kg.scale() > 3 || kg > Decimal::from(9_999) {
        return Err(garbled(frame));
    }
    Ok(Quantity::from_milli((kg * Decimal::from(1000)).trunc().try_into().map_err(|_| garbled(frame))?))
}

fn parse_8217(frame: &[u8]) -> Result<Reading, ScaleProblem> {
    let body = frame.strip_prefix(&[STX]).ok_or_else(|| garbled(frame))?;
    let body = body.trim_ascii_start();
    if let Some(status) = body.strip_prefix(b"?") {
        let bits = *status.first().ok_or_else(|| garbled(frame))?;
        return Ok(if bits & 0b010 != 0 {
            Reading::Overload
        } else if bits & 0b100 != 0 {
            Reading::UnderZero
        } else if bits & 0b001 != 0 {
            Reading::Motion
        } else {
            Reading::Stable(Quantity::from_milli(0))
        });
    }
    let text = std::str::from_utf8(body).map_err(|_| garbled(frame))?;
    let text = text.strip_suffix('N').unwrap_or(text);
    kilograms(text, frame).map(Reading::Stable)
}

fn parse_cas(frame: &[u8]) -> Result<Reading, ScaleProblem> {
    let text = std::str::from_utf8(frame).map_err(|_| garbled(frame))?.trim_matches(|c: char| c.is_ascii_control());
    let mut fields = text.splitn(3, ',');
    let (state, _gross, value) = match (fields.next(), fields.next(), fields.next()) {
        (Some(s), Some(g), Some(v)) => (s, g, v),
        _ => return Err(garbled(frame)),
    };
    let value = value.trim().strip_suffix("kg").ok_or_else(|| garbled(frame))?.replace(' ', "");
    let negative = value.starts_with('-');
    let magnitude = value.trim_start_matches(['+', '-']);
    match state {
        "OL" => Ok(Reading::Overload),
        "US" => Ok(Reading::Motion),
        "ST" if negative && kilograms(magnitude, frame)?.milli() > 0 => Ok(Reading::UnderZero),
        "ST" => kilograms(magnitude, frame).map(Reading::Stable),
        _ => Err(garbled(frame)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kg(milli: i64) -> Reading {
        Reading::Stable(Quantity::from_milli(milli))
    }

    #[test]
    fn toledo_8217_answers() {
        let p = ScaleProtocol::Toledo8217;
        let cases: [(&[u8], Reading); 7] = [
            (b"\x0201.234\r", kg(1234)),
            (b"\x02 0.500N\r", kg(500)),
            (b"\x0200.000\r", kg(0)),
            (b"\x02?\x01\r", Reading::Motion),
            (b"\x02?\x02\r", Reading::Overload),
            (b"\x02?\x04\r", Reading::UnderZero),
            (b"\x02?\x21\r", Reading::Motion),
        ];
        for (answer, reading) in cases {
            assert_eq!(p.parse(answer), Ok(reading), "{answer:?}");
        }
        for bad in [&b"01.234\r"[..], b"\x02abc\r", b"\x02?\r", b"\x021.2345\r", b"\x02-1.000\r"] {
            assert!(matches!(p.parse(bad), Err(ScaleProblem::Garbled(_))), "{bad:?}");
        }
    }

    #[test]
    fn cas_pd2_answers() {
        let p = ScaleProtocol::CasPd2;
        let cases: [(&[u8], Reading); 6] = [
            (b"ST,GS,+  1.234kg\r\n", kg(1234)),
            (b"ST,NT,+  0.050kg\r\n", kg(50)),
            (b"ST,GS,+  0.000kg\r\n", kg(0)),
            (b"US,GS,+  1.230kg\r\n", Reading::Motion),
            (b"OL,GS,+  9.999kg\r\n", Reading::Overload),
            (b"ST,GS,-  0.020kg\r\n", Reading::UnderZero),
        ];
        for (answer, reading) in cases {
            assert_eq!(p.parse(answer), Ok(reading), "{answer:?}");
        }
        for bad in [&b"ST,GS\r"[..], b"XX,GS,+  1.000kg\r", b"ST,GS,+  1.000lb\r", b"ST,GS,+ 1.0x0kg\r"] {
            assert!(matches!(p.parse(bad), Err(ScaleProblem::Garbled(_))), "{bad:?}");
        }
    }

    #[test]
    fn only_a_stable_weight_above_zero_sells() {
        assert_eq!(kg(1234).weight(), Ok(Quantity::from_milli(1234)));
        assert_eq!(kg(0).weight(), Err(ScaleProblem::Empty));
        assert_eq!(Reading::Motion.weight(), Err(ScaleProblem::Moving));
        assert_eq!(Reading::Overload.weight(), Err(ScaleProblem::Overload));
        assert_eq!(Reading::UnderZero.weight(), Err(ScaleProblem::UnderZero));
        assert_eq!("8217".parse(), Ok(ScaleProtocol::Toledo8217));
        assert!("dibal".parse::<ScaleProtocol>().is_err());
    }
}
