//! A ZVT card terminal on a loopback port, for the tests: it acknowledges
//! each command and plays the next step of its script (the last one
//! repeats) for each payment or refund: approve, decline, say nothing, drop
//! the line before or after booking, or wait for a card until the till
//! aborts. It books as a real terminal does, whether or not the till is
//! still there to hear, and answers Repeat Receipt with its last
//! transaction and End of Day with its total. Like a real terminal it does
//! one thing at a time: a till that asks while it still waits for a card
//! is answered when it is done. Its bytes are written from
//! the protocol's description, not by the code under test.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What the terminal does with the next payment or refund.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Approve,
    /// Declined by the bank with this result code.
    Decline(u8),
    /// Acknowledges, then says nothing and books nothing.
    Silent,
    /// Drops the line before the card is read: nothing booked.
    DropBeforeBooking,
    /// Books the payment, then drops the line before saying so.
    DropAfterBooking,
    /// Waits this long for a card (an Abort from the till cancels), then approves.
    WaitForCard(Duration),
}

/// A transaction the terminal booked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Booking {
    pub trace: u32,
    pub amount_minor: u64,
    pub refund: bool,
    pub approved: bool,
}

/// Something the terminal saw, for a test to act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    AskedLast,
    Asked { amount_minor: u64, refund: bool },
    Booked(Booking),
    Aborted,
}

struct State {
    /// Held for a whole conversation: one at a time.
    busy: Arc<Mutex<()>>,
    script: VecDeque<Step>,
    /// How long a payment takes before it books (the customer's card).
    delay: Duration,
    next_trace: u32,
    bookings: Vec<Booking>,
    day_total: i64,
    seen: Vec<Seen>,
}

pub struct VirtualCardTerminal {
    port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

const ACK: [u8; 3] = [0x80, 0x00, 0x00];
const TERMINAL_ID: [u8; 4] = [0x52, 0x50, 0x01, 0x23];

fn bcd(value: u64, bytes: usize) -> Vec<u8> {
    let digits = format!("{value:0width$}", width = bytes * 2);
    digits.as_bytes().chunks(2).map(|p| ((p[0] - b'0') << 4) | (p[1] - b'0')).collect()
}

fn from_bcd(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |v, b| v * 100 + u64::from(b >> 4) * 10 + u64::from(b & 0x0F))
}

fn frame(class: u8, instr: u8, data: &[u8]) -> Vec<u8> {
    [&[class, instr, data.len() as u8][..], data].concat()
}

/// Status information: result, amount, trace, receipt, terminal id, a
/// masked Visa number and its card type.
fn status(booking: &Booking) -> Vec<u8> {
    let mut data = vec![0x27, if booking.approved { 0x00 } else { 0x05 }, 0x04];
    data.extend(bcd(booking.amount_minor, 6));
    data.push(0x0B);
    data.extend(bcd(u64::from(booking.trace), 3));
    data.push(0x87);
    data.extend(bcd(u64::from(booking.trace % 10_000), 2));
    data.push(0x29);
    data.extend_from_slice(&TERMINAL_ID);
    // 4970 EEEE EEEE 1234: LLVAR of 8 bytes.
    data.extend_from_slice(&[0x22, 0xF0, 0xF8, 0x49, 0x70, 0xEE, 0xEE, 0xEE, 0xEE, 0x12, 0x34]);
    data.extend_from_slice(&[0x8A, 10]);
    frame(0x04, 0x0F, &data)
}

fn read_frame(stream: &mut TcpStream) -> Option<(u8, u8, Vec<u8>)> {
    let mut head = [0u8; 3];
    stream.read_exact(&mut head).ok()?;
    let mut data = vec![0u8; usize::from(head[2])];
    stream.read_exact(&mut data).ok()?;
    Some((head[0], head[1], data))
}

/// Sends a message and waits for the till's acknowledgement.
fn tell(stream: &mut TcpStream, bytes: &[u8]) -> bool {
    stream.write_all(bytes).is_ok() && read_frame(stream).is_some_and(|(c, i, _)| [c, i] == ACK[..2])
}

impl VirtualCardTerminal {
    pub fn start(script: &[Step]) -> VirtualCardTerminal {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener.set_nonblocking(true).expect("non-blocking");
        let port = listener.local_addr().expect("port").port();
        let state = Arc::new(Mutex::new(State {
            busy: Arc::new(Mutex::new(())),
            script: script.iter().copied().collect(),
            delay: Duration::ZERO,
            next_trace: 101,
            bookings: Vec::new(),
            day_total: 0,
            seen: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (state2, stop2) = (state.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !stop2.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let state = state2.clone();
                        std::thread::spawn(move || serve(stream, &state));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        VirtualCardTerminal { port, state, stop, thread: Some(thread) }
    }

    pub fn address(&self) -> String {
        format!("zvt://127.0.0.1:{}?password=000000&timeout=2", self.port)
    }

    /// The steps for the payments to come (the last repeats).
    pub fn script(&self, steps: &[Step]) {
        self.state.lock().unwrap().script = steps.iter().copied().collect();
    }

    /// How long each payment takes before it books.
    pub fn set_delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }

    pub fn bookings(&self) -> Vec<Booking> {
        self.state.lock().unwrap().bookings.clone()
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    /// Waits until the terminal has seen `what` (at most `within`).
    pub fn wait_for(&self, what: impl Fn(&Seen) -> bool, within: Duration) -> bool {
        let until = Instant::now() + within;
        while Instant::now() < until {
            if self.seen().iter().any(&what) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        false
    }

    pub fn forget_seen(&self) {
        self.state.lock().unwrap().seen.clear();
    }
}

impl Drop for VirtualCardTerminal {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn book(state: &Mutex<State>, amount_minor: u64, refund: bool, approved: bool) -> Booking {
    let mut state = state.lock().unwrap();
    let booking = Booking { trace: state.next_trace, amount_minor, refund, approved };
    state.next_trace += 1;
    if approved {
        state.day_total += if refund { -(amount_minor as i64) } else { amount_minor as i64 };
    }
    state.bookings.push(booking);
    state.seen.push(Seen::Booked(booking));
    booking
}

fn serve(mut stream: TcpStream, state: &Mutex<State>) {
    let busy = state.lock().unwrap().busy.clone();
    let _one_at_a_time = busy.lock().unwrap_or_else(|e| e.into_inner());
    let Some((class, instr, data)) = read_frame(&mut stream) else { return };
    if stream.write_all(&ACK).is_err() {
        return;
    }
    match (class, instr) {
        (0x06, 0x20) => {
            state.lock().unwrap().seen.push(Seen::AskedLast);
            let last = state.lock().unwrap().bookings.last().copied();
            match last {
                Some(booking) => {
                    let _ = tell(&mut stream, &status(&booking)) && tell(&mut stream, &frame(0x06, 0x0F, &[]));
                }
                None => drop(tell(&mut stream, &frame(0x06, 0x1E, &[0x6C]))),
            }
        }
        (0x06, 0x50) => {
            let total = std::mem::take(&mut state.lock().unwrap().day_total);
            let mut data = vec![0x27, 0x00, 0x04];
            data.extend(bcd(total.unsigned_abs(), 6));
            let _ = tell(&mut stream, &frame(0x04, 0x0F, &data)) && tell(&mut stream, &frame(0x06, 0x0F, &[]));
        }
        (0x06, 0x01) | (0x06, 0x31) => {
            let refund = instr == 0x31;
            // Authorization: 04 AMOUNT ...; Refund: PASSWORD(3) 04 AMOUNT.
            let at = if refund { 4 } else { 1 };
            let amount_minor = from_bcd(&data[at..at + 6]);
            let (step, delay) = {
                let mut state = state.lock().unwrap();
                state.seen.push(Seen::Asked { amount_minor, refund });
                let step =
                    if state.script.len() > 1 { state.script.pop_front() } else { state.script.front().copied() };
                (step.unwrap_or(Step::Approve), state.delay)
            };
            pay(stream, state, step, delay, amount_minor, refund);
        }
        _ => drop(tell(&mut stream, &frame(0x84, 0x83, &[]))),
    }
}

fn pay(mut stream: TcpStream, state: &Mutex<State>, step: Step, delay: Duration, amount_minor: u64, refund: bool) {
    std::thread::sleep(delay);
    match step {
        Step::Approve => {
            let booking = book(state, amount_minor, refund, true);
            let _ = tell(&mut stream, &status(&booking)) && tell(&mut stream, &frame(0x06, 0x0F, &[]));
        }
        Step::Decline(code) => {
            book(state, amount_minor, refund, false);
            let _ = tell(&mut stream, &frame(0x06, 0x1E, &[code]));
        }
        Step::Silent => {
            let mut sink = Vec::new();
            let _ = stream.read_to_end(&mut sink);
        }
        Step::DropBeforeBooking => drop(stream),
        Step::DropAfterBooking => {
            book(state, amount_minor, refund, true);
            drop(stream);
        }
        Step::WaitForCard(wait) => {
            stream.set_read_timeout(Some(wait)).expect("timeout");
            if let Some((0x06, 0xB0, _)) = read_frame(&mut stream) {
                state.lock().unwrap().seen.push(Seen::Aborted);
                let _ = stream.write_all(&ACK);
                let _ = tell(&mut stream, &frame(0x06, 0x1E, &[0x6C]));
                return;
            }
            stream.set_read_timeout(None).expect("timeout");
            let booking = book(state, amount_minor, refund, true);
            let _ = tell(&mut stream, &status(&booking)) && tell(&mut stream, &frame(0x06, 0x0F, &[]));
        }
    }
}
