//! Head office's sync server: it applies every terminal's journal to one
//! central inventory exactly once, serves the one catalog and each store's
//! orders back down, and takes orders from every sales channel.

pub mod api;
pub mod csv_export;
pub mod error;
pub mod listener;
pub mod office;
pub mod serving;
pub mod storage;
pub mod tls;

use std::sync::Arc;

use storage::head_office::HeadOffice;
use storage::sql::Database;

/// Serves the API and the back office on `listener` within `limits` until
/// `shutdown` resolves; in-flight requests finish first.
pub async fn serve<D: Database>(
    listener: tokio::net::TcpListener,
    store: Arc<HeadOffice<D>>,
    limits: listener::Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_over(listener, store, limits, None, shutdown).await
}

/// The same, over TLS when `tls` is given.
pub async fn serve_over<D: Database>(
    listener: tokio::net::TcpListener,
    store: Arc<HeadOffice<D>>,
    limits: listener::Limits,
    tls: Option<tls::Tls>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut router =
        office::router(store.clone(), tls.is_some()).merge(api::router(store, limits.failures_before_pause));
    if tls.is_some() {
        // Over TLS, browsers are told to come back over TLS only.
        router = router.layer(axum::middleware::map_response(|mut response: axum::response::Response| async move {
            let hsts = axum::http::HeaderValue::from_static("max-age=31536000");
            response.headers_mut().insert(axum::http::header::STRICT_TRANSPORT_SECURITY, hsts);
            response
        }));
    }
    listener::serve_with_limits(listener, router, limits, tls.map(|t| t.acceptor), shutdown).await
}
