//! Benchmarks the real app in a real (virtual) window, as a cashier uses
//! it: `pos-terminal` on a store of 200,000 products under Xvfb, with the
//! renderer it picks by default, a wedge scanner's bursts typed by xdotool.
//! Reports `scan_to_frame_p99_ms` (from the Enter of a burst to the frame
//! that shows the new line, as the app logs it; goal <= 50 ms) and
//! `resident_memory_after_100_sales_mb` (goal <= 150 MB). Needs Xvfb and
//! xdotool; without them it says so and reports nothing.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pos_terminal::demo::create_demo;
use pos_tests::bench::{proc_memory_mb, report};
use pos_tests::generated::{catalog_csv, generated_barcode};

const SALES: usize = 100;
const ITEMS: usize = 3;

/// Kills a child process when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn have(tool: &str) -> bool {
    Command::new("which").arg(tool).stdout(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// Xvfb on a display it picks itself (never a fixed number).
fn xvfb(work: &Path) -> (Killed, String) {
    let file = work.join("display");
    let out = std::fs::File::create(&file).expect("display file");
    let child = Killed(
        Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1366x768x24"])
            .stdout(out)
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb"),
    );
    let started = Instant::now();
    loop {
        let number = std::fs::read_to_string(&file).unwrap_or_default();
        if number.ends_with('\n') {
            return (child, format!(":{}", number.trim()));
        }
        assert!(started.elapsed() < Duration::from_secs(20), "Xvfb did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn xdotool(display: &str, args: &[&str]) -> String {
    let out = Command::new("xdotool").env("DISPLAY", display).args(args).output().expect("xdotool");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Lines the app has logged so far.
fn logged(log: &Path) -> Vec<f64> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.lines().filter_map(|l| l.trim().parse::<f64>().ok()).collect()
}

/// Waits until the app has logged `n` frames (each scan's); false after
/// three seconds without.
fn wait_for_frames(log: &Path, n: usize) -> bool {
    let started = Instant::now();
    while logged(log).len() < n {
        if started.elapsed() > Duration::from_secs(3) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    true
}

/// Waits until the store has recorded `n` sales.
fn wait_for_sales(store: &Path, n: usize) {
    let started = Instant::now();
    loop {
        let sales = pos_terminal::Terminal::open(store).and_then(|t| t.x_report()).map_or(0, |x| x.sales_count);
        if sales as usize >= n {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "sale {n} was not recorded");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn main() {
    if !have("Xvfb") || !have("xdotool") {
        eprintln!("ui_frames: needs Xvfb and xdotool (apt-get install -y xvfb xdotool); nothing measured");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let store: PathBuf = work.path().join("store");
    let mut terminal = create_demo(&store).unwrap();
    terminal.import_catalog(catalog_csv(200_000).as_bytes()).unwrap();
    drop(terminal);
    let (_xvfb, display) = xvfb(work.path());
    let log = work.path().join("frames.log");
    let app = Command::new(pos_tests::binary("pos-terminal"))
        .arg("--data-dir")
        .arg(&store)
        .env("DISPLAY", &display)
        .env("POS_FRAME_LOG", &log)
        .env_remove("ICED_BACKEND")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start pos-terminal");
    let pid = app.id();
    let _app = Killed(app);
    let started = Instant::now();
    let window = loop {
        let found = xdotool(&display, &["search", "--name", "S01-T01"]);
        if let Some(id) = found.lines().next() {
            break id.to_string();
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no window");
        std::thread::sleep(Duration::from_millis(100));
    };
    xdotool(&display, &["windowfocus", "--sync", &window]);
    std::thread::sleep(Duration::from_millis(500));
    xdotool(&display, &["type", "--delay", "20", pos_tests::CASHIER_PIN]);
    xdotool(&display, &["key", "Return"]);
    std::thread::sleep(Duration::from_millis(800));
    let (mut scans, mut again) = (0, 0);
    for sale in 0..SALES {
        for item in 0..ITEMS {
            let code = generated_barcode((sale * 7919 + item * 104_729) % 200_000);
            scans += 1;
            // Keys typed before the next sale's screen was up go nowhere,
            // as they would for a person: scan again, and say so.
            let landed = (0..3).any(|attempt| {
                again += usize::from(attempt > 0);
                xdotool(&display, &["type", "--delay", "3", &code]);
                xdotool(&display, &["key", "Return"]);
                wait_for_frames(&log, scans)
            });
            assert!(landed, "scan {scans} never reached the cart");
        }
        // Pay the exact cash and confirm, as a cashier would: looking at
        // the screen (here: the store) before the next key.
        xdotool(&display, &["key", "F12"]);
        std::thread::sleep(Duration::from_millis(150));
        xdotool(&display, &["key", "Return"]);
        std::thread::sleep(Duration::from_millis(100));
        xdotool(&display, &["key", "Return"]);
        wait_for_sales(&store, sale + 1);
        xdotool(&display, &["key", "Return"]);
        std::thread::sleep(Duration::from_millis(150));
    }
    let memory = proc_memory_mb(Some(pid), "VmRSS");
    eprintln!("ui_frames: {scans} scans, {again} typed again (before the next sale's screen was up)");
    let mut frames = logged(&log);
    frames.sort_by(f64::total_cmp);
    let p99 = frames[((frames.len() - 1) as f64 * 0.99).round() as usize] / 1000.0;
    let p50 = frames[(frames.len() - 1) / 2] / 1000.0;
    report("scan_to_frame_p50_ms", p50, "ms");
    report("scan_to_frame_p99_ms", p99, "ms");
    report("resident_memory_after_100_sales_mb", memory, "MB");
}
