//! The card terminal's line: one ZVT conversation per request over TCP.
//! The till sends a command, waits for the terminal's acknowledgement,
//! acknowledges every message the terminal sends, and ends at Completion
//! (with the status information read) or at Abort. A cancel asked for while
//! the terminal waits for the card sends Abort. What ends without an answer
//! is a [`LinkError`]: the till does not know what the terminal did and asks
//! its last transaction (`docs/hardware.md`).

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pos_shared::device_address::CardTerminalAddress;
use pos_shared::money::Money;
use pos_shared::zvt::{self, ACK, Apdu, StatusInfo};

/// How long the terminal has to acknowledge a command.
const ACK_WITHIN: Duration = Duration::from_secs(5);
const CONNECT_WITHIN: Duration = Duration::from_secs(3);
/// How often a wait looks at the cancel flag.
const POLL: Duration = Duration::from_millis(100);

/// How a request ended, as the terminal said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Completed, with the transaction's status information (if it sent one).
    Done(Option<StatusInfo>),
    /// Aborted, with its result code (cancelled, declined, no card...).
    Aborted(u8),
}

/// The request may not have reached the terminal, or its answer was lost.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// Nothing was sent: the terminal could not be reached.
    #[error("the card terminal at {0} does not answer: {1}")]
    Unreachable(String, String),
    #[error("the card terminal did not answer in time")]
    TimedOut,
    #[error("the card terminal's connection dropped")]
    Dropped,
    #[error(transparent)]
    Garbled(#[from] zvt::Garbled),
}

impl LinkError {
    /// Whether the request surely never reached the terminal.
    pub fn nothing_sent(&self) -> bool {
        matches!(self, LinkError::Unreachable(..))
    }
}

struct Link {
    stream: TcpStream,
    buffered: Vec<u8>,
}

impl Link {
    fn open(address: &CardTerminalAddress) -> Result<Link, LinkError> {
        let stream = super::tcp::connect(&address.host, address.port, CONNECT_WITHIN)
            .map_err(|e| LinkError::Unreachable(format!("{}:{}", address.host, address.port), e.to_string()))?;
        stream.set_read_timeout(Some(POLL)).map_err(|_| LinkError::Dropped)?;
        stream.set_nodelay(true).map_err(|_| LinkError::Dropped)?;
        Ok(Link { stream, buffered: Vec::new() })
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), LinkError> {
        self.stream.write_all(bytes).map_err(|_| LinkError::Dropped)
    }

    /// The next message, or `None` when `POLL` passed with none whole.
    fn poll(&mut self) -> Result<Option<Apdu>, LinkError> {
        loop {
            if let Some((apdu, used)) = Apdu::decode(&self.buffered) {
                self.buffered.drain(..used);
                return Ok(Some(apdu));
            }
            let mut chunk = [0u8; 512];
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err(LinkError::Dropped),
                Ok(n) => self.buffered.extend_from_slice(&chunk[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => return Ok(None),
                Err(_) => return Err(LinkError::Dropped),
            }
        }
    }
}

/// Sends `request` and follows the conversation to its end. `cancel`, once
/// set, sends Abort (the terminal decides whether it still can).
pub fn converse(address: &CardTerminalAddress, request: &Apdu, cancel: &AtomicBool) -> Result<Answer, LinkError> {
    let mut link = Link::open(address)?;
    link.send(&request.encode())?;
    let acked_by = Instant::now() + ACK_WITHIN;
    loop {
        match link.poll()? {
            Some(apdu) if apdu.encode() == ACK => break,
            Some(other) => {
                return Err(zvt::Garbled(format!("{:02X?} instead of an acknowledgement", other.command())).into());
            }
            None if Instant::now() > acked_by => return Err(LinkError::TimedOut),
            None => {}
        }
    }
    let deadline = Instant::now() + Duration::from_secs(u64::from(address.timeout_s));
    let (mut status, mut abort_sent) = (None, false);
    loop {
        let Some(apdu) = link.poll()? else {
            if cancel.load(Ordering::SeqCst) && !abort_sent {
                link.send(&zvt::abort().encode())?;
                abort_sent = true;
            }
            if Instant::now() > deadline {
                return Err(LinkError::TimedOut);
            }
            continue;
        };
        if apdu.encode() == ACK {
            continue; // the terminal's acknowledgement of our Abort
        }
        link.send(&ACK)?;
        match apdu.command() {
            zvt::STATUS_INFORMATION => status = Some(StatusInfo::parse(&apdu.data)?),
            zvt::COMPLETION => return Ok(Answer::Done(status)),
            zvt::ABORTED => return Ok(Answer::Aborted(apdu.data.first().copied().unwrap_or(zvt::CANCELLED))),
            zvt::INTERMEDIATE_STATUS | zvt::PRINT_LINE => {}
            other => return Err(zvt::Garbled(format!("unexpected message {other:02X?}")).into()),
        }
    }
}

/// Takes `amount` from a card (a sale) or gives it back (a return).
pub fn request(
    address: &CardTerminalAddress,
    refund: bool,
    amount: Money,
    cancel: &AtomicBool,
) -> Result<Answer, LinkError> {
    let apdu = if refund { zvt::refund(address.password, amount) } else { zvt::authorization(amount) };
    converse(address, &apdu, cancel)
}

/// The terminal's last transaction, or `None` when it has none.
pub fn last_transaction(address: &CardTerminalAddress) -> Result<Option<StatusInfo>, LinkError> {
    match converse(address, &zvt::repeat_receipt(address.password), &AtomicBool::new(false))? {
        Answer::Done(status) => Ok(status),
        Answer::Aborted(_) => Ok(None),
    }
}

/// Closes the terminal's day (it sends its batch to the bank).
pub fn end_of_day(address: &CardTerminalAddress) -> Result<Answer, LinkError> {
    converse(address, &zvt::end_of_day(address.password), &AtomicBool::new(false))
}
