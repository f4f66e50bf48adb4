//! Choosing who you are before typing a PIN: one button per person, the
//! chosen one highlighted, so a PIN is checked against one person only.

use iced::widget::{Row, button, column, text};
use iced::{Element, Length};

use crate::Operator;
use crate::app::style;

/// A wrapping row of people's buttons; `choose` is the message a tap sends.
pub fn picker<'a, M: Clone + 'a>(
    people: &'a [Operator],
    chosen: Option<&'a str>,
    choose: impl Fn(String) -> M,
) -> Element<'a, M> {
    let buttons = people.iter().map(|person| {
        let picked = chosen.is_some_and(|c| c == person.name);
        let label = column![text(&person.name).size(style::TEXT), text(person.role.as_str()).size(style::SMALL)];
        button(label)
            .width(Length::Fixed(150.0))
            .height(Length::Fixed(style::BUTTON_HEIGHT))
            .padding([6, 12])
            .style(if picked { button::primary } else { button::secondary })
            .on_press(choose(person.name.clone()))
            .into()
    });
    Row::with_children(buttons).spacing(style::GAP).wrap().vertical_spacing(style::GAP).into()
}
