//! After payment: the receipt as it prints, print again, and straight on to
//! the next sale.

use iced::widget::{column, container, row, scrollable, text};
use iced::{Element, Fill};

use super::Action;
use crate::app::style;
use crate::sale::Committed;
use crate::{Operator, Terminal};

#[derive(Debug, Clone)]
pub enum Message {
    PrintCopy,
    NextSale,
    Returns,
    Manager,
}

#[derive(Debug)]
pub struct Receipt {
    pub committed: Committed,
    preview: String,
    notice: Option<String>,
}

impl Receipt {
    pub fn new(terminal: &Terminal, committed: Committed) -> Receipt {
        let preview = match terminal.receipt_doc(&committed) {
            Ok(doc) => doc.render_text(terminal.receipt_columns()),
            Err(e) => format!("The receipt cannot be shown: {e}"),
        };
        Receipt { committed, preview, notice: None }
    }

    pub fn update(&mut self, terminal: &mut Terminal, operator: &Operator, message: Message) -> Action {
        match message {
            Message::PrintCopy if terminal.devices().printer.is_none() => {
                self.notice = Some("No printer is set up: set one in Manager, Settings".into());
                Action::None
            }
            Message::PrintCopy if self.committed.training => {
                self.notice = Some("A training receipt has no copies".into());
                Action::None
            }
            Message::PrintCopy => match terminal.queue_reprint(operator, &self.committed.record.receipt_no) {
                Ok(copy) => {
                    self.notice = Some(format!("Copy {copy} sent to the printer"));
                    Action::Print
                }
                Err(e) => {
                    self.notice = Some(e.to_string());
                    Action::None
                }
            },
            Message::NextSale => Action::ToSale(None),
            // A training slip's number is not a receipt's: nothing to look up.
            Message::Returns if self.committed.training => Action::ToReturns(None),
            Message::Returns => Action::ToReturns(Some(self.committed.record.receipt_no.clone())),
            Message::Manager => Action::ToManager,
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        let record = &self.committed.record;
        let change = match record.kind {
            pos_shared::journal::SaleKind::Return => {
                let how = record.payments.iter().map(|t| format!("{} {}", t.kind, t.amount)).collect::<Vec<_>>();
                format!("Refunded {}\n{}", record.total, how.join(", "))
            }
            _ if record.change.is_zero() => String::new(),
            _ => format!("Change {}", record.change),
        };
        let training = self.committed.training;
        let title = match training {
            true => format!("Training sale No. {} done: it does not count", record.receipt_no.number()),
            false => format!("{} done", record.receipt_no),
        };
        let paper = container(scrollable(text(&self.preview).font(style::MONO).size(style::SMALL)).spacing(8))
            .padding(16)
            .style(style::panel);
        let mut side = column![
            text(title).size(style::LARGE),
            text(change).size(style::HUGE),
            style::primary_button("Enter", "Next sale", Some(Message::NextSale)),
            style::key_button("F5", "Print a copy", (!training).then_some(Message::PrintCopy)),
            row![
                style::key_button("F8", "Returns", Some(Message::Returns)),
                style::key_button("F9", "Manager", Some(Message::Manager)),
            ]
            .spacing(style::GAP),
        ]
        .spacing(20);
        if let Some(notice) = &self.notice {
            side = side.push(text(notice).size(style::TEXT));
        }
        // The paper as wide as its lines (not a narrow column in an empty
        // box on a wide screen); the rest is for what to do next.
        row![paper.height(Fill).width(iced::Shrink), side.width(Fill)].spacing(20).padding(20).into()
    }
}
