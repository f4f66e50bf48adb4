//! Login and lock screen: a PIN pad for touch and the keyboard.

use iced::widget::{button, column, container, row, text, text_input};
use iced::{Center, Element, Fill};

use super::Action;
use crate::Terminal;
use crate::app::style;

pub const PIN_FIELD: &str = "pin";

#[derive(Debug, Default)]
pub struct Login {
    pin: String,
    error: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Input(String),
    Digit(char),
    Clear,
    Submit,
}

impl Login {
    pub fn update(&mut self, terminal: &mut Terminal, message: Message) -> Action {
        match message {
            Message::Input(text) => self.pin = text.chars().filter(char::is_ascii_digit).take(8).collect(),
            Message::Digit(d) if self.pin.len() < 8 => self.pin.push(d),
            Message::Digit(_) => {}
            Message::Clear => self.pin.clear(),
            Message::Submit => {
                let pin = std::mem::take(&mut self.pin);
                match terminal.login(&pin) {
                    Ok(operator) => {
                        self.error = None;
                        return Action::LoggedIn(operator);
                    }
                    Err(e) => self.error = Some(e.to_string()),
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
        let mut content = column![text(store).size(style::HUGE), text("Enter your PIN").size(style::LARGE), field, pad]
            .spacing(20)
            .align_x(Center);
        if let Some(error) = &self.error {
            content = content.push(container(text(error).size(style::TEXT)).padding(10).style(style::error));
        }
        container(content).center(Fill).into()
    }
}
