//! A 2x20 pole display on a pseudo-terminal pair, for the tests: the bytes
//! the till sends are decoded into the two lines a customer would read
//! (ESC @ resets, FF clears, US $ x y moves the cursor, ESC t picks the
//! code page, the rest is code page 858 text).

use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pos_terminal::devices::receipt_bytes::cp858_char;
use serialport::{SerialPort, TTYPort};

const WIDTH: usize = 20;

/// What the display shows, decoded as the bytes arrive.
#[derive(Debug, Default)]
struct Screen {
    lines: [Vec<char>; 2],
    cursor: (usize, usize),
    pending: Vec<u8>,
    updates: usize,
}

impl Screen {
    fn clear(&mut self) {
        self.lines = [vec![' '; WIDTH], vec![' '; WIDTH]];
        self.cursor = (0, 0);
    }

    fn feed(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        loop {
            let taken = match self.pending.as_slice() {
                [0x1B, b'@', ..] => {
                    self.clear();
                    self.updates += 1;
                    2
                }
                [0x1B, b't', _, ..] => 3,
                [0x0C, ..] => {
                    self.clear();
                    1
                }
                [0x1F, b'$', x, y, ..] => {
                    self.cursor = (usize::from(*x).saturating_sub(1), usize::from(*y).saturating_sub(1));
                    4
                }
                [0x1B] | [0x1B, b't'] | [0x1F] | [0x1F, b'$'] | [0x1F, b'$', _] | [] => break,
                [byte, ..] => {
                    let (x, y) = self.cursor;
                    if y < 2 && x < WIDTH {
                        if self.lines[y].len() < WIDTH {
                            self.lines[y] = vec![' '; WIDTH];
                        }
                        self.lines[y][x] = cp858_char(*byte);
                    }
                    self.cursor.0 += 1;
                    1
                }
            };
            self.pending.drain(..taken);
        }
    }
}

pub struct VirtualDisplay {
    _dir: tempfile::TempDir,
    link: PathBuf,
    screen: Arc<Mutex<Screen>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<JoinHandle<()>>,
    _device_end: TTYPort,
}

impl VirtualDisplay {
    pub fn start() -> VirtualDisplay {
        let (mut host_end, device_end) = TTYPort::pair().expect("pty pair");
        host_end.set_timeout(Duration::from_millis(20)).expect("timeout");
        let dir = tempfile::tempdir().expect("temp dir");
        let link = dir.path().join("ttyDisplay");
        std::os::unix::fs::symlink(device_end.name().expect("pty name"), &link).expect("symlink");
        let screen = Arc::new(Mutex::new(Screen::default()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let thread = {
            let (screen, stop) = (screen.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut chunk = [0u8; 256];
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    if let Ok(n) = host_end.read(&mut chunk)
                        && n > 0
                    {
                        screen.lock().expect("screen").feed(&chunk[..n]);
                    }
                }
            })
        };
        VirtualDisplay { _dir: dir, link, screen, stop, thread: Some(thread), _device_end: device_end }
    }

    /// Its address, as `config set display` takes it.
    pub fn address(&self) -> String {
        format!("serial://{}?baud=9600", self.link.display())
    }

    /// The two lines once `updates` screens were sent and their bytes read
    /// (waits up to 5 s), right-trimmed.
    pub fn after(&self, updates: usize) -> (String, String) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            {
                let screen = self.screen.lock().expect("screen");
                let whole = screen.updates >= updates && screen.pending.is_empty();
                let read = |i: usize| screen.lines[i].iter().collect::<String>().trim_end().to_string();
                if (whole && screen.cursor.0 >= WIDTH && screen.cursor.1 == 1) || Instant::now() > deadline {
                    return (read(0), read(1));
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for VirtualDisplay {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
