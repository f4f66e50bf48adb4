//! Benchmarks a cold start of the terminal app: a fresh process opens a
//! store with a 200,000-product catalog, logs a cashier in, lays out and
//! draws the sale screen (headless, tiny-skia) and takes a first scan.
//! Goals: <= 1 s to an interactive sale screen, <= 200 MB resident.
//! The parent times each child from spawn to its "ready" line.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use iced::Settings;
use iced_test::Simulator;
use pos_terminal::app::{App, Message, Screen, style};
use pos_terminal::demo::create_demo;
use pos_terminal::screen::{login, sale};
use pos_tests::bench::{proc_memory_mb, quantile, report};
use pos_tests::generated::{catalog_csv, generated_barcode};

const RUNS: usize = 5;

/// The child: open, log in, draw the sale screen, scan once.
fn start(dir: &Path) {
    let (mut app, _) = App::new(dir.to_path_buf());
    let _ = app.update(Message::Login(login::Message::Input(pos_tests::CASHIER_PIN.into())));
    let _ = app.update(Message::Login(login::Message::Submit));
    assert!(matches!(app.screen(), Screen::Sale), "logged in");
    let settings = Settings { fonts: vec![style::MONO_BYTES.into(), style::ICON_BYTES.into()], ..Settings::default() };
    let theme = app.theme();
    Simulator::with_settings(settings, app.view()).snapshot(&theme).expect("draw the sale screen");
    let _ = app.update(Message::Sale(sale::Message::Scanned(generated_barcode(123_456))));
    assert_eq!(app.sale().cart.lines.len(), 1, "the first scan landed");
    println!("ready {:.1}", proc_memory_mb(None, "VmHWM"));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(dir) = args.iter().position(|a| a == "--child").and_then(|i| args.get(i + 1)) {
        start(Path::new(dir));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let terminal = create_demo(dir.path()).unwrap();
    let mut terminal = terminal;
    terminal.import_catalog(catalog_csv(200_000).as_bytes()).unwrap();
    drop(terminal);
    let exe = std::env::current_exe().unwrap();
    let mut times = Vec::new();
    let mut peak: f64 = 0.0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let mut child = Command::new(&exe)
            .args(["--child", dir.path().to_str().unwrap()])
            .env("ICED_TEST_BACKEND", "tiny-skia")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let elapsed: Duration = started.elapsed();
        assert!(child.wait().unwrap().success(), "the child failed");
        let rss: f64 = line.trim().strip_prefix("ready ").and_then(|v| v.parse().ok()).expect("ready line");
        times.push(elapsed);
        peak = peak.max(rss);
    }
    report("cold_start_to_sale_screen_p50", quantile(&mut times, 0.5).as_secs_f64() * 1000.0, "ms");
    report("cold_start_to_sale_screen_max", quantile(&mut times, 1.0).as_secs_f64() * 1000.0, "ms");
    report("resident_memory_peak", peak, "MB");
}
