//! A shop scale on a pseudo-terminal pair, for the tests: it answers each
//! `W` with the next reading of its script (the last one repeats), in the
//! protocol it was started with, written byte by byte from the protocol's
//! description rather than by the code under test.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use pos_shared::scale::ScaleProtocol;
use serialport::{SerialPort, TTYPort};

/// What is on the pan when the scale is asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pan {
    /// A stable weight, as the scale prints it (`1.234`).
    Stable(&'static str),
    Moving,
    Overload,
    UnderZero,
    /// Plugged in, but it says nothing.
    Silent,
}

fn frame(protocol: ScaleProtocol, pan: Pan) -> Vec<u8> {
    match (protocol, pan) {
        (_, Pan::Silent) => Vec::new(),
        (ScaleProtocol::Toledo8217, Pan::Stable(kg)) => format!("\x02{kg:0>6}\r").into_bytes(),
        (ScaleProtocol::Toledo8217, Pan::Moving) => b"\x02?\x01\r".to_vec(),
        (ScaleProtocol::Toledo8217, Pan::Overload) => b"\x02?\x02\r".to_vec(),
        (ScaleProtocol::Toledo8217, Pan::UnderZero) => b"\x02?\x04\r".to_vec(),
        (ScaleProtocol::CasPd2, Pan::Stable(kg)) => format!("ST,GS,+{kg:>7}kg\r\n").into_bytes(),
        (ScaleProtocol::CasPd2, Pan::Moving) => b"US,GS,+  0.812kg\r\n".to_vec(),
        (ScaleProtocol::CasPd2, Pan::Overload) => b"OL,GS,+ 99.999kg\r\n".to_vec(),
        (ScaleProtocol::CasPd2, Pan::UnderZero) => b"ST,GS,-  0.015kg\r\n".to_vec(),
    }
}

pub struct VirtualScale {
    _dir: tempfile::TempDir,
    link: PathBuf,
    protocol: ScaleProtocol,
    asked: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    _device_end: TTYPort,
}

impl VirtualScale {
    pub fn start(protocol: ScaleProtocol, script: &[Pan]) -> VirtualScale {
        let (mut host_end, device_end) = TTYPort::pair().expect("pty pair");
        host_end.set_timeout(Duration::from_millis(20)).expect("timeout");
        let dir = tempfile::tempdir().expect("temp dir");
        let link = dir.path().join("ttyScale");
        std::os::unix::fs::symlink(device_end.name().expect("pty name"), &link).expect("symlink");
        let (asked, stop) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicBool::new(false)));
        let script = script.to_vec();
        let thread = {
            let (asked, stop) = (asked.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut byte = [0u8; 1];
                while !stop.load(Ordering::SeqCst) {
                    if let Ok(1) = host_end.read(&mut byte)
                        && byte[0] == b'W'
                    {
                        let n = asked.fetch_add(1, Ordering::SeqCst);
                        let pan = script[n.min(script.len() - 1)];
                        let _ = host_end.write_all(&frame(protocol, pan));
                    }
                }
            })
        };
        VirtualScale { _dir: dir, link, protocol, asked, stop, thread: Some(thread), _device_end: device_end }
    }

    /// Its address, as `config set scale` takes it.
    pub fn address(&self) -> String {
        format!("serial://{}?baud=9600&protocol={}", self.link.display(), self.protocol)
    }

    /// How many times it was asked for its weight.
    pub fn asked(&self) -> usize {
        self.asked.load(Ordering::SeqCst)
    }
}

impl Drop for VirtualScale {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
