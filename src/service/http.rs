//! `/metrics`, `/healthz`, `/readyz` on one port.

use crate::service::health::Status;
use crate::service::metrics::Metrics;
use crate::service::worker::Progress;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;
use std::time::Duration;

/// `/healthz` fails when the main loop has not iterated for this long.
pub const LIVENESS_WINDOW: Duration = Duration::from_secs(30);

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

async fn metrics(State(state): State<HttpState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

async fn healthz(State(state): State<HttpState>) -> impl IntoResponse {
    if !state.status.is_live(LIVENESS_WINDOW) {
        (StatusCode::SERVICE_UNAVAILABLE, "main loop stalled")
    } else if let Some(reason) = state.progress.stalled(state.stall_timeout) {
        (StatusCode::SERVICE_UNAVAILABLE, reason)
    } else {
        (StatusCode::OK, "ok")
    }
}

async fn readyz(State(state): State<HttpState>) -> impl IntoResponse {
    match state.status.readiness() {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(reason) => (StatusCode::SERVICE_UNAVAILABLE, reason),
    }
}
