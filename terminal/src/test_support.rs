//! Helpers for the core's unit tests: a demo store in a temporary directory
//! and a clock the test moves by hand.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::demo::create_demo;
use crate::{Clock, Terminal};

/// A clock that stands still until the test moves it.
#[derive(Clone, Default)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        1_780_000_000_000 + self.0.load(Ordering::SeqCst)
    }
}

/// The demo store, reopened on a manual clock.
pub fn demo() -> (tempfile::TempDir, Terminal, ManualClock) {
    let dir = tempfile::tempdir().expect("temp dir");
    drop(create_demo(dir.path()).expect("demo store"));
    let clock = ManualClock::default();
    let terminal = Terminal::open_with_clock(dir.path(), Box::new(clock.clone())).expect("reopen");
    (dir, terminal, clock)
}
