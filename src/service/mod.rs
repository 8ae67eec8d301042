//! The service around the core: everything that talks to Kafka, the network or the process.
//!
//! - [`config`]: typed settings, the only place configuration is read.
//! - [`telemetry`]: the log subscriber.
//! - [`article`]: decoding and validation of input records (JSON envelope or plain text).
//! - [`process`]: one record through the core (`enrich_record`), shared by the worker and
//!   `newsenrich enrich`.
//! - [`language`]: an article's language and its policy (enrich, pass, dlq, route).
//! - [`kafka`]: consumer with manual offset store, producer for output and dead letters, admin
//!   helpers, dead-letter replay.
//! - [`worker`]: decode -> enrich on a bounded pool -> publish -> mark offset done.
//! - [`metrics`]: every metric name and label, defined once.
//! - [`health`]: what `/readyz` and `/healthz` report, written by the clients and tasks.
//! - [`http`]: `/metrics`, `/healthz`, `/readyz`.
//! - [`secrets`]: which librdkafka properties are secret, `@/path` values, scrubbing output.
//! - [`app`]: wires the pieces together and owns the shutdown order.
//! - [`enrich_cmd`]: `newsenrich enrich`, the same decoding and core without Kafka.

pub mod app;
pub mod article;
pub mod config;
pub mod enrich_cmd;
pub mod health;
pub mod http;
pub mod kafka;
pub(crate) mod language;
pub mod metrics;
pub(crate) mod process;
pub mod secrets;
pub mod telemetry;
pub mod worker;
