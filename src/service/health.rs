//! The worker's health as `/readyz` and `/healthz` report it: written by the Kafka clients, the
//! main loop and the partition tasks; read by the HTTP server.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Why `/readyz` answers 503; the text is its body (the README quotes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotReady {
    #[error("shutting down")]
    Stopping,
    #[error("a record reached neither the output nor the dead-letter topic; its partition is stopped (see the error log)")]
    RecordStuck,
    #[error(
        "kafka denies this worker writing to a topic (authorization failed; see the error log)"
    )]
    WriteDenied,
    #[error("consumer not connected to kafka")]
    ConsumerDown,
    #[error("producer not connected to kafka")]
    ProducerDown,
}

/// Why `/healthz` answers 503 (the process should be restarted); the text is its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unhealthy {
    /// The consumer thread's loop did not iterate within the liveness window.
    #[error("main loop stalled")]
    MainLoopStalled,
    /// A partition task died or the producer failed fatally: the worker is going down.
    #[error("pipeline failed, worker exiting")]
    PipelineFailed,
    /// Records are in flight and none finished within `worker.stall_timeout_ms`.
    #[error("records in flight and none finished within worker.stall_timeout_ms")]
    Stalled,
}

/// What `/readyz` and `/healthz` report, written by the Kafka clients and the main loop.
#[derive(Debug, Default)]
pub struct Status {
    /// The consumer has at least one broker connection up (from librdkafka statistics).
    pub consumer_up: AtomicBool,
    /// The producer has at least one broker connection up.
    pub producer_up: AtomicBool,
    /// librdkafka reported all of the consumer's brokers down and no connection came back since.
    /// Unlike `!consumer_up` (also true before the first statistics), this is known bad news:
    /// shutdown then skips calls that would block until the broker returns.
    pub consumer_unreachable: AtomicBool,
    /// Set once shutdown begins, so load balancers stop routing before the process exits.
    pub stopping: AtomicBool,
    /// Unix millis of the last main-loop iteration, for `/healthz`.
    pub last_progress_ms: AtomicU64,
    /// A record reached neither the output nor the dead-letter topic; its partition stopped there
    /// (nothing past it is committed). Stays set until the process restarts.
    pub record_stuck: AtomicBool,
    /// The broker refused a write for lack of authorization (topic or transactional-id ACL); set
    /// until a write succeeds again.
    pub write_denied: AtomicBool,
}

impl Status {
    pub fn touch(&self) {
        self.last_progress_ms.store(now_ms(), Ordering::Relaxed);
    }

    /// `Ok(())` when ready, else why not (the first that applies, in [`NotReady`]'s order).
    pub(crate) fn readiness(&self) -> Result<(), NotReady> {
        if self.stopping.load(Ordering::Relaxed) {
            Err(NotReady::Stopping)
        } else if self.record_stuck.load(Ordering::Relaxed) {
            Err(NotReady::RecordStuck)
        } else if self.write_denied.load(Ordering::Relaxed) {
            Err(NotReady::WriteDenied)
        } else if !self.consumer_up.load(Ordering::Relaxed) {
            Err(NotReady::ConsumerDown)
        } else if !self.producer_up.load(Ordering::Relaxed) {
            Err(NotReady::ProducerDown)
        } else {
            Ok(())
        }
    }

    /// True while the main loop iterated within `window`.
    pub(crate) fn is_live(&self, window: Duration) -> bool {
        let last = self.last_progress_ms.load(Ordering::Relaxed);
        last != 0 && now_ms().saturating_sub(last) <= window.as_millis() as u64
    }
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_needs_both_clients_and_not_stopping() {
        let s = Status::default();
        assert_eq!(s.readiness(), Err(NotReady::ConsumerDown));
        assert_eq!(
            NotReady::ConsumerDown.to_string(),
            "consumer not connected to kafka"
        );
        s.consumer_up.store(true, Ordering::Relaxed);
        assert_eq!(s.readiness(), Err(NotReady::ProducerDown));
        s.producer_up.store(true, Ordering::Relaxed);
        assert_eq!(s.readiness(), Ok(()));
        s.write_denied.store(true, Ordering::Relaxed);
        assert_eq!(s.readiness(), Err(NotReady::WriteDenied));
        assert!(NotReady::WriteDenied.to_string().contains("authorization"));
        s.write_denied.store(false, Ordering::Relaxed);
        s.record_stuck.store(true, Ordering::Relaxed);
        assert_eq!(s.readiness(), Err(NotReady::RecordStuck));
        assert!(NotReady::RecordStuck
            .to_string()
            .contains("neither the output nor"));
        s.stopping.store(true, Ordering::Relaxed);
        assert_eq!(s.readiness(), Err(NotReady::Stopping));
        assert_eq!(NotReady::Stopping.to_string(), "shutting down");
    }

    #[test]
    fn liveness_needs_a_recent_iteration() {
        let s = Status::default();
        assert!(!s.is_live(Duration::from_secs(30)), "never iterated");
        s.touch();
        assert!(s.is_live(Duration::from_secs(30)));
        s.last_progress_ms
            .store(now_ms() - 31_000, Ordering::Relaxed);
        assert!(!s.is_live(Duration::from_secs(30)));
    }
}
