//! A shop scale on a serial line: ask for the weight, read one answer, and
//! ask again while the pan moves, for a few seconds at most. The weight
//! sold is the scale's, never edited (legal for trade).

use std::time::{Duration, Instant};

use pos_shared::device_address::ScaleAddress;
use pos_shared::quantity::Quantity;
use pos_shared::scale::{Reading, ScaleProblem, ScaleProtocol};
use serialport::{ClearBuffer, DataBits, Parity, SerialPort, StopBits};

/// How long one answer may take.
const ANSWER_WITHIN: Duration = Duration::from_millis(500);
/// How long the pan may move before the cashier is told.
const SETTLE_WITHIN: Duration = Duration::from_secs(3);
/// Between two questions to a moving scale.
const ASK_AGAIN_AFTER: Duration = Duration::from_millis(150);

impl crate::Terminal {
    /// Adds `code` at a typed weight. With a scale at this till the weight
    /// is the scale's to give, so typing one is a manager's decision.
    pub fn add_typed_weight(
        &mut self,
        actor: &crate::Operator,
        cart: &mut crate::Cart,
        code: &str,
        kg: rust_decimal::Decimal,
        approver: Option<&crate::users::Credentials>,
    ) -> crate::CoreResult<crate::cart::Added> {
        let approval = match self.devices.scale {
            Some(_) => {
                let detail = format!("{code} weighed by hand: {kg} kg");
                self.authorize(actor, pos_shared::roles::Permission::ManualWeight, approver, detail)?
            }
            None => None,
        };
        let added = self.add_item(cart, code, Some(kg))?;
        cart.approvals.extend(approval);
        Ok(added)
    }

    /// The stable weight above zero on this till's scale, or why not.
    pub fn weigh(&self) -> crate::CoreResult<Quantity> {
        let address = self.devices.scale_address()?.ok_or_else(|| {
            crate::CoreError::Invalid("no scale is set up: pos-terminal config set scale serial://PORT".into())
        })?;
        read_weight(&address).map_err(|e| crate::CoreError::Invalid(e.to_string()))
    }
}

/// The stable weight above zero on the scale at `address`, or why not.
pub fn read_weight(address: &ScaleAddress) -> Result<Quantity, ScaleProblem> {
    // Both protocols run at 7 data bits, even parity, one stop bit.
    let mut port = serialport::new(&address.path, address.baud)
        .data_bits(DataBits::Seven)
        .parity(Parity::Even)
        .stop_bits(StopBits::One)
        .timeout(ANSWER_WITHIN)
        .open()
        .map_err(|e| ScaleProblem::NoAnswer(e.to_string()))?;
    let deadline = Instant::now() + SETTLE_WITHIN;
    loop {
        match ask(&mut *port, address.protocol)?.weight() {
            Err(ScaleProblem::Moving) if Instant::now() < deadline => std::thread::sleep(ASK_AGAIN_AFTER),
            weighed => return weighed,
        }
    }
}

/// One question and its answer.
fn ask(port: &mut dyn SerialPort, protocol: ScaleProtocol) -> Result<Reading, ScaleProblem> {
    let lost = |e: std::io::Error| ScaleProblem::NoAnswer(e.to_string());
    // What an earlier answer left unread is not this one.
    port.clear(ClearBuffer::Input).map_err(|e| ScaleProblem::NoAnswer(e.to_string()))?;
    port.write_all(protocol.request()).map_err(lost)?;
    port.flush().map_err(lost)?;
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut chunk = [0u8; 64];
    while !protocol.complete(&answer) {
        if started.elapsed() > ANSWER_WITHIN || answer.len() > 256 {
            return Err(ScaleProblem::NoAnswer(format!("nothing whole within {} ms", ANSWER_WITHIN.as_millis())));
        }
        match port.read(&mut chunk) {
            Ok(0) => {}
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(e) => return Err(lost(e)),
        }
    }
    protocol.parse(&answer)
}
