//! The device commands: settings, discovery, printing, scanner, scale and
//! display tests, shelf labels.

use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::{Result, anyhow};
use pos_terminal::Terminal;
use pos_terminal::devices::address::{DisplayAddress, PrinterAddress, ScaleAddress, ScannerAddress};
use pos_terminal::devices::config::WindowMode;
use pos_terminal::devices::display::{Shown, show};
use pos_terminal::devices::list::list_devices;
use pos_terminal::devices::printer::send_job;
use pos_terminal::devices::receipt_bytes::encode_receipt;
use pos_terminal::devices::scale::read_weight;
use pos_terminal::devices::scanner::{ScannerEvent, spawn_serial_scanner};

use super::args::{ConfigCommand, DisplayCommand, LabelsCommand, PrintCommand, ScaleCommand, ScannerCommand};
use super::emit;

/// Sends what the last command queued. What queued it is recorded already,
/// so nothing here fails the command: a printer problem, or a database too
/// busy to read the queue, is a warning and the job waits.
pub fn print_queued(terminal: &mut Terminal) {
    if terminal.devices().printer.is_none() {
        return;
    }
    let problem = match terminal.print_pending() {
        Ok(Ok(_)) => return,
        Ok(Err(problem)) => problem.to_string(),
        Err(error) => error.to_string(),
    };
    eprintln!("warning: {problem}; the job waits in the queue (“pos-terminal print pending” retries)");
}

pub fn config(dir: &Path, json: bool, command: ConfigCommand) -> Result<()> {
    let mut terminal = Terminal::open(dir)?;
    if let ConfigCommand::Set { key, value, actor } = command {
        let user = actor.login(&mut terminal)?;
        terminal.set_device(&user, &key, &value, actor.approver().as_ref())?;
    }
    let devices = terminal.devices();
    emit(json, devices, |d| {
        format!(
            "printer: {}\nscanner: {}\nscale: {}\ndisplay: {}\nlabel printer: {}\ncard terminal: {}\ncustomer screen: {}\npaper width: {} mm, {} columns\nwindow: {}\nsound: {}\n",
            d.printer.as_deref().unwrap_or("none"),
            d.scanner.as_deref().unwrap_or("none"),
            d.scale.as_deref().unwrap_or("none"),
            d.display.as_deref().unwrap_or("none"),
            d.label_printer.as_deref().unwrap_or("none"),
            d.card_terminal.as_deref().unwrap_or("none"),
            d.customer_screen.as_deref().unwrap_or("off"),
            d.paper_width,
            d.columns(),
            match d.window {
                WindowMode::Fullscreen => "fullscreen",
                WindowMode::Windowed => "windowed",
            },
            d.sound
        )
    })
}

pub fn devices(json: bool) -> Result<()> {
    let found = list_devices();
    emit(json, &found, |found| {
        if found.is_empty() {
            return "No serial ports or USB printers found.\n".to_string();
        }
        found.iter().map(|d| format!("{}\t{}\t{}\n", d.kind, d.address, d.description)).collect()
    })
}

pub fn print(dir: &Path, json: bool, command: PrintCommand) -> Result<()> {
    let mut terminal = Terminal::open(dir)?;
    match command {
        PrintCommand::Test { printer: Some(address) } => {
            let address: PrinterAddress = address.parse()?;
            let bytes = encode_receipt(&terminal.test_page_doc(), terminal.receipt_columns(), false);
            send_job(&address, &bytes)?;
        }
        PrintCommand::Test { printer: None } => {
            terminal.queue_test_page()?;
            terminal.print_pending()??;
        }
        PrintCommand::Reprint { receipt, actor } => {
            let receipt = receipt.parse()?;
            let user = actor.login(&mut terminal)?;
            terminal.queue_reprint(&user, &receipt)?;
            terminal.print_pending()??;
        }
        PrintCommand::Pending => {
            terminal.print_pending()??;
        }
    }
    let status = terminal.printer_status()?;
    emit(json, &status, |s| format!("Printed; {} job(s) waiting\n", s.pending))
}

pub fn scanner(dir: &Path, command: ScannerCommand) -> Result<()> {
    let ScannerCommand::Test { scanner, count } = command;
    let address = match scanner {
        Some(address) => address,
        None => Terminal::open(dir)?
            .devices()
            .scanner
            .clone()
            .ok_or_else(|| anyhow!("no scanner configured: pass --scanner or “config set scanner ADDRESS”"))?,
    };
    let limit = count.unwrap_or(usize::MAX);
    match address.parse::<ScannerAddress>()? {
        ScannerAddress::Keyboard => {
            eprintln!("Scan into this terminal window (keyboard wedge); Ctrl-D ends.");
            for line in
                std::io::stdin().lock().lines().map_while(Result::ok).filter(|l| !l.trim().is_empty()).take(limit)
            {
                println!("scan: {}", line.trim());
            }
        }
        ScannerAddress::Serial { path, baud, suffix } => {
            let (events, received) = std::sync::mpsc::channel();
            let stop = Arc::new(AtomicBool::new(false));
            let _reader = spawn_serial_scanner(path, baud, suffix, move |e| events.send(e).is_ok(), stop.clone())?;
            let mut scans = 0;
            while scans < limit {
                match received.recv()? {
                    ScannerEvent::Connected(port) => eprintln!("connected: {port}"),
                    ScannerEvent::Disconnected(why) => eprintln!("disconnected: {why} (retrying)"),
                    ScannerEvent::Scan(code) => {
                        println!("scan: {code}");
                        scans += 1;
                    }
                }
            }
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
    Ok(())
}

/// One stable weight from the scale, in kg.
pub fn scale(dir: &Path, json: bool, command: ScaleCommand) -> Result<()> {
    let ScaleCommand::Test { scale } = command;
    let weight = match scale {
        Some(address) => {
            let address: ScaleAddress = address.parse()?;
            read_weight(&address)?
        }
        None => Terminal::open(dir)?.weigh()?,
    };
    // Three decimals, as the scale shows it.
    let kg = format!("{}.{:03}", weight.milli() / 1000, weight.milli() % 1000);
    emit(json, &serde_json::json!({ "kg": kg }), |_| format!("{kg} kg\n"))
}

/// Fills the customer display's two lines.
pub fn display(dir: &Path, command: DisplayCommand) -> Result<()> {
    let DisplayCommand::Test { display } = command;
    let shown = Shown { top: "DISPLAY TEST é€ àç".into(), bottom: "0123456789ABCDEFGHIJ".into() };
    match display {
        Some(address) => show(&address.parse::<DisplayAddress>()?, &shown)?,
        None => {
            let terminal = Terminal::open(dir)?;
            if terminal.devices().display.is_none() {
                return Err(anyhow!("no customer display is set up: pos-terminal config set display serial://PORT"));
            }
            if let Some(problem) = terminal.show_customer(&shown) {
                return Err(anyhow!(problem));
            }
        }
    }
    println!("Shown: “{}” / “{}”", shown.top, shown.bottom);
    Ok(())
}

/// Shelf labels due, or printed.
pub fn labels(dir: &Path, json: bool, command: LabelsCommand) -> Result<()> {
    let mut terminal = Terminal::open(dir)?;
    match command {
        LabelsCommand::Due => {
            let due = terminal.labels_due()?;
            let skus: Vec<&str> = due.iter().map(|l| l.sku.as_str()).collect();
            emit(json, &serde_json::json!({ "due": skus }), |_| {
                due.iter().map(|l| format!("{}\t{}\t{}\n", l.sku, l.price, l.name)).collect::<String>()
                    + &format!("{} shelf labels due\n", due.len())
            })
        }
        LabelsCommand::Print { changed, items, category, printer, actor } => {
            let user = actor.login(&mut terminal)?;
            let printer = match printer {
                Some(address) => address.parse()?,
                None => terminal.label_printer()?,
            };
            let labels = match (changed, category) {
                (true, _) => terminal.labels_due()?,
                (false, Some(category)) => terminal.labels_in_category(&category)?,
                (false, None) => terminal.labels_for(&items)?,
            };
            let printed = terminal.print_labels(&user, &labels, &printer, actor.approver().as_ref())?;
            emit(json, &serde_json::json!({ "printed": printed }), |_| format!("{printed} shelf labels printed\n"))
        }
    }
}
