//! The product grid beside the cart, for goods without a barcode: the
//! favourites page and a tab per category, tiles big enough for a finger
//! (name, price, a colour per category). In "arrange" mode a tap puts a
//! tile on the favourites page or takes it off (a manager's decision).

use iced::widget::{Row, button, column, container, scrollable, text};
use iced::{Color, Element, Fill, Length, Theme};

use crate::Terminal;
use crate::app::style;
use crate::catalog::Product;

/// Which page of tiles shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Page {
    #[default]
    Favourites,
    Category(String),
}

#[derive(Debug, Default)]
pub struct Grid {
    categories: Vec<String>,
    page: Page,
    tiles: Vec<Product>,
    /// The favourites' SKUs, starred on their tiles.
    favourites: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Page(Page),
    /// A tile was tapped: its SKU.
    Tile(String),
    Arrange(bool),
}

/// What a tap on a tile asks the sale to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tap {
    /// A product's tile: sold, or starred while the favourites are arranged.
    Tile(String),
    /// Start (a manager's decision) or stop arranging the favourites.
    Arrange(bool),
}

/// The widget id of a product's tile (for tests and focus).
pub fn tile_id(sku: &str) -> String {
    format!("tile-{sku}")
}

/// A light colour per category, the same on every till.
fn tile_colour(category: &str) -> Color {
    const COLOURS: [(u8, u8, u8); 8] = [
        (0xFF, 0xE0, 0xB2),
        (0xC8, 0xE6, 0xC9),
        (0xBB, 0xDE, 0xFB),
        (0xF8, 0xBB, 0xD0),
        (0xE1, 0xBE, 0xE7),
        (0xFF, 0xF9, 0xC4),
        (0xB2, 0xEB, 0xF2),
        (0xD7, 0xCC, 0xC8),
    ];
    let index = category.bytes().fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
    let (r, g, b) = COLOURS[index % COLOURS.len()];
    Color::from_rgb8(r, g, b)
}

impl Grid {
    /// Reads the current page's tiles again (after the favourites changed).
    pub fn reload_tiles(&mut self, terminal: &Terminal) {
        self.favourites = terminal.favourites().unwrap_or_default().into_iter().map(|p| p.sku).collect();
        self.tiles = match &self.page {
            Page::Favourites => terminal.favourites().unwrap_or_default(),
            Page::Category(name) => terminal.category_products(name).unwrap_or_default(),
        };
    }

    /// Reads the categories and the current page's tiles; an empty
    /// favourites page gives way to the first category.
    pub fn load(&mut self, terminal: &Terminal) {
        self.categories = terminal.categories().unwrap_or_default();
        self.reload_tiles(terminal);
        if self.tiles.is_empty()
            && self.page == Page::Favourites
            && let Some(first) = self.categories.first().cloned()
        {
            self.page = Page::Category(first);
            self.load(terminal);
        }
    }

    pub fn update(&mut self, terminal: &Terminal, message: Message) -> Option<Tap> {
        match message {
            Message::Page(page) => {
                self.page = page;
                self.reload_tiles(terminal);
                None
            }
            Message::Arrange(on) => Some(Tap::Arrange(on)),
            Message::Tile(sku) => Some(Tap::Tile(sku)),
        }
    }

    fn tile<'a>(&self, product: &'a Product) -> Element<'a, Message> {
        let colour = tile_colour(&product.category);
        let star = if self.favourites.contains(&product.sku) { "★ " } else { "" };
        let label = column![
            text(format!("{star}{}", product.name)).size(style::SMALL).height(Length::Fill),
            text(format!("{}/{}", product.price, product.unit)).size(style::SMALL).font(style::MONO),
        ];
        // Room for a name on three lines above its price.
        let tile = button(label)
            .width(118)
            .height(92)
            .padding(6)
            .style(move |theme: &Theme, status| {
                let mut look = button::secondary(theme, status);
                look.background = Some(colour.into());
                look.text_color = Color::from_rgb8(0x20, 0x20, 0x20);
                look
            })
            .on_press(Message::Tile(product.sku.clone()));
        container(tile).id(tile_id(&product.sku)).into()
    }

    /// The grid; `arranging` while the sale lets taps star tiles.
    pub fn view(&self, arranging: bool) -> Element<'_, Message> {
        let tab = |label: &str, page: Page| {
            let chosen = self.page == page;
            button(container(text(label.to_string()).size(style::SMALL)).center_y(Fill))
                .height(style::TOUCH)
                .padding([0, 10])
                .style(if chosen { button::primary } else { button::secondary })
                .on_press(Message::Page(page))
                .into()
        };
        let mut tabs = vec![tab("★ Favourites", Page::Favourites)];
        tabs.extend(self.categories.iter().map(|c| tab(c, Page::Category(c.clone()))));
        let tabs = Row::with_children(tabs).spacing(6).wrap().vertical_spacing(6);
        let tiles = Row::with_children(self.tiles.iter().map(|p| self.tile(p))).spacing(6).wrap().vertical_spacing(6);
        let empty = (self.page == Page::Favourites && self.tiles.is_empty())
            .then(|| text("No favourites yet: a manager taps Arrange, then the tiles to put here.").size(style::SMALL));
        let arrange = if arranging {
            button(text("Done arranging").size(style::SMALL))
                .height(style::TOUCH)
                .style(button::primary)
                .on_press(Message::Arrange(false))
        } else {
            button(text("Arrange favourites").size(style::SMALL))
                .height(style::TOUCH)
                .style(button::secondary)
                .on_press(Message::Arrange(true))
        };
        let mut page = column![tabs].spacing(style::GAP);
        if arranging {
            page = page.push(
                text("Arranging: a tap puts a tile on the favourites page (★) or takes it off").size(style::SMALL),
            );
        }
        if let Some(empty) = empty {
            page = page.push(empty);
        }
        page = page.push(scrollable(tiles).height(Fill).spacing(6)).push(arrange);
        container(page).padding(6).width(Fill).height(Fill).style(style::panel).into()
    }
}
