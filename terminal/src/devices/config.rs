//! The terminal's device settings, in `devices.toml` in the data directory:
//! printer and scanner addresses, paper width and columns, and whether the
//! app fills the screen (a till) or runs in a window, and its scan tones.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::address::{CardTerminalAddress, DisplayAddress, PrinterAddress, ScaleAddress, ScannerAddress};
use crate::error::{CoreError, CoreResult};

pub const CONFIG_FILE: &str = "devices.toml";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeviceConfig {
    pub printer: Option<String>,
    pub scanner: Option<String>,
    /// A shop scale: `serial:///dev/ttyUSB1?baud=9600&protocol=8217`.
    pub scale: Option<String>,
    /// The customer's pole display: `serial:///dev/ttyUSB2?baud=9600`.
    pub display: Option<String>,
    /// Shelf labels: `zpl://HOST:PORT`, or an ESC/POS printer's address.
    pub label_printer: Option<String>,
    /// A card terminal speaking ZVT: `zvt://HOST:PORT?password=000000`.
    pub card_terminal: Option<String>,
    /// The customer's second screen: `on` (beside the till's, at x 1366)
    /// or `X,Y` (where the customer's monitor starts).
    pub customer_screen: Option<String>,
    /// Millimetres: 80 or 58.
    pub paper_width: u16,
    /// Characters a line; by default 42 on 80 mm paper and 32 on 58 mm.
    pub columns: Option<usize>,
    /// `fullscreen` (a till's kiosk, the default) or `windowed`.
    pub window: WindowMode,
    /// Scan tones: `auto` (the machine's audio player, if any), `off`, or
    /// the path of a player that takes a WAV file.
    pub sound: String,
}

/// Where the customer's second screen opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomerScreen {
    /// Beside the till's screen.
    Beside,
    /// At this point of the desktop (where the customer's monitor starts).
    At(i32, i32),
}

/// How the app's window starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WindowMode {
    #[default]
    Fullscreen,
    Windowed,
}

impl Default for DeviceConfig {
    fn default() -> Self {
        DeviceConfig {
            printer: None,
            scanner: Some("keyboard".into()),
            scale: None,
            display: None,
            label_printer: None,
            card_terminal: None,
            customer_screen: None,
            paper_width: 80,
            columns: None,
            window: WindowMode::Fullscreen,
            sound: "auto".into(),
        }
    }
}

impl DeviceConfig {
    pub fn load(dir: &Path) -> CoreResult<DeviceConfig> {
        let path = dir.join(CONFIG_FILE);
        if !path.exists() {
            return Ok(DeviceConfig::default());
        }
        let text = std::fs::read_to_string(&path)?;
        let config: DeviceConfig =
            toml::from_str(&text).map_err(|e| CoreError::Invalid(format!("{}: {}", path.display(), e.message())))?;
        config.validate()?;
        Ok(config)
    }

    pub fn save(&self, dir: &Path) -> CoreResult<()> {
        let text = toml::to_string(self).map_err(|e| CoreError::Invalid(e.to_string()))?;
        let path = dir.join(CONFIG_FILE);
        let temporary = path.with_extension("toml.new");
        std::fs::write(&temporary, text)?;
        std::fs::rename(&temporary, &path)?;
        Ok(())
    }

    fn validate(&self) -> CoreResult<()> {
        self.printer_address()?;
        if let Some(scanner) = &self.scanner {
            scanner.parse::<ScannerAddress>().map_err(|e| CoreError::Invalid(e.to_string()))?;
        }
        self.scale_address()?;
        self.display_address()?;
        self.label_printer()?;
        self.card_terminal_address()?;
        self.customer_screen()?;
        if self.paper_width != 58 && self.paper_width != 80 {
            return Err(CoreError::Invalid(format!("paper width {} must be 58 or 80 (mm)", self.paper_width)));
        }
        if let Some(columns) = self.columns.filter(|c| !(24..=64).contains(c)) {
            return Err(CoreError::Invalid(format!("{columns} columns: a receipt line holds 24 to 64")));
        }
        if !matches!(self.sound.as_str(), "auto" | "off") && !Path::new(&self.sound).is_absolute() {
            return Err(CoreError::Invalid(format!(
                "sound “{}” must be auto, off or a player's full path",
                self.sound
            )));
        }
        Ok(())
    }

    pub fn printer_address(&self) -> CoreResult<Option<PrinterAddress>> {
        address(&self.printer)
    }

    pub fn scale_address(&self) -> CoreResult<Option<ScaleAddress>> {
        address(&self.scale)
    }

    pub fn display_address(&self) -> CoreResult<Option<DisplayAddress>> {
        address(&self.display)
    }

    pub fn card_terminal_address(&self) -> CoreResult<Option<CardTerminalAddress>> {
        address(&self.card_terminal)
    }

    /// Where the customer's second screen opens, if the till has one.
    pub fn customer_screen(&self) -> CoreResult<Option<CustomerScreen>> {
        let Some(text) = self.customer_screen.as_deref() else { return Ok(None) };
        if text == "on" {
            return Ok(Some(CustomerScreen::Beside));
        }
        let at = text.split_once(',').and_then(|(x, y)| Some((x.trim().parse().ok()?, y.trim().parse().ok()?)));
        match at {
            Some((x, y)) => Ok(Some(CustomerScreen::At(x, y))),
            None => Err(CoreError::Invalid(format!(
                "customer screen “{text}” must be on, off or X,Y (where the customer's monitor starts, e.g. 1920,0)"
            ))),
        }
    }

    pub fn label_printer(&self) -> CoreResult<Option<crate::labels::LabelPrinter>> {
        self.label_printer.as_deref().map(str::parse).transpose()
    }

    pub fn columns(&self) -> usize {
        self.columns.unwrap_or(if self.paper_width == 58 { 32 } else { 42 })
    }

    /// Sets one setting by its CLI name; an invalid value changes nothing.
    pub fn set(&mut self, key: &str, value: &str) -> CoreResult<()> {
        let mut changed = self.clone();
        let none_if_empty = |v: &str| (!v.trim().is_empty() && v != "none").then(|| v.trim().to_string());
        match key {
            "printer" => changed.printer = none_if_empty(value),
            "scanner" => changed.scanner = none_if_empty(value),
            "scale" => changed.scale = none_if_empty(value),
            "display" => changed.display = none_if_empty(value),
            "label-printer" => changed.label_printer = none_if_empty(value),
            "card-terminal" => changed.card_terminal = none_if_empty(value),
            "customer-screen" => changed.customer_screen = none_if_empty(value).filter(|v| v != "off"),
            "paper-width" => {
                changed.paper_width = value
                    .trim_end_matches("mm")
                    .parse()
                    .map_err(|_| CoreError::Invalid(format!("paper width “{value}” must be 58 or 80")))?;
            }
            "columns" => {
                changed.columns = match value {
                    "auto" => None,
                    n => Some(
                        n.parse().map_err(|_| CoreError::Invalid(format!("columns “{n}” must be a number or auto")))?,
                    ),
                };
            }
            "window" => {
                changed.window = match value.trim() {
                    "fullscreen" => WindowMode::Fullscreen,
                    "windowed" => WindowMode::Windowed,
                    _ => return Err(CoreError::Invalid(format!("window “{value}” must be fullscreen or windowed"))),
                };
            }
            "sound" => changed.sound = value.trim().to_string(),
            other => {
                return Err(CoreError::Invalid(format!(
                    "unknown setting “{other}”: printer, scanner, scale, display, label-printer, card-terminal, customer-screen, paper-width, columns, window or sound"
                )));
            }
        }
        changed.validate()?;
        *self = changed;
        Ok(())
    }
}

/// A device's address, read from its setting.
fn address<T: std::str::FromStr<Err = super::address::AddressError>>(
    setting: &Option<String>,
) -> CoreResult<Option<T>> {
    setting.as_deref().map(|text| text.parse().map_err(|e: T::Err| CoreError::Invalid(e.to_string()))).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_validates_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = DeviceConfig::load(dir.path()).unwrap();
        assert_eq!(config.columns(), 42);
        config.set("printer", "tcp://127.0.0.1:9100").unwrap();
        config.set("paper-width", "58").unwrap();
        config.set("scanner", "serial:///dev/ttyACM0?baud=9600&suffix=cr").unwrap();
        config.set("sound", "off").unwrap();
        config.set("customer-screen", "1920,0").unwrap();
        config.save(dir.path()).unwrap();
        let loaded = DeviceConfig::load(dir.path()).unwrap();
        assert_eq!(loaded, config);
        assert_eq!(loaded.columns(), 32);
        assert_eq!(loaded.customer_screen().unwrap(), Some(CustomerScreen::At(1920, 0)));
        for (key, value, words) in [
            ("printer", "lpt1", "SCHEME://"),
            ("paper-width", "70", "58 or 80"),
            ("columns", "200", "24 to 64"),
            ("colour", "red", "unknown setting"),
            ("sound", "beep", "auto, off or a player's full path"),
            ("customer-screen", "left", "on, off or X,Y"),
        ] {
            let err = config.set(key, value).unwrap_err().to_string();
            assert!(err.contains(words), "{key}={value}: {err}");
        }
        assert_eq!(config, loaded, "a refused value changes nothing");
    }
}
