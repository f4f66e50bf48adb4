//! The customer's pole display: two lines of 20 characters on a serial
//! line, driven with the ESC/POS display commands (initialise, clear, the
//! cursor to each line, text in code page 858). What the customer reads:
//! the item just scanned and the total, the total to pay, the change, or a
//! welcome.

use std::io::Write;
use std::time::Duration;

use pos_shared::device_address::DisplayAddress;
use pos_shared::money::Money;

use super::receipt_bytes::{CODE_PAGE_858, encode_cp858};

/// Characters a line of a 2x20 display holds.
pub const WIDTH: usize = 20;

const ESC: u8 = 0x1B;
const US: u8 = 0x1F;
const FF: u8 = 0x0C;

/// What the display shows: two lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    pub top: String,
    pub bottom: String,
}

/// `left` and `right` on one line, `right` against the right edge.
fn pair(left: &str, right: &str) -> String {
    let right: String = right.chars().take(WIDTH).collect();
    let room = WIDTH - right.chars().count();
    let left: String = left.chars().take(room.saturating_sub(1)).collect();
    format!("{left:<room$}{right}")
}

fn centred(text: &str) -> String {
    let text: String = text.chars().take(WIDTH).collect();
    format!("{text:^WIDTH$}")
}

impl Shown {
    pub fn welcome(store: &str) -> Shown {
        Shown { top: centred("Welcome"), bottom: centred(store) }
    }

    /// The line just scanned, and the sale's total so far.
    pub fn item(name: &str, amount: Money, total: Money) -> Shown {
        Shown { top: pair(name, &amount.to_string()), bottom: pair("TOTAL", &total.to_string()) }
    }

    pub fn total(total: Money) -> Shown {
        Shown { top: pair("TOTAL", &total.to_string()), bottom: String::new() }
    }

    /// The amount the card terminal waits for.
    pub fn card(amount: Money) -> Shown {
        Shown { top: pair("CARD", &amount.to_string()), bottom: centred("Present your card") }
    }

    pub fn refund(total: Money) -> Shown {
        Shown { top: pair("REFUND", &total.to_string()), bottom: String::new() }
    }

    pub fn change(paid: Money, change: Money) -> Shown {
        Shown { top: pair("PAID", &paid.to_string()), bottom: pair("CHANGE", &change.to_string()) }
    }

    /// The bytes that put it on the display.
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = vec![ESC, b'@', ESC, b't', CODE_PAGE_858, FF];
        for (row, text) in [(1u8, &self.top), (2, &self.bottom)] {
            let mut line = encode_cp858(text);
            line.resize(WIDTH, b' ');
            out.extend_from_slice(&[US, b'$', 1, row]);
            out.extend_from_slice(&line);
        }
        out
    }
}

/// Sends `shown` to the display on its serial line.
pub fn show(address: &DisplayAddress, shown: &Shown) -> std::io::Result<()> {
    let mut port = serialport::new(&address.path, address.baud).timeout(Duration::from_millis(500)).open()?;
    port.write_all(&shown.bytes())?;
    port.flush()
}

impl crate::Terminal {
    /// Shows `shown` on this till's pole display, if it has one. A display
    /// that is unplugged never stops a sale: its problem is returned for a
    /// warning.
    pub fn show_customer(&self, shown: &Shown) -> Option<String> {
        let address = match self.devices.display_address() {
            Ok(Some(address)) => address,
            Ok(None) => return None,
            Err(e) => return Some(e.to_string()),
        };
        show(&address, shown).err().map(|e| format!("the customer display: {e}"))
    }
}
