//! First start on a data directory with no store: create the shop (name,
//! address, VAT number, currency, whether prices include tax, the first
//! manager, shown their PIN once, and a catalog file), join head office
//! with an enrollment code, or open the demo store.

use std::path::Path;

use iced::widget::{button, column, container, row, text};
use iced::{Center, Element, Fill};
use pos_shared::pricing::TaxMode;

use crate::app::style;
use crate::new_store::NewStore;

#[derive(Debug, Clone)]
pub enum Message {
    Demo,
    Server(String),
    Code(String),
    Fingerprint(String),
    Insecure(bool),
    Enroll,
    Shop(Field, String),
    TaxMode(TaxMode),
    Create,
    /// The manager wrote their PIN down: on to the login screen.
    Continue,
}

/// A field of the new shop's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Address,
    Vat,
    Currency,
    Manager,
    Catalog,
}

#[derive(Debug)]
pub struct Setup {
    pub server: String,
    pub code: String,
    /// The server certificate's fingerprint, as head office printed it.
    pub fingerprint: String,
    /// Plain http to another machine, knowingly.
    pub insecure: bool,
    pub busy: bool,
    pub error: Option<String>,
    name: String,
    address: String,
    vat: String,
    currency: String,
    tax_mode: TaxMode,
    manager: String,
    catalog: String,
    /// Once created: the manager's name and PIN, shown once, and how the
    /// catalog import went.
    pub created: Option<(String, String, Option<String>)>,
}

impl Default for Setup {
    fn default() -> Setup {
        Setup {
            server: String::new(),
            code: String::new(),
            fingerprint: String::new(),
            insecure: false,
            busy: false,
            error: None,
            name: String::new(),
            address: String::new(),
            vat: String::new(),
            currency: "EUR".into(),
            tax_mode: TaxMode::Inclusive,
            manager: String::new(),
            catalog: String::new(),
            created: None,
        }
    }
}

impl Setup {
    /// How the till will check the server, or why the fingerprint is wrong.
    pub fn trust(&self) -> Result<crate::sync::trust::Trust, String> {
        let fingerprint = match self.fingerprint.trim() {
            "" => None,
            text => Some(text.parse().map_err(|e: pos_shared::fingerprint::FingerprintError| e.to_string())?),
        };
        Ok(crate::sync::trust::Trust { fingerprint, insecure: self.insecure, ..Default::default() })
    }

    pub fn edit(&mut self, field: Field, value: String) {
        let slot = match field {
            Field::Name => &mut self.name,
            Field::Address => &mut self.address,
            Field::Vat => &mut self.vat,
            Field::Currency => &mut self.currency,
            Field::Manager => &mut self.manager,
            Field::Catalog => &mut self.catalog,
        };
        *slot = value;
    }

    pub fn set_tax_mode(&mut self, mode: TaxMode) {
        self.tax_mode = mode;
    }

    /// The store the form describes (its till is T01 of S01).
    pub fn new_store(&self) -> NewStore {
        NewStore {
            name: self.name.clone(),
            terminal: "Till 1".into(),
            store_code: "S01".into(),
            terminal_code: "T01".into(),
            currency: self.currency.clone(),
            tax_mode: self.tax_mode,
            header_lines: vec![self.address.clone(), self.vat.clone()],
            manager: self.manager.clone(),
            manager_pin: None,
        }
    }

    /// The catalog file to import, if one was named.
    pub fn catalog_file(&self) -> Option<&str> {
        Some(self.catalog.trim()).filter(|p| !p.is_empty())
    }

    fn field<'a>(placeholder: &str, value: &'a str, field: Field) -> Element<'a, Message> {
        style::field(placeholder, value, move |v| Message::Shop(field, v)).into()
    }

    fn create_form(&self) -> Element<'_, Message> {
        let mode = |label: &str, mode: TaxMode| {
            button(text(label.to_string()).size(style::SMALL))
                .height(style::TOUCH)
                .style(if self.tax_mode == mode { button::primary } else { button::secondary })
                .on_press(Message::TaxMode(mode))
        };
        let ready = !self.busy && !self.name.trim().is_empty() && !self.manager.trim().is_empty();
        column![
            text("Create your shop").size(style::LARGE),
            Self::field("Shop name", &self.name, Field::Name),
            Self::field("Address (printed on receipts)", &self.address, Field::Address),
            Self::field("VAT number (printed on receipts)", &self.vat, Field::Vat),
            row![
                Self::field("Currency", &self.currency, Field::Currency),
                mode("Prices include tax", TaxMode::Inclusive),
                mode("Prices exclude tax", TaxMode::Exclusive),
            ]
            .spacing(style::GAP)
            .align_y(Center),
            Self::field("First manager's name", &self.manager, Field::Manager),
            Self::field("Catalog file to import (CSV, optional)", &self.catalog, Field::Catalog),
            style::primary_button("", "Create the shop", ready.then_some(Message::Create)),
        ]
        .spacing(style::GAP)
        .width(520)
        .into()
    }

    fn join_form(&self) -> Element<'_, Message> {
        let ready = !self.busy && !self.server.trim().is_empty() && !self.code.trim().is_empty();
        column![
            text("Or join head office").size(style::LARGE),
            style::field("Sync server, e.g. https://hq.example:8443", &self.server, Message::Server),
            style::field("Enrollment code", &self.code, Message::Code).on_submit(Message::Enroll),
            style::field("Certificate fingerprint (self-signed server)", &self.fingerprint, Message::Fingerprint)
                .on_submit(Message::Enroll),
            iced::widget::checkbox(self.insecure)
                .label("Plain http to another machine (not encrypted)")
                .on_toggle(Message::Insecure)
                .size(style::TOUCH / 2.0)
                .text_size(style::SMALL),
            style::key_button("", if self.busy { "Enrolling..." } else { "Enroll" }, ready.then_some(Message::Enroll)),
            text("Or try it first:").size(style::TEXT),
            style::key_button("", "Open the demo store", (!self.busy).then_some(Message::Demo)),
        ]
        .spacing(style::GAP)
        .width(420)
        .into()
    }

    pub fn view(&self, dir: &Path) -> Element<'_, Message> {
        if let Some((manager, pin, catalog)) = &self.created {
            let mut page = column![
                text("Your shop is ready").size(style::HUGE),
                text(format!("{manager}'s PIN is")).size(style::LARGE),
                text(pin).size(style::HUGE * 1.5).font(style::MONO),
                text("Write it down now: it is shown only this once.").size(style::TEXT),
            ]
            .spacing(16)
            .align_x(Center);
            if let Some(catalog) = catalog {
                page = page.push(text(catalog).size(style::TEXT));
            }
            let next =
                container(style::primary_button("", "I wrote it down: log in", Some(Message::Continue))).width(420);
            return container(page.push(next)).center(Fill).into();
        }
        let mut page = column![
            text("Welcome").size(style::HUGE),
            text(format!("No store in {} yet.", dir.display())).size(style::TEXT),
            row![self.create_form(), self.join_form()].spacing(48),
        ]
        .spacing(16)
        .align_x(Center);
        if let Some(error) = &self.error {
            page = page.push(container(text(error).size(style::TEXT)).padding(10).style(style::error));
        }
        container(page).center(Fill).into()
    }
}
