//! Work off the UI thread: printing after COMMIT, the sync loop and serial
//! scanners, each with its own connection to the store, reporting back by
//! messages.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use iced::futures::{SinkExt, Stream};
use iced::stream;

use super::Message;
use crate::Terminal;
use crate::card_payment::{CardAttempt, CardOutcome, CardReply, ask_terminal};
use crate::devices::address::CardTerminalAddress;
use crate::devices::address::{DisplayAddress, ScaleAddress, Suffix};
use crate::devices::display::{Shown, show};
use crate::devices::queue::PrinterStatus;
use crate::devices::scale::read_weight;
use crate::devices::scanner::{ScannerEvent, spawn_serial_scanner};
use crate::sync::SyncStatus;
use crate::sync::run::{backoff, client_for, sync_once};

/// Sends what waits in the print queue; reports the printer's state.
pub async fn print_pending(dir: PathBuf) -> Result<PrinterStatus, String> {
    tokio::task::spawn_blocking(move || {
        let mut terminal = Terminal::open(&dir).map_err(|e| e.to_string())?;
        let outcome = terminal.print_pending().map_err(|e| e.to_string())?;
        let status = terminal.printer_status().map_err(|e| e.to_string())?;
        outcome.map(|_| status).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Puts `shown` on the customer display at `address`; what went wrong, if anything.
pub async fn show_customer(address: DisplayAddress, shown: Shown) -> Option<String> {
    tokio::task::spawn_blocking(move || show(&address, &shown).err().map(|e| format!("the customer display: {e}")))
        .await
        .unwrap_or_else(|e| Some(e.to_string()))
}

/// The stable weight on the scale at `address`, in kg, or why not.
pub async fn weigh(address: ScaleAddress) -> Result<rust_decimal::Decimal, String> {
    tokio::task::spawn_blocking(move || read_weight(&address).map(|kg| kg.value()).map_err(|e| e.to_string()))
        .await
        .map_err(|e| e.to_string())?
}

/// Asks the card terminal at `address` to take `attempt`; `cancel` aborts.
pub async fn ask_card(
    address: CardTerminalAddress,
    dir: PathBuf,
    attempt: CardAttempt,
    cancel: Arc<AtomicBool>,
) -> CardReply {
    let asked = attempt.clone();
    tokio::task::spawn_blocking(move || ask_terminal(&address, &dir, &asked, &cancel)).await.unwrap_or_else(|e| {
        CardReply::NotSent(crate::devices::card_terminal::LinkError::Unreachable("the till".into(), e.to_string()))
    })
}

/// Asks the card terminal at `address` its last transaction, for a payment
/// whose answer was lost.
pub async fn ask_card_again(address: CardTerminalAddress) -> CardReply {
    tokio::task::spawn_blocking(move || CardReply::Lost {
        error: None,
        last: crate::devices::card_terminal::last_transaction(&address),
    })
    .await
    .unwrap_or_else(|e| {
        CardReply::NotSent(crate::devices::card_terminal::LinkError::Unreachable("the till".into(), e.to_string()))
    })
}

/// Resolves a card payment a crash left open (the terminal's last
/// transaction); what became of it, for the status bar.
pub async fn recover_card(dir: PathBuf) -> String {
    tokio::task::spawn_blocking(move || {
        let mut terminal = Terminal::open(&dir).map_err(|e| e.to_string())?;
        match terminal.recover_card_payment().map_err(|e| e.to_string())? {
            Some(CardOutcome::Paid(c)) => {
                Ok(format!("card payment left open: approved, receipt {}", c.record.receipt_no))
            }
            Some(CardOutcome::Refused(why)) => Ok(format!("card payment left open: not paid ({why})")),
            None => Ok(String::new()),
        }
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r: Result<String, String>| r)
    .unwrap_or_else(|e| format!("CARD: {e}"))
}

/// What the sync loop says after each pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncState {
    pub online: bool,
    pub status: SyncStatus,
    /// Shelf labels due once the pass pulled its prices.
    pub labels_due: usize,
}

/// The data directory a background job works on.
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
pub struct SyncJob(pub PathBuf);

/// Syncs every 30 s while it works, backing off while it does not.
pub fn sync_loop(job: &SyncJob) -> impl Stream<Item = Message> + use<> {
    let dir = job.0.clone();
    stream::channel(4, async move |mut output| {
        let Ok(mut terminal) = Terminal::open(&dir) else {
            return;
        };
        if !matches!(client_for(&terminal), Ok(Some(_))) {
            return;
        }
        let mut failures = 0;
        loop {
            // Made again each pass: a renewed token or a certificate head
            // office announced is used from the next pass on.
            let online = match client_for(&terminal) {
                Ok(Some(client)) => sync_once(&mut terminal, &client).await.is_ok(),
                _ => false,
            };
            if let Ok(status) = terminal.sync_status() {
                let labels_due = terminal.labels_due_count().unwrap_or(0);
                let _ = output.send(Message::Synced(SyncState { online, status, labels_due })).await;
            }
            let wait = if online {
                failures = 0;
                Duration::from_secs(30)
            } else {
                failures += 1;
                backoff(failures - 1)
            };
            tokio::time::sleep(wait).await;
        }
    })
}

#[derive(Debug, Clone, Hash, PartialEq, Eq)]
pub struct ScannerJob {
    pub path: String,
    pub baud: u32,
    pub suffix: Suffix,
}

/// Sets a stop flag when dropped: the subscription ended.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Bridges a serial scanner's reader thread into messages; the thread
/// stops when the subscription does.
pub fn serial_scanner(job: &ScannerJob) -> impl Stream<Item = Message> + use<> {
    let job = job.clone();
    stream::channel(16, async move |mut output| {
        let stop = StopOnDrop(Arc::new(AtomicBool::new(false)));
        let deliver = move |event| {
            let message = match event {
                ScannerEvent::Scan(code) => Message::Scanned(code),
                ScannerEvent::Connected(port) => Message::ScannerState(format!("scanner on {port}")),
                ScannerEvent::Disconnected(why) => Message::ScannerState(format!("scanner unplugged: {why}")),
            };
            iced::futures::executor::block_on(output.send(message)).is_ok()
        };
        if spawn_serial_scanner(job.path, job.baud, job.suffix, deliver, stop.0.clone()).is_ok() {
            std::future::pending::<()>().await;
        }
        drop(stop);
    })
}
