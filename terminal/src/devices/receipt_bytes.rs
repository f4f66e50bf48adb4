//! The bytes an ESC/POS printer gets for a receipt or report: text in code
//! page 858 (accents and the euro sign, ASCII untouched), bold and double
//! size, alignment, a CODE128 of the receipt number, feed and cut, and the
//! cash-drawer kick pulse. Written here, not by the escpos crate, whose
//! PC858 table turns `-` into a soft hyphen and whose drawer command lacks
//! its timing bytes (see shared/CRATES.md); the crate carries the bytes.

use pos_shared::receipt::{Align, Block, ReceiptDoc, Style, pair_lines, wrap};

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
const DLE: u8 = 0x10;
const EOT: u8 = 0x04;
const LF: u8 = 0x0A;

/// `ESC t 19`: the printer's code page 858 (850 with the euro sign).
pub const CODE_PAGE_858: u8 = 19;
/// Pulse pin 2 for 50 ms, then 500 ms off (`ESC p 0 25 250`).
pub const DRAWER_KICK: [u8; 5] = [ESC, b'p', 0, 25, 250];
/// `DLE EOT 1`: printer status; answered once everything before it arrived.
pub const STATUS_PRINTER: [u8; 3] = [DLE, EOT, 1];
/// `DLE EOT 4`: paper sensor status.
pub const STATUS_PAPER: [u8; 3] = [DLE, EOT, 4];

/// Characters of code page 858 above ASCII, from 0x80 upwards (`\0` where
/// the page holds box-drawing or other symbols we never print).
const CP858_HIGH: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', //
    'É', 'æ', 'Æ', 'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', 'ø', '£', 'Ø', '×', 'ƒ', //
    'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '®', '¬', '½', '¼', '¡', '«', '»', //
    '\0', '\0', '\0', '\0', '\0', 'Á', 'Â', 'À', '©', '\0', '\0', '\0', '\0', '¢', '¥', '\0', //
    '\0', '\0', '\0', '\0', '\0', '\0', 'ã', 'Ã', '\0', '\0', '\0', '\0', '\0', '\0', '\0', '¤', //
    'ð', 'Ð', 'Ê', 'Ë', 'È', '€', 'Í', 'Î', 'Ï', '\0', '\0', '\0', '\0', '¦', 'Ì', '\0', //
    'Ó', 'ß', 'Ô', 'Ò', 'õ', 'Õ', 'µ', 'þ', 'Þ', 'Ú', 'Û', 'Ù', 'ý', 'Ý', '¯', '´', //
    '\u{AD}', '±', '\0', '¾', '¶', '§', '÷', '¸', '°', '¨', '·', '¹', '³', '²', '\0', '\u{A0}', //
];

/// The character a code page 858 byte prints, for decoding in tests.
pub fn cp858_char(byte: u8) -> char {
    match byte {
        0..=0x7F => char::from(byte),
        _ => match CP858_HIGH[usize::from(byte - 0x80)] {
            '\0' => '?',
            c => c,
        },
    }
}

/// Text as code page 858 bytes: ASCII as is, letters the page lacks spelt
/// out (œ as oe, typographic quotes and dashes plainly), anything else `?`.
pub fn encode_cp858(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c as u8);
            continue;
        }
        if let Some(i) = CP858_HIGH.iter().position(|&k| k == c && k != '\0') {
            out.push(0x80 + i as u8);
            continue;
        }
        let spelt = match c {
            'œ' => "oe",
            'Œ' => "OE",
            '‘' | '’' => "'",
            '“' | '”' | '„' => "\"",
            '–' | '—' => "-",
            '…' => "...",
            _ => "?",
        };
        out.extend_from_slice(spelt.as_bytes());
    }
    out
}

fn style_on(out: &mut Vec<u8>, style: Style) {
    match style {
        Style::Normal => {}
        Style::Bold => out.extend_from_slice(&[ESC, b'E', 1]),
        Style::Large => out.extend_from_slice(&[ESC, b'E', 1, GS, b'!', 0x11]),
    }
}

fn style_off(out: &mut Vec<u8>, style: Style) {
    match style {
        Style::Normal => {}
        Style::Bold => out.extend_from_slice(&[ESC, b'E', 0]),
        Style::Large => out.extend_from_slice(&[GS, b'!', 0, ESC, b'E', 0]),
    }
}

fn line(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&encode_cp858(text));
    out.push(LF);
}

/// `GS k 73`: a CODE128 (code set B) with its text printed below.
fn code128(out: &mut Vec<u8>, data: &str) {
    let data: Vec<u8> = data.bytes().filter(|b| (0x20..0x7F).contains(b)).collect();
    out.extend_from_slice(&[ESC, b'a', 1, GS, b'h', 80, GS, b'w', 2, GS, b'H', 2]);
    out.extend_from_slice(&[GS, b'k', 73, data.len() as u8 + 2, b'{', b'B']);
    out.extend_from_slice(&data);
    out.extend_from_slice(&[ESC, b'a', 0]);
}

/// A whole receipt: init, code page, the blocks at `columns` characters a
/// line (half as many in double size), feed and cut, then the drawer kick
/// when the sale took cash.
pub fn encode_receipt(doc: &ReceiptDoc, columns: usize, kick_drawer: bool) -> Vec<u8> {
    let mut out = vec![ESC, b'@', ESC, b't', CODE_PAGE_858];
    for block in &doc.blocks {
        match block {
            Block::Text { text, align, style } => {
                let width = if *style == Style::Large { columns / 2 } else { columns };
                if *align == Align::Center {
                    out.extend_from_slice(&[ESC, b'a', 1]);
                }
                style_on(&mut out, *style);
                for text in wrap(text, width) {
                    line(&mut out, &text);
                }
                style_off(&mut out, *style);
                if *align == Align::Center {
                    out.extend_from_slice(&[ESC, b'a', 0]);
                }
            }
            Block::Pair { left, right, style } => {
                let width = if *style == Style::Large { columns / 2 } else { columns };
                style_on(&mut out, *style);
                for text in pair_lines(left, right, width) {
                    line(&mut out, &text);
                }
                style_off(&mut out, *style);
            }
            Block::Rule => line(&mut out, &"-".repeat(columns)),
            Block::Code(data) => code128(&mut out, data),
        }
    }
    out.extend_from_slice(&[ESC, b'd', 3, GS, b'V', 66, 0]);
    if kick_drawer {
        out.extend_from_slice(&DRAWER_KICK);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_is_untouched_and_accents_use_the_code_page() {
        assert_eq!(encode_cp858("S01-T01-000123"), b"S01-T01-000123", "the hyphen stays 0x2D");
        assert_eq!(encode_cp858("é€ü"), [0x82, 0xD5, 0x81]);
        assert_eq!(encode_cp858("Œufs – 2"), b"OEufs - 2");
        assert_eq!(encode_cp858("日"), b"?");
        for byte in 0x80..=0xFFu8 {
            let c = cp858_char(byte);
            if c != '?' {
                assert_eq!(encode_cp858(&c.to_string()), [byte], "{c}");
            }
        }
    }
}
