//! First start on a data directory with no store: open the demo store, or
//! enroll with a sync server.

use std::path::Path;

use iced::widget::{column, container, text, text_input};
use iced::{Center, Element, Fill};

use crate::app::style;

#[derive(Debug, Clone)]
pub enum Message {
    Demo,
    Server(String),
    Code(String),
    Enroll,
}

#[derive(Debug, Default)]
pub struct Setup {
    pub server: String,
    pub code: String,
    pub busy: bool,
    pub error: Option<String>,
}

impl Setup {
    pub fn view(&self, dir: &Path) -> Element<'_, Message> {
        let ready = !self.busy && !self.server.trim().is_empty() && !self.code.trim().is_empty();
        let mut page = column![
            text("Welcome").size(style::HUGE),
            text(format!("No store in {} yet.", dir.display())).size(style::TEXT),
            container(style::primary_button("", "Open the demo store", (!self.busy).then_some(Message::Demo)))
                .width(420),
            text("or join head office with the code it gave you:").size(style::TEXT),
            text_input("Sync server, e.g. http://hq.example:8080", &self.server)
                .on_input(Message::Server)
                .size(style::TEXT)
                .padding(10)
                .width(420),
            text_input("Enrollment code", &self.code)
                .on_input(Message::Code)
                .on_submit(Message::Enroll)
                .size(style::TEXT)
                .padding(10)
                .width(420),
            container(style::key_button(
                "",
                if self.busy { "Enrolling..." } else { "Enroll" },
                ready.then_some(Message::Enroll)
            ))
            .width(420),
        ]
        .spacing(16)
        .align_x(Center);
        if let Some(error) = &self.error {
            page = page.push(container(text(error).size(style::TEXT)).padding(10).style(style::error));
        }
        container(page).center(Fill).into()
    }
}
