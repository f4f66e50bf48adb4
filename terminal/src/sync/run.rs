//! One sync pass (push the outbox, pull the catalog, orders and central stock), the
//! background loop with exponential backoff and jitter, and enrollment.

use std::path::Path;
use std::time::Duration;

use pos_shared::pricing::TaxMode;
use serde::Serialize;

use super::Enrollment;
use super::client::{SyncClient, SyncError};
use super::trust::Trust;
use crate::{StoreSettings, Terminal};

/// Products per catalog page.
pub const CATALOG_PAGE: usize = 5_000;
/// Orders per page.
pub const ORDERS_PAGE: usize = 500;

/// What one pass moved.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Entries the server acknowledged in this pass.
    pub pushed: u64,
    pub products_pulled: usize,
    pub orders_pulled: usize,
    pub stock_items: usize,
    /// The last of this till's entries head office holds.
    #[serde(skip)]
    pub held_through: u64,
}

/// The client of an enrolled terminal; a clear error if it never enrolled.
pub fn enrolled_client(terminal: &Terminal) -> Result<SyncClient, SyncError> {
    client_for(terminal)?.ok_or_else(|| {
        SyncError::Local("this terminal is not enrolled: run “pos-terminal enroll --server URL --code CODE”".into())
    })
}

/// The client for a terminal's enrollment; none if it was never enrolled.
pub fn client_for(terminal: &Terminal) -> Result<Option<SyncClient>, SyncError> {
    let Some(enrollment) = terminal.enrollment()? else {
        return Ok(None);
    };
    let id = terminal.settings().terminal_id.to_string();
    Ok(Some(SyncClient::new(&enrollment.server, &enrollment.token, &id, &enrollment.trust)?))
}

/// Pushes every pending entry in batches; a gap answer moves the restart
/// point to where the server says, so nothing is skipped or sent twice in
/// effect.
async fn push_all(terminal: &mut Terminal, client: &SyncClient) -> Result<u64, SyncError> {
    let mut pushed = 0;
    let mut stalls = 0;
    loop {
        let batch = terminal.outbox_batch(client.push_batch())?;
        let Some(first) = batch.first().map(|e| e.seq) else {
            return Ok(pushed);
        };
        match client.push(batch, terminal.pending_sync_count()?).await {
            Ok(ack) if ack.acked_through >= first => {
                terminal.mark_acked(ack.acked_through)?;
                pushed += ack.acked_through - first + 1;
                stalls = 0;
                continue;
            }
            Ok(ack) => {
                return Err(SyncError::Local(format!(
                    "server acknowledged {} but {first} was sent",
                    ack.acked_through
                )));
            }
            Err(SyncError::Refused { body, .. }) if body.error == "gap" && stalls < 3 => {
                let expected = body.expected_seq.unwrap_or(first);
                if expected > first {
                    terminal.mark_acked(expected - 1)?;
                } else {
                    terminal.resend_from(expected)?;
                }
                stalls += 1;
            }
            Err(error) => return Err(error),
        }
    }
}

/// Whether head office's database is the one this till last synced with;
/// if it went back in time, forgets what was pulled from it.
async fn check_epoch(terminal: &mut Terminal, client: &SyncClient) -> Result<(), SyncError> {
    let Some(epoch) = client.epoch().await? else { return Ok(()) };
    match terminal.head_office_epoch()? {
        Some(known) if known == epoch => return Ok(()),
        Some(_) => terminal.forget_head_office_pages()?,
        None => {}
    }
    terminal.set_head_office_epoch(&epoch)?;
    Ok(())
}

/// One full pass: check head office is the same database, push, then pull
/// catalog pages, order pages, then central stock; a push that fails never
/// keeps the pulls from coming down (its error is the pass's). A cursor head office
/// never issued (it was restored without a new epoch) starts the pulls over.
/// The stock snapshot says which of this till's entries head office holds:
/// whatever it acknowledged once but lacks now (it was restored) is sent
/// again in the same pass, new sale or not. A token head office does not
/// know (it was restored from before the till had it) is proved with the
/// till's key, and the pass runs again.
pub async fn sync_once(terminal: &mut Terminal, client: &SyncClient) -> Result<SyncReport, SyncError> {
    let outcome = match pass(terminal, client).await {
        Err(SyncError::Refused { status: 401, .. }) => match recognized(terminal, client).await {
            Ok(()) => pass(terminal, client).await,
            Err(why) => Err(why),
        },
        other => other,
    };
    let error = outcome.as_ref().err().map(ToString::to_string);
    terminal.record_sync_outcome(error.as_deref())?;
    outcome
}

async fn pass(terminal: &mut Terminal, client: &SyncClient) -> Result<SyncReport, SyncError> {
    check_epoch(terminal, client).await?;
    let pushing = push_all(terminal, client).await;
    let pulled = match pull_all(terminal, client).await {
        Err(SyncError::Refused { body, .. }) if body.error == "cursor_ahead" => {
            terminal.forget_head_office_pages()?;
            pull_all(terminal, client).await
        }
        other => other,
    };
    let mut pushed = pushing?;
    let mut pulled = pulled?;
    if terminal.resend_from(pulled.held_through + 1)? > 0 {
        pushed += push_all(terminal, client).await?;
        pulled = pull_all(terminal, client).await?;
    }
    Ok(SyncReport { pushed, ..pulled })
}

/// Asks head office to take this till's token again on the strength of
/// its key; its refusal says what a person must do.
async fn recognized(terminal: &mut Terminal, client: &SyncClient) -> Result<(), SyncError> {
    let enrollment = terminal.enrollment()?.ok_or_else(|| SyncError::Local("this terminal is not enrolled".into()))?;
    let request = terminal.recognition(&enrollment.token);
    client.recognize(&request).await
}

/// Pulls catalog pages, order pages, purchase-order pages, then central stock.
async fn pull_all(terminal: &mut Terminal, client: &SyncClient) -> Result<SyncReport, SyncError> {
    let mut products_pulled = 0;
    loop {
        let page = client.catalog(terminal.catalog_cursor()?, CATALOG_PAGE).await?;
        products_pulled += terminal.apply_catalog_page(&page)?;
        if !page.more {
            break;
        }
    }
    terminal.refresh_search_index()?;
    let mut orders_pulled = 0;
    loop {
        let page = client.orders(terminal.orders_cursor()?, ORDERS_PAGE).await?;
        orders_pulled += terminal.apply_orders_page(&page)?;
        if !page.more {
            break;
        }
    }
    loop {
        let page = client.purchase_orders(terminal.purchase_orders_cursor()?, ORDERS_PAGE).await?;
        terminal.apply_purchase_orders_page(&page)?;
        if !page.more {
            break;
        }
    }
    let snapshot = client.stock(terminal.pending_sync_count()?).await?;
    terminal.apply_stock_snapshot(&snapshot)?;
    Ok(SyncReport {
        pushed: 0,
        products_pulled,
        orders_pulled,
        stock_items: snapshot.items.len(),
        held_through: snapshot.through_seq,
    })
}

/// Delay before retry `attempt` (0-based): doubling from 1 s up to 5 min,
/// with up to 50 % random jitter so terminals do not retry in step.
pub fn backoff(attempt: u32) -> Duration {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let base = Duration::from_secs(1).saturating_mul(1 << attempt.min(9)).min(Duration::from_secs(300));
    let jitter = base.mul_f64(f64::from(OsRng.next_u32() % 500) / 1000.0);
    base + jitter
}

/// Asks head office for a new token and keeps it: the old one ends once
/// this one is used (a lost answer leaves the old one working).
pub async fn renew_token(terminal: &mut Terminal) -> Result<(), SyncError> {
    let client = enrolled_client(terminal)?;
    let renewed = client.renew_token().await?;
    terminal.set_token(&renewed.token)?;
    Ok(())
}

/// Syncs forever: every `interval` while it works, backing off while it
/// does not. Selling never waits for this. The client is made again each
/// pass, so a renewed token or a certificate head office announced is
/// used from the next pass on.
pub async fn run_forever(terminal: &mut Terminal, interval: Duration) {
    let mut failures = 0;
    loop {
        let pass = async {
            let client = enrolled_client(terminal)?;
            sync_once(terminal, &client).await
        };
        let wait = match pass.await {
            Ok(_) => {
                failures = 0;
                interval
            }
            Err(_) => {
                failures += 1;
                backoff(failures - 1)
            }
        };
        tokio::time::sleep(wait).await;
    }
}

/// Enrolls a data directory with a sync server. An empty one: creates the
/// store the server describes, keeps the token, and pulls the catalog and
/// users. One with its store and journal (head office was restored from
/// before this till enrolled): enrolls it again as itself, with the same
/// key, and sends head office every entry it lacks.
pub async fn enroll(
    dir: &Path,
    server: &str,
    code: &str,
    trust: &Trust,
) -> Result<(Terminal, Result<SyncReport, SyncError>), SyncError> {
    if dir.join(crate::db::DB_FILE).exists() {
        let terminal = Terminal::open(dir)?;
        let own_id = terminal.settings().terminal_id.to_string();
        let public_key = terminal.public_key();
        let response = SyncClient::new(server, "", "", trust)?.enroll(code, public_key, Some(own_id)).await?;
        return enrolled(terminal, server, response.token, trust).await;
    }
    // The till's signing key exists before head office hears of it.
    std::fs::create_dir_all(dir).map_err(|e| SyncError::Local(e.to_string()))?;
    let key = crate::signer::KeyFile::load_or_create(dir).map_err(|e| SyncError::Local(e.to_string()))?;
    let public_key = pos_shared::signing::Signer::public_key(&key);
    let response = SyncClient::new(server, "", "", trust)?.enroll(code, public_key, None).await?;
    let terminal_id =
        response.terminal_id.parse().map_err(|e: pos_shared::ids::IdError| SyncError::Local(e.to_string()))?;
    let mut settings =
        StoreSettings::new(&response.store.name, &response.terminal_name, terminal_id, &response.store.currency)?;
    settings.tax_mode = if response.store.tax_mode == "exclusive" { TaxMode::Exclusive } else { TaxMode::Inclusive };
    let terminal = Terminal::init(dir, settings)?;
    enrolled(terminal, server, response.token, trust).await
}

/// Keeps the token an enrollment gave, then syncs once.
async fn enrolled(
    mut terminal: Terminal,
    server: &str,
    token: String,
    trust: &Trust,
) -> Result<(Terminal, Result<SyncReport, SyncError>), SyncError> {
    terminal.save_enrollment(&Enrollment { server: server.to_string(), token, trust: trust.clone() })?;
    let client = client_for(&terminal)?.expect("just enrolled");
    let first_sync = sync_once(&mut terminal, &client).await;
    Ok((terminal, first_sync))
}
