//! Head office's sync server: it applies every terminal's journal to one
//! central inventory exactly once and serves the one catalog back down.

pub mod api;
pub mod error;
pub mod storage;

use std::sync::Arc;

use storage::SyncStore;

/// Serves the API on `listener` until `shutdown` resolves; in-flight
/// requests finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Arc<dyn SyncStore>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, api::router(store)).with_graceful_shutdown(shutdown).await
}
