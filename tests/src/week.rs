//! Tills on a clock the test moves from day to day, so head office's
//! reports and books can be checked day by day of one week.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use pos_terminal::Terminal;

use crate::head_office::{client, enrolled_terminal};

/// The tills' shared clock, moved from day to day of the week.
#[derive(Clone)]
pub struct WeekClock(pub Arc<AtomicI64>);

impl WeekClock {
    /// Starts at noon on `day` of November 2026.
    pub fn at(day: i64) -> WeekClock {
        WeekClock(Arc::new(AtomicI64::new(noon(day))))
    }

    /// Moves to noon on `day` of November 2026.
    pub fn set(&self, day: i64) {
        self.0.store(noon(day), Ordering::SeqCst);
    }
}

impl pos_terminal::Clock for WeekClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Noon (UTC) on `day` of November 2026 (the 16th is a Monday).
pub fn noon(day: i64) -> i64 {
    1_794_830_400_000 + (day - 16) * 86_400_000
}

/// A till enrolled at `store` in `dir`, reopened on the week's clock.
pub fn till_on_clock(db: &crate::head_office::HqDb, url: &str, store: &str, dir: &Path, clock: &WeekClock) -> Terminal {
    drop(enrolled_terminal(db, url, store, dir));
    Terminal::open_with_clock(dir, Box::new(clock.clone())).expect("reopen the till")
}

/// One sync pass of `till` with its head office.
pub fn sync(till: &mut Terminal) {
    let sync = client(till);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(pos_terminal::sync::run::sync_once(till, &sync)).expect("sync");
}
