//! Device addresses, one string each, the same in the config file, the
//! settings screen and the CLI: `tcp://HOST:PORT`, `usb://VID:PID`,
//! `serial:///dev/ttyUSB0?baud=19200`, `file:///dev/usb/lp0` for printers;
//! `serial:///dev/ttyACM0?baud=9600&suffix=cr` or `keyboard` for scanners;
//! `serial:///dev/ttyUSB1?baud=9600&protocol=8217` (or `cas`) for scales;
//! `serial:///dev/ttyUSB2?baud=9600` for the customer's pole display;
//! `zvt://HOST:PORT?password=000000&timeout=120` for a card terminal.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("device address “{address}”: {problem}")]
pub struct AddressError {
    pub address: String,
    pub problem: String,
}

fn bad(address: &str, problem: impl Into<String>) -> AddressError {
    AddressError { address: address.to_string(), problem: problem.into() }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrinterAddress {
    Tcp { host: String, port: u16 },
    Usb { vendor: u16, product: u16 },
    Serial { path: String, baud: u32 },
    File { path: String },
}

/// What ends one scan in a serial scanner's stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Suffix {
    Cr,
    Lf,
    CrLf,
    Tab,
}

impl Suffix {
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Suffix::Cr => b"\r",
            Suffix::Lf => b"\n",
            Suffix::CrLf => b"\r\n",
            Suffix::Tab => b"\t",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Suffix::Cr => "cr",
            Suffix::Lf => "lf",
            Suffix::CrLf => "crlf",
            Suffix::Tab => "tab",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScannerAddress {
    Serial {
        path: String,
        baud: u32,
        suffix: Suffix,
    },
    /// A keyboard-wedge scanner: it types into the focused window.
    Keyboard,
}

/// A shop scale on a serial line, and the protocol it speaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScaleAddress {
    pub path: String,
    pub baud: u32,
    pub protocol: crate::scale::ScaleProtocol,
}

/// The customer's pole display on a serial line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayAddress {
    pub path: String,
    pub baud: u32,
}

/// A ZPL label printer on the network: `zpl://HOST:PORT` (9100 by default).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZplAddress {
    pub host: String,
    pub port: u16,
}

impl FromStr for ZplAddress {
    type Err = AddressError;
    fn from_str(address: &str) -> Result<Self, Self::Err> {
        let address = address.trim();
        let Parts { scheme, target, params } = split(address)?;
        if scheme != "zpl" {
            return Err(bad(address, format!("scheme “{scheme}” is not zpl")));
        }
        unknown_params(address, &params, &[])?;
        let (host, port) = host_port(address, target, 9100)?;
        Ok(ZplAddress { host, port })
    }
}

/// A card terminal speaking ZVT over TCP: its password (six digits, for
/// refunds and end of day) and how long a payment may wait for the
/// customer's card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardTerminalAddress {
    pub host: String,
    pub port: u16,
    pub password: u32,
    pub timeout_s: u32,
}

/// `scheme://target?key=value&...`, split.
struct Parts<'a> {
    scheme: &'a str,
    target: &'a str,
    params: Vec<(&'a str, &'a str)>,
}

fn split(address: &str) -> Result<Parts<'_>, AddressError> {
    let (scheme, rest) =
        address.split_once("://").ok_or_else(|| bad(address, "expected SCHEME://..., e.g. tcp://192.168.1.50:9100"))?;
    if address.chars().any(char::is_control) {
        return Err(bad(address, "it contains a control character"));
    }
    let (target, query) = rest.split_once('?').unwrap_or((rest, ""));
    // `file:///dev/lp0 ?x` and `file:///dev/lp0` are the same device (found by fuzzing).
    let target = target.trim();
    let mut params = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').ok_or_else(|| bad(address, format!("“{pair}” is not key=value")))?;
        params.push((key, value));
    }
    Ok(Parts { scheme, target, params })
}

/// `HOST:PORT`, or `HOST` on the device's usual port.
fn host_port(address: &str, target: &str, usual: u16) -> Result<(String, u16), AddressError> {
    let (host, port) = match target.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().map_err(|_| bad(address, format!("port “{port}” is not a number")))?),
        None => (target, usual),
    };
    if host.is_empty() {
        return Err(bad(address, "the host is missing"));
    }
    Ok((host.to_string(), port))
}

fn serial_path<'a>(address: &str, target: &'a str) -> Result<&'a str, AddressError> {
    if target.starts_with('/') || target.starts_with("COM") {
        Ok(target)
    } else {
        Err(bad(address, "the serial port must be a path like /dev/ttyUSB0"))
    }
}

fn baud(address: &str, value: &str) -> Result<u32, AddressError> {
    value
        .parse::<u32>()
        .ok()
        .filter(|b| (1200..=921_600).contains(b))
        .ok_or_else(|| bad(address, format!("baud “{value}” must be a rate like 9600 or 19200")))
}

fn hex16(address: &str, what: &str, value: &str) -> Result<u16, AddressError> {
    let digits = value.trim_start_matches("0x");
    if digits.len() != 4 {
        return Err(bad(address, format!("{what} “{value}” must be four hex digits, e.g. 04b8")));
    }
    u16::from_str_radix(digits, 16).map_err(|_| bad(address, format!("{what} “{value}” is not hexadecimal")))
}

fn unknown_params(address: &str, params: &[(&str, &str)], allowed: &[&str]) -> Result<(), AddressError> {
    match params.iter().find(|(k, _)| !allowed.contains(k)) {
        Some((key, _)) => Err(bad(address, format!("unknown option “{key}” (allowed: {})", allowed.join(", ")))),
        None => Ok(()),
    }
}

impl FromStr for PrinterAddress {
    type Err = AddressError;
    fn from_str(address: &str) -> Result<Self, Self::Err> {
        let address = address.trim();
        let Parts { scheme, target, params } = split(address)?;
        match scheme {
            "tcp" => {
                unknown_params(address, &params, &[])?;
                let (host, port) = host_port(address, target, 9100)?;
                Ok(PrinterAddress::Tcp { host, port })
            }
            "usb" => {
                unknown_params(address, &params, &[])?;
                let (vendor, product) = target
                    .split_once(':')
                    .ok_or_else(|| bad(address, "expected usb://VID:PID, e.g. usb://04b8:0202"))?;
                Ok(PrinterAddress::Usb {
                    vendor: hex16(address, "vendor id", vendor)?,
                    product: hex16(address, "product id", product)?,
                })
            }
            "serial" => {
                unknown_params(address, &params, &["baud"])?;
                let baud = params.iter().find(|(k, _)| *k == "baud").map_or(Ok(9600), |(_, v)| baud(address, v))?;
                Ok(PrinterAddress::Serial { path: serial_path(address, target)?.to_string(), baud })
            }
            "file" => {
                unknown_params(address, &params, &[])?;
                if !target.starts_with('/') {
                    return Err(bad(address, "the file must be an absolute path like /dev/usb/lp0"));
                }
                Ok(PrinterAddress::File { path: target.to_string() })
            }
            other => Err(bad(address, format!("scheme “{other}” is not tcp, usb, serial or file"))),
        }
    }
}

impl fmt::Display for PrinterAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrinterAddress::Tcp { host, port } => write!(f, "tcp://{host}:{port}"),
            PrinterAddress::Usb { vendor, product } => {
                write!(f, "usb://{vendor:04x}:{product:04x}")
            }
            PrinterAddress::Serial { path, baud } => write!(f, "serial://{path}?baud={baud}"),
            PrinterAddress::File { path } => write!(f, "file://{path}"),
        }
    }
}

impl FromStr for ScannerAddress {
    type Err = AddressError;
    fn from_str(address: &str) -> Result<Self, Self::Err> {
        let address = address.trim();
        if address == "keyboard" {
            return Ok(ScannerAddress::Keyboard);
        }
        let Parts { scheme, target, params } =
            split(address).map_err(|_| bad(address, "expected “keyboard” or serial://PORT?baud=9600&suffix=cr"))?;
        if scheme != "serial" {
            return Err(bad(address, format!("scheme “{scheme}” is not serial (or use “keyboard”)")));
        }
        unknown_params(address, &params, &["baud", "suffix"])?;
        let mut baud_rate = 9600;
        let mut suffix = Suffix::Cr;
        for (key, value) in params {
            match key {
                "baud" => baud_rate = baud(address, value)?,
                _ => {
                    suffix = [Suffix::Cr, Suffix::Lf, Suffix::CrLf, Suffix::Tab]
                        .into_iter()
                        .find(|s| s.name() == value)
                        .ok_or_else(|| bad(address, format!("suffix “{value}” must be cr, lf, crlf or tab")))?;
                }
            }
        }
        Ok(ScannerAddress::Serial { path: serial_path(address, target)?.to_string(), baud: baud_rate, suffix })
    }
}

impl fmt::Display for ScannerAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScannerAddress::Keyboard => f.write_str("keyboard"),
            ScannerAddress::Serial { path, baud, suffix } => {
                write!(f, "serial://{path}?baud={baud}&suffix={}", suffix.name())
            }
        }
    }
}

impl FromStr for ScaleAddress {
    type Err = AddressError;
    fn from_str(address: &str) -> Result<Self, Self::Err> {
        let address = address.trim();
        let Parts { scheme, target, params } = split(address)?;
        if scheme != "serial" {
            return Err(bad(address, format!("scheme “{scheme}” is not serial: scales are on a serial line")));
        }
        unknown_params(address, &params, &["baud", "protocol"])?;
        let (mut rate, mut protocol) = (9600, crate::scale::ScaleProtocol::Toledo8217);
        for (key, value) in params {
            match key {
                "baud" => rate = baud(address, value)?,
                _ => protocol = value.parse().map_err(|e: String| bad(address, e))?,
            }
        }
        Ok(ScaleAddress { path: serial_path(address, target)?.to_string(), baud: rate, protocol })
    }
}

impl fmt::Display for ScaleAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "serial://{}?baud={}&protocol={}", self.path, self.baud, self.protocol)
    }
}

impl FromStr for DisplayAddress {
    type Err = AddressError;
    fn from_str(address: &str) -> Result<Self, Self::Err> {
        let address = address.trim();
        let Parts { scheme, target, params } = split(address)?;
        if scheme != "serial" {
            return Err(bad(address, format!("scheme “{scheme}” is not serial: a pole display is on a serial line")));
        }
        unknown_params(address, &params, &["baud"])?;
        let rate = params.iter().find(|(k, _)| *k == "baud").map_or(Ok(9600), |(_, v)| baud(address, v))?;
        Ok(DisplayAddress { path: serial_path(address, target)?.to_string(), baud: rate })
    }
}

impl fmt::Display for DisplayAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "serial://{}?baud={}", self.path, self.baud)
    }
}

impl FromStr for CardTerminalAddress {
    type Err = AddressError;
    fn from_str(address: &str) -> Result<Self, Self::Err> {
        let address = address.trim();
        let Parts { scheme, target, params } = split(address)?;
        if scheme != "zvt" {
            return Err(bad(address, format!("scheme “{scheme}” is not zvt: card terminals speak ZVT over TCP")));
        }
        unknown_params(address, &params, &["password", "timeout"])?;
        let (host, port) = host_port(address, target, 20007)?;
        let (mut password, mut timeout_s) = (0, 120);
        for (key, value) in params {
            let number = value.parse::<u32>().ok();
            match key {
                "password" => {
                    password = number
                        .filter(|_| value.len() == 6)
                        .ok_or_else(|| bad(address, format!("password “{value}” must be six digits")))?;
                }
                _ => {
                    timeout_s = number
                        .filter(|s| (1..=600).contains(s))
                        .ok_or_else(|| bad(address, format!("timeout “{value}” must be 1 to 600 seconds")))?;
                }
            }
        }
        Ok(CardTerminalAddress { host, port, password, timeout_s })
    }
}

impl fmt::Display for CardTerminalAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let CardTerminalAddress { host, port, password, timeout_s } = self;
        write!(f, "zvt://{host}:{port}?password={password:06}&timeout={timeout_s}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_terminal_addresses_round_trip_and_say_what_is_wrong() {
        let text = "zvt://192.168.1.60:20007?password=012345&timeout=90";
        assert_eq!(text.parse::<CardTerminalAddress>().unwrap().to_string(), text);
        assert_eq!(
            "zvt://pt".parse::<CardTerminalAddress>().unwrap().to_string(),
            "zvt://pt:20007?password=000000&timeout=120"
        );
        for (text, says) in [
            ("tcp://pt:20007", "card terminals speak ZVT"),
            ("zvt://pt?password=12", "six digits"),
            ("zvt://pt?timeout=0", "1 to 600 seconds"),
            ("zvt://:20007", "host is missing"),
            ("zvt://pt?pin=1", "unknown option"),
        ] {
            let err = text.parse::<CardTerminalAddress>().unwrap_err().to_string();
            assert!(err.contains(says), "{text}: {err}");
        }
    }

    #[test]
    fn display_addresses_round_trip() {
        let text = "serial:///dev/ttyUSB2?baud=9600";
        assert_eq!(text.parse::<DisplayAddress>().unwrap().to_string(), text);
        let err = "tcp://display:1".parse::<DisplayAddress>().unwrap_err().to_string();
        assert!(err.contains("a pole display is on a serial line"), "{err}");
    }

    #[test]
    fn scale_addresses_round_trip_and_say_what_is_wrong() {
        for text in ["serial:///dev/ttyUSB1?baud=9600&protocol=8217", "serial:///dev/ttyS0?baud=4800&protocol=cas"] {
            assert_eq!(text.parse::<ScaleAddress>().unwrap().to_string(), text);
        }
        assert_eq!(
            "serial:///dev/ttyUSB1".parse::<ScaleAddress>().unwrap().to_string(),
            "serial:///dev/ttyUSB1?baud=9600&protocol=8217"
        );
        for (text, words) in [
            ("tcp://scale:1", "scales are on a serial line"),
            ("serial:///dev/ttyUSB1?protocol=dibal", "protocol “dibal”"),
            ("serial:///dev/ttyUSB1?tare=1", "unknown option “tare”"),
        ] {
            let err = text.parse::<ScaleAddress>().unwrap_err().to_string();
            assert!(err.contains(words), "{text}: {err}");
        }
    }

    #[test]
    fn printer_addresses_round_trip() {
        for text in
            ["tcp://192.168.1.50:9100", "usb://04b8:0202", "serial:///dev/ttyUSB0?baud=19200", "file:///dev/usb/lp0"]
        {
            let address: PrinterAddress = text.parse().unwrap();
            assert_eq!(address.to_string(), text);
        }
        assert_eq!("tcp://printer.local".parse::<PrinterAddress>().unwrap().to_string(), "tcp://printer.local:9100");
        // Found by fuzzing: spaces before the query were kept in the path,
        // so the address printed back as another device.
        let spaced: PrinterAddress = "file:///dev/lp0  ?".parse().unwrap();
        assert_eq!(spaced.to_string().parse::<PrinterAddress>().unwrap(), spaced);
        assert_eq!(spaced.to_string(), "file:///dev/lp0");
        assert!("file:///dev/lp0\n?x=1".parse::<PrinterAddress>().is_err());
    }

    #[test]
    fn scanner_addresses_round_trip() {
        for text in
            ["keyboard", "serial:///dev/ttyACM0?baud=9600&suffix=cr", "serial:///dev/ttyS1?baud=115200&suffix=crlf"]
        {
            let address: ScannerAddress = text.parse().unwrap();
            assert_eq!(address.to_string(), text);
        }
    }

    #[test]
    fn malformed_addresses_name_the_wrong_part() {
        let printers = [
            ("192.168.1.50:9100", "SCHEME://"),
            ("lpt://x", "scheme “lpt”"),
            ("tcp://:9100", "host is missing"),
            ("tcp://host:91o0", "port “91o0”"),
            ("usb://04b8", "usb://VID:PID"),
            ("usb://04b8:zzzz", "product id “zzzz”"),
            ("serial://ttyUSB0", "path like /dev/ttyUSB0"),
            ("serial:///dev/ttyUSB0?baud=fast", "baud “fast”"),
            ("serial:///dev/ttyUSB0?parity=odd", "unknown option “parity”"),
            ("file://lp0", "absolute path"),
        ];
        for (text, words) in printers {
            let err = text.parse::<PrinterAddress>().unwrap_err().to_string();
            assert!(err.contains(words), "{text}: {err}");
        }
        let scanners = [
            ("tcp://x:1", "scheme “tcp”"),
            ("serial:///dev/ttyACM0?suffix=semicolon", "suffix “semicolon”"),
            ("keyboards", "expected “keyboard”"),
        ];
        for (text, words) in scanners {
            let err = text.parse::<ScannerAddress>().unwrap_err().to_string();
            assert!(err.contains(words), "{text}: {err}");
        }
    }
}
