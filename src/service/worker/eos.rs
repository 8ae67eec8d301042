//! Exactly-once mode (`kafka.delivery = "exactly_once"`): consume-transform-produce in transactions.
//!
//! One transactional producer per process. Records are published inside the open transaction;
//! every [`COMMIT_INTERVAL`] (and on revocation and shutdown) the consumer thread closes the gate
//! (no new sends), waits until everything sent in the transaction is acknowledged, adds the
//! partitions' next offsets with `send_offsets_to_transaction` and commits, then opens the next
//! transaction. Partition tasks send in input order, so what is acknowledged is always a contiguous
//! prefix per partition and the committed offsets match the committed output exactly.
//!
//! A record the broker refuses inside a transaction (e.g. a document over the output topic's
//! `max.message.bytes`) dooms the transaction, but not the stream: the transaction is aborted, the
//! record's input position remembered, every assigned partition rewound (seek) to its last committed
//! offset and processed again, and this time the remembered record goes to the dead-letter topic
//! (class `output_rejected`). When the refused record was itself a dead letter too large for the
//! dead-letter topic (whose `max.message.bytes` may be below the producer's limit), the same happens
//! and the redo sends that dead letter cut shorter ([`Redo::Cut`]), as at-least-once mode re-sends
//! it; refused again, it is cut shorter again, down to a floor below which the transaction fails
//! like any other (nothing is committed past the record). What a record becomes on the redo is
//! kept until a transaction commits past it, so an abort of the redo's transaction for another
//! reason does not start it over. Any other failed transaction is not patched up: it is aborted
//! and the worker exits non-zero, so a restart (or the group's other members) resumes from the last
//! committed transaction. Readers of the output must use `isolation.level=read_committed`.
//!
//! The committed offsets are also stored on the consumer (never committed by it: auto-commit is
//! off), so librdkafka's `consumer_lag_stored` is the lag behind the last transaction.

use super::error::{EosError, TxnStep};
use super::Pipeline;
use crate::service::article::ErrorClass;
use crate::service::kafka::consumer::{InputConsumer, PartitionId};
use rdkafka::consumer::Consumer;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Message, OwnedMessage};
use rdkafka::producer::Producer;
use rdkafka::{Offset, TopicPartitionList};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// How often the open transaction is committed: the latency the output gains in this mode.
const COMMIT_INTERVAL: Duration = Duration::from_millis(100);
/// Bound on each transactional call to the broker.
const TXN_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts at aborting a transaction whose abort timed out (see `Pipeline::abort_transaction`).
const ABORT_ATTEMPTS: u32 = 3;

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
    pub failed: Mutex<Option<EosError>>,
    /// Next offset to commit per partition, for what finished in the open transaction.
    pub committable: Mutex<HashMap<PartitionId, i64>>,
    last_commit: Mutex<Instant>,
    /// Counts transactions, so a late report about an aborted one is not pinned on the next.
    generation: AtomicU64,
    /// Cancelled once the open transaction can only be aborted: publishers stop sending.
    doomed: Mutex<CancellationToken>,
    /// Records the broker refused in the open transaction: (partition, offset, what to redo).
    refused: Mutex<Vec<(PartitionId, i64, Redo)>>,
    /// A record was purged by librdkafka (an abort racing the send): redo, nothing to dead-letter.
    purged: AtomicBool,
    /// Input records to send to the dead-letter topic when they come round again, and how.
    redo_dead: Mutex<HashMap<(PartitionId, i64), Redo>>,
}

/// What an input record whose output the broker refused in an aborted transaction becomes when
/// it comes round again.
#[derive(Debug, Clone)]
pub enum Redo {
    /// Its output was refused (`error`): a dead letter, class `output_rejected`.
    Dead(KafkaError),
    /// Its dead letter (`class`, `message`) was refused as too large for the dead-letter topic:
    /// the same dead letter, cut to at most `limit` bytes (see `producer::fit_dead_letter`).
    Cut {
        class: ErrorClass,
        message: String,
        limit: usize,
        error: KafkaError,
    },
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// How a transaction went wrong.
enum Failure {
    /// The broker refused records: abort, rewind, dead-letter them.
    Refused,
    Other(EosError),
}

impl From<EosError> for Failure {
    fn from(e: EosError) -> Self {
        Failure::Other(e)
    }
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
            generation: AtomicU64::new(0),
            doomed: Mutex::new(CancellationToken::new()),
            refused: Mutex::new(Vec::new()),
            purged: AtomicBool::new(false),
            redo_dead: Mutex::new(HashMap::new()),
        }
    }
}

/// Counts one record sent in the open transaction until dropped (acknowledged, failed or
/// cancelled). A no-op in at-least-once mode.
pub struct Ticket(Option<(Arc<Pipeline>, u64)>);

impl Ticket {
    pub fn issue(pipeline: &Arc<Pipeline>) -> Self {
        match &pipeline.eos {
            Some(eos) => {
                eos.unacked.fetch_add(1, Ordering::AcqRel);
                eos.dirty.store(true, Ordering::Release);
                Self(Some((
                    pipeline.clone(),
                    eos.generation.load(Ordering::Acquire),
                )))
            }
            None => Self(None),
        }
    }

    /// The transaction the record was sent in.
    pub fn generation(&self) -> u64 {
        self.0.as_ref().map_or(0, |(_, g)| *g)
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Some(eos) = self.0.as_ref().and_then(|(p, _)| p.eos.as_ref()) {
            eos.unacked.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl Eos {
    fn current(&self, generation: u64) -> bool {
        self.generation.load(Ordering::Acquire) == generation
    }

    /// A record of transaction `generation` failed: it can only be aborted.
    pub fn record_failure(&self, generation: u64, what: EosError) {
        // Checked under the lock `next_generation` bumps the counter under: no late report of an
        // aborted transaction lands in the next one.
        let mut failed = locked(&self.failed);
        if self.current(generation) {
            failed.get_or_insert(what);
            locked(&self.doomed).cancel();
        }
    }

    /// The broker refused the output (or the dead letter) of input `offset` of `id` in transaction
    /// `generation`; `redo` says what it becomes after the rewind.
    pub fn record_refusal(&self, generation: u64, id: &PartitionId, offset: i64, redo: Redo) {
        let _order = locked(&self.failed);
        if self.current(generation) {
            locked(&self.refused).push((id.clone(), offset, redo));
            locked(&self.doomed).cancel();
        }
    }

    /// A record of transaction `generation` was purged from the producer queue: the transaction is
    /// aborted and the partitions rewound, as after a refusal, with nothing dead-lettered.
    pub fn record_purged(&self, generation: u64) {
        let _order = locked(&self.failed);
        if self.current(generation) {
            self.purged.store(true, Ordering::Release);
            locked(&self.doomed).cancel();
        }
    }

    /// Cancelled once the open transaction can only be aborted.
    pub fn doomed(&self) -> CancellationToken {
        locked(&self.doomed).clone()
    }

    /// The dead letter to send for `msg` instead of processing it (see [`Eos::record_refusal`]).
    /// Kept until a transaction commits past it: the transaction of the redo may be aborted too
    /// (e.g. librdkafka purges its records), and a cut dead letter must not start over full size.
    pub fn redo_as_dead(&self, msg: &OwnedMessage) -> Option<Redo> {
        let redo = locked(&self.redo_dead);
        if redo.is_empty() {
            return None;
        }
        redo.get(&(PartitionId::new(msg.topic(), msg.partition()), msg.offset()))
            .cloned()
    }

    /// Forgets the redo entries a committed transaction went past (`offsets`: next offset per
    /// partition).
    fn redone(&self, offsets: &HashMap<PartitionId, i64>) {
        let mut redo = locked(&self.redo_dead);
        if !redo.is_empty() {
            redo.retain(|(id, offset), _| offsets.get(id).is_none_or(|next| offset >= next));
        }
    }

    /// Forgets the aborted transaction's state and starts counting the next one.
    fn next_generation(&self) {
        let mut failed = locked(&self.failed);
        self.generation.fetch_add(1, Ordering::AcqRel);
        failed.take();
        // A purge reported along with a refusal must not doom the redo's transaction too.
        self.purged.store(false, Ordering::Release);
        drop(failed);
        locked(&self.committable).clear();
        self.dirty.store(false, Ordering::Release);
        *locked(&self.doomed) = CancellationToken::new();
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
    /// anything can enter the next transaction. When the broker refused records, the transaction is
    /// aborted and the partitions are rewound (see the module docs). On any other failure the
    /// transaction is aborted and the error returned (the caller exits).
    pub(super) fn commit_transaction(
        self: &Arc<Self>,
        consumer: &InputConsumer,
        then: impl FnOnce(),
    ) -> Result<(), EosError> {
        let Some(eos) = &self.eos else {
            return Ok(());
        };
        // The consumer thread is not a runtime thread, so blocking here is allowed. Held until the
        // next transaction is open (or the rewind done), so no send slips in between.
        let _gate = eos.gate.blocking_write();
        let result = self.try_commit(eos, consumer, then);
        *locked(&eos.last_commit) = Instant::now();
        let error = match result {
            Ok(()) => return Ok(()),
            Err(Failure::Refused) => match self.rewind(eos, consumer) {
                Ok(()) => return Ok(()),
                Err(e) => e,
            },
            Err(Failure::Other(e)) => e,
        };
        self.metrics
            .offset_commits
            .with_label_values(&["error"])
            .inc();
        tracing::error!("transaction failed, aborting: {error}");
        if let Err(abort) = self.abort_transaction() {
            tracing::error!("cannot abort the transaction: {abort}");
        }
        Err(error)
    }

    /// Aborts the open transaction. The abort waits for the records still in flight; on a busy
    /// broker that can outlast [`TXN_TIMEOUT`], and librdkafka then reports a retriable timeout
    /// and lets the abort be called again: up to [`ABORT_ATTEMPTS`] times before giving up.
    fn abort_transaction(&self) -> Result<(), KafkaError> {
        let mut attempt = 1;
        loop {
            match self.producer.abort_transaction(TXN_TIMEOUT) {
                Ok(()) => return Ok(()),
                Err(KafkaError::Transaction(e))
                    if attempt < ABORT_ATTEMPTS
                        && !e.is_fatal()
                        && (e.is_retriable()
                            || e.code() == RDKafkaErrorCode::OperationTimedOut) =>
                {
                    tracing::warn!(
                        attempt,
                        "aborting the transaction timed out, trying again: {e}"
                    );
                    self.status.touch();
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn try_commit(
        self: &Arc<Self>,
        eos: &Eos,
        consumer: &InputConsumer,
        then: impl FnOnce(),
    ) -> Result<(), Failure> {
        let deadline = Instant::now() + self.cfg.drain_timeout;
        let doomed = eos.doomed();
        while eos.unacked.load(Ordering::Acquire) > 0 && !doomed.is_cancelled() {
            if Instant::now() >= deadline {
                return Err(EosError::Unacknowledged.into());
            }
            self.status.touch();
            self.pump(consumer, super::WAIT_STEP);
        }
        self.pump(consumer, Duration::ZERO);
        if !locked(&eos.refused).is_empty() || eos.purged.swap(false, Ordering::AcqRel) {
            return Err(Failure::Refused);
        }
        if let Some(failure) = locked(&eos.failed).take() {
            return Err(failure.into());
        }
        let offsets = std::mem::take(&mut *locked(&eos.committable));
        let dirty = eos.dirty.swap(false, Ordering::AcqRel);
        if offsets.is_empty() && !dirty {
            then();
            return Ok(());
        }
        let mut tpl = TopicPartitionList::new();
        for (PartitionId { topic, partition }, next) in &offsets {
            tpl.add_partition_offset(topic, *partition, Offset::Offset(*next))
                .map_err(EosError::OffsetList)?;
        }
        if !offsets.is_empty() {
            let group = consumer.group_metadata().ok_or(EosError::NoGroupMetadata)?;
            self.producer
                .send_offsets_to_transaction(&tpl, &group, TXN_TIMEOUT)
                .map_err(txn_error(TxnStep::SendOffsets))?;
        }
        self.producer
            .commit_transaction(TXN_TIMEOUT)
            .map_err(txn_error(TxnStep::Commit))?;
        self.metrics.offset_commits.with_label_values(&["ok"]).inc();
        if !offsets.is_empty() {
            self.committed(consumer, &tpl, &offsets);
            eos.redone(&offsets);
        }
        eos.generation.fetch_add(1, Ordering::AcqRel);
        *locked(&eos.doomed) = CancellationToken::new();
        self.producer
            .begin_transaction()
            .map_err(txn_error(TxnStep::Begin))?;
        then();
        Ok(())
    }

    /// Remembers what a transaction committed: where a rewind goes back to, and (stored on the
    /// consumer, which never commits in this mode) what `consumer_lag` is measured from.
    fn committed(
        &self,
        consumer: &InputConsumer,
        tpl: &TopicPartitionList,
        offsets: &HashMap<PartitionId, i64>,
    ) {
        {
            let mut state = self.lock();
            for (id, next) in offsets {
                if let Some(part) = state.parts.get_mut(id) {
                    part.committed = Some(*next);
                }
            }
        }
        if let Err(e) = consumer.store_offsets(tpl) {
            tracing::debug!("cannot store the committed offsets for the lag metric: {e}");
        }
    }

    /// After refusals: abort, remember the refused records, rewind every assigned partition to its
    /// last committed offset and start over in a new transaction. Runs with the gate held.
    fn rewind(self: &Arc<Self>, eos: &Eos, consumer: &InputConsumer) -> Result<(), EosError> {
        // First: the abort fails what is still queued, and those reports must not count.
        eos.next_generation();
        let refused = std::mem::take(&mut *locked(&eos.refused));
        self.abort_transaction()
            .map_err(txn_error(TxnStep::Abort))?;
        {
            let mut redo = locked(&eos.redo_dead);
            for (PartitionId { topic, partition }, offset, what) in refused {
                match &what {
                    Redo::Dead(error) => tracing::warn!(
                        topic,
                        partition,
                        offset,
                        "kafka refused the output of a record; transaction aborted, partitions \
                         rewound, the record goes to the dead-letter topic: {error}"
                    ),
                    Redo::Cut { limit, error, .. } => tracing::warn!(
                        topic,
                        partition,
                        offset,
                        limit,
                        "dead letter refused as too large; transaction aborted, partitions \
                         rewound, re-sending it cut shorter: {error}"
                    ),
                }
                redo.insert((PartitionId { topic, partition }, offset), what);
            }
        }
        eos.next_generation();
        let targets: Vec<(PartitionId, Option<i64>, Option<i64>)> = self
            .lock()
            .parts
            .iter()
            .map(|(id, p)| (id.clone(), p.committed, p.committed.or(p.start)))
            .collect();
        self.forget(None);
        // The abandoned tasks drop their tickets as soon as they see the cancellation.
        let deadline = Instant::now() + Duration::from_secs(5);
        while eos.unacked.load(Ordering::Acquire) > 0 && Instant::now() < deadline {
            std::thread::sleep(super::WAIT_STEP);
        }
        self.producer
            .begin_transaction()
            .map_err(txn_error(TxnStep::Begin))?;
        {
            let mut state = self.lock();
            for (id, committed, _) in &targets {
                self.add_partition_at(&mut state, id.clone(), *committed);
            }
        }
        for (id, _, target) in &targets {
            super::intake::set_paused(consumer, id, false);
            if let Some(offset) = target {
                consumer
                    .seek(
                        &id.topic,
                        id.partition,
                        Offset::Offset(*offset),
                        TXN_TIMEOUT,
                    )
                    .map_err(|error| EosError::Rewind {
                        topic: id.topic.clone(),
                        partition: id.partition,
                        error,
                    })?;
            }
        }
        Ok(())
    }
}

/// The error of a failed transactional call (its text says when librdkafka calls it fatal).
fn txn_error(step: TxnStep) -> impl FnOnce(KafkaError) -> EosError {
    move |error| EosError::Call { step, error }
}
