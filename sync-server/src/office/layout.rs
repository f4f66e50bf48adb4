//! The page around every back-office page: its title and heading, the
//! navigation (what the person's role may open), who is signed in, and the
//! small helpers pages share (the CSRF field, times, tables).

use maud::{DOCTYPE, Markup, html};

use super::session::Signed;
use crate::storage::rules::office::Permission;

/// The sections, in the navigation's order.
const SECTIONS: [(&str, &str); 12] = [
    ("/office/", "Dashboard"),
    ("/office/catalog", "Catalog"),
    ("/office/prices", "Prices"),
    ("/office/customers", "Customers"),
    ("/office/stock", "Stock"),
    ("/office/purchasing", "Purchasing"),
    ("/office/orders", "Orders"),
    ("/office/reports", "Reports"),
    ("/office/stores", "Stores & tills"),
    ("/office/staff", "Staff"),
    ("/office/audit", "Audit log"),
    ("/office/accounts", "Accounts"),
];

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="htmx-config" content=r#"{"includeIndicatorStyles":false,"allowEval":false}"#;
            title { (title) " · Head office" }
            link rel="stylesheet" href="/office/static/office.css";
            script src="/office/static/htmx.min.js" defer {}
        }
    }
}

/// A page for a signed-in person.
pub fn page(title: &str, signed: &Signed, current: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                a.skip href="#main" { "Skip to content" }
                header {
                    nav aria-label="Sections" {
                        ul {
                            @for (href, label) in SECTIONS {
                                @if href != "/office/accounts" || signed.session.user.role.may(Permission::Administer) { li {
                                    @if href == current {
                                        a href=(href) aria-current="page" { (label) }
                                    } @else {
                                        a href=(href) { (label) }
                                    }
                                } }
                            }
                        }
                    }
                    div.who {
                        span { (signed.email()) " · " (signed.session.user.role.as_str()) }
                        form method="post" action="/office/logout" {
                            (csrf(signed))
                            button type="submit" { "Log out" }
                        }
                    }
                }
                main #main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// A page with no navigation: logging in, refusals.
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body.bare {
                main #main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// The hidden field every form carries.
pub fn csrf(signed: &Signed) -> Markup {
    html! { input type="hidden" name="csrf" value=(signed.session.csrf); }
}

/// A time in milliseconds since the epoch as head office's local time.
pub fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// How long ago a time was, for people: `3 min ago`.
pub fn ago(ms: i64) -> String {
    let seconds = (crate::storage::now_ms() - ms).max(0) / 1000;
    match seconds {
        0..60 => "just now".to_string(),
        60..3600 => format!("{} min ago", seconds / 60),
        3600..86_400 => format!("{} h ago", seconds / 3600),
        _ => format!("{} days ago", seconds / 86_400),
    }
}

/// `count` and a noun, singular or plural: `1 line`, `3 lines`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A message after an action (`?done=...`), announced to screen readers.
pub fn notice(text: Option<&str>) -> Markup {
    html! {
        @if let Some(text) = text {
            p.notice role="status" { (text) }
        }
    }
}
