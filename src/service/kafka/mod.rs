//! Kafka edges: the consumer (manual offset store, rebalance handling), the producer (output and
//! dead letters), the offset tracker and admin helpers. Everything librdkafka-specific lives here.

pub mod admin;
pub mod client;
pub mod consumer;
pub mod offsets;
pub mod producer;
pub mod replay;

use rdkafka::config::RDKafkaLogLevel;
use rdkafka::error::KafkaError;
use rdkafka::Statistics;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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
}

impl Status {
    pub fn touch(&self) {
        self.last_progress_ms.store(now_ms(), Ordering::Relaxed);
    }

    /// `Ok(())` when ready, else a short reason.
    pub fn readiness(&self) -> Result<(), &'static str> {
        if self.stopping.load(Ordering::Relaxed) {
            Err("shutting down")
        } else if self.record_stuck.load(Ordering::Relaxed) {
            Err("a record reached neither the output nor the dead-letter topic; its partition is stopped (see the error log)")
        } else if !self.consumer_up.load(Ordering::Relaxed) {
            Err("consumer not connected to kafka")
        } else if !self.producer_up.load(Ordering::Relaxed) {
            Err("producer not connected to kafka")
        } else {
            Ok(())
        }
    }

    /// True while the main loop iterated within `window`.
    pub fn is_live(&self, window: Duration) -> bool {
        let last = self.last_progress_ms.load(Ordering::Relaxed);
        last != 0 && now_ms().saturating_sub(last) <= window.as_millis() as u64
    }
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// True when any broker connection in the statistics is up.
pub fn any_broker_up(stats: &Statistics) -> bool {
    stats.brokers.values().any(|b| b.state == "UP")
}

/// Records a connectivity change seen in statistics and logs the transition once.
pub fn set_connected(flag: &AtomicBool, up: bool, client: &'static str) {
    let was = flag.swap(up, Ordering::Relaxed);
    if up && !was {
        tracing::info!(client, "connected to kafka");
    } else if !up && was {
        tracing::warn!(client, "lost connection to kafka, retrying");
    }
}

/// At most one log line per `every` for a noisy condition, with a count of what was suppressed.
#[derive(Debug)]
pub struct RateLimit {
    every: Duration,
    state: Mutex<(Option<Instant>, u64)>,
}

impl RateLimit {
    pub fn new(every: Duration) -> Self {
        Self {
            every,
            state: Mutex::new((None, 0)),
        }
    }

    /// `Some(suppressed_since_last)` when a line may be written now.
    pub fn check(&self) -> Option<u64> {
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (last, suppressed) = &mut *guard;
        match last {
            Some(t) if t.elapsed() < self.every => {
                *suppressed += 1;
                None
            }
            _ => {
                *last = Some(Instant::now());
                Some(std::mem::take(suppressed))
            }
        }
    }
}

/// Routes librdkafka's own log lines into tracing; connection chatter is debug-level because the
/// error callback and the connectivity transitions already say what an operator needs.
pub fn log_librdkafka(level: RDKafkaLogLevel, fac: &str, message: &str) {
    match level {
        RDKafkaLogLevel::Emerg | RDKafkaLogLevel::Alert | RDKafkaLogLevel::Critical => {
            tracing::error!(facility = fac, "librdkafka: {message}")
        }
        _ => tracing::debug!(facility = fac, "librdkafka: {message}"),
    }
}

/// Logs a client-level librdkafka error (transport, all brokers down, …) without flooding the log
/// while a broker is away: they are retried internally.
pub fn log_client_error(limit: &RateLimit, client: &'static str, error: &KafkaError, reason: &str) {
    if let Some(suppressed) = limit.check() {
        tracing::warn!(
            client,
            suppressed,
            "kafka client error (retrying): {error}: {reason}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_needs_both_clients_and_not_stopping() {
        let s = Status::default();
        assert_eq!(s.readiness(), Err("consumer not connected to kafka"));
        s.consumer_up.store(true, Ordering::Relaxed);
        assert_eq!(s.readiness(), Err("producer not connected to kafka"));
        s.producer_up.store(true, Ordering::Relaxed);
        assert_eq!(s.readiness(), Ok(()));
        s.record_stuck.store(true, Ordering::Relaxed);
        assert!(s
            .readiness()
            .unwrap_err()
            .contains("neither the output nor"));
        s.stopping.store(true, Ordering::Relaxed);
        assert_eq!(s.readiness(), Err("shutting down"));
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

    #[test]
    fn rate_limit_counts_what_it_suppresses() {
        let limit = RateLimit::new(Duration::from_secs(3600));
        assert_eq!(limit.check(), Some(0));
        assert_eq!(limit.check(), None);
        assert_eq!(limit.check(), None);
        let open = RateLimit::new(Duration::ZERO);
        assert_eq!(open.check(), Some(0));
        assert_eq!(open.check(), Some(0));
    }
}
