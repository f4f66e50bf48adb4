//! The ZVT card-terminal protocol (ZVT 13, the interface German card
//! terminals speak over TCP) as pure code: the commands a till sends and
//! the answers a terminal gives, framed as APDUs (class, instruction,
//! length, data). No I/O here; `docs/hardware.md` gives the frames.
//!
//! The till sends Authorization (06 01), Refund (06 31), Repeat Receipt
//! (06 20, "your last transaction", how a till that lost the answer learns
//! what happened), End of Day (06 50) and Abort (06 B0). The terminal
//! acknowledges each (80 00 00), may send intermediate statuses (04 FF) and
//! print lines (06 D1), then the status information of the transaction
//! (04 0F) and Completion (06 0F), or Abort (06 1E) with a result code. The
//! till acknowledges every message the terminal sends.

use std::fmt;

use crate::money::Money;

/// The acknowledgement both sides send.
pub const ACK: [u8; 3] = [0x80, 0x00, 0x00];

pub const AUTHORIZATION: (u8, u8) = (0x06, 0x01);
pub const REFUND: (u8, u8) = (0x06, 0x31);
pub const REPEAT_RECEIPT: (u8, u8) = (0x06, 0x20);
pub const END_OF_DAY: (u8, u8) = (0x06, 0x50);
pub const ABORT: (u8, u8) = (0x06, 0xB0);
pub const STATUS_INFORMATION: (u8, u8) = (0x04, 0x0F);
pub const INTERMEDIATE_STATUS: (u8, u8) = (0x04, 0xFF);
pub const PRINT_LINE: (u8, u8) = (0x06, 0xD1);
pub const COMPLETION: (u8, u8) = (0x06, 0x0F);
pub const ABORTED: (u8, u8) = (0x06, 0x1E);

/// The result code of an approved transaction.
pub const APPROVED: u8 = 0x00;
/// The result code of a transaction cancelled on the terminal or by the till.
pub const CANCELLED: u8 = 0x6C;

/// The BMP tags of the status information this till reads.
const TAG_RESULT: u8 = 0x27;
const TAG_AMOUNT: u8 = 0x04;
const TAG_TRACE: u8 = 0x0B;
const TAG_TIME: u8 = 0x0C;
const TAG_DATE: u8 = 0x0D;
const TAG_PAYMENT_TYPE: u8 = 0x19;
const TAG_PAN: u8 = 0x22;
const TAG_TERMINAL: u8 = 0x29;
const TAG_CURRENCY: u8 = 0x49;
const TAG_RECEIPT: u8 = 0x87;
const TAG_CARD_TYPE: u8 = 0x8A;

/// Euro, ISO 4217 numeric, as two BCD bytes.
const EURO: [u8; 2] = [0x09, 0x78];

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the card terminal's message is garbled: {0}")]
pub struct Garbled(pub String);

/// One message: class, instruction and data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Apdu {
    pub class: u8,
    pub instr: u8,
    pub data: Vec<u8>,
}

impl Apdu {
    pub fn new((class, instr): (u8, u8), data: Vec<u8>) -> Apdu {
        Apdu { class, instr, data }
    }

    pub fn command(&self) -> (u8, u8) {
        (self.class, self.instr)
    }

    /// Its bytes: a length under 255 in one byte, else FF and two bytes
    /// (low first).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![self.class, self.instr];
        match u8::try_from(self.data.len()).ok().filter(|&n| n < 0xFF) {
            Some(n) => out.push(n),
            None => {
                let n = u16::try_from(self.data.len()).expect("an APDU holds at most 65535 bytes");
                out.push(0xFF);
                out.extend_from_slice(&n.to_le_bytes());
            }
        }
        out.extend_from_slice(&self.data);
        out
    }

    /// The first message in `buf` and how many bytes it took, or `None`
    /// while more bytes are needed.
    pub fn decode(buf: &[u8]) -> Option<(Apdu, usize)> {
        let (&class, &instr, &len) = (buf.first()?, buf.get(1)?, buf.get(2)?);
        let (len, start) = if len == 0xFF {
            (u16::from_le_bytes([*buf.get(3)?, *buf.get(4)?]) as usize, 5)
        } else {
            (len as usize, 3)
        };
        let data = buf.get(start..start + len)?.to_vec();
        Some((Apdu { class, instr, data }, start + len))
    }
}

/// `value` as `digits` BCD digits, two to a byte.
fn bcd(value: u64, digits: usize) -> Vec<u8> {
    let text = format!("{value:0digits$}");
    text.as_bytes().chunks(2).map(|pair| ((pair[0] - b'0') << 4) | (pair[1] - b'0')).collect()
}

fn from_bcd(bytes: &[u8]) -> Result<u64, Garbled> {
    let mut value = 0u64;
    for byte in bytes {
        for nibble in [byte >> 4, byte & 0x0F] {
            if nibble > 9 {
                return Err(Garbled(format!("{bytes:02X?} is not a decimal number")));
            }
            value = value * 10 + u64::from(nibble);
        }
    }
    Ok(value)
}

fn amount_bcd(amount: Money) -> Vec<u8> {
    bcd(amount.minor().unsigned_abs(), 12)
}

/// The terminal's password (six digits) as the commands carry it.
fn password_bcd(password: u32) -> Vec<u8> {
    bcd(u64::from(password), 6)
}

/// Pay `amount` by card.
pub fn authorization(amount: Money) -> Apdu {
    let mut data = vec![TAG_AMOUNT];
    data.extend(amount_bcd(amount));
    data.push(TAG_CURRENCY);
    data.extend_from_slice(&EURO);
    Apdu::new(AUTHORIZATION, data)
}

/// Give `amount` back to a card.
pub fn refund(password: u32, amount: Money) -> Apdu {
    let mut data = password_bcd(password);
    data.push(TAG_AMOUNT);
    data.extend(amount_bcd(amount));
    Apdu::new(REFUND, data)
}

/// The last transaction again.
pub fn repeat_receipt(password: u32) -> Apdu {
    Apdu::new(REPEAT_RECEIPT, password_bcd(password))
}

pub fn end_of_day(password: u32) -> Apdu {
    Apdu::new(END_OF_DAY, password_bcd(password))
}

pub fn abort() -> Apdu {
    Apdu::new(ABORT, Vec::new())
}

/// What a terminal says of one transaction (or of the day, at end of day).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusInfo {
    pub result: u8,
    pub amount: Option<Money>,
    /// The terminal's trace number: one per transaction it books.
    pub trace: Option<u32>,
    /// The terminal's own receipt number.
    pub receipt: Option<u32>,
    pub terminal_id: Option<u32>,
    /// The card's number with all but its last digits masked (`E` nibbles).
    pub pan: Option<String>,
    pub card_type: Option<u8>,
}

impl StatusInfo {
    pub fn approved(&self) -> bool {
        self.result == APPROVED
    }

    /// Its data, in the order a terminal sends it.
    pub fn encode(&self) -> Apdu {
        let mut data = vec![TAG_RESULT, self.result];
        if let Some(amount) = self.amount {
            data.push(TAG_AMOUNT);
            data.extend(amount_bcd(amount));
        }
        if let Some(trace) = self.trace {
            data.push(TAG_TRACE);
            data.extend(bcd(u64::from(trace), 6));
        }
        if let Some(receipt) = self.receipt {
            data.push(TAG_RECEIPT);
            data.extend(bcd(u64::from(receipt), 4));
        }
        if let Some(terminal) = self.terminal_id {
            data.push(TAG_TERMINAL);
            data.extend(bcd(u64::from(terminal), 8));
        }
        if let Some(pan) = &self.pan {
            data.push(TAG_PAN);
            data.extend(pan_bytes(pan));
        }
        if let Some(card) = self.card_type {
            data.extend_from_slice(&[TAG_CARD_TYPE, card]);
        }
        Apdu::new(STATUS_INFORMATION, data)
    }

    /// Reads the status information's fields; a tag this till does not know
    /// is garbled (its length cannot be known).
    pub fn parse(data: &[u8]) -> Result<StatusInfo, Garbled> {
        let mut info = StatusInfo::default();
        let mut rest = data;
        let take = |rest: &mut &[u8], n: usize, tag: u8| -> Result<Vec<u8>, Garbled> {
            let field = rest.get(..n).ok_or_else(|| Garbled(format!("field {tag:02X} is cut short")))?.to_vec();
            *rest = &rest[n..];
            Ok(field)
        };
        while let Some((&tag, after)) = rest.split_first() {
            rest = after;
            match tag {
                TAG_RESULT => info.result = take(&mut rest, 1, tag)?[0],
                TAG_AMOUNT => info.amount = Some(Money::from_minor(from_bcd(&take(&mut rest, 6, tag)?)? as i64)),
                TAG_TRACE => info.trace = Some(from_bcd(&take(&mut rest, 3, tag)?)? as u32),
                TAG_RECEIPT => info.receipt = Some(from_bcd(&take(&mut rest, 2, tag)?)? as u32),
                TAG_TERMINAL => info.terminal_id = Some(from_bcd(&take(&mut rest, 4, tag)?)? as u32),
                TAG_TIME => drop(take(&mut rest, 3, tag)?),
                TAG_DATE | TAG_CURRENCY => drop(take(&mut rest, 2, tag)?),
                TAG_PAYMENT_TYPE => drop(take(&mut rest, 1, tag)?),
                TAG_CARD_TYPE => info.card_type = Some(take(&mut rest, 1, tag)?[0]),
                TAG_PAN => {
                    let len = take(&mut rest, 2, tag)?;
                    let (tens, units) = (len[0], len[1]);
                    if tens >> 4 != 0xF || units >> 4 != 0xF || (tens & 0x0F) > 9 || (units & 0x0F) > 9 {
                        return Err(Garbled(format!("the card number's length {len:02X?} is not FxFy")));
                    }
                    let n = usize::from((tens & 0x0F) * 10 + (units & 0x0F));
                    info.pan = Some(pan_text(&take(&mut rest, n, tag)?)?);
                }
                other => return Err(Garbled(format!("unknown field {other:02X}"))),
            }
        }
        Ok(info)
    }

    /// The card as a receipt prints it: its kind and last four digits.
    pub fn card_text(&self) -> String {
        let kind = self.card_type.map_or("Card".to_string(), card_type_name);
        match &self.pan {
            Some(pan) => format!("{kind} {}", crate::tender::masked_card(pan)),
            None => kind,
        }
    }
}

/// A masked card number (`E` for each hidden digit) as LLVAR BCD: its
/// length as `Fx Fy`, then the digits, `E` masked, `F` padding.
fn pan_bytes(pan: &str) -> Vec<u8> {
    let mut nibbles: Vec<u8> = pan.chars().map(|c| c.to_digit(10).map_or(0x0E, |d| d as u8)).collect();
    if nibbles.len() % 2 == 1 {
        nibbles.push(0x0F);
    }
    let data: Vec<u8> = nibbles.chunks(2).map(|p| (p[0] << 4) | p[1]).collect();
    let n = data.len() as u8;
    [vec![0xF0 | (n / 10), 0xF0 | (n % 10)], data].concat()
}

fn pan_text(bytes: &[u8]) -> Result<String, Garbled> {
    let mut text = String::new();
    for nibble in bytes.iter().flat_map(|b| [b >> 4, b & 0x0F]) {
        match nibble {
            0..=9 => text.push(char::from(b'0' + nibble)),
            0x0E => text.push('*'),
            0x0F => {}
            _ => return Err(Garbled(format!("card number {bytes:02X?}"))),
        }
    }
    Ok(text)
}

/// The card kinds of the ZVT card-type list a till meets most.
pub fn card_type_name(id: u8) -> String {
    match id {
        5 => "girocard".into(),
        6 => "Mastercard".into(),
        8 => "American Express".into(),
        10 => "Visa".into(),
        46 => "Maestro".into(),
        other => format!("card type {other}"),
    }
}

/// A result code, as the cashier reads it.
pub struct ResultText(pub u8);

impl fmt::Display for ResultText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            APPROVED => f.write_str("approved"),
            code @ 0x01..=0x63 => write!(f, "declined by the bank (code {code})"),
            0x64 => f.write_str("the card cannot be read"),
            0x6A => f.write_str("this card is not accepted"),
            CANCELLED => f.write_str("cancelled on the terminal or by the till"),
            0x78 => f.write_str("the card has expired"),
            code => write!(f, "refused (result code {code:02X})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_authorization_carries_the_amount_in_bcd_and_euro() {
        let apdu = authorization(Money::from_minor(1240));
        assert_eq!(apdu.encode(), [0x06, 0x01, 0x0A, 0x04, 0x00, 0x00, 0x00, 0x00, 0x12, 0x40, 0x49, 0x09, 0x78]);
        assert_eq!(refund(123456, Money::from_minor(5)).encode()[..6], [0x06, 0x31, 0x0A, 0x12, 0x34, 0x56]);
    }

    #[test]
    fn messages_decode_whole_or_ask_for_more_bytes() {
        let long = Apdu::new(PRINT_LINE, vec![b'x'; 300]);
        let bytes = long.encode();
        assert_eq!(bytes[2..5], [0xFF, 0x2C, 0x01]);
        assert_eq!(Apdu::decode(&bytes), Some((long, 305)));
        assert_eq!(Apdu::decode(&bytes[..100]), None);
        assert_eq!(Apdu::decode(&ACK), Some((Apdu::new((0x80, 0x00), vec![]), 3)));
    }

    #[test]
    fn status_information_round_trips_and_masks_the_card() {
        let info = StatusInfo {
            result: APPROVED,
            amount: Some(Money::from_minor(1240)),
            trace: Some(57),
            receipt: Some(12),
            terminal_id: Some(52500123),
            pan: Some("6799********1234".into()),
            card_type: Some(10),
        };
        let apdu = info.encode();
        assert_eq!(StatusInfo::parse(&apdu.data), Ok(info.clone()));
        assert_eq!(info.card_text(), "Visa ****1234");
        let garbled = StatusInfo::parse(&[0x27, 0x00, 0x99, 0x01]).unwrap_err();
        assert!(garbled.to_string().contains("unknown field 99"), "{garbled}");
        assert!(StatusInfo::parse(&[0x04, 0x00, 0x12]).unwrap_err().to_string().contains("cut short"));
        assert!(StatusInfo::parse(&[0x0B, 0x00, 0x1A, 0x00]).is_err(), "a trace that is not decimal");
        assert_eq!(ResultText(0x05).to_string(), "declined by the bank (code 5)");
    }
}
