//! Shared helpers of the end-to-end tests: a demo store in a temporary
//! directory, its codes, the real binaries, a head office with a running
//! sync server, and a fault-injecting proxy.

pub mod bench;
pub mod browser;
pub mod generated;
pub mod head_office;
pub mod journals;
pub mod postgres;
pub mod proxy;
pub mod virtual_card_terminal;
pub mod virtual_display;
pub mod virtual_label_printer;
pub mod virtual_printer;
pub mod virtual_scale;
pub mod week;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use pos_shared::tender::Tender;
use pos_terminal::demo::{DEMO_CASHIER, DEMO_CATALOG, DEMO_MANAGER, create_demo};
use pos_terminal::{Operator, Terminal};

pub const CASHIER_NAME: &str = DEMO_CASHIER.0;
pub const CASHIER_PIN: &str = DEMO_CASHIER.1;
pub const MANAGER_NAME: &str = DEMO_MANAGER.0;
pub const MANAGER_PIN: &str = DEMO_MANAGER.1;

/// A well-formed till public key (32 bytes of hex) for requests a test
/// sends by hand; no till holds its private half.
pub const ANY_KEY: &str = "1111111111111111111111111111111111111111111111111111111111111111";

/// `args` as the demo manager: with `--user` and `--pin`.
pub fn as_manager<'a>(args: &[&'a str]) -> Vec<&'a str> {
    [args, &["--user", MANAGER_NAME, "--pin", MANAGER_PIN]].concat()
}

/// `args` as the demo cashier: with `--user` and `--pin`.
pub fn as_cashier<'a>(args: &[&'a str]) -> Vec<&'a str> {
    [args, &["--user", CASHIER_NAME, "--pin", CASHIER_PIN]].concat()
}

/// The demo manager's name and PIN, approving what a cashier may not do.
pub fn manager_approval() -> pos_terminal::users::Credentials {
    pos_terminal::users::Credentials::new(MANAGER_NAME, MANAGER_PIN)
}

/// A demo store on disk, removed when dropped.
pub struct Store {
    pub dir: tempfile::TempDir,
    pub terminal: Terminal,
}

impl Store {
    /// The demo store, its till open with a 100.00 float.
    pub fn open() -> Store {
        let dir = tempfile::tempdir().expect("temp dir");
        let terminal = create_demo(dir.path()).expect("demo store");
        Store { dir, terminal }
    }

    pub fn cashier(&mut self) -> Operator {
        self.terminal.login(CASHIER_NAME, CASHIER_PIN).expect("cashier PIN")
    }

    pub fn manager(&mut self) -> Operator {
        self.terminal.login(MANAGER_NAME, MANAGER_PIN).expect("manager PIN")
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn on_hand(&self, sku: &str) -> i64 {
        self.terminal.on_hand_milli(sku).expect("on hand")
    }
}

/// The first barcode of a demo product.
pub fn barcode(sku: &str) -> String {
    DEMO_CATALOG
        .lines()
        .find(|line| line.starts_with(&format!("{sku},")))
        .and_then(|line| line.split(',').nth(3))
        .map(|codes| codes.split('|').next().unwrap_or_default().to_string())
        .unwrap_or_else(|| panic!("{sku} is not in the demo catalog"))
}

pub fn tenders(texts: &[&str]) -> Vec<Tender> {
    texts.iter().map(|t| t.parse().expect("tender")).collect()
}

/// A binary of this workspace (`pos-terminal`, `pos-sync-server`), built
/// if it is missing.
pub fn binary(name: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    let exe = std::env::current_exe().expect("test binary path");
    // Tests and benches run from target/<profile>/deps, binaries from target/<profile>.
    let beside = exe.parent().expect("target/<profile>");
    let profile_dir = if beside.ends_with("deps") { beside.parent().expect("target/<profile>") } else { beside };
    let bin = profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    // `cargo test` builds only this package's binaries: build the others
    // once, into the same target directory and profile as this test.
    BUILT.get_or_init(|| {
        let mut build = Command::new(env!("CARGO"));
        build.args(["build", "-p", "pos-terminal", "-p", "pos-sync-server", "--bins"]);
        if profile_dir.ends_with("release") {
            build.arg("--release");
        }
        let status = build.status().expect("cargo build");
        assert!(status.success(), "building the binaries failed");
    });
    bin
}

/// Runs `pos-terminal --data-dir DIR ARGS...`.
pub fn cli(dir: &Path, args: &[&str]) -> Output {
    Command::new(binary("pos-terminal"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("POS_DATA_DIR")
        .output()
        .expect("run pos-terminal")
}

/// Runs a `pos-terminal` command that must succeed; returns its stdout.
pub fn cli_ok(dir: &Path, args: &[&str]) -> String {
    let out = cli(dir, args);
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Runs a `pos-terminal` command that must be refused; returns its stderr.
pub fn cli_refused(dir: &Path, args: &[&str]) -> String {
    let out = cli(dir, args);
    assert!(!out.status.success(), "{args:?} should have been refused");
    String::from_utf8_lossy(&out.stderr).into_owned()
}
