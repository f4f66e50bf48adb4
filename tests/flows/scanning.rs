//! A serial scanner on a pseudo-terminal pair: codes written to one end
//! become cart lines, and unplugging and plugging it back is picked up
//! without a restart.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use pos_terminal::Cart;
use pos_terminal::devices::address::{ScannerAddress, Suffix};
use pos_terminal::devices::scanner::{ScannerEvent, spawn_serial_scanner};
use pos_tests::{Store, barcode};
use serialport::{SerialPort, TTYPort};

/// Plugs a fresh "scanner" in at `link`: a pty pair whose device end the
/// link points to. Returns the end the scanner writes to.
fn plug_in(link: &Path) -> (TTYPort, TTYPort) {
    let (host_end, device_end) = TTYPort::pair().expect("pty pair");
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(device_end.name().expect("pty name"), link).expect("symlink");
    (host_end, device_end)
}

fn next(events: &Receiver<ScannerEvent>) -> ScannerEvent {
    events.recv_timeout(Duration::from_secs(10)).expect("scanner event within 10 s")
}

fn next_scan(events: &Receiver<ScannerEvent>) -> String {
    loop {
        match next(events) {
            ScannerEvent::Scan(code) => return code,
            ScannerEvent::Connected(_) | ScannerEvent::Disconnected(_) => {}
        }
    }
}

#[test]
fn serial_scans_become_cart_lines_across_an_unplug() {
    let store = Store::open();
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyScanner");
    let (mut scanner, _device) = plug_in(&link);
    let address: ScannerAddress = format!("serial://{}?baud=9600&suffix=cr", link.display()).parse().unwrap();
    let ScannerAddress::Serial { path, baud, suffix } = address else { unreachable!("parsed a serial address") };
    assert_eq!(suffix, Suffix::Cr);
    let (sender, events) = std::sync::mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    let reader = spawn_serial_scanner(path, baud, suffix, move |e| sender.send(e).is_ok(), stop.clone()).unwrap();
    assert!(matches!(next(&events), ScannerEvent::Connected(_)));

    let mut cart = Cart::default();
    write!(scanner, "{}\r{}\r", barcode("BAK0001"), barcode("DAI0001")).unwrap();
    for _ in 0..2 {
        let code = next_scan(&events);
        store.terminal.add_item(&mut cart, &code, None).unwrap();
    }
    assert_eq!(cart.lines.iter().map(|l| l.sku.as_str()).collect::<Vec<_>>(), ["BAK0001", "DAI0001"]);

    drop(scanner);
    drop(_device);
    std::fs::remove_file(&link).unwrap();
    loop {
        if let ScannerEvent::Disconnected(_) = next(&events) {
            break;
        }
    }
    let (mut scanner, _device) = plug_in(&link);
    loop {
        if let ScannerEvent::Connected(_) = next(&events) {
            break;
        }
    }
    scanner.write_all(format!("{}\r", barcode("BAK0001")).as_bytes()).unwrap();
    let code = next_scan(&events);
    store.terminal.add_item(&mut cart, &code, None).unwrap();
    assert_eq!(cart.lines[0].qty.milli(), 2000, "the replugged scanner's scan landed");
    stop.store(true, Ordering::SeqCst);
    reader.join().unwrap();
}
