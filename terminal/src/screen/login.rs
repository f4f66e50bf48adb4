//! Login and lock screen: choose who you are, then type your PIN on the pad
//! or the keyboard (one argon2 check); where the store allows it, a cashier
//! may type a PIN alone.

use iced::widget::{button, column, container, row, text, text_input};
use iced::{Center, Element, Fill};

use super::{Action, people};
use crate::app::style;
use crate::{Operator, Terminal};

pub const PIN_FIELD: &str = "pin";

#[derive(Debug, Default)]
pub struct Login {
    people: Vec<Operator>,
    chosen: Option<String>,
    pin_alone: bool,
    pin: String,
    error: Option<String>,
    /// What the last user left behind (a parked sale).
    pub notice: Option<String>,
    /// Seconds PIN entry stays locked, counted down on screen.
    locked_for: u64,
}

#[derive(Debug, Clone)]
pub enum Message {
    Choose(String),
    Input(String),
    Digit(char),
    Clear,
    Submit,
    /// A second passed while PIN entry is locked.
    Tick,
}

impl Login {
    /// What the screen's field holds (a stray key is added to it).
    pub fn field_text(&self) -> &str {
        &self.pin
    }

    /// Whether PIN entry is locked (the screen counts the seconds down).
    pub fn locked(&self) -> bool {
        self.locked_for > 0
    }

    /// The login screen of `terminal`'s staff; with one person, they are chosen.
    pub fn new(terminal: &Terminal) -> Login {
        let people = terminal.users().unwrap_or_default();
        let chosen = match people.as_slice() {
            [only] => Some(only.name.clone()),
            _ => None,
        };
        // A sale parked at lock or when the till was closed waits for its cashier.
        let notice = match terminal.parked_carts().map(|p| p.len()).unwrap_or(0) {
            0 => None,
            1 => Some("A parked sale waits: F7 Resume brings it back after log-in".to_string()),
            n => Some(format!("{n} parked sales wait: F7 Resume brings them back after log-in")),
        };
        Login { people, chosen, pin_alone: terminal.settings().pin_only_login, notice, ..Login::default() }
    }

    pub fn update(&mut self, terminal: &mut Terminal, message: Message) -> Action {
        match message {
            Message::Choose(name) => {
                self.chosen = Some(name);
                self.error = None;
            }
            Message::Input(text) => {
                self.pin = text.chars().filter(char::is_ascii_digit).take(pos_shared::pins::MAX_DIGITS).collect()
            }
            Message::Digit(d) if self.pin.len() < pos_shared::pins::MAX_DIGITS => self.pin.push(d),
            Message::Digit(_) => {}
            Message::Clear => self.pin.clear(),
            Message::Tick => {
                self.locked_for = self.locked_for.saturating_sub(1);
                if self.locked_for == 0 {
                    self.error = None;
                }
            }
            Message::Submit => {
                let pin = std::mem::take(&mut self.pin);
                match terminal.sign_in(self.chosen.as_deref(), &pin) {
                    Ok(operator) => {
                        self.error = None;
                        return Action::LoggedIn(operator);
                    }
                    Err(e) => {
                        if let crate::CoreError::LockedOut(seconds) = e {
                            self.locked_for = seconds;
                        }
                        self.error = Some(e.to_string());
                    }
                }
            }
        }
        Action::None
    }

    pub fn view<'a>(&'a self, store: &'a str) -> Element<'a, Message> {
        let key = |label: &str, message: Message| -> Element<'a, Message> {
            button(container(text(label.to_string()).size(style::LARGE)).center(Fill))
                .width(96)
                .height(72)
                .on_press(message)
                .into()
        };
        let digits = |a: char, b: char, c: char| {
            row![
                key(&a.to_string(), Message::Digit(a)),
                key(&b.to_string(), Message::Digit(b)),
                key(&c.to_string(), Message::Digit(c))
            ]
            .spacing(style::GAP)
        };
        let pad = column![
            digits('1', '2', '3'),
            digits('4', '5', '6'),
            digits('7', '8', '9'),
            row![key("C", Message::Clear), key("0", Message::Digit('0')), key("OK", Message::Submit)]
                .spacing(style::GAP),
        ]
        .spacing(style::GAP);
        let field = text_input("PIN", &self.pin)
            .id(PIN_FIELD)
            .secure(true)
            .on_input(Message::Input)
            .on_submit(Message::Submit)
            .size(style::LARGE)
            .padding(12)
            .width(308);
        let prompt = match (&self.chosen, self.pin_alone) {
            (Some(name), _) => format!("{name}, enter your PIN"),
            (None, true) => "Choose who you are, or type a cashier's PIN".into(),
            (None, false) => "Choose who you are".into(),
        };
        let who = people::picker(&self.people, self.chosen.as_deref(), Message::Choose);
        let mut content = column![text(store).size(style::HUGE), who, text(prompt).size(style::LARGE), field, pad]
            .spacing(20)
            .align_x(Center);
        if let Some(notice) = &self.notice {
            content = content.push(container(text(notice).size(style::TEXT)).padding(10).style(style::warning));
        }
        if self.locked_for > 0 {
            let wait = format!("Too many wrong PINs: try again in {} s", self.locked_for);
            content = content.push(container(text(wait).size(style::TEXT)).padding(10).style(style::error));
        } else if let Some(error) = &self.error {
            content = content.push(container(text(error).size(style::TEXT)).padding(10).style(style::error));
        }
        container(content).center(Fill).into()
    }
}
