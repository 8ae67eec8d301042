//! newsenrich: a Kafka worker that turns raw news articles into entities and relations.
//!
//! The crate is three parts with one-way dependencies (`lab -> enrich <- service`):
//! - [`enrich`]: the inference core, pure and synchronous (text in, data out). It knows nothing of
//!   Kafka, tokio, HTTP, metrics or training; models are loaded from the files handed in. A batch
//!   job can embed it on its own.
//! - [`service`]: configuration, logs, article decoding, the Kafka clients, the worker, HTTP,
//!   metrics and dead-letter replay, around the core; also `newsenrich enrich` (no Kafka).
//! - [`lab`]: training, evaluation on CoNLL and news sets, benchmark conventions. It uses the core;
//!   neither the core nor the service imports it.

pub mod enrich;
pub mod lab;
pub mod service;
