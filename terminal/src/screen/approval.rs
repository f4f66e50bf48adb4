//! The manager's approval over any screen: choose who approves (preset when
//! one person may), type their PIN, and the refused action is retried.

use iced::widget::{column, container, opaque, row, text, text_input};
use iced::{Element, Fill};
use pos_shared::roles::Role;

use super::{Retry, people};
use crate::app::style;
use crate::users::Credentials;
use crate::{Operator, Terminal};

pub const APPROVAL_FIELD: &str = "approval";

/// A refused action waiting for a manager's name and PIN.
#[derive(Debug)]
pub struct Approval {
    pub reason: String,
    pub retry: Retry,
    approvers: Vec<Operator>,
    approver: Option<String>,
    pin: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Choose(String),
    Pin(String),
    Approve,
    Cancel,
}

impl Approval {
    /// What the screen's field holds (a stray key is added to it).
    pub fn field_text(&self) -> &str {
        &self.pin
    }

    /// Asks `terminal`'s managers to approve what `reason` says.
    pub fn new(terminal: &Terminal, reason: String, retry: Retry) -> Approval {
        let approvers: Vec<Operator> =
            terminal.users().unwrap_or_default().into_iter().filter(|u| u.role == Role::Manager).collect();
        let approver = match approvers.as_slice() {
            [only] => Some(only.name.clone()),
            _ => None,
        };
        Approval { reason, retry, approvers, approver, pin: String::new(), error: None }
    }

    pub fn choose(&mut self, name: String) {
        self.approver = Some(name);
        self.error = None;
    }

    pub fn type_pin(&mut self, pin: &str) {
        self.pin = pin.chars().filter(char::is_ascii_digit).take(pos_shared::pins::MAX_DIGITS).collect();
    }

    /// The chosen manager and the PIN typed (which is cleared), or why not yet.
    pub fn take_credentials(&mut self) -> Result<Credentials, String> {
        let pin = std::mem::take(&mut self.pin);
        match &self.approver {
            Some(name) => Ok(Credentials { user: name.clone(), pin }),
            None => Err("Choose who approves, then type their PIN".into()),
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        let placeholder = match &self.approver {
            Some(name) => format!("{name}'s PIN"),
            None => "Manager PIN".into(),
        };
        let mut dialog = column![
            text(&self.reason).size(style::LARGE),
            people::picker(&self.approvers, self.approver.as_deref(), Message::Choose),
            text_input(&placeholder, &self.pin)
                .id(APPROVAL_FIELD)
                .secure(true)
                .on_input(Message::Pin)
                .on_submit(Message::Approve)
                .size(style::LARGE)
                .padding(12),
            row![
                style::key_button("Esc", "Cancel", Some(Message::Cancel)),
                style::key_button("Enter", "Approve", Some(Message::Approve)),
            ]
            .spacing(style::GAP),
        ]
        .spacing(16)
        .width(520);
        if let Some(error) = &self.error {
            dialog = dialog.push(text(error).size(style::TEXT));
        }
        opaque(container(container(dialog).padding(24).style(style::panel)).center(Fill))
    }
}
