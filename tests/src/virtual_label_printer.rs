//! A ZPL label printer on a loopback port, for the tests: it keeps what it
//! is sent and decodes each label into the lines a person would read on
//! it (text with its height, barcodes with their symbology).

use std::io::Read;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct VirtualLabelPrinter {
    port: u16,
    received: Arc<Mutex<Vec<u8>>>,
}

impl VirtualLabelPrinter {
    pub fn start() -> VirtualLabelPrinter {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let sink = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut bytes = Vec::new();
                let mut stream = stream;
                let _ = stream.read_to_end(&mut bytes);
                sink.lock().expect("sink").extend_from_slice(&bytes);
            }
        });
        VirtualLabelPrinter { port, received }
    }

    /// Its address, as `config set label-printer` takes it.
    pub fn address(&self) -> String {
        format!("zpl://127.0.0.1:{}", self.port)
    }

    /// Every label received so far, decoded; waits up to 5 s for `count`.
    pub fn labels(&self, count: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let text = String::from_utf8_lossy(&self.received.lock().expect("sink")).into_owned();
            let labels: Vec<String> = text.split("^XZ").filter(|l| l.contains("^XA")).map(decode).collect();
            if labels.len() >= count || Instant::now() > deadline {
                return labels;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// One label's fields: `^FO` places, `^A0N,H,W` sets the font, `^BE`/`^BC`
/// starts a barcode, `^FD ... ^FS` is the field's data.
fn decode(label: &str) -> String {
    let mut out = String::new();
    let (mut font, mut barcode) = (String::new(), None::<&str>);
    for command in label.split('^').map(str::trim).filter(|c| !c.is_empty()) {
        if let Some(size) = command.strip_prefix("A0N,") {
            font = format!("text {}", size.split(',').next().unwrap_or(""));
        } else if command.starts_with("BE") {
            barcode = Some("EAN-13");
        } else if command.starts_with("BC") {
            barcode = Some("Code 128");
        } else if let Some(data) = command.strip_prefix("FD") {
            let kind = barcode.take().map_or(font.clone(), str::to_string);
            out += &format!("[{kind}] {data}\n");
        }
    }
    out
}
