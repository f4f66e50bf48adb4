//! Look and feel: sizes readable from a step back, large touch targets,
//! high contrast, a light and a dark theme.

use iced::theme::palette::Pair;
use iced::widget::{button, container, text};
use iced::{Border, Element, Font, Length, Theme};

/// Fira Sans, built into iced: the same text on every machine.
pub const SANS: Font = Font::with_name("Fira Sans");
/// DejaVu Sans Mono, shipped in `assets/fonts`, for amounts and receipts.
pub const MONO: Font = Font::with_name("DejaVu Sans Mono");
pub const MONO_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSansMono.ttf");
/// Lucide's icons (the `lucide-icons` crate's font), on the function keys.
pub const ICONS: Font = Font::with_name("lucide");
pub const ICON_BYTES: &[u8] = lucide_icons::LUCIDE_FONT_BYTES;
pub use lucide_icons::Icon;

/// The type scale: small print (details, tabs, tiles), body text, headings,
/// totals.
pub const SMALL: f32 = 15.0;
pub const TEXT: f32 = 18.0;
pub const LARGE: f32 = 26.0;
pub const HUGE: f32 = 44.0;
pub const BUTTON_HEIGHT: f32 = 56.0;
pub const GAP: f32 = 10.0;
/// The smallest thing a finger is asked to hit.
pub const TOUCH: f32 = 44.0;

pub fn theme(dark: bool) -> Theme {
    if dark { Theme::Dark } else { Theme::Light }
}

/// A raised panel.
pub fn panel(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.background.weak.color.into()),
        border: Border { radius: 8.0.into(), width: 1.0, color: palette.background.strong.color },
        ..container::Style::default()
    }
}

/// A surface in one of the theme's colour pairs, with rounded corners or not.
fn tinted(pair: Pair, radius: f32) -> container::Style {
    container::Style {
        background: Some(pair.color.into()),
        text_color: Some(pair.text),
        border: Border { radius: radius.into(), ..Border::default() },
        ..container::Style::default()
    }
}

/// The status bar along the top.
pub fn bar(theme: &Theme) -> container::Style {
    tinted(theme.extended_palette().primary.strong, 0.0)
}

/// A line that warns (oversell, printer, offline).
pub fn warning(theme: &Theme) -> container::Style {
    tinted(theme.extended_palette().warning.weak, 6.0)
}

/// A line that reports an error the cashier must read.
pub fn error(theme: &Theme) -> container::Style {
    tinted(theme.extended_palette().danger.weak, 6.0)
}

/// A cart line a scan just added to: lit up for a moment.
pub fn flash(theme: &Theme) -> container::Style {
    tinted(theme.extended_palette().success.weak, 0.0)
}

/// A promotion's saving under its line: green text, no box.
pub fn promotion(theme: &Theme) -> container::Style {
    container::Style { text_color: Some(theme.extended_palette().success.strong.color), ..container::Style::default() }
}

/// The selected row of a list.
pub fn selected(theme: &Theme) -> container::Style {
    tinted(theme.extended_palette().primary.weak, 0.0)
}

/// `F12  Pay`, or just the label for a button with no key.
fn key_label(key: &str, label: &str) -> String {
    if key.is_empty() { label.to_string() } else { format!("{key}  {label}") }
}

/// A form's text field at the body text size: add `.id`, `.on_submit` as needed.
pub fn field<'a, M: Clone + 'a>(
    placeholder: &str,
    value: &'a str,
    on_input: impl Fn(String) -> M + 'a,
) -> iced::widget::TextInput<'a, M> {
    iced::widget::text_input(placeholder, value).on_input(on_input).size(TEXT).padding(10)
}

/// A key in the theme's primary colour; a key that cannot be pressed now
/// is plainly grey (readable in both themes) rather than a faded blue.
pub fn key(theme: &Theme, status: button::Status) -> button::Style {
    match status {
        button::Status::Disabled => {
            let strong = theme.extended_palette().background.strong;
            button::Style {
                background: Some(strong.color.into()),
                text_color: strong.text.scale_alpha(0.7),
                border: iced::border::rounded(2),
                ..button::Style::default()
            }
        }
        _ => button::primary(theme, status),
    }
}

/// A big button of the keys' size and shape around `content`.
fn big_button<'a, M: Clone + 'a>(content: impl Into<Element<'a, M>>, message: Option<M>) -> button::Button<'a, M> {
    button(container(content).center_y(Length::Fill))
        .style(key)
        .height(BUTTON_HEIGHT)
        .width(Length::Fill)
        .padding([0, 12])
        .on_press_maybe(message)
}

/// A big button with its function key printed on it: the key small on top,
/// the label below, so labels never wrap on a narrow screen.
pub fn key_button<'a, M: Clone + 'a>(key: &str, label: &str, message: Option<M>) -> Element<'a, M> {
    big_button(keycap(None, key, label), message).into()
}

/// A big button with an icon, its function key and its label.
pub fn icon_button<'a, M: Clone + 'a>(icon: Icon, key: &str, label: &str, message: Option<M>) -> Element<'a, M> {
    big_button(keycap(Some(icon), key, label), message).into()
}

/// What a key shows: icon and key name on the first line, the label below.
fn keycap<'a, M: 'a>(icon: Option<Icon>, key: &str, label: &str) -> Element<'a, M> {
    let mut top = iced::widget::Row::new().spacing(6).align_y(iced::Center);
    if let Some(icon) = icon {
        top = top.push(text(char::from(icon).to_string()).font(ICONS).size(SMALL));
    }
    if !key.is_empty() {
        top = top.push(text(key.to_string()).size(SMALL));
    }
    let label = text(label.to_string()).size(TEXT).wrapping(iced::widget::text::Wrapping::None);
    iced::widget::column![top, label].spacing(0).into()
}

/// The same, in the theme's call-to-action colour.
pub fn primary_button<'a, M: Clone + 'a>(key: &str, label: &str, message: Option<M>) -> Element<'a, M> {
    let content = text(key_label(key, label)).size(LARGE);
    button(container(content).center(Length::Fill))
        .height(BUTTON_HEIGHT * 1.3)
        .width(Length::Fill)
        .style(button::success)
        .on_press_maybe(message)
        .into()
}

/// A button that cannot be undone (closing the day), in the theme's danger colour.
pub fn danger_button<'a, M: Clone + 'a>(label: &str, message: M) -> Element<'a, M> {
    big_button(text(label.to_string()).size(TEXT), Some(message)).style(button::danger).into()
}

/// No background: an empty slot that keeps its place.
pub fn plain(_theme: &Theme) -> container::Style {
    container::Style::default()
}
