//! Closing the day: count the drawer (or say why nobody can), see the
//! figures (expected, counted, variance), then close. The count field and
//! the closing button are never on screen together and the button never
//! takes the place of the one before it, so a click meant for the field or
//! a double click cannot close the day. Someone who may not close the day
//! counts blind: no expected cash before the count is in.

use iced::widget::{Column, column, row, text};
use iced::{Element, Fill};
use pos_shared::money::Money;
use pos_shared::report::SessionReport;
use pos_shared::tender::{Tender, TenderKind};

use crate::app::style;
use crate::session::CashCount;

pub const COUNTED_FIELD: &str = "counted";
pub const REASON_FIELD: &str = "not-counted";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Step {
    #[default]
    Count,
    NoCount,
    Confirm(CashCount),
}

#[derive(Debug, Default)]
pub struct CloseDay {
    step: Step,
    counted: String,
    reason: String,
    error: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Counted(String),
    Reason(String),
    /// Check the count: show the figures before anything closes.
    Check,
    /// Nobody can count: ask why.
    NoCount,
    Back,
    Close,
}

impl CloseDay {
    /// The field that takes the keyboard at this step.
    pub fn field(&self) -> Option<&'static str> {
        match self.step {
            Step::Count => Some(COUNTED_FIELD),
            Step::NoCount => Some(REASON_FIELD),
            Step::Confirm(_) => None,
        }
    }

    /// Moves through the steps; the count to close the day with, once the
    /// person confirmed the figures.
    pub fn update(&mut self, message: Message) -> Option<CashCount> {
        self.error = None;
        match message {
            Message::Counted(text) => self.counted = text,
            Message::Reason(text) => self.reason = text,
            Message::NoCount => self.step = Step::NoCount,
            Message::Back => self.step = Step::Count,
            Message::Check => match (&self.step, self.counted.trim()) {
                (Step::NoCount, _) if self.reason.trim().is_empty() => {
                    self.error = Some("Say why the drawer cannot be counted".into())
                }
                (Step::NoCount, _) => self.step = Step::Confirm(CashCount::NotCounted(self.reason.trim().into())),
                (_, "") => self.error = Some("Count the cash in the drawer and type the amount first".into()),
                (_, typed) => match Money::parse_non_negative(typed) {
                    Ok(amount) => {
                        let cash = Tender { kind: TenderKind::Cash, amount };
                        self.step = Step::Confirm(CashCount::Counted(vec![cash]))
                    }
                    Err(e) => self.error = Some(e.to_string()),
                },
            },
            Message::Close => {
                if let Step::Confirm(count) = &self.step {
                    return Some(count.clone());
                }
            }
        }
        None
    }

    /// Back to the first step, after the day closed.
    pub fn reset(&mut self) {
        *self = CloseDay::default();
    }

    /// The figures to confirm; counting blind, only what was counted (the
    /// expected cash shows on the Z report, after the count is final).
    fn figures<'a>(x: &SessionReport, count: &CashCount, blind: bool) -> Column<'a, Message> {
        if blind {
            let said = match count {
                CashCount::Counted(tenders) => {
                    tenders.iter().map(|t| format!("{} counted: {}", t.kind, t.amount)).collect::<Vec<_>>().join(", ")
                }
                CashCount::NotCounted(reason) => format!("Not counted: {reason}"),
            };
            return column![text(said).size(style::TEXT)];
        }
        let counted = |kind: TenderKind| match count {
            CashCount::Counted(tenders) => tenders.iter().find(|t| t.kind == kind).map(|t| t.amount),
            CashCount::NotCounted(_) => None,
        };
        let cells = |cells: [String; 4]| {
            let [tender, expected, counted, variance] = cells;
            let cell = |t: String| text(t).font(style::MONO).size(style::SMALL).width(Fill).align_x(iced::Right);
            row![text(tender).size(style::SMALL).width(Fill), cell(expected), cell(counted), cell(variance)]
                .spacing(style::GAP)
        };
        let mut lines = Column::new().spacing(4);
        lines = lines.push(cells(["Tender", "Expected", "Counted", "Variance"].map(String::from)));
        for line in &x.tenders {
            let counted = counted(line.kind);
            lines = lines.push(cells([
                line.kind.as_str().to_string(),
                line.expected.to_string(),
                counted.map_or("-".to_string(), |c| c.to_string()),
                counted.map_or("-".to_string(), |c| (c - line.expected).to_string()),
            ]));
        }
        lines = lines.push(text(format!("Sales {}  ·  net {}", x.sales_count, x.net_total)).size(style::TEXT));
        if let CashCount::NotCounted(reason) = count {
            lines = lines.push(text(format!("Not counted: {reason}")).size(style::TEXT));
        }
        lines
    }

    /// A step that asks for one thing: a prompt, its field, a way back or
    /// aside, and Enter to check it.
    fn ask<'a>(
        prompt: &'a str,
        field: iced::widget::TextInput<'a, Message>,
        aside: (&'a str, Message),
        check: &'a str,
    ) -> Element<'a, Message> {
        column![
            text(prompt).size(style::TEXT),
            field.on_submit(Message::Check),
            row![
                style::key_button("", aside.0, Some(aside.1)),
                style::key_button("Enter", check, Some(Message::Check))
            ]
            .spacing(style::GAP),
        ]
        .spacing(style::GAP)
        .into()
    }

    pub fn view<'a>(&'a self, x: Option<&'a SessionReport>, blind: bool) -> Element<'a, Message> {
        let Some(x) = x else {
            return text("No open session to close.").size(style::TEXT).into();
        };
        let body: Element<'a, Message> = match &self.step {
            Step::Count => Self::ask(
                "Count the drawer, then type the cash it holds.",
                style::field("Cash counted in the drawer", &self.counted, Message::Counted).id(COUNTED_FIELD),
                ("Cannot count…", Message::NoCount),
                "Check the count",
            ),
            Step::NoCount => Self::ask(
                "Why can the drawer not be counted?",
                style::field("Reason (printed on the Z report)", &self.reason, Message::Reason).id(REASON_FIELD),
                ("Back to the count", Message::Back),
                "Check",
            ),
            Step::Confirm(count) => column![
                text("Close the day with these figures?").size(style::TEXT),
                Self::figures(x, count, blind),
                row![
                    style::danger_button("Close the day (Z)", Message::Close),
                    style::key_button("", "Back: change the count", Some(Message::Back)),
                ]
                .spacing(style::GAP),
            ]
            .spacing(style::GAP)
            .into(),
        };
        let mut panel = column![text("End of day").size(style::LARGE), body].spacing(style::GAP).width(Fill);
        // The message goes below the buttons, where it moves nothing a
        // person is about to click.
        if let Some(error) = &self.error {
            panel = panel.push(text(error).size(style::TEXT));
        }
        panel.into()
    }
}
