//! Kafka edges: the consumer (manual offset store, rebalance handling), the producer (output and
//! dead letters), the offset tracker and admin helpers. Everything librdkafka-specific lives here.

pub(crate) mod admin;
pub mod client;
pub(crate) mod consumer;
pub mod offsets;
pub mod producer;
pub mod replay;

use rdkafka::config::RDKafkaLogLevel;
use rdkafka::error::KafkaError;
use rdkafka::Statistics;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// True when any broker connection in the statistics is up.
pub(crate) fn any_broker_up(stats: &Statistics) -> bool {
    stats.brokers.values().any(|b| b.state == "UP")
}

/// Records a connectivity change seen in statistics and logs the transition once.
pub(crate) fn set_connected(flag: &AtomicBool, up: bool, client: &'static str) {
    let was = flag.swap(up, Ordering::Relaxed);
    if up && !was {
        tracing::info!(client, "connected to kafka");
    } else if !up && was {
        tracing::warn!(client, "lost connection to kafka, retrying");
    }
}

/// At most one log line per `every` for a noisy condition, with a count of what was suppressed.
#[derive(Debug)]
pub(crate) struct RateLimit {
    every: Duration,
    state: Mutex<(Option<Instant>, u64)>,
}

impl RateLimit {
    pub(crate) fn new(every: Duration) -> Self {
        Self {
            every,
            state: Mutex::new((None, 0)),
        }
    }

    /// `Some(suppressed_since_last)` when a line may be written now.
    pub(crate) fn check(&self) -> Option<u64> {
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
pub(crate) fn log_librdkafka(level: RDKafkaLogLevel, fac: &str, message: &str) {
    match level {
        RDKafkaLogLevel::Emerg | RDKafkaLogLevel::Alert | RDKafkaLogLevel::Critical => {
            tracing::error!(facility = fac, "librdkafka: {message}")
        }
        _ => tracing::debug!(facility = fac, "librdkafka: {message}"),
    }
}

/// Logs a client-level librdkafka error (transport, all brokers down, …) without flooding the log
/// while a broker is away: they are retried internally.
pub(crate) fn log_client_error(
    limit: &RateLimit,
    client: &'static str,
    error: &KafkaError,
    reason: &str,
) {
    if error.rdkafka_error_code() == Some(rdkafka::types::RDKafkaErrorCode::Fatal) {
        // Not retried: the worker drains and exits non-zero on a fatal client error.
        tracing::error!(client, "fatal kafka client error: {error}: {reason}");
        return;
    }
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
