//! Head office's sync server: it applies every terminal's journal to one
//! central inventory exactly once, serves the one catalog and each store's
//! orders back down, and takes orders from every sales channel.

pub mod api;
pub mod csv_export;
pub mod error;
pub mod listener;
pub mod storage;

use std::sync::Arc;

use storage::Backend;

/// Serves the API on `listener` within `limits` until `shutdown`
/// resolves; in-flight requests finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Arc<dyn Backend>,
    limits: listener::Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = api::router(store, limits.failures_before_pause);
    listener::serve_with_limits(listener, router, limits, shutdown).await
}
