//! Reports as CSV for spreadsheets, with every cell that a spreadsheet
//! would take for a formula neutralised: names come from webshops and
//! catalog files, and `=HYPERLINK(...)` in a product name must stay text.

use serde::Serialize;

/// Whether a spreadsheet would read `cell` as a formula: it starts with
/// `=`, `+`, `-`, `@`, a tab or a carriage return and is not a number
/// (`-3.50` stays a number).
fn reads_as_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.parse::<f64>().is_err()
}

/// `cell` as a spreadsheet shows it as text: with a leading `'` when it
/// would read as a formula.
pub fn neutralise(cell: &str) -> String {
    if reads_as_formula(cell) { format!("'{cell}") } else { cell.to_string() }
}

/// `rows` as CSV with a header line from their field names; a cell that
/// would read as a formula gets a leading `'`, which spreadsheets show as text.
pub fn to_csv<T: Serialize>(rows: &[T]) -> Result<String, csv::Error> {
    let mut raw = csv::Writer::from_writer(Vec::new());
    for row in rows {
        raw.serialize(row)?;
    }
    let raw = raw.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    let mut safe = csv::Writer::from_writer(Vec::new());
    for record in csv::ReaderBuilder::new().has_headers(false).from_reader(raw.as_slice()).records() {
        let record = record?;
        safe.write_record(record.iter().map(neutralise))?;
    }
    let bytes = safe.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row {
        name: &'static str,
        net: &'static str,
    }

    #[test]
    fn formulas_stay_text_and_numbers_stay_numbers() {
        let rows = [
            Row { name: "=HYPERLINK(\"http://x\",\"y\")", net: "-3.50" },
            Row { name: "+33 1 23", net: "12" },
            Row { name: "@SUM(A1)", net: "0" },
            Row { name: "-cmd", net: "-0.01" },
            Row { name: "Café, \"bio\"", net: "1.00" },
        ];
        let csv = to_csv(&rows).unwrap();
        assert_eq!(
            csv,
            "name,net\n\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",-3.50\n'+33 1 23,12\n'@SUM(A1),0\n'-cmd,-0.01\n\"Café, \"\"bio\"\"\",1.00\n"
        );
    }
}
