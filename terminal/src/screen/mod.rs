//! The terminal's screens. Each has its own state, `Message`, `update`
//! (returning an [`Action`] for the app to carry out) and `view`; the app
//! only routes between them.

pub mod approval;
pub mod chart;
pub mod close_day;
pub mod credit;
pub mod customer;
pub mod goods;
pub mod grid;
pub mod login;
pub mod manager;
pub mod orders;
pub mod payment;
pub mod people;
pub mod receipt;
pub mod returns;
pub mod sale;
pub mod setup;

use crate::returns::ReturnRequest;
use crate::sale::Committed;
use crate::{Cart, Operator};

/// A refused action to try again with a manager's PIN.
#[derive(Debug, Clone)]
pub enum Retry {
    Sale(sale::Edit),
    Return(Box<ReturnRequest>),
    Manager(manager::Op),
}

/// What a screen asks the app to do after an update.
#[derive(Debug, Clone)]
pub enum Action {
    None,
    LoggedIn(Operator),
    Opened,
    ToSale(Option<Box<Cart>>),
    ToPayment(Box<Cart>),
    ToReceipt(Box<Committed>),
    /// The returns screen, with a receipt loaded when one is named.
    ToReturns(Option<pos_shared::ids::ReceiptNo>),
    ToManager,
    /// Gift cards sold and payments on account taken.
    ToCredit,
    /// Ask the scale for the weight of the product with this code.
    Weigh(String),
    /// The customer orders screen, straight into an order when one was scanned.
    ToOrders(Option<String>),
    /// Ask for a manager's PIN, then retry.
    Approve {
        reason: String,
        retry: Retry,
    },
    /// Jobs wait in the print queue.
    Print,
    /// Ask the card terminal to take this payment (written down already);
    /// `cancel` sends it Abort.
    AskCardTerminal {
        attempt: crate::card_payment::CardAttempt,
        cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
    },
    /// Ask the card terminal what became of a payment whose answer was lost.
    AskCardTerminalAgain(crate::card_payment::CardAttempt),
}

/// Why a manager's PIN is (still) needed, if that is why `error` happened:
/// a missing permission, or a PIN that could not approve it.
pub fn needs_approval(error: &crate::CoreError) -> Option<String> {
    use crate::CoreError::{ApproverNotAllowed, LockedOut, ManagerPinTooShort, PermissionDenied, WrongPin};
    match error {
        PermissionDenied { action, .. } => Some(format!("A manager's PIN is needed to {action}")),
        ApproverNotAllowed { .. } | WrongPin | LockedOut(_) | ManagerPinTooShort { .. } => Some(error.to_string()),
        _ => None,
    }
}

/// Runs `work`; a refused permission becomes an approval request that
/// retries as `retry`, any other error lands in `error`.
pub fn attempt<T>(
    result: crate::CoreResult<T>,
    retry: impl FnOnce() -> Retry,
    error: &mut Option<String>,
) -> Result<T, Action> {
    match result {
        Ok(value) => {
            *error = None;
            Ok(value)
        }
        Err(e) => match needs_approval(&e) {
            Some(reason) => Err(Action::Approve { reason, retry: retry() }),
            None => {
                *error = Some(e.to_string());
                Err(Action::None)
            }
        },
    }
}

/// The receipt of a recorded sale, or the error on the screen.
pub fn to_receipt(result: crate::CoreResult<Committed>, error: &mut Option<String>) -> Action {
    match result {
        Ok(committed) => Action::ToReceipt(Box::new(committed)),
        Err(e) => {
            *error = Some(e.to_string());
            Action::None
        }
    }
}
