//! Shelf-edge labels: the products whose price changed since their label
//! was printed (or chosen by code), each with its name, price, price per
//! kg or litre for goods sold by measure, and a barcode; printed as ZPL to
//! a label printer over TCP, or on the receipt printer in ESC/POS.

use std::io::Write;
use std::time::Duration;

use pos_shared::device_address::{AddressError, PrinterAddress, ZplAddress};
use pos_shared::money::Money;
use pos_shared::quantity::Unit;
use pos_shared::receipt::{Align, Block, ReceiptDoc, Style};
use rusqlite::params;

use crate::devices::printer::send_job;
use crate::devices::receipt_bytes::encode_receipt;
use crate::error::{CoreError, CoreResult};
use crate::{Operator, Terminal};

/// One shelf-edge label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub sku: String,
    pub name: String,
    pub price: Money,
    pub unit: Unit,
    pub barcode: Option<String>,
}

impl Label {
    /// What the price is for: a piece, or a kg or litre of goods sold by measure.
    pub fn per(&self) -> Option<String> {
        self.unit.is_measured().then(|| format!("per {}", self.unit))
    }

    /// The label in ZPL: name, price, unit price, EAN-13 (or Code 128) barcode.
    pub fn zpl(&self) -> String {
        let clean = |text: &str| text.replace(['^', '~'], " ");
        let mut out = format!("^XA^CI28\n^FO20,20^A0N,32,32^FD{}^FS\n", clean(&self.name));
        out += &format!("^FO20,70^A0N,90,90^FD{}^FS\n", self.price);
        if let Some(per) = self.per() {
            out += &format!("^FO20,170^A0N,28,28^FD{per}^FS\n");
        }
        if let Some(code) = &self.barcode {
            let kind = if code.len() == 13 && code.bytes().all(|b| b.is_ascii_digit()) {
                "^BEN,60,Y,N"
            } else {
                "^BCN,60,Y,N,N"
            };
            out += &format!("^FO20,210^BY2{kind}^FD{}^FS\n", clean(code));
        }
        out + "^XZ\n"
    }

    /// The label as a slip on the receipt printer.
    fn doc(&self) -> Vec<Block> {
        let mut blocks = vec![
            Block::Text { text: self.name.clone(), align: Align::Left, style: Style::Bold },
            Block::Text { text: self.price.to_string(), align: Align::Left, style: Style::Large },
        ];
        if let Some(per) = self.per() {
            blocks.push(Block::Text { text: per, align: Align::Left, style: Style::Normal });
        }
        blocks.extend(self.barcode.clone().map(Block::Code));
        blocks.push(Block::Rule);
        blocks
    }
}

/// Where labels go: a ZPL label printer over TCP (`zpl://HOST:PORT`), or
/// an ESC/POS printer at any printer address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabelPrinter {
    Zpl(ZplAddress),
    EscPos(PrinterAddress),
}

impl std::str::FromStr for LabelPrinter {
    type Err = CoreError;
    fn from_str(address: &str) -> Result<Self, Self::Err> {
        let address = address.trim();
        if address.starts_with("zpl://") {
            return address.parse().map(LabelPrinter::Zpl).map_err(|e: AddressError| CoreError::Invalid(e.to_string()));
        }
        address
            .parse()
            .map(LabelPrinter::EscPos)
            .map_err(|e: AddressError| CoreError::Invalid(format!("{e} (or zpl://HOST:PORT for a ZPL label printer)")))
    }
}

/// A product whose shelf label does not show its price (or that has none).
const LABEL_DUE: &str =
    "NOT EXISTS (SELECT 1 FROM label_prices l WHERE l.sku = p.sku AND l.price_minor = p.price_minor)";

impl Terminal {
    /// The products whose price is not the one on their shelf label (or
    /// that never had one), by SKU.
    pub fn labels_due(&self) -> CoreResult<Vec<Label>> {
        self.labels_where(LABEL_DUE, &[])
    }

    /// The label printer this till prints shelf labels on.
    pub fn label_printer(&self) -> CoreResult<LabelPrinter> {
        self.devices.label_printer()?.ok_or_else(|| {
            CoreError::Invalid(
                "no label printer is set up: pos-terminal config set label-printer zpl://HOST:PORT".into(),
            )
        })
    }

    /// How many labels are due, without reading them.
    pub fn labels_due_count(&self) -> CoreResult<usize> {
        Ok(self.conn.query_row(
            &format!("SELECT COUNT(*) FROM products p WHERE p.archived = 0 AND {LABEL_DUE}"),
            [],
            |r| r.get(0),
        )?)
    }

    /// The labels of every product of `category`; an unknown or empty
    /// category is refused.
    pub fn labels_in_category(&self, category: &str) -> CoreResult<Vec<Label>> {
        let labels = self.labels_where("p.category = ?1 COLLATE NOCASE", &[&category.trim()])?;
        if labels.is_empty() {
            return Err(CoreError::Invalid(format!("no product is in category “{}”", category.trim())));
        }
        Ok(labels)
    }

    /// The labels of the products `codes` name (SKUs or barcodes).
    pub fn labels_for(&self, codes: &[String]) -> CoreResult<Vec<Label>> {
        let mut skus = Vec::with_capacity(codes.len());
        for code in codes {
            skus.push(self.find_code(code)?.product.sku);
        }
        let wanted = serde_json::to_string(&skus).map_err(|e| CoreError::Invalid(e.to_string()))?;
        self.labels_where("p.sku IN (SELECT value FROM json_each(?1))", &[&wanted])
    }

    fn labels_where(&self, condition: &str, values: &[&dyn rusqlite::ToSql]) -> CoreResult<Vec<Label>> {
        let sql = format!(
            "SELECT p.sku, p.name, p.price_minor, p.unit,
               (SELECT b.code FROM barcodes b WHERE b.product_id = p.id ORDER BY b.code LIMIT 1)
             FROM products p WHERE p.archived = 0 AND {condition} ORDER BY p.sku"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(values, |r| {
            let unit: String = r.get(3)?;
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, unit, r.get(4)?))
        })?;
        rows.map(|row| {
            let (sku, name, price, unit, barcode) = row?;
            let unit = unit.parse().map_err(|e| CoreError::Invalid(format!("{sku}: {e}")))?;
            Ok(Label { sku, name, price: Money::from_minor(price), unit, barcode })
        })
        .collect()
    }

    /// Prints `labels` on `printer` (a manager's: labels change what the
    /// shelves say) and records their prices as the shelves' once sent.
    pub fn print_labels(
        &mut self,
        actor: &Operator,
        labels: &[Label],
        printer: &LabelPrinter,
        approver: Option<&crate::users::Credentials>,
    ) -> CoreResult<usize> {
        self.authorize(
            actor,
            pos_shared::roles::Permission::ChangeSettings,
            approver,
            format!("{} shelf labels", labels.len()),
        )?;
        if labels.is_empty() {
            return Ok(0);
        }
        match printer {
            LabelPrinter::Zpl(ZplAddress { host, port }) => {
                let zpl: String = labels.iter().map(Label::zpl).collect();
                let unreachable = |e: std::io::Error| CoreError::Invalid(format!("label printer {host}:{port}: {e}"));
                let mut stream =
                    crate::devices::tcp::connect(host, *port, Duration::from_secs(3)).map_err(unreachable)?;
                stream.set_write_timeout(Some(Duration::from_secs(5))).map_err(unreachable)?;
                stream.write_all(zpl.as_bytes()).map_err(unreachable)?;
                stream.flush().map_err(unreachable)?;
            }
            LabelPrinter::EscPos(address) => {
                let doc = ReceiptDoc { blocks: labels.iter().flat_map(Label::doc).collect() };
                send_job(address, &encode_receipt(&doc, self.receipt_columns(), false))
                    .map_err(|e| CoreError::Invalid(e.to_string()))?;
            }
        }
        let now = self.clock.now_ms();
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare(
                "INSERT INTO label_prices (sku, price_minor, printed_at_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (sku) DO UPDATE SET price_minor = excluded.price_minor, printed_at_ms = excluded.printed_at_ms",
            )?;
            for label in labels {
                stmt.execute(params![label.sku, label.price.minor(), now])?;
            }
        }
        tx.commit()?;
        Ok(labels.len())
    }
}
