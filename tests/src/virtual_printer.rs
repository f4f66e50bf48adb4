//! A virtual ESC/POS printer: it decodes the byte stream a terminal sends
//! (init, code page, text, bold and size, alignment, feeds, cut, barcodes,
//! QR, drawer kick, status requests) into a readable transcript, and can
//! listen on a loopback TCP port like a network printer, be switched off
//! mid-job, and run out of paper.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use pos_terminal::devices::receipt_bytes::cp858_char;

/// Decodes ESC/POS bytes into transcript lines.
#[derive(Debug, Default)]
pub struct Decoder {
    pending: Vec<u8>,
    text: String,
    code_page: u8,
    center: bool,
    bold: bool,
    double: bool,
    barcode_text_below: bool,
    /// Finished lines of the job being printed.
    pub lines: Vec<String>,
    /// Status answers owed to the host.
    pub replies: Vec<u8>,
    pub paper_out: bool,
}

impl Decoder {
    fn flush_text(&mut self) {
        let mut tags = String::new();
        for (on, tag) in [(self.center, "<center>"), (self.bold, "<bold>"), (self.double, "<double>")] {
            if on {
                tags.push_str(tag);
            }
        }
        self.lines.push(format!("{tags}{}", std::mem::take(&mut self.text)));
    }

    /// Decodes as much of `bytes` as forms whole commands; keeps the rest.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        let mut i = 0;
        let buf = std::mem::take(&mut self.pending);
        while i < buf.len() {
            match self.command(&buf[i..]) {
                Some(used) => i += used,
                None => break,
            }
        }
        self.pending = buf[i..].to_vec();
    }

    /// Decodes one command or character; `None` if more bytes are needed.
    fn command(&mut self, b: &[u8]) -> Option<usize> {
        let need = |n: usize| (b.len() >= n).then_some(n);
        match b[0] {
            0x0A => {
                self.flush_text();
                Some(1)
            }
            0x1B => match *b.get(1)? {
                b'@' => {
                    self.lines.push("[init]".into());
                    (self.center, self.bold, self.double) = (false, false, false);
                    Some(2)
                }
                b't' => {
                    self.code_page = *b.get(2)?;
                    self.lines.push(format!("[codepage {}]", self.code_page));
                    need(3)
                }
                b'E' => {
                    self.bold = *b.get(2)? == 1;
                    need(3)
                }
                b'a' => {
                    self.center = *b.get(2)? == 1;
                    need(3)
                }
                b'd' => {
                    self.lines.push(format!("[feed {}]", b.get(2)?));
                    need(3)
                }
                b'p' => {
                    let (pin, on, off) = (*b.get(2)?, *b.get(3)?, *b.get(4)?);
                    self.lines.push(format!(
                        "[drawer pin {} pulse {}ms off {}ms]",
                        pin + 2,
                        u32::from(on) * 2,
                        u32::from(off) * 2
                    ));
                    need(5)
                }
                other => self.unknown(&[0x1B, other]),
            },
            0x1D => match *b.get(1)? {
                b'!' => {
                    self.double = *b.get(2)? == 0x11;
                    need(3)
                }
                b'h' | b'w' => need(3),
                b'H' => {
                    self.barcode_text_below = *b.get(2)? == 2;
                    need(3)
                }
                b'V' => {
                    let used = if *b.get(2)? >= 65 { 4 } else { 3 };
                    self.lines.push("[cut]".into());
                    need(used)
                }
                b'k' if *b.get(2)? == 73 => {
                    let len = usize::from(*b.get(3)?);
                    let data = b.get(4..4 + len)?;
                    let text = String::from_utf8_lossy(data.strip_prefix(b"{B").unwrap_or(data)).to_string();
                    let below = if self.barcode_text_below { " (text below)" } else { "" };
                    self.lines.push(format!("[code128 {text}{below}]"));
                    Some(4 + len)
                }
                b'(' if *b.get(2)? == b'k' => {
                    let len = usize::from(*b.get(3)?) + 256 * usize::from(*b.get(4)?);
                    let body = b.get(5..5 + len)?;
                    if body.get(..3) == Some(&[49, 80, 48]) {
                        self.lines.push(format!("[qr {}]", String::from_utf8_lossy(&body[3..])));
                    }
                    Some(5 + len)
                }
                other => self.unknown(&[0x1D, other]),
            },
            0x10 if *b.get(1)? == 0x04 => {
                let reply = match *b.get(2)? {
                    4 if self.paper_out => 0x72,
                    _ => 0x12,
                };
                self.replies.push(reply);
                need(3)
            }
            byte if byte >= 0x20 => {
                self.text.push(if self.code_page == 19 { cp858_char(byte) } else { char::from(byte) });
                Some(1)
            }
            other => self.unknown(&[other]),
        }
    }

    fn unknown(&mut self, bytes: &[u8]) -> Option<usize> {
        self.lines.push(format!("[unknown {bytes:02x?}]"));
        Some(bytes.len())
    }
}

/// Decodes a whole byte stream into its transcript.
pub fn transcript(bytes: &[u8]) -> String {
    let mut decoder = Decoder::default();
    decoder.feed(bytes);
    decoder.lines.join("\n")
}

#[derive(Default)]
struct State {
    /// Whole jobs printed (ended by a cut or a drawer kick), one transcript each.
    printed: Mutex<Vec<String>>,
    paper_out: AtomicBool,
    /// Switch off after receiving this many more bytes (0: never).
    die_after: AtomicUsize,
    off: AtomicBool,
}

/// A network printer on a loopback port.
pub struct VirtualPrinter {
    pub port: u16,
    state: Arc<State>,
}

impl VirtualPrinter {
    pub fn start() -> VirtualPrinter {
        VirtualPrinter::start_on(0)
    }

    /// Listens on `port` (0 picks one); the same port again after a restart.
    pub fn start_on(port: u16) -> VirtualPrinter {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind virtual printer");
        let port = listener.local_addr().expect("address").port();
        let state = Arc::new(State::default());
        let shared = state.clone();
        thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                if shared.off.load(Ordering::SeqCst) {
                    return;
                }
                let state = shared.clone();
                thread::spawn(move || serve(stream, &state));
            }
        });
        VirtualPrinter { port, state }
    }

    pub fn address(&self) -> String {
        format!("tcp://127.0.0.1:{}", self.port)
    }

    pub fn set_paper_out(&self, out: bool) {
        self.state.paper_out.store(out, Ordering::SeqCst);
    }

    /// The printer loses power after `bytes` more bytes of its next job.
    pub fn die_after(&self, bytes: usize) {
        self.state.die_after.store(bytes, Ordering::SeqCst);
    }

    /// Switched off: it takes no more connections.
    pub fn is_off(&self) -> bool {
        self.state.off.load(Ordering::SeqCst)
    }

    /// Every whole job printed so far.
    pub fn printed(&self) -> Vec<String> {
        self.state.printed.lock().expect("printed lock").clone()
    }
}

impl Drop for VirtualPrinter {
    fn drop(&mut self) {
        self.state.off.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(mut stream: TcpStream, state: &State) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut decoder = Decoder::default();
    let mut buf = [0u8; 4096];
    loop {
        decoder.paper_out = state.paper_out.load(Ordering::SeqCst);
        let n = match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let budget = state.die_after.load(Ordering::SeqCst);
        if budget > 0 {
            if n >= budget {
                // Power cut: the connection drops, the torn job is lost.
                state.off.store(true, Ordering::SeqCst);
                let _ = stream.shutdown(std::net::Shutdown::Both);
                return;
            }
            state.die_after.store(budget - n, Ordering::SeqCst);
        }
        decoder.feed(&buf[..n]);
        if let Some(end) = decoder.lines.iter().rposition(|l| l == "[cut]" || l.starts_with("[drawer")) {
            let job: Vec<String> = decoder.lines.drain(..=end).collect();
            state.printed.lock().expect("printed lock").push(job.join("\n"));
        }
        if !decoder.replies.is_empty() {
            let replies = std::mem::take(&mut decoder.replies);
            if stream.write_all(&replies).is_err() {
                return;
            }
        }
    }
}
