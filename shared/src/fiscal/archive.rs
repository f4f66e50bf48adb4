//! The fiscal archive of one terminal's period: a self-contained text file
//! an auditor verifies offline with nothing but it. One JSON object a
//! line: a `header` (terminal, period, public key, the hash the first entry
//! chains to), an `entry` a line (seq, hash, signature, the canonical
//! bytes), and a `manifest` (how many entries, the last hash, the SHA-256
//! of every byte before it). It runs from the closing of the month before
//! the period (or the first entry) to the period's own closing. The till
//! and head office write the same bytes from the same entries; the format
//! is in `docs/fiscal.md`.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids::TerminalId;
use crate::journal::Hash32;

use super::Period;
use super::audit::{AuditSummary, Auditor, StoredEntry};

pub const FORMAT: &str = "pos-fiscal-archive/1";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub terminal: TerminalId,
    pub period: Period,
    /// The terminal's Ed25519 public key, hex.
    pub public_key: String,
    /// The hash the first entry chains to (zeros: the journal's first).
    pub prev_hash: Hash32,
    pub first_seq: u64,
    pub last_seq: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct EntryLine {
    seq: u64,
    hash: Hash32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    signature: Option<String>,
    /// The canonical bytes the hash covers (JSON, so text).
    entry: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Manifest {
    entries: u64,
    last_hash: Hash32,
    /// SHA-256 of every byte of the file before the manifest's line.
    sha256: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Line {
    Header(Header),
    Entry(EntryLine),
    Manifest(Manifest),
}

fn line(out: &mut Vec<u8>, line: &Line) {
    serde_json::to_writer(&mut *out, line).expect("archive lines serialise");
    out.push(b'\n');
}

/// Which entries the archive of `period` holds, given the seq of every
/// closing: from the closing of the month before it (or seq 1) to its own.
pub fn range(closings: &[(u64, Period)], period: Period) -> Result<(u64, u64), String> {
    let seq_of = |p: Period| closings.iter().find(|(_, c)| *c == p).map(|(seq, _)| *seq);
    let first = closings.iter().map(|(_, c)| *c).find(|c| c.is_month() == period.is_month());
    let end = seq_of(period).ok_or_else(|| match first {
        Some(first) if period < first => format!("the till holds nothing of {period}: its first closing is {first}"),
        _ => format!("{period} is not closed: its closing is made by the till's first action after it ends"),
    })?;
    let month_before = match period {
        Period::Month { .. } => period.previous(),
        Period::Year(year) => Period::Month { year: year - 1, month: 12 },
    };
    Ok((seq_of(month_before).unwrap_or(1), end))
}

/// The archive's bytes. `prev_hash` is the hash of the entry before the
/// first one (zeros before seq 1).
pub fn write(
    terminal: &TerminalId,
    period: Period,
    public_key: &[u8],
    prev_hash: Hash32,
    entries: &[StoredEntry],
) -> Vec<u8> {
    let mut out = Vec::new();
    let header = Header {
        format: FORMAT.into(),
        terminal: terminal.clone(),
        period,
        public_key: hex::encode(public_key),
        prev_hash,
        first_seq: entries.first().map_or(0, |e| e.seq),
        last_seq: entries.last().map_or(0, |e| e.seq),
    };
    line(&mut out, &Line::Header(header));
    for stored in entries {
        let entry = EntryLine {
            seq: stored.seq,
            hash: stored.hash,
            signature: stored.signature.as_deref().map(hex::encode),
            entry: String::from_utf8_lossy(&stored.canonical).into_owned(),
        };
        line(&mut out, &Line::Entry(entry));
    }
    let manifest = Manifest {
        entries: entries.len() as u64,
        last_hash: entries.last().map_or(prev_hash, |e| e.hash),
        sha256: hex::encode(Sha256::digest(&out)),
    };
    line(&mut out, &Line::Manifest(manifest));
    out
}

/// What a verified archive holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verified {
    pub header: Header,
    pub audit: AuditSummary,
}

/// An archive's parts as read, before any is checked.
pub struct Read {
    pub header: Header,
    pub entries: Vec<StoredEntry>,
    manifest: Manifest,
    /// Where the manifest's line starts: the bytes its SHA-256 covers.
    manifest_at: usize,
}

/// Reads an archive's lines; a line that is not one names the entry it
/// should have been.
pub fn read(bytes: &[u8]) -> Result<Read, String> {
    let mut header: Option<Header> = None;
    let mut entries: Vec<StoredEntry> = Vec::new();
    let mut offset = 0;
    for (index, raw) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        let unreadable = |e: serde_json::Error| match &header {
            Some(h) => {
                let seq = entries.last().map_or(h.first_seq, |e| e.seq + 1);
                format!("entry {seq} (line {}) is unreadable: {e}", index + 1)
            }
            None => format!("line {} is unreadable: {e}", index + 1),
        };
        if !raw.ends_with(b"\n") {
            return Err(format!("the archive is cut short in line {}: it has no manifest", index + 1));
        }
        match serde_json::from_slice::<Line>(raw).map_err(unreadable)? {
            Line::Header(h) if header.is_none() && index == 0 => header = Some(h),
            Line::Header(_) => return Err(format!("line {}: a header where an entry should be", index + 1)),
            Line::Entry(line) => {
                let signature = line.signature.as_deref().map(hex::decode).transpose();
                let signature = signature.map_err(|e| format!("entry {}: its signature is not hex: {e}", line.seq))?;
                entries.push(StoredEntry {
                    seq: line.seq,
                    canonical: line.entry.into_bytes(),
                    hash: line.hash,
                    signature,
                });
            }
            Line::Manifest(manifest) => {
                let header = header.ok_or("the archive has no header")?;
                if offset + raw.len() != bytes.len() {
                    return Err("there is more after the manifest".into());
                }
                return Ok(Read { header, entries, manifest, manifest_at: offset });
            }
        }
        offset += raw.len();
    }
    Err("the archive has no manifest (cut short?)".into())
}

/// Checks an archive offline: every entry's hash, link and signature with
/// the key it carries, the fiscal rules, that it ends with its period's
/// closing, and the manifest. Names the first entry found wrong.
pub fn verify(bytes: &[u8]) -> Result<Verified, String> {
    let read = read(bytes)?;
    let header = read.header;
    if header.format != FORMAT {
        return Err(format!("not a fiscal archive of this format: “{}”", header.format));
    }
    let key = crate::signing::public_key_from_hex(&header.public_key)?;
    if read.entries.first().map(|e| e.seq) != Some(header.first_seq) {
        return Err(format!("the archive should start with entry {}", header.first_seq));
    }
    let mut auditor = Auditor::new(header.terminal.clone(), &key, header.prev_hash);
    let mut last = None;
    for stored in &read.entries {
        if stored.signature.is_none() {
            return Err(format!("entry {}: it is unsigned", stored.seq));
        }
        last = Some(auditor.push(stored).map_err(|p| p.to_string())?);
    }
    let audit = auditor.finish();
    if hex::encode(Sha256::digest(&bytes[..read.manifest_at])) != read.manifest.sha256 {
        return Err("the manifest's SHA-256 does not match the file".into());
    }
    if read.manifest.entries != audit.entries || audit.last_seq != header.last_seq {
        return Err(format!("the manifest counts {} entries, the file holds {}", read.manifest.entries, audit.entries));
    }
    let closed = |e: &crate::journal::CanonicalEntry| matches!(&e.event, crate::journal::Event::PeriodClosed(c) if c.period == header.period);
    if !last.as_ref().is_some_and(closed) {
        return Err(format!(
            "entry {}: the archive does not end with the closing of {}",
            header.last_seq, header.period
        ));
    }
    Ok(Verified { header, audit })
}
