//! Exactly-once mode (`kafka.delivery = "exactly_once"`): consume-transform-produce in transactions.
//!
//! One transactional producer per process. Records are published inside the open transaction;
//! every [`COMMIT_INTERVAL`] (and on revocation and shutdown) the consumer thread closes the gate
//! (no new sends), waits until everything sent in the transaction is acknowledged, adds the
//! partitions' next offsets with `send_offsets_to_transaction` and commits, then opens the next
//! transaction. Partition tasks send in input order, so what is acknowledged is always a contiguous
//! prefix per partition and the committed offsets match the committed output exactly.
//!
//! A failed transaction is not patched up: it is aborted and the worker exits non-zero, so a restart
//! (or the group's other members) resumes from the last committed transaction. Readers of the output
//! must use `isolation.level=read_committed`.

use super::Pipeline;
use crate::service::kafka::consumer::{InputConsumer, PartitionId};
use rdkafka::consumer::Consumer;
use rdkafka::producer::Producer;
use rdkafka::{Offset, TopicPartitionList};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often the open transaction is committed: the latency the output gains in this mode.
const COMMIT_INTERVAL: Duration = Duration::from_millis(100);
/// Bound on each transactional call to the broker.
const TXN_TIMEOUT: Duration = Duration::from_secs(10);

/// Transaction bookkeeping shared by the consumer thread and the partition tasks.
#[derive(Debug)]
pub struct Eos {
    /// Partition tasks hold it (shared) while sending; the committer takes it exclusively.
    pub gate: tokio::sync::RwLock<()>,
    /// Records sent in the open transaction and not yet acknowledged or failed.
    pub unacked: AtomicUsize,
    /// Something was sent in the open transaction.
    pub dirty: AtomicBool,
    /// First delivery failure in the open transaction: it can only be aborted.
    pub failed: Mutex<Option<String>>,
    /// Next offset to commit per partition, for what finished in the open transaction.
    pub committable: Mutex<HashMap<PartitionId, i64>>,
    last_commit: Mutex<Instant>,
}

impl Default for Eos {
    fn default() -> Self {
        Self {
            gate: tokio::sync::RwLock::new(()),
            unacked: AtomicUsize::new(0),
            dirty: AtomicBool::new(false),
            failed: Mutex::new(None),
            committable: Mutex::new(HashMap::new()),
            last_commit: Mutex::new(Instant::now()),
        }
    }
}

/// Counts one record sent in the open transaction until dropped (acknowledged, failed or
/// cancelled). A no-op in at-least-once mode.
pub struct Ticket(Option<Arc<Pipeline>>);

impl Ticket {
    pub fn issue(pipeline: &Arc<Pipeline>) -> Self {
        match &pipeline.eos {
            Some(eos) => {
                eos.unacked.fetch_add(1, Ordering::AcqRel);
                eos.dirty.store(true, Ordering::Release);
                Self(Some(pipeline.clone()))
            }
            None => Self(None),
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Some(eos) = self.0.as_ref().and_then(|p| p.eos.as_ref()) {
            eos.unacked.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl Eos {
    pub fn record_failure(&self, what: String) {
        let mut failed = self.failed.lock().unwrap_or_else(|p| p.into_inner());
        failed.get_or_insert(what);
    }

    pub fn add_committable(&self, stores: &HashMap<PartitionId, i64>) {
        let mut map = self.committable.lock().unwrap_or_else(|p| p.into_inner());
        for (id, next) in stores {
            let slot = map.entry(id.clone()).or_insert(*next);
            *slot = (*slot).max(*next);
        }
    }

    pub fn commit_due(&self) -> bool {
        self.last_commit
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .elapsed()
            >= COMMIT_INTERVAL
    }
}

impl Pipeline {
    /// Commits the open transaction with the offsets of everything finished in it, then opens the
    /// next one. `then` runs after a successful commit while sends are still held back, i.e. before
    /// anything can enter the next transaction. On failure the transaction is aborted and the error
    /// returned (the caller exits).
    pub(super) fn commit_transaction(
        self: &Arc<Self>,
        consumer: &InputConsumer,
        then: impl FnOnce(),
    ) -> Result<(), String> {
        let Some(eos) = &self.eos else {
            return Ok(());
        };
        let result = self.try_commit(eos, consumer, then);
        *eos.last_commit.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
        if let Err(e) = &result {
            self.metrics
                .offset_commits
                .with_label_values(&["error"])
                .inc();
            tracing::error!("transaction failed, aborting: {e}");
            if let Err(abort) = self.producer.abort_transaction(TXN_TIMEOUT) {
                tracing::error!("cannot abort the transaction: {abort}");
            }
        }
        result
    }

    fn try_commit(
        self: &Arc<Self>,
        eos: &Eos,
        consumer: &InputConsumer,
        then: impl FnOnce(),
    ) -> Result<(), String> {
        // The consumer thread is not a runtime thread, so blocking here is allowed.
        let _gate = eos.gate.blocking_write();
        let deadline = Instant::now() + self.cfg.drain_timeout;
        while eos.unacked.load(Ordering::Acquire) > 0 {
            if Instant::now() >= deadline {
                return Err("records of the transaction not acknowledged in time".into());
            }
            self.status.touch();
            self.pump(consumer, super::WAIT_STEP);
        }
        self.pump(consumer, Duration::ZERO);
        if let Some(failure) = eos.failed.lock().unwrap_or_else(|p| p.into_inner()).take() {
            return Err(failure);
        }
        let offsets =
            std::mem::take(&mut *eos.committable.lock().unwrap_or_else(|p| p.into_inner()));
        let dirty = eos.dirty.swap(false, Ordering::AcqRel);
        if offsets.is_empty() && !dirty {
            then();
            return Ok(());
        }
        let mut tpl = TopicPartitionList::new();
        for ((topic, partition), next) in &offsets {
            tpl.add_partition_offset(topic, *partition, Offset::Offset(*next))
                .map_err(|e| e.to_string())?;
        }
        if !offsets.is_empty() {
            let group = consumer
                .group_metadata()
                .ok_or("consumer has no group metadata")?;
            self.producer
                .send_offsets_to_transaction(&tpl, &group, TXN_TIMEOUT)
                .map_err(|e| format!("cannot add offsets to the transaction: {e}"))?;
        }
        self.producer
            .commit_transaction(TXN_TIMEOUT)
            .map_err(|e| format!("cannot commit the transaction: {e}"))?;
        self.metrics.offset_commits.with_label_values(&["ok"]).inc();
        self.producer
            .begin_transaction()
            .map_err(|e| format!("cannot begin a transaction: {e}"))?;
        then();
        Ok(())
    }
}
