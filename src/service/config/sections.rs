//! The smaller sections: `[limits]`, `[worker]`, `[http]`, `[log]` and `[enrich]`.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsSettings {
    /// Records with a larger value go to the DLQ as `too_large`.
    pub max_record_bytes: usize,
    /// Articles with a longer text (in chars) go to the DLQ as `text_too_long`.
    pub max_text_chars: usize,
    /// Tokens analysed per article; the rest of the text is left out (`tokens_truncated`).
    pub max_tokens: usize,
    /// Mentions kept per article, in reading order (`mentions_truncated`).
    pub max_mentions: usize,
    /// Candidate pairs the relation classifier scores per article (`pairs_truncated`).
    pub max_pairs: usize,
    /// Wall-clock time for one article; once spent, the remaining optional stages are skipped
    /// (`*_time_budget` in `processing.degraded`).
    pub article_time_budget_ms: u64,
}

impl LimitsSettings {
    /// The core's per-article [`Budget`](crate::enrich::Budget) from these settings.
    pub(crate) fn budget(&self) -> crate::enrich::Budget {
        crate::enrich::Budget {
            max_tokens: self.max_tokens,
            max_mentions: self.max_mentions,
            max_pairs: self.max_pairs,
            max_time: Duration::from_millis(self.article_time_budget_ms),
        }
    }
}

impl Default for LimitsSettings {
    fn default() -> Self {
        Self {
            max_record_bytes: 1_048_576,
            max_text_chars: 500_000,
            max_tokens: 250_000,
            max_mentions: 50_000,
            max_pairs: 200_000,
            article_time_budget_ms: 5_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkerSettings {
    /// Enrich pool size; 0 means one per core.
    pub threads: usize,
    pub max_inflight: usize,
    pub max_inflight_per_partition: usize,
    /// Deadline to finish in-flight records on shutdown and on partition revocation.
    pub drain_timeout_ms: u64,
    /// `/healthz` turns 503 when records are in flight and none finished for this long.
    pub stall_timeout_ms: u64,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            threads: 0,
            max_inflight: 1024,
            max_inflight_per_partition: 256,
            drain_timeout_ms: 10_000,
            stall_timeout_ms: 180_000,
        }
    }
}

impl WorkerSettings {
    /// `drain_timeout_ms` as a duration.
    pub(crate) fn drain_timeout(&self) -> Duration {
        Duration::from_millis(self.drain_timeout_ms)
    }

    /// `stall_timeout_ms` as a duration.
    pub(crate) fn stall_timeout(&self) -> Duration {
        Duration::from_millis(self.stall_timeout_ms)
    }

    /// The pool size with `0` resolved to the number of cores.
    pub(crate) fn effective_threads(&self) -> usize {
        if self.threads > 0 {
            return self.threads;
        }
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// Bind address; `0.0.0.0` so the kubelet and Prometheus reach the pod IP.
    pub host: String,
    pub port: u16,
    /// A request's head (line and headers) must arrive within this; also how long a kept-alive
    /// connection may wait for its next request.
    pub header_read_timeout_ms: u64,
    /// Any connection is closed after this long, whatever it is doing (slow bodies, slow readers).
    pub connection_timeout_ms: u64,
    /// Connections served at once; further ones are closed as soon as they are accepted.
    pub max_connections: usize,
    /// Largest request head (431 above it) and body (413 above it), in bytes; at least 8192.
    pub max_request_bytes: usize,
}

/// hyper's smallest read buffer, hence the smallest `http.max_request_bytes`.
pub(crate) const MIN_HTTP_REQUEST_BYTES: usize = 8192;

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            host: "0.0.0.0".into(),
            port: 9898,
            header_read_timeout_ms: 5_000,
            connection_timeout_ms: 30_000,
            max_connections: 1024,
            max_request_bytes: 16_384,
        }
    }
}

impl HttpSettings {
    /// `header_read_timeout_ms` as a duration.
    pub(crate) fn header_read_timeout(&self) -> Duration {
        Duration::from_millis(self.header_read_timeout_ms)
    }

    /// `connection_timeout_ms` as a duration.
    pub(crate) fn connection_timeout(&self) -> Duration {
        Duration::from_millis(self.connection_timeout_ms)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    pub format: LogFormat,
    /// `tracing_subscriber::EnvFilter` syntax; `RUST_LOG` overrides it.
    pub level: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            level: "info".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EnrichSettings {
    /// Relative paths resolve against the working directory.
    pub models_dir: PathBuf,
}

impl Default for EnrichSettings {
    fn default() -> Self {
        Self {
            models_dir: PathBuf::from("models"),
        }
    }
}
