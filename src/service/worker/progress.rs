//! Whether records finish, for `/healthz`.

use crate::service::health::{now_ms, Unhealthy};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// Whether records finish: written by the pipeline, read by the HTTP handler.
#[derive(Debug, Default)]
pub struct Progress {
    /// Unix millis of the last finished record, or of when the pipeline last became busy.
    pub(super) last_ms: AtomicU64,
    pub(super) inflight: AtomicUsize,
    /// A pipeline task died or the producer failed fatally: the worker is going down.
    pub(super) broken: AtomicBool,
}

impl Progress {
    /// `Some(why)` when the pipeline is broken, or records are in flight and none finished within
    /// `timeout`.
    pub fn stalled(&self, timeout: Duration) -> Option<Unhealthy> {
        if self.broken.load(Ordering::Relaxed) {
            return Some(Unhealthy::PipelineFailed);
        }
        if self.inflight.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let idle = now_ms().saturating_sub(self.last_ms.load(Ordering::Relaxed));
        (idle > timeout.as_millis() as u64).then_some(Unhealthy::Stalled)
    }

    pub(super) fn set_inflight(&self, n: usize) {
        if self.inflight.swap(n, Ordering::Relaxed) == 0 && n > 0 {
            self.finished();
        }
    }

    pub(super) fn finished(&self) {
        self.last_ms.store(now_ms(), Ordering::Relaxed);
    }
}
