//! newsenrich: a Kafka worker that turns raw news articles into entities and relations.
//!
//! Map of the crate (IO at the edges, a pure core in the middle):
//! - [`enrich`]: the pure, synchronous NLP core (text in, data out). Knows nothing of Kafka, tokio,
//!   HTTP or metrics; a batch job can embed it on its own.
//! - [`article`]: decoding and validation of input records (JSON envelope or plain text).
//! - [`config`]: typed settings, the only place configuration is read.
//! - [`kafka`]: consumer with manual offset store, producer for output and dead letters, admin helpers.
//! - [`worker`]: decode -> enrich on a bounded pool -> publish -> mark offset done.
//! - [`metrics`]: every metric name and label, defined once.
//! - [`http`]: `/metrics`, `/healthz`, `/readyz`.
//! - [`app`]: wires the pieces together and owns the shutdown order.
//! - [`tools`]: offline commands (`enrich`, `eval`, `train`).

pub mod app;
pub mod article;
pub mod config;
pub mod enrich;
pub mod http;
pub mod kafka;
pub mod metrics;
pub mod telemetry;
pub mod tools;
pub mod worker;
