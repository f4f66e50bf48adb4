//! The one error type of the terminal core: each variant says what went wrong
//! and what to do, in words a cashier or a support person can act on.

use pos_shared::barcode::BarcodeError;
use pos_shared::catalog::CatalogError;
use pos_shared::ids::IdError;
use pos_shared::money::MoneyError;
use pos_shared::pricing::PricingError;
use pos_shared::quantity::QuantityError;
use pos_shared::returns::ReturnError;
use pos_shared::tender::TenderError;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("no store in {0} yet: run “pos-terminal init” or “pos-terminal demo” first")]
    NotInitialised(String),
    #[error("a store already exists in {0}")]
    AlreadyInitialised(String),
    #[error("wrong PIN")]
    WrongPin,
    #[error(
        "{user} is a manager: a manager's PIN has at least {digits} digits here; if yours is shorter, change it (pos-terminal user pin)"
    )]
    ManagerPinTooShort { user: String, digits: usize },
    #[error("too many wrong PINs: PIN entry is locked for {0} more seconds")]
    LockedOut(u64),
    #[error("{user} may not {action}: a manager must approve with their PIN")]
    PermissionDenied { user: String, action: &'static str },
    #[error("{approver} may not approve: only a manager can {action}")]
    ApproverNotAllowed { approver: String, action: &'static str },
    #[error(transparent)]
    Barcode(#[from] BarcodeError),
    #[error("unknown code “{0}”: no product has this barcode or SKU")]
    UnknownCode(String),
    #[error("{0} is sold by weight: enter its weight, e.g. {1}*0.350")]
    NeedsWeight(String, String),
    #[error(transparent)]
    Quantity(#[from] QuantityError),
    #[error(transparent)]
    Pricing(#[from] PricingError),
    #[error(transparent)]
    Tender(#[from] TenderError),
    #[error(transparent)]
    Return(#[from] ReturnError),
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error(transparent)]
    Id(#[from] IdError),
    #[error("no open session: open the till first (“pos-terminal session open”)")]
    NoOpenSession,
    #[error("session {0} is already open: close it with a Z report first")]
    SessionAlreadyOpen(i64),
    #[error("the cart is empty")]
    EmptyCart,
    #[error("no receipt {0} on this terminal")]
    UnknownReceipt(String),
    #[error("receipt {receipt} has no line with “{code}” left to return")]
    NotOnReceipt { receipt: String, code: String },
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("{0}")]
    Invalid(String),
    #[error("journal broken at seq {seq}: {reason}")]
    JournalBroken { seq: u64, reason: String },
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error(transparent)]
    Open(#[from] pos_sqlite::OpenError),
    #[error("a stored record is unreadable: {0}")]
    Stored(#[from] serde_json::Error),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

pub type CoreResult<T> = Result<T, CoreError>;
