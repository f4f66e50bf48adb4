//! The print queue: jobs are written with the sale or report they print,
//! sent after COMMIT in order, kept while the printer is off, out of paper
//! or unplugged, and marked printed only once the printer has them all.

use pos_shared::receipt::{Align, Block, ReceiptDoc, Style};
use pos_shared::report::SessionReport;
use pos_shared::tender::TenderKind;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::printer::{PrintError, send_job};
use super::receipt_bytes::{DRAWER_KICK, encode_receipt};
use crate::Terminal;
use crate::error::{CoreError, CoreResult};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    Receipt,
    Copy,
    Report,
    Test,
    /// The drawer alone: a permitted no-sale.
    Drawer,
    /// A training receipt, by the seq of its entry.
    Training,
}

impl JobKind {
    fn as_str(self) -> &'static str {
        match self {
            JobKind::Receipt => "receipt",
            JobKind::Copy => "copy",
            JobKind::Report => "report",
            JobKind::Test => "test",
            JobKind::Drawer => "drawer",
            JobKind::Training => "training",
        }
    }

    fn parse(text: &str) -> Option<JobKind> {
        [JobKind::Receipt, JobKind::Copy, JobKind::Report, JobKind::Test, JobKind::Drawer, JobKind::Training]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// Adds a job in the caller's transaction.
pub(crate) fn enqueue(
    conn: &Connection,
    kind: JobKind,
    reference: &str,
    kick_drawer: bool,
    at_ms: i64,
) -> CoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO print_jobs (kind, reference, kick_drawer, created_at_ms) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![kind.as_str(), reference, kick_drawer, at_ms])?;
    Ok(())
}

/// Whether a sale or return moved cash, so the drawer opens.
pub(crate) fn takes_cash(payments: &[pos_shared::tender::Tender]) -> bool {
    payments.iter().any(|p| p.kind == TenderKind::Cash)
}

/// A number in a job's reference (a copy's, a training sale's seq).
fn job_number<T: std::str::FromStr>(reference: &str, number: &str) -> CoreResult<T> {
    number.parse().map_err(|_| CoreError::Invalid(format!("print job “{reference}” names no number")))
}

/// What the status line shows about the printer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PrinterStatus {
    pub printer: Option<String>,
    pub pending: u64,
    pub last_error: Option<String>,
}

impl Terminal {
    /// Queues the next numbered copy of any receipt, the reprint journaled
    /// with the job; returns the copy's number.
    pub fn queue_reprint(&mut self, actor: &crate::Operator, receipt: &pos_shared::ids::ReceiptNo) -> CoreResult<u32> {
        self.journal_reprint(actor, receipt, true)
    }

    pub fn queue_test_page(&mut self) -> CoreResult<()> {
        enqueue(&self.conn, JobKind::Test, "", false, self.clock.now_ms())
    }

    /// A page that shows the code page's accents, the euro sign, the column
    /// count and a barcode.
    pub fn test_page_doc(&self) -> ReceiptDoc {
        let text = |text: &str, style| Block::Text { text: text.into(), align: Align::Left, style };
        let columns = self.receipt_columns();
        ReceiptDoc {
            blocks: vec![
                Block::Text { text: self.settings.store_name.clone(), align: Align::Center, style: Style::Large },
                text("TEST PAGE", Style::Bold),
                text("Code page 858:", Style::Normal),
                text("é è ê ë à â ç ù û ü ô ö ï î", Style::Normal),
                text("ä ß ñ Ñ Ø å Ç É À Ü", Style::Normal),
                text("Euro 12,50 € pound £ yen ¥", Style::Normal),
                text(&format!("{columns} columns:"), Style::Normal),
                text(&"0123456789".repeat(columns.div_ceil(10))[..columns], Style::Normal),
                Block::Rule,
                Block::Code("TEST-0123456789".into()),
            ],
        }
    }

    /// A Z report as it was closed, by its number.
    pub fn z_report_by_number(&self, z_no: &str) -> CoreResult<SessionReport> {
        let payload: Option<Vec<u8>> =
            self.conn.query_row("SELECT payload FROM z_reports WHERE z_no = ?1", [z_no], |r| r.get(0)).optional()?;
        let payload = payload.ok_or_else(|| CoreError::Invalid(format!("no Z report {z_no}")))?;
        serde_json::from_slice(&payload).map_err(|e| CoreError::Invalid(format!("Z report {z_no} is unreadable: {e}")))
    }

    /// The bytes of one job.
    fn render_job(&self, kind: JobKind, reference: &str, kick: bool) -> CoreResult<Vec<u8>> {
        let columns = self.receipt_columns();
        let doc = match kind {
            JobKind::Drawer => return Ok(DRAWER_KICK.to_vec()),
            JobKind::Test => self.test_page_doc(),
            JobKind::Report => self.report_doc(&self.z_report_by_number(reference)?),
            JobKind::Receipt => self.any_receipt_doc(&reference.parse()?, None)?,
            JobKind::Copy => {
                let (receipt, copy) = reference.split_once('#').unwrap_or((reference, "1"));
                self.any_receipt_doc(&receipt.parse()?, Some(job_number(reference, copy)?))?
            }
            JobKind::Training => self.training_receipt_doc(pos_shared::ids::Seq(job_number(reference, reference)?))?,
        };
        Ok(encode_receipt(&doc, columns, kick))
    }

    /// Sends every waiting job, oldest first, and stops at the first the
    /// printer does not take (it waits for the next try). `Ok(Err(..))` is
    /// a printer problem; the outer error is the database.
    pub fn print_pending(&mut self) -> CoreResult<Result<usize, PrintError>> {
        let Some(address) = self.devices.printer_address()? else {
            return Ok(Err(PrintError::NotConfigured));
        };
        let jobs: Vec<(i64, String, String, bool)> = self
            .conn
            .prepare_cached(
                "SELECT id, kind, reference, kick_drawer FROM print_jobs WHERE printed_at_ms IS NULL ORDER BY id",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        let mut printed = 0;
        for (id, kind, reference, kick) in jobs {
            let kind =
                JobKind::parse(&kind).ok_or_else(|| CoreError::Invalid(format!("print job {id} has kind {kind}")))?;
            let bytes = self.render_job(kind, &reference, kick)?;
            match send_job(&address, &bytes) {
                Ok(()) => {
                    self.conn.execute(
                        "UPDATE print_jobs SET printed_at_ms = ?1, attempts = attempts + 1, last_error = NULL WHERE id = ?2",
                        params![self.clock.now_ms(), id],
                    )?;
                    printed += 1;
                }
                Err(error) => {
                    self.conn.execute(
                        "UPDATE print_jobs SET attempts = attempts + 1, last_error = ?1 WHERE id = ?2",
                        params![error.to_string(), id],
                    )?;
                    return Ok(Err(error));
                }
            }
        }
        Ok(Ok(printed))
    }

    /// Prints a read-only document (an X report) at once, without queueing:
    /// it records nothing, so there is nothing to keep if the printer is off.
    pub fn print_now(&self, doc: &ReceiptDoc) -> CoreResult<Result<(), PrintError>> {
        let Some(address) = self.devices.printer_address()? else {
            return Ok(Err(PrintError::NotConfigured));
        };
        Ok(send_job(&address, &encode_receipt(doc, self.receipt_columns(), false)))
    }

    pub fn printer_status(&self) -> CoreResult<PrinterStatus> {
        let (pending, last_error): (u64, Option<String>) = self.conn.query_row(
            "SELECT COUNT(*), (SELECT last_error FROM print_jobs WHERE printed_at_ms IS NULL ORDER BY id LIMIT 1)
             FROM print_jobs WHERE printed_at_ms IS NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(PrinterStatus { printer: self.devices.printer.clone(), pending, last_error })
    }
}
