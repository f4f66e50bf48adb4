//! Accepting connections so that no client can exhaust the server: at
//! most `max_connections` at once (the next waits in the kernel's backlog
//! until one closes), request headers that must arrive within
//! `header_timeout` of the connection opening or of the last response (a
//! connection that says nothing is closed), a whole body within
//! `body_timeout` of its headers however it trickles, and each client's
//! address handed to the API (for throttling failures; behind a trusted
//! proxy, the address it forwarded for); over TLS when
//! given an acceptor (the handshake, too, within `header_timeout`).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// How much of the server one client may hold, and for how long.
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_connections: usize,
    /// From a connection's first byte (or its previous response) to the
    /// end of the next request's headers.
    pub header_timeout: Duration,
    /// To receive a whole request body.
    pub body_timeout: Duration,
    /// Failed attempts (wrong codes, tokens, keys) from one address or with
    /// one credential before it is paused.
    pub failures_before_pause: u32,
    /// Proxies in front (a load balancer): for a request from one of them,
    /// the client is the last address its `X-Forwarded-For` names, so one
    /// guesser behind the proxy pauses only itself.
    pub trusted_proxies: Vec<IpAddr>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 1024,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(60),
            failures_before_pause: crate::api::guard::FAILURES,
            trusted_proxies: Vec::new(),
        }
    }
}

/// Serves `router` on `listener` within `limits` (over TLS when `tls` is
/// given) until `shutdown` resolves; connections in flight then finish
/// their requests.
pub async fn serve_with_limits(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    tls: Option<TlsAcceptor>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let body_timeout = limits.body_timeout;
    let router = router.layer(axum::middleware::map_request(move |request: axum::extract::Request| async move {
        request.map(|body| axum::body::Body::new(DeadlineBody::new(body, body_timeout)))
    }));
    let (handshake_timeout, trusted) = (limits.header_timeout, Arc::new(limits.trusted_proxies));
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    // HTTP/1.1 only (no client of ours speaks HTTP/2, and telling the two
    // apart waits for a first byte with no deadline): the header timeout
    // then runs from the moment a connection opens or goes idle.
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            _ = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => slot.map_err(std::io::Error::other)?,
        };
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait, do not spin or die.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let (router, trusted) = (router.clone(), trusted.clone());
        let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            let client = client_address(peer, request.headers(), &trusted);
            request.extensions_mut().insert(ConnectInfo(client));
            router.clone().oneshot(request)
        });
        let (builder, watcher, tls) = (builder.clone(), graceful.watcher(), tls.clone());
        tokio::spawn(async move {
            let served: Result<(), Box<dyn std::error::Error + Send + Sync>> = match tls {
                None => {
                    watcher.watch(builder.serve_connection(TokioIo::new(stream), service)).await.map_err(Into::into)
                }
                Some(tls) => match tokio::time::timeout(handshake_timeout, tls.accept(stream)).await {
                    Ok(Ok(stream)) => {
                        watcher.watch(builder.serve_connection(TokioIo::new(stream), service)).await.map_err(Into::into)
                    }
                    Ok(Err(error)) => Err(error.into()),
                    Err(_) => Err("TLS handshake timed out".into()),
                },
            };
            if let Err(error) = served {
                tracing::debug!(%peer, %error, "connection closed");
            }
            drop(slot);
        });
    }
    graceful.shutdown().await;
    Ok(())
}

/// A request body that must arrive whole by a deadline, however slowly it
/// trickles (a timeout between frames alone lets one byte every few
/// seconds hold a connection for ever).
struct DeadlineBody {
    inner: axum::body::Body,
    deadline: std::pin::Pin<Box<tokio::time::Sleep>>,
    limit: Duration,
}

impl DeadlineBody {
    fn new(inner: axum::body::Body, limit: Duration) -> DeadlineBody {
        DeadlineBody { inner, deadline: Box::pin(tokio::time::sleep(limit)), limit }
    }
}

impl hyper::body::Body for DeadlineBody {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<bytes::Bytes>, axum::Error>>> {
        use std::future::Future;
        if let std::task::Poll::Ready(frame) = std::pin::Pin::new(&mut self.inner).poll_frame(cx) {
            return std::task::Poll::Ready(frame);
        }
        match self.deadline.as_mut().poll(cx) {
            std::task::Poll::Ready(()) => {
                let said = format!("the request body took more than {} s", self.limit.as_secs_f64());
                std::task::Poll::Ready(Some(Err(axum::Error::new(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    said,
                )))))
            }
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

/// Who sent a request: the peer, or, when the peer is a trusted proxy, the
/// last address its `X-Forwarded-For` header names (the one the proxy
/// itself added; earlier ones the client could have written).
fn client_address(peer: SocketAddr, headers: &hyper::HeaderMap, trusted: &[IpAddr]) -> SocketAddr {
    if !trusted.contains(&peer.ip()) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .and_then(|last| last.trim().parse::<IpAddr>().ok());
    forwarded.map_or(peer, |ip| SocketAddr::new(ip, 0))
}

/// The address a request came from (for throttling); unknown in tests
/// that call the router directly.
pub fn peer(request: &axum::extract::Request) -> Option<SocketAddr> {
    request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0)
}
