//! `/metrics`, `/healthz`, `/readyz` on one port, served with bounds a hostile client cannot
//! stretch: a header-read timeout (which also ends idle kept-alive connections), a connection
//! lifetime, a connection limit and request size limits (`[http]` settings).

use crate::service::health::{Status, Unhealthy};
use crate::service::metrics::Metrics;
use crate::service::worker::Progress;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::service::config::HttpSettings;
use crate::service::kafka::RateLimit;

/// `/healthz` fails when the main loop has not iterated for this long.
pub(crate) const LIVENESS_WINDOW: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct HttpState {
    pub metrics: Metrics,
    pub status: Arc<Status>,
    /// Whether records finish; a pipeline stuck longer than `stall_timeout` is not live.
    pub progress: Arc<Progress>,
    pub stall_timeout: Duration,
}

pub fn router(state: HttpState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state)
}

/// How long connections still open at shutdown get to finish their response.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// Serves `router` on `listener` until `stop` is cancelled, within the `[http]` limits.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: &HttpSettings,
    stop: CancellationToken,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let max_body = limits.max_request_bytes;
    let router = router.layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| async move {
            if body_too_large(&req, max_body) {
                return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
            }
            next.run(req).await
        },
    ));
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout())
        .max_buf_size(
            limits
                .max_request_bytes
                .max(crate::service::config::MIN_HTTP_REQUEST_BYTES),
        )
        .keep_alive(true);
    let builder = Arc::new(builder);
    let lifetime = limits.connection_timeout();
    let permits = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let tasks = tokio_util::task::TaskTracker::new();
    let refused_log = RateLimit::new(Duration::from_secs(10));
    let accept_error_log = RateLimit::new(Duration::from_secs(10));
    loop {
        let accepted = tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, typically: back off instead of spinning.
                if let Some(suppressed) = accept_error_log.check() {
                    tracing::warn!(suppressed, "http accept failed: {e}");
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            if let Some(suppressed) = refused_log.check() {
                tracing::warn!(
                    max_connections = limits.max_connections,
                    suppressed,
                    "http connection limit reached, closing new connections"
                );
            }
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let builder = builder.clone();
        let service = TowerToHyperService::new(router.clone());
        let stop = stop.clone();
        tasks.spawn(async move {
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = tokio::time::sleep(lifetime) => {
                    conn.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(SHUTDOWN_GRACE, conn).await;
                }
                _ = stop.cancelled() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(SHUTDOWN_GRACE, conn).await;
                }
            }
            drop(permit);
        });
    }
    tasks.close();
    let _ = tokio::time::timeout(SHUTDOWN_GRACE * 2, tasks.wait()).await;
}

/// True for a request whose body is announced larger than `max` or not announced at all
/// (chunked); no endpoint reads a body.
fn body_too_large(req: &axum::extract::Request, max: usize) -> bool {
    if req.headers().contains_key(header::TRANSFER_ENCODING) {
        return true;
    }
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > max as u64)
}

async fn metrics(State(state): State<HttpState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

async fn healthz(State(state): State<HttpState>) -> impl IntoResponse {
    let unhealthy = if !state.status.is_live(LIVENESS_WINDOW) {
        Some(Unhealthy::MainLoopStalled)
    } else {
        state.progress.stalled(state.stall_timeout)
    };
    match unhealthy {
        Some(why) => (StatusCode::SERVICE_UNAVAILABLE, why.to_string()),
        None => (StatusCode::OK, "ok".to_string()),
    }
}

async fn readyz(State(state): State<HttpState>) -> impl IntoResponse {
    match state.status.readiness() {
        Ok(()) => (StatusCode::OK, "ready".to_string()),
        Err(why) => (StatusCode::SERVICE_UNAVAILABLE, why.to_string()),
    }
}
