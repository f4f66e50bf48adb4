//! Sending bytes to a receipt printer through the escpos crate's drivers
//! (network, USB via pure-Rust nusb, device file) or a serial port, and
//! asking the printer, where it can answer, whether it has paper and got
//! the whole job.

use std::io::{Read, Write};
use std::net::ToSocketAddrs;
use std::sync::Mutex;
use std::time::Duration;

use escpos::driver::{Driver, FileDriver, NativeUsbDriver, NetworkDriver};
use escpos::errors::{PrinterError, Result as EscposResult};

use super::address::PrinterAddress;
use super::receipt_bytes::{STATUS_PAPER, STATUS_PRINTER};

/// How long a printer may take to answer or accept data.
const TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintError {
    #[error("printer {0} is off or unreachable: {1}")]
    Unreachable(String, String),
    #[error("printer {0} is out of paper")]
    OutOfPaper(String),
    #[error("printer {0} stopped answering mid-job: {1}")]
    Interrupted(String, String),
    #[error("no printer is configured: “pos-terminal config set printer ADDRESS”")]
    NotConfigured,
}

/// A serial printer as an escpos driver (the crate's own serial driver
/// needs libudev to build).
struct SerialDriver {
    name: String,
    port: Mutex<Box<dyn serialport::SerialPort>>,
}

fn io_error(e: impl std::fmt::Display) -> PrinterError {
    PrinterError::Io(e.to_string())
}

impl Driver for SerialDriver {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn write(&self, data: &[u8]) -> EscposResult<()> {
        self.port.lock().map_err(io_error)?.write_all(data).map_err(io_error)
    }

    fn read(&self, buf: &mut [u8]) -> EscposResult<usize> {
        self.port.lock().map_err(io_error)?.read(buf).map_err(io_error)
    }

    fn flush(&self) -> EscposResult<()> {
        self.port.lock().map_err(io_error)?.flush().map_err(io_error)
    }
}

fn open(address: &PrinterAddress) -> Result<Box<dyn Driver>, String> {
    match address {
        PrinterAddress::Tcp { host, port } => {
            let ip = (host.as_str(), *port)
                .to_socket_addrs()
                .map_err(|e| e.to_string())?
                .next()
                .ok_or_else(|| format!("{host} has no address"))?
                .ip();
            Ok(Box::new(NetworkDriver::open(&ip.to_string(), *port, Some(TIMEOUT)).map_err(|e| e.to_string())?))
        }
        PrinterAddress::Usb { vendor, product } => {
            Ok(Box::new(NativeUsbDriver::open(*vendor, *product).map_err(|e| e.to_string())?))
        }
        PrinterAddress::File { path } => {
            Ok(Box::new(FileDriver::open(std::path::Path::new(path)).map_err(|e| e.to_string())?))
        }
        PrinterAddress::Serial { path, baud } => {
            let port = serialport::new(path, *baud).timeout(TIMEOUT).open().map_err(|e| e.to_string())?;
            Ok(Box::new(SerialDriver { name: format!("serial {path}"), port: Mutex::new(port) }))
        }
    }
}

/// Network and serial printers answer status requests; USB and device
/// files are written blind.
fn answers_status(address: &PrinterAddress) -> bool {
    matches!(address, PrinterAddress::Tcp { .. } | PrinterAddress::Serial { .. })
}

fn status(driver: &dyn Driver, request: &[u8]) -> Result<u8, String> {
    driver.write(request).map_err(|e| e.to_string())?;
    driver.flush().map_err(|e| e.to_string())?;
    let mut reply = [0u8; 1];
    match driver.read(&mut reply) {
        Ok(1) => Ok(reply[0]),
        Ok(_) => Err("the connection closed".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// Sends one job. Where the printer answers, it is asked for paper first
/// and asked again after the job, so `Ok` means it received all of it.
pub fn send_job(address: &PrinterAddress, bytes: &[u8]) -> Result<(), PrintError> {
    let name = address.to_string();
    let driver = open(address).map_err(|e| PrintError::Unreachable(name.clone(), e))?;
    let interrupted = |e: String| PrintError::Interrupted(name.clone(), e);
    if answers_status(address) {
        let paper = status(driver.as_ref(), &STATUS_PAPER).map_err(|e| PrintError::Unreachable(name.clone(), e))?;
        if paper & 0x60 == 0x60 {
            return Err(PrintError::OutOfPaper(name));
        }
    }
    driver.write(bytes).map_err(|e| interrupted(e.to_string()))?;
    driver.flush().map_err(|e| interrupted(e.to_string()))?;
    if answers_status(address) {
        status(driver.as_ref(), &STATUS_PRINTER).map_err(interrupted)?;
    }
    Ok(())
}
