//! End-to-end flows of the point of sale, one module per flow.

mod abuse;
mod books;
mod channel_api;
mod cli;
mod counts;
mod crash;
mod faults;
mod forged;
mod journal;
mod malformed;
mod orders;
mod pagination;
mod printing;
mod protocol;
mod purchasing;
mod reports;
mod restore;
mod returns;
mod scanning;
mod sell;
mod sessions;
mod sync;
mod sync_api;
mod sync_cli;
mod tls;
mod ui;
