//! `pos-sync-server`: serves the sync API, and is head office's command
//! line over the same database.

mod customers_cli;
mod orders_cli;
mod prices_cli;
mod purchasing_cli;
mod quarantine_cli;
mod reports_cli;
mod users_cli;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand};
use pos_shared::money::Money;
use pos_sync_server::storage::OrderDesk;
use pos_sync_server::storage::head_office::HeadOffice;
use pos_sync_server::storage::postgres::PgDb;
use pos_sync_server::storage::rules::admin::{CODE_VALID_HOURS, TerminalCreated};
use pos_sync_server::storage::sql::Database;
use pos_sync_server::storage::sqlite::SqliteDb;
use serde::Serialize;

#[derive(Parser)]
#[command(name = "pos-sync-server", version, about = "Head office: one inventory across every store")]
struct Cli {
    /// The server's database: a SQLite file (default: in the OS data
    /// directory), or PostgreSQL's address, `postgres://user@host/db`.
    #[arg(long, global = true, env = "POS_SERVER_DB")]
    db: Option<String>,
    /// On PostgreSQL: connections this server keeps to the database (all
    /// servers together: about twice the database's cores).
    #[arg(long, global = true, env = "POS_DB_CONNECTIONS", default_value_t = pos_sync_server::storage::postgres::DEFAULT_CONNECTIONS)]
    db_connections: usize,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the sync API.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Most connections served at once; more wait to be accepted.
        #[arg(long, default_value_t = 1024)]
        max_connections: usize,
        /// Seconds a client has to send a request's headers.
        #[arg(long, default_value_t = 10.0)]
        header_timeout: f64,
        /// Seconds a client has to send a request's body.
        #[arg(long, default_value_t = 60.0)]
        body_timeout: f64,
        /// Failed attempts (codes, tokens, keys) from one address or with one
        /// credential before it is paused (a minute, doubling each time).
        #[arg(long, default_value_t = pos_sync_server::api::guard::FAILURES)]
        failures_before_pause: u32,
        /// Serve over TLS with this certificate (PEM, the server's own first).
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// A proxy or load balancer in front (repeat for several): requests
        /// from it are throttled by the address its X-Forwarded-For names.
        #[arg(long = "trusted-proxy")]
        trusted_proxies: Vec<std::net::IpAddr>,
        /// Logs on stderr as text for people or JSON lines for a collector.
        #[arg(long, value_enum, default_value_t = LogFormat::Text)]
        log_format: LogFormat,
        /// Seconds between roll-ups of new sales for reports, in the
        /// background (a report rolls up what is left first).
        #[arg(long, default_value_t = 10.0)]
        roll_up_every: f64,
    },
    #[command(subcommand)]
    Tls(TlsCommand),
    #[command(subcommand)]
    Store(StoreCommand),
    #[command(subcommand)]
    Terminal(TerminalCommand),
    #[command(subcommand)]
    Catalog(CatalogCommand),
    #[command(subcommand)]
    Price(PriceCommand),
    /// Customers: their group, account (credit limit, terms, VAT number),
    /// payments and statement.
    #[command(subcommand)]
    Customer(customers_cli::CustomerCommand),
    /// Gift cards: balance and history, as head office holds them.
    #[command(subcommand)]
    Giftcard(customers_cli::GiftcardCommand),
    /// Price lists: prices per store and customer group, with quantity breaks.
    #[command(subcommand)]
    Pricelist(prices_cli::PricelistCommand),
    /// Promotions: imported from a file, listed with what they cost and sold.
    #[command(subcommand)]
    Promo(prices_cli::PromoCommand),
    /// Packs: a case of 12 sold or received by its own barcode.
    #[command(subcommand)]
    Pack(prices_cli::PackCommand),
    /// The people who log in at the tills.
    #[command(subcommand)]
    User(users_cli::UserCommand),
    /// Central on-hand per store and product.
    Stock {
        #[arg(long)]
        store: Option<String>,
    },
    #[command(subcommand)]
    Report(reports_cli::ReportCommand),
    #[command(subcommand)]
    Order(orders_cli::OrderCommand),
    #[command(subcommand)]
    Channel(ChannelCommand),
    #[command(subcommand)]
    Office(OfficeCommand),
    #[command(subcommand)]
    Supplier(purchasing_cli::SupplierCommand),
    /// Purchase orders: goods ordered from a supplier for a store.
    #[command(subcommand)]
    Po(purchasing_cli::PoCommand),
    /// Transfers of goods between stores.
    #[command(subcommand)]
    Transfer(purchasing_cli::TransferCommand),
    /// Reorder levels per store and product.
    #[command(subcommand)]
    Reorder(purchasing_cli::ReorderCommand),
    /// Available-to-promise: on-hand minus open order reservations.
    Atp {
        /// SKUs or barcodes.
        #[arg(required = true)]
        codes: Vec<String>,
        #[arg(long)]
        store: Option<String>,
    },
    /// A terminal's fiscal archive of a closed month (2026-11) or year
    /// (2026), from the entries it pushed: the same file the till writes
    /// (`pos-terminal fiscal verify FILE` checks it).
    FiscalArchive {
        #[arg(long)]
        terminal: String,
        #[arg(long)]
        period: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Entries held instead of applied (a rule broken, a signature that
    /// does not verify, a row that cannot be recorded), for a person to
    /// accept or reject; the till's later entries are applied meanwhile.
    #[command(subcommand)]
    Quarantine(quarantine_cli::QuarantineCommand),
    /// What head office must look at: pushes refused (a broken chain, a
    /// forged or impossible entry), hand-overs that do not match their order,
    /// a till ahead of this database.
    Flags,
    /// Writes a consistent copy of the database to FILE, while it serves.
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
    /// Replaces the database with a backup (stop `serve` first). The
    /// database gets a new epoch, so every till pulls everything again.
    Restore {
        #[arg(long)]
        from: PathBuf,
    },
    #[command(subcommand)]
    Epoch(EpochCommand),
}

#[derive(Subcommand)]
enum EpochCommand {
    /// Gives the database a new epoch, after restoring it by other means
    /// (pg_restore): every till pulls everything again and re-sends what
    /// the restored database lacks.
    New,
}

#[derive(Subcommand)]
enum StoreCommand {
    /// Every store: code, name, currency, prices with or without tax, time zone.
    List,
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "EUR")]
        currency: String,
        #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
        prices_include_tax: bool,
        /// The IANA time zone its days and hours are counted in (say,
        /// Europe/Paris); head office's own if not given.
        #[arg(long)]
        time_zone: Option<String>,
    },
}

#[derive(Subcommand)]
enum TerminalCommand {
    /// Add a terminal; prints its one-time enrollment code.
    Add {
        #[arg(long, required_unless_present = "id")]
        store: Option<String>,
        /// Add it under the id a till already has (head office was restored
        /// from before that till was added; it enrolls again with its journal).
        #[arg(long, conflicts_with = "store")]
        id: Option<String>,
        #[arg(long)]
        name: String,
        /// Hours the enrollment code works (1 to 720).
        #[arg(long, default_value_t = CODE_VALID_HOURS)]
        valid_hours: u32,
    },
    /// A new one-time enrollment code for a terminal: its code expired, or
    /// the till moves to new hardware (enrolling replaces its token).
    Code {
        terminal_id: String,
        #[arg(long, default_value_t = CODE_VALID_HOURS)]
        valid_hours: u32,
    },
    /// Revoke a terminal's token.
    Revoke { terminal_id: String },
    /// Every terminal: its store, whether it is enrolled, its last push,
    /// the entries head office received, those waiting for a decision
    /// (`quarantine`), those the till still held, its key.
    List,
}

#[derive(Subcommand)]
enum CatalogCommand {
    Import {
        file: PathBuf,
    },
    /// Stop selling a product (kept for old receipts and returns).
    Archive {
        code: String,
    },
}

#[derive(Subcommand)]
enum PriceCommand {
    Set { code: String, price: String },
}

#[derive(Subcommand)]
enum ChannelCommand {
    /// Issue a channel's API key (the channel is created if new); shown once.
    Key { name: String },
}

#[derive(Subcommand)]
enum OfficeCommand {
    /// Issue (or replace) an API key that reads head office's reports
    /// (`GET /v1/reports/NAME`), or with `--scope metrics` only `/metrics`
    /// (for Prometheus); shown once.
    Key {
        name: String,
        #[arg(long, default_value = "reports", value_parser = ["reports", "metrics"])]
        scope: String,
    },
    /// The web back office's accounts (`/office`).
    #[command(subcommand)]
    User(OfficeUserCommand),
}

#[derive(Subcommand)]
enum OfficeUserCommand {
    /// Add an account (or reset one: a new role, a new one-time password,
    /// every session ended). Prints the one-time password.
    Add {
        #[arg(long)]
        email: String,
        /// admin, buyer, accountant or viewer.
        #[arg(long)]
        role: String,
    },
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum TlsCommand {
    /// Makes a self-signed certificate and key for a shop without a PKI;
    /// tills pin its fingerprint at enrollment.
    SelfSigned {
        /// The name (or address) tills connect to; repeat for several.
        #[arg(long = "host", required = true)]
        hosts: Vec<String>,
        /// Where to write cert.pem and key.pem (default: beside the database).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Announces the certificate head office will present next: every
    /// pinned till learns it at its next sync, so the switch (`serve
    /// --tls-cert NEW`) needs nobody at the stores.
    Next {
        /// The new certificate (PEM).
        #[arg(long)]
        cert: PathBuf,
    },
}

/// Where head office keeps its data.
enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

fn location(cli: &Cli) -> Result<Location> {
    match cli.db.as_deref() {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(Location::Postgres(url.to_string()))
        }
        Some(path) => Ok(Location::Sqlite(PathBuf::from(path))),
        None => directories::ProjectDirs::from("org", "opencounter", "pos-sync-server")
            .map(|d| Location::Sqlite(d.data_dir().join("sync-server.sqlite")))
            .ok_or_else(|| anyhow!("no home directory: pass --db")),
    }
}

pub(crate) fn emit<T: Serialize>(json: bool, value: &T, text: impl FnOnce(&T) -> String) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        print!("{}", text(value));
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down after in-flight requests");
}

fn init_logs(format: LogFormat) {
    let logs = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).init(),
        LogFormat::Json => logs.json().init(),
    }
}

fn serve<D: Database>(
    store: HeadOffice<D>,
    listen: &str,
    limits: pos_sync_server::listener::Limits,
    tls: Option<pos_sync_server::tls::Tls>,
    roll_up_every: std::time::Duration,
) -> Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let store = Arc::new(store);
    let indexed = store.index_products()?;
    if indexed > 0 {
        tracing::info!(products = indexed, "catalog search index built");
    }
    runtime.spawn(roll_up(store.clone(), roll_up_every));
    runtime.block_on(async {
        let listener =
            tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
        let address = listener.local_addr()?;
        let listening = match &tls {
            Some(tls) => format!("listening on https://{address}\ncertificate fingerprint {}\n", tls.fingerprint),
            None => format!("listening on http://{address}\n"),
        };
        // Whoever started us may stop reading: serving goes on regardless.
        let _ = std::io::Write::write_all(&mut std::io::stdout(), listening.as_bytes());
        tracing::info!(%address, tls = tls.is_some(), "sync server up");
        pos_sync_server::serve_over(listener, store, limits, tls, shutdown_signal()).await?;
        Ok(())
    })
}

/// Rolls new sales up for reports every `every`, off the runtime (with
/// several servers, one at a time: the others find nothing left).
async fn roll_up<D: Database>(office: Arc<HeadOffice<D>>, every: std::time::Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let office = office.clone();
        match tokio::task::spawn_blocking(move || office.catch_up_rollups()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "rolling sales up failed; the next report tries again"),
            Err(panicked) => tracing::error!(%panicked, "rolling sales up panicked"),
        }
    }
}

/// Puts the backup `from` in place of the database at `db` and gives it a
/// new epoch. Credentials changed since the backup are as they were then.
fn restore(db: &std::path::Path, from: &std::path::Path, json: bool) -> Result<()> {
    let _replacing = pos_sync_server::serving::replacing(db).map_err(|e| anyhow!(e))?;
    // A mistyped path must not become an empty database in place of the real one.
    if !from.is_file() {
        bail!("{} is not a file: nothing was changed", from.display());
    }
    if db.exists() && std::fs::canonicalize(from)? == std::fs::canonicalize(db)? {
        bail!("{} is the database itself: restore from a backup of it; nothing was changed", from.display());
    }
    // Opening the backup checks it is one of ours (and migrates it).
    drop(SqliteDb::open(from).with_context(|| format!("{} is not a head-office database", from.display()))?);
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", db.display()));
        if side.exists() {
            std::fs::remove_file(&side).with_context(|| format!("removing {}", side.display()))?;
        }
    }
    std::fs::copy(from, db).with_context(|| format!("copying {} to {}", from.display(), db.display()))?;
    let epoch = HeadOffice::new(SqliteDb::open(db)?).new_epoch()?;
    emit(json, &serde_json::json!({ "restored": from, "epoch": epoch }), |_| {
        format!(
            "Restored {} (epoch {epoch}). Every till pulls everything again at its next sync and re-sends what \
             this backup lacks. What was changed at head office since the backup is as it was then: revoke \
             again any terminal or key revoked since, and make again any change to staff, prices or held \
             entries' decisions.\n",
            from.display()
        )
    })
}

/// One line of `terminal list`.
fn till_line(t: &pos_sync_server::storage::rules::dashboard::TillRow) -> String {
    let state = match (t.revoked, t.enrolled) {
        (true, _) => "revoked",
        (false, true) => "enrolled",
        (false, false) => "not enrolled",
    };
    let pushed = t.last_push_ms.map_or("never".to_string(), |ms| {
        chrono::DateTime::from_timestamp_millis(ms)
            .map_or(ms.to_string(), |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
    });
    let held = t.pending_entries.map_or("unknown".to_string(), |n| n.to_string());
    let key = t.public_key.as_deref().map_or("none", |k| &k[..16.min(k.len())]);
    format!(
        "{}\t{}\t{}\t{state}\tlast push {pushed}\tentries received {}\twaiting for a decision {}\tstill at the till {held}\tkey {key}\n",
        t.store, t.terminal_id, t.name, t.last_seq, t.held_entries
    )
}

/// The command a till enrolls with, the fingerprint to pin included once
/// head office serves over TLS.
fn enroll_hint(created: &TerminalCreated) -> String {
    match &created.tls_fingerprint {
        Some(fingerprint) => format!(
            "  pos-terminal enroll --server https://HOST:PORT --code {} \\\n    --fingerprint {fingerprint}\n",
            created.enrollment_code
        ),
        None => format!("  pos-terminal enroll --server URL --code {}\n", created.enrollment_code),
    }
}

fn run(cli: Cli) -> Result<()> {
    match (location(&cli)?, &cli.command) {
        (Location::Sqlite(db), Command::Restore { from }) => restore(&db, from, cli.json),
        (Location::Sqlite(db), Command::Backup { out }) => {
            SqliteDb::open(&db)?.backup(out)?;
            emit(cli.json, &serde_json::json!({ "backup": out }), |_| format!("Backed up to {}\n", out.display()))
        }
        (Location::Postgres(_), Command::Backup { .. } | Command::Restore { .. }) => Err(anyhow!(
            "on PostgreSQL, back up with pg_dump and restore with pg_restore; then run `pos-sync-server epoch new` \
             so every till pulls everything again"
        )),
        (Location::Sqlite(db), _) => {
            // Held while `serve` runs: no restore replaces the file under it.
            let _serving = match cli.command {
                Command::Serve { .. } => Some(pos_sync_server::serving::serving(&db).map_err(|e| anyhow!(e))?),
                _ => None,
            };
            let beside = db.parent().map(|d| d.join("tls"));
            run_on(HeadOffice::new(SqliteDb::open(&db)?), beside, cli)
        }
        (Location::Postgres(url), _) => {
            run_on(HeadOffice::new(PgDb::open_with_pool(&url, cli.db_connections)?), None, cli)
        }
    }
}

/// Runs a command on head office's database; `tls_dir` is where `tls
/// self-signed` writes by default.
fn run_on<D: Database>(store: HeadOffice<D>, tls_dir: Option<PathBuf>, cli: Cli) -> Result<()> {
    let json = cli.json;
    match cli.command {
        Command::Serve {
            listen,
            max_connections,
            header_timeout,
            body_timeout,
            failures_before_pause,
            tls_cert,
            tls_key,
            trusted_proxies,
            log_format,
            roll_up_every,
        } => {
            init_logs(log_format);
            let seconds = |s: f64, what: &str| {
                std::time::Duration::try_from_secs_f64(s)
                    .ok()
                    .filter(|d| !d.is_zero())
                    .ok_or_else(|| anyhow!("--{what} must be a number of seconds above zero"))
            };
            let limits = pos_sync_server::listener::Limits {
                max_connections,
                header_timeout: seconds(header_timeout, "header-timeout")?,
                body_timeout: seconds(body_timeout, "body-timeout")?,
                failures_before_pause,
                trusted_proxies,
            };
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => {
                    let tls = pos_sync_server::tls::Tls::load(&cert, &key)?;
                    store.set_tls_fingerprint(&tls.fingerprint)?;
                    Some(tls)
                }
                _ => None,
            };
            serve(store, &listen, limits, tls, seconds(roll_up_every, "roll-up-every")?)
        }
        Command::Tls(TlsCommand::Next { cert }) => {
            let fingerprint = pos_sync_server::tls::fingerprint_of(&cert)?;
            store.set_next_tls_fingerprint(&fingerprint)?;
            emit(json, &serde_json::json!({ "next": fingerprint.to_string() }), |_| {
                format!(
                    "Announced {fingerprint}: pinned tills accept it from their next sync on. Switch once they \
                     have synced (`terminal list`: last push): serve --tls-cert {} --tls-key KEY\n",
                    cert.display()
                )
            })
        }
        Command::Tls(TlsCommand::SelfSigned { hosts, out }) => {
            let out = out.or(tls_dir).ok_or_else(|| anyhow!("pass --out DIR"))?;
            let (cert, key, fingerprint) = pos_sync_server::tls::write_self_signed(&hosts, &out)?;
            store.set_tls_fingerprint(&fingerprint)?;
            let info = serde_json::json!({ "cert": cert, "key": key, "fingerprint": fingerprint.to_string() });
            emit(json, &info, |_| {
                format!(
                    "Wrote {} and {} (for {}).
Serve with:
  pos-sync-server serve --listen 0.0.0.0:8443 --tls-cert {} --tls-key {}
                     Tills pin this fingerprint at enrollment:
  {fingerprint}
",
                    cert.display(),
                    key.display(),
                    hosts.join(", "),
                    cert.display(),
                    key.display()
                )
            })
        }
        Command::Store(StoreCommand::Add { name, currency, prices_include_tax, time_zone }) => {
            let code = store.add_store(&name, &currency, prices_include_tax, time_zone.as_deref())?;
            emit(json, &serde_json::json!({ "code": code, "name": name }), |_| format!("Store {code} {name} added\n"))
        }
        Command::Terminal(TerminalCommand::Code { terminal_id, valid_hours }) => {
            let created = store.new_enrollment_code(&terminal_id, valid_hours)?;
            emit(json, &created, |c| {
                format!("Terminal {}: enroll within {valid_hours} h with\n{}", c.terminal_id, enroll_hint(c))
            })
        }
        Command::Terminal(TerminalCommand::Add { store: s, id, name, valid_hours }) => {
            let created = match (id, s) {
                (Some(id), _) => store.add_terminal_with_id(&id, &name, valid_hours)?,
                (None, s) => store.add_terminal(&s.unwrap_or_default(), &name, valid_hours)?,
            };
            emit(json, &created, |c| {
                format!("Terminal {} ({}) added. Enroll it once with:\n{}", c.terminal_id, c.name, enroll_hint(c))
            })
        }
        Command::Store(StoreCommand::List) => {
            let stores = store.stores()?;
            emit(json, &stores, |rows| {
                rows.iter()
                    .map(|s| {
                        format!("{}\t{}\t{}\tprices {}\t{}\n", s.code, s.name, s.currency, s.tax_mode, s.time_zone)
                    })
                    .collect()
            })
        }
        Command::Terminal(TerminalCommand::List) => {
            let tills = store.tills()?;
            emit(json, &tills, |rows| rows.iter().map(till_line).collect())
        }
        Command::Terminal(TerminalCommand::Revoke { terminal_id }) => {
            store.revoke_terminal(&terminal_id)?;
            emit(json, &serde_json::json!({ "revoked": terminal_id }), |_| format!("Terminal {terminal_id} revoked\n"))
        }
        Command::Catalog(CatalogCommand::Import { file }) => {
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let count = store.import_catalog(&bytes)?;
            emit(json, &serde_json::json!({ "imported": count }), |_| format!("Imported {count} products\n"))
        }
        Command::Catalog(CatalogCommand::Archive { code }) => {
            let sku = store.archive_product(&code)?;
            emit(json, &serde_json::json!({ "archived": sku }), |_| format!("{sku} archived\n"))
        }
        Command::Price(PriceCommand::Set { code, price }) => {
            let price: Money = price.parse()?;
            let sku = store.set_price(&code, price)?;
            emit(json, &serde_json::json!({ "sku": sku, "price": price }), |_| format!("{sku} now costs {price}\n"))
        }
        Command::Customer(command) => customers_cli::run_customer(&store, json, command),
        Command::Giftcard(command) => customers_cli::run_giftcard(&store, json, command),
        Command::FiscalArchive { terminal, period, out } => {
            let period: pos_shared::fiscal::Period = period.parse().map_err(|e: String| anyhow!(e))?;
            let bytes = store.fiscal_archive(&terminal, period)?;
            let verified = pos_shared::fiscal::archive::verify(&bytes).map_err(|e| {
                anyhow!("terminal {terminal}'s archive of {period} does not verify, nothing written: {e}")
            })?;
            std::fs::write(&out, &bytes).with_context(|| format!("writing {}", out.display()))?;
            emit(json, &verified, |v| {
                format!(
                    "Archive of {} for {terminal} written to {}: entries {} to {}\nSigned with key {} (registered at enrollment; give it to `pos-terminal fiscal verify --key`)\n",
                    v.header.period,
                    out.display(),
                    v.header.first_seq,
                    v.header.last_seq,
                    v.header.public_key
                )
            })
        }
        Command::User(command) => users_cli::run_user(&store, json, command),
        Command::Quarantine(command) => quarantine_cli::run_quarantine(&store, json, command),
        Command::Stock { store: s } => {
            let rows = store.stock(s.as_deref(), false)?;
            emit(json, &rows, |rows| {
                rows.iter()
                    .map(|r| {
                        format!(
                            "{}\t{}\t{}\t{}{}\n",
                            r.store,
                            r.sku,
                            r.on_hand,
                            r.name,
                            if r.oversold { "\tOVERSOLD" } else { "" }
                        )
                    })
                    .collect()
            })
        }
        Command::Report(command) => reports_cli::run_report(&store, json, command),
        Command::Order(command) => orders_cli::run_order(&store, json, command),
        Command::Pricelist(command) => prices_cli::run_pricelist(&store, json, command),
        Command::Promo(command) => prices_cli::run_promo(&store, json, command),
        Command::Pack(command) => prices_cli::run_pack(&store, json, command),
        Command::Supplier(command) => purchasing_cli::run_supplier(&store, json, command),
        Command::Po(command) => purchasing_cli::run_po(&store, json, command),
        Command::Reorder(command) => purchasing_cli::run_reorder(&store, json, command),
        Command::Transfer(command) => purchasing_cli::run_transfer(&store, json, command),
        Command::Channel(ChannelCommand::Key { name }) => {
            let key = store.issue_channel_key(&name)?;
            emit(json, &serde_json::json!({ "channel": name, "key": key }), |_| {
                format!("API key of channel {name} (shown once; the old key stops working):\n  {key}\n")
            })
        }
        Command::Office(OfficeCommand::Key { name, scope }) => {
            let key = store.issue_office_key(&name, &scope)?;
            emit(json, &serde_json::json!({ "name": name, "key": key, "scope": scope }), |_| {
                format!("API key {name}, reads {scope} only (shown once; the old key stops working):\n  {key}\n")
            })
        }
        Command::Office(OfficeCommand::User(OfficeUserCommand::Add { email, role })) => {
            let role: pos_sync_server::storage::rules::office::OfficeRole = role.parse()?;
            let password = store.add_office_user(&email, role)?;
            emit(json, &serde_json::json!({ "email": email, "role": role, "password": password }), |_| {
                format!(
                    "Back-office account {email} ({}). One-time password (shown once; they choose their own at \
                     first log-in at /office):\n  {password}\n",
                    role.as_str()
                )
            })
        }
        Command::Atp { codes, store: s } => {
            let rows = store.availability(&codes, s.as_deref())?;
            emit(json, &rows, |rows| orders_cli::availability_text(rows))
        }
        Command::Backup { .. } | Command::Restore { .. } => unreachable!("done above, before the database is opened"),
        Command::Epoch(EpochCommand::New) => {
            let epoch = store.new_epoch()?;
            emit(json, &serde_json::json!({ "epoch": epoch }), |_| {
                format!("New epoch {epoch}: every till pulls everything again at its next sync\n")
            })
        }
        Command::Flags => {
            let flags = store.chain_flags()?;
            emit(json, &flags, |flags| flags.iter().map(|(t, seq, why)| format!("{t}\tseq {seq}\t{why}\n")).collect())
        }
    }
}

fn main() -> std::process::ExitCode {
    match run(Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
