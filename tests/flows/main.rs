//! End-to-end flows of the point of sale, one module per flow.

mod cli;
mod crash;
mod journal;
mod returns;
mod sell;
mod sessions;
