//! Fiscal records from the command line: `fiscal closings` lists the month
//! and year closings, `fiscal archive --period P --out FILE` writes a
//! period's archive, `fiscal verify FILE` checks one offline (no store
//! needed), `fiscal export --period P --out FILE` writes France's FEC.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use clap::Subcommand;
use pos_shared::fiscal::{Period, archive};
use pos_terminal::Terminal;
use serde_json::json;

use super::emit;

#[derive(Subcommand, Debug)]
pub enum FiscalCommand {
    /// The month and year closings made so far, with their grand totals.
    Closings,
    /// Write a closed month's or year's archive (entries, closings,
    /// signatures, public key, manifest).
    Archive {
        /// A month (2026-11) or a year (2026).
        #[arg(long)]
        period: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Check an archive offline: chain, signatures, closings, manifest, and
    /// that it is signed with the terminal's real key (`--key`, or this
    /// till's own when it is the archive's terminal).
    Verify {
        file: PathBuf,
        /// The terminal's public key (hex) as head office registered it.
        #[arg(long)]
        key: Option<String>,
    },
    /// France's FEC (fichier des écritures comptables) of a closed month or
    /// year: each Z report a balanced entry.
    Export {
        #[arg(long)]
        period: String,
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn fiscal(dir: &Path, json: bool, command: FiscalCommand) -> Result<()> {
    match command {
        FiscalCommand::Closings => {
            let closings = Terminal::open(dir)?.closings()?;
            let shown: Vec<_> = closings.iter().map(|(seq, c)| json!({ "seq": seq, "closing": c })).collect();
            emit(json, &shown, |_| {
                let mut text = String::new();
                for (seq, c) in &closings {
                    let t = &c.totals;
                    text += &format!(
                        "{:<12} seq {:>6}  {} Z, {} sales {}, {} returns {}, net {}, grand total {}\n",
                        c.title(),
                        seq,
                        t.z_count,
                        t.sales_count,
                        t.sales_total,
                        t.returns_count,
                        t.returns_total,
                        t.net_total,
                        c.grand_total
                    );
                }
                if closings.is_empty() {
                    text += "No month has been closed yet: the first action after a month ends closes it.\n";
                }
                text
            })
        }
        FiscalCommand::Archive { period, out } => {
            let period: Period = period.parse().map_err(|e: String| anyhow!(e))?;
            let bytes = Terminal::open(dir)?.fiscal_archive(period)?;
            let verified =
                archive::verify(&bytes).map_err(|e| anyhow!("the archive does not verify, nothing written: {e}"))?;
            std::fs::write(&out, &bytes).with_context(|| format!("writing {}", out.display()))?;
            emit(json, &verified, |v| {
                format!(
                    "Archive of {} written to {}: entries {} to {}, {} closings\n",
                    v.header.period,
                    out.display(),
                    v.header.first_seq,
                    v.header.last_seq,
                    v.audit.closings.len()
                )
            })
        }
        FiscalCommand::Export { period, out } => {
            let period: Period = period.parse().map_err(|e: String| anyhow!(e))?;
            let text = Terminal::open(dir)?.fiscal_export(period)?;
            std::fs::write(&out, &text).with_context(|| format!("writing {}", out.display()))?;
            let lines = text.lines().count() - 1;
            emit(json, &json!({ "period": period, "out": out, "lines": lines }), |_| {
                format!("FEC of {period} written to {}: {lines} lines\n", out.display())
            })
        }
        FiscalCommand::Verify { file, key } => {
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let not_valid = |e: String| anyhow!("{}: NOT VALID: {e}", file.display());
            let verified = archive::verify(&bytes).map_err(not_valid)?;
            // A whole archive re-signed with another key is consistent in
            // itself: the key must be the terminal's.
            let own = Terminal::open(dir).ok().filter(|t| t.settings().terminal_id == verified.header.terminal);
            let expected = key.map(|k| k.trim().to_lowercase()).or(own.map(|t| hex::encode(t.public_key())));
            if let Some(expected) = expected.filter(|k| *k != verified.header.public_key) {
                return Err(not_valid(format!(
                    "it is signed with key {}, not the terminal's key {expected}",
                    verified.header.public_key
                )));
            }
            emit(json, &verified, |v| {
                format!(
                    "{}: valid. Terminal {}, {}: entries {} to {} ({} sales and returns, {} Z reports), closings {}, grand total {}\nSigned with key {} (compare it with the key head office registered)\n",
                    file.display(),
                    v.header.terminal,
                    v.header.period,
                    v.header.first_seq,
                    v.header.last_seq,
                    v.audit.sales,
                    v.audit.z_reports,
                    v.audit.closings.join(", "),
                    v.audit.grand_total.map(|g| g.to_string()).unwrap_or_default(),
                    v.header.public_key
                )
            })
        }
    }
}
