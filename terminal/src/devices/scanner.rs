//! Barcode scanners. Serial scanners (RS-232 or USB-CDC) are read on their
//! own thread, which reopens the port after an unplug; keyboard-wedge
//! scanners type like a person, only faster, and the timing tells them
//! apart.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use super::address::Suffix;

/// What a scanner reader reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScannerEvent {
    Connected(String),
    Scan(String),
    /// Unplugged or failing; it is retried every half second.
    Disconnected(String),
}

/// Cuts a byte stream into scans at the suffix.
#[derive(Debug)]
pub struct SuffixSplitter {
    suffix: Suffix,
    pending: Vec<u8>,
}

impl SuffixSplitter {
    pub fn new(suffix: Suffix) -> SuffixSplitter {
        SuffixSplitter { suffix, pending: Vec::new() }
    }

    /// Adds bytes; returns the scans they complete (blank ones dropped).
    pub fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        self.pending.extend_from_slice(bytes);
        let suffix = self.suffix.bytes();
        let mut scans = Vec::new();
        while let Some(end) = self.pending.windows(suffix.len()).position(|w| w == suffix) {
            let scan: Vec<u8> = self.pending.drain(..end + suffix.len()).take(end).collect();
            let text = String::from_utf8_lossy(&scan).trim().to_string();
            if !text.is_empty() {
                scans.push(text);
            }
        }
        scans
    }
}

/// How the reader waits between attempts to open a port that is gone.
const REOPEN_EVERY: Duration = Duration::from_millis(500);

/// Reads a serial scanner on a named thread until `stop` is set, sending
/// every scan and every plug and unplug to `deliver`, which answers false
/// once nobody listens any more.
pub fn spawn_serial_scanner(
    path: String,
    baud: u32,
    suffix: Suffix,
    mut deliver: impl FnMut(ScannerEvent) -> bool + Send + 'static,
    stop: Arc<AtomicBool>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new().name(format!("scanner {path}")).spawn(move || {
        // Said once per outage, not at every retry.
        let mut told_down = false;
        while !stop.load(Ordering::SeqCst) {
            let mut port = match serialport::new(&path, baud).timeout(Duration::from_millis(100)).open() {
                Ok(port) => port,
                Err(error) => {
                    if !told_down && !deliver(ScannerEvent::Disconnected(error.to_string())) {
                        return;
                    }
                    told_down = true;
                    std::thread::sleep(REOPEN_EVERY);
                    continue;
                }
            };
            if !deliver(ScannerEvent::Connected(path.clone())) {
                return;
            }
            let mut splitter = SuffixSplitter::new(suffix);
            let mut buf = [0u8; 256];
            let lost = loop {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                match port.read(&mut buf) {
                    Ok(0) => break "the port closed".to_string(),
                    Ok(n) => {
                        for scan in splitter.push(&buf[..n]) {
                            if !deliver(ScannerEvent::Scan(scan)) {
                                return;
                            }
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                    Err(e) => break e.to_string(),
                }
            };
            drop(port);
            told_down = true;
            if !deliver(ScannerEvent::Disconnected(lost)) {
                return;
            }
            std::thread::sleep(REOPEN_EVERY);
        }
    })
}

/// Most time between two keys of one scan; people type slower.
const WEDGE_MAX_GAP_MS: i64 = 35;
/// Fewest characters a scan has (EAN-8).
const WEDGE_MIN_LEN: usize = 8;

/// Tells a keyboard-wedge scanner's burst from a person typing: every key
/// of the burst follows the last within a few milliseconds.
#[derive(Debug, Default)]
pub struct WedgeDetector {
    keys: String,
    last_at: Option<i64>,
    burst: bool,
}

impl WedgeDetector {
    /// A printable key at `at_ms`.
    pub fn key(&mut self, c: char, at_ms: i64) {
        let fast = self.last_at.is_none_or(|last| at_ms - last <= WEDGE_MAX_GAP_MS);
        self.burst = if self.keys.is_empty() { true } else { self.burst && fast };
        self.keys.push(c);
        self.last_at = Some(at_ms);
    }

    /// Whether a burst is coming in at `now_ms`: keys since the last Enter,
    /// each fast after the one before, the last one just now.
    pub fn in_burst(&self, now_ms: i64) -> bool {
        self.burst && !self.keys.is_empty() && self.last_at.is_some_and(|last| now_ms - last <= WEDGE_MAX_GAP_MS)
    }

    /// Enter at `at_ms`: the scan, if the keys since the last Enter came as
    /// a scanner's burst; `None` if a person typed them.
    pub fn enter(&mut self, at_ms: i64) -> Option<String> {
        let fast = self.last_at.is_some_and(|last| at_ms - last <= WEDGE_MAX_GAP_MS);
        let keys = std::mem::take(&mut self.keys);
        let scan = self.burst && fast && keys.chars().count() >= WEDGE_MIN_LEN;
        self.last_at = None;
        self.burst = false;
        scan.then_some(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitter_cuts_at_the_suffix_across_reads() {
        let mut cr = SuffixSplitter::new(Suffix::Cr);
        assert_eq!(cr.push(b"40063813"), Vec::<String>::new());
        assert_eq!(cr.push(b"33931\r96385074\r\r3"), vec!["4006381333931", "96385074"]);
        let mut crlf = SuffixSplitter::new(Suffix::CrLf);
        assert_eq!(crlf.push(b"123\r\n456\r"), vec!["123"]);
        assert_eq!(crlf.push(b"\n"), vec!["456"]);
    }

    fn feed(detector: &mut WedgeDetector, text: &str, start: i64, gap: i64) -> i64 {
        let mut at = start;
        for c in text.chars() {
            detector.key(c, at);
            at += gap;
        }
        at
    }

    #[test]
    fn a_burst_is_a_scan_and_typing_is_not() {
        let mut d = WedgeDetector::default();
        let end = feed(&mut d, "4006381333931", 0, 8);
        assert_eq!(d.enter(end).as_deref(), Some("4006381333931"));
        let end = feed(&mut d, "4006381333931", 1000, 120);
        assert_eq!(d.enter(end), None, "a person typing the same digits");
        let end = feed(&mut d, "123", 5000, 5);
        assert_eq!(d.enter(end), None, "too short for a barcode");
        let mid = feed(&mut d, "4006", 9000, 5);
        let end = feed(&mut d, "381333931", mid + 400, 5);
        assert_eq!(d.enter(end), None, "a pause in the middle is a person");
    }

    #[test]
    fn a_burst_is_coming_in_only_while_its_keys_come_fast() {
        let mut d = WedgeDetector::default();
        assert!(!d.in_burst(0), "nothing typed");
        let last = feed(&mut d, "400638", 0, 2) - 2;
        assert!(d.in_burst(last + 1), "keys 2 ms apart, the last just now");
        assert!(!d.in_burst(last + 200), "the scanner stopped (or a person paused)");
        let slow = feed(&mut d, "13", last + 2, 120) - 120;
        assert!(!d.in_burst(slow + 1), "a person typing after it");
        d.enter(slow + 2);
        assert!(!d.in_burst(slow + 3), "Enter ended it");
    }
}
