//! Today's sales by hour, as bars on an iced canvas.

use iced::widget::canvas::{self, Frame, Geometry, Text};
use iced::{Point, Rectangle, Renderer, Size, Theme, mouse};
use pos_shared::money::Money;

#[derive(Debug)]
pub struct SalesByHour {
    pub hours: [Money; 24],
}

impl<Message> canvas::Program<Message> for SalesByHour {
    type State = ();

    fn draw(
        &self,
        _state: &(),
        renderer: &Renderer,
        theme: &Theme,
        bounds: Rectangle,
        _cursor: mouse::Cursor,
    ) -> Vec<Geometry> {
        let mut frame = Frame::new(renderer, bounds.size());
        let palette = theme.extended_palette();
        let first = self.hours.iter().position(|m| !m.is_zero()).unwrap_or(8).min(8);
        let last = self.hours.iter().rposition(|m| !m.is_zero()).unwrap_or(19).max(19);
        let shown = &self.hours[first..=last];
        let highest = shown.iter().map(|m| m.minor()).max().unwrap_or(0).max(1) as f32;
        let label_height = 20.0;
        let slot = bounds.width / shown.len() as f32;
        let usable = bounds.height - 2.0 * label_height;
        for (i, amount) in shown.iter().enumerate() {
            let height = usable * amount.minor().max(0) as f32 / highest;
            let x = i as f32 * slot + slot * 0.15;
            let top = label_height + usable - height;
            frame.fill_rectangle(Point::new(x, top), Size::new(slot * 0.7, height), palette.primary.base.color);
            frame.fill_text(Text {
                content: format!("{:02}", first + i),
                position: Point::new(x, bounds.height - label_height + 2.0),
                color: palette.background.base.text,
                size: 12.0.into(),
                ..Text::default()
            });
            if !amount.is_zero() {
                frame.fill_text(Text {
                    content: format!("{:.0}", amount.amount()),
                    position: Point::new(x, (top - 16.0).max(0.0)),
                    color: palette.background.base.text,
                    size: 11.0.into(),
                    ..Text::default()
                });
            }
        }
        vec![frame.into_geometry()]
    }
}
