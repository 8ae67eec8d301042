//! Publishing, per partition: a publisher hands the enrich results to the producer in input
//! order; an acknowledger awaits the broker's answers in the same order, re-sends after transient
//! failures and reports finished offsets back to intake.

use super::eos::{Eos, Redo, Ticket};
use super::error::EosError;
use super::{Done, Job, Outcome, Pipeline, Processed};
use crate::service::article::ErrorClass;
use crate::service::health::now_ms;
use crate::service::kafka::consumer::PartitionId;
use crate::service::kafka::producer::{self, SendError};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Message, OwnedMessage};
use rdkafka::producer::{DeliveryFuture, Producer};
use std::collections::VecDeque;
use std::ops::ControlFlow;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{mpsc as tmpsc, RwLock};
use tokio_util::sync::CancellationToken;

impl Pipeline {
    //
    // Two tasks per partition. The publisher awaits the enrich results in input order and hands
    // them to the producer in that order; the acknowledger awaits the broker's answers in the same
    // order and reports finished offsets. In at-least-once mode a transient delivery failure (a
    // delivery timeout) makes the acknowledger take the partition's re-send lock: the publisher
    // stops sending, every record already sent is settled, and the failed ones are re-sent in
    // offset order before anything newer goes out. So re-sends keep the partition's order.

    /// Publishes one partition's results in input order.
    pub(super) async fn run_partition(
        self: Arc<Self>,
        mut jobs: tmpsc::UnboundedReceiver<Job>,
        sent: tmpsc::UnboundedSender<Sent>,
        resend: Arc<RwLock<()>>,
        cancel: CancellationToken,
    ) {
        loop {
            let job = tokio::select! {
                biased;
                _ = cancel.cancelled() => return,
                job = jobs.recv() => match job { Some(j) => j, None => return },
            };
            let processed = tokio::select! {
                biased;
                _ = cancel.cancelled() => return,
                r = job.result => match r {
                    Ok(p) => p,
                    Err(_) => self.dead(&job.msg, ErrorClass::EnrichFailed, "enrich task failed".to_string()),
                },
            };
            // Wait while this partition's unacknowledged records are being re-sent.
            let resending = tokio::select! {
                biased;
                _ = cancel.cancelled() => return,
                g = resend.read() => g,
            };
            // In exactly-once mode a send belongs to the open transaction: wait while it commits.
            let gate = match &self.eos {
                Some(eos) => tokio::select! {
                    biased;
                    _ = cancel.cancelled() => return,
                    g = eos.gate.read() => Some(g),
                },
                None => None,
            };
            let ticket = Ticket::issue(&self);
            let queued = match &self.eos {
                Some(eos) => {
                    // Once the transaction can only be aborted, sends fail until it is: stop here;
                    // the rewind (or the exit) that follows cancels this task.
                    let doomed = eos.doomed();
                    tokio::select! {
                        biased;
                        _ = doomed.cancelled() => None,
                        r = producer::enqueue(&self.producer, &processed.record, &cancel) => Some(r),
                    }
                }
                None => Some(producer::enqueue(&self.producer, &processed.record, &cancel).await),
            };
            let handed = Instant::now();
            let state = match queued {
                Some(Ok(delivery)) => {
                    self.metrics
                        .stages
                        .publish
                        .observe((handed - processed.ready).as_secs_f64());
                    Pending::Waiting(delivery)
                }
                Some(Err(SendError::Permanent(e) | SendError::Failed(e))) => Pending::Refused(e),
                Some(Err(SendError::Cancelled)) => return,
                None => {
                    drop((gate, resending, ticket));
                    cancel.cancelled().await;
                    return;
                }
            };
            let entry = Sent {
                msg: job.msg,
                processed,
                state,
                ticket,
                handed,
            };
            // Handed over before the locks are released, so a re-send sees every sent record.
            if sent.send(entry).is_err() {
                return;
            }
            drop((gate, resending));
        }
    }

    /// Awaits the broker's answers for one partition in send order, re-sends (in order) after
    /// transient failures, turns refused outputs into dead letters, reports finished offsets.
    pub(super) async fn run_acker(
        self: Arc<Self>,
        id: PartitionId,
        epoch: u64,
        sent: tmpsc::UnboundedReceiver<Sent>,
        resend: Arc<RwLock<()>>,
        cancel: CancellationToken,
    ) {
        let acker = Acker {
            pipeline: self,
            id,
            epoch,
            sent,
            resend,
            cancel,
            redo: VecDeque::new(),
            attempt: 0,
        };
        acker.run().await;
    }

    /// The dead letter of an input record whose output the broker refused (`error`): at once in
    /// at-least-once mode, when it comes round again after the rewind in exactly-once mode.
    pub(super) fn refused_dead_letter(&self, msg: &OwnedMessage, error: &KafkaError) -> Processed {
        self.dead(
            msg,
            ErrorClass::OutputRejected,
            format!("output rejected by kafka: {error}"),
        )
    }

    /// What an input record refused in an aborted transaction becomes when it comes round again
    /// (exactly-once mode): its dead letter, cut to the remembered limit when the dead letter was
    /// what the broker refused as too large.
    pub(super) fn redo_dead_letter(&self, msg: &OwnedMessage, redo: Redo) -> Processed {
        match redo {
            Redo::Dead(error) => self.refused_dead_letter(msg, &error),
            Redo::Cut {
                class,
                message,
                limit,
                ..
            } => {
                let mut processed = self.dead(msg, class, message);
                // Checked before the limit was remembered (see `in_transaction`), so this fits.
                producer::fit_dead_letter(&mut processed.record, msg.payload(), limit);
                processed
            }
        }
    }

    /// Hands `processed` to the producer again; `None` when cancelled.
    async fn send(&self, processed: &Processed, cancel: &CancellationToken) -> Option<Pending> {
        match producer::enqueue(&self.producer, &processed.record, cancel).await {
            Ok(delivery) => Some(Pending::Waiting(delivery)),
            Err(SendError::Permanent(e) | SendError::Failed(e)) => Some(Pending::Refused(e)),
            Err(SendError::Cancelled) => None,
        }
    }

    /// Counts a record whose output or dead letter is acknowledged and reports its offset.
    fn published(&self, entry: Sent, id: &PartitionId, epoch: u64) {
        let Sent {
            msg,
            processed,
            ticket,
            handed,
            ..
        } = entry;
        let acked = Instant::now();
        self.metrics
            .stages
            .ack
            .observe((acked - handed).as_secs_f64());
        match &processed.outcome {
            Outcome::Output { article_id } => {
                // Routed records (`language.route_topic`) count too: consumed = produced + dlq.
                self.metrics.records_produced.inc();
                tracing::debug!(
                    topic = msg.topic(),
                    partition = msg.partition(),
                    offset = msg.offset(),
                    article_id,
                    "article published"
                );
                if let Some(ts) = msg.timestamp().to_millis().filter(|t| *t > 0) {
                    let latency_ms = now_ms().saturating_sub(ts as u64);
                    self.metrics
                        .end_to_end_latency
                        .observe(latency_ms as f64 / 1000.0);
                }
            }
            Outcome::Dead { class, message } => {
                self.metrics
                    .records_dlq
                    .with_label_values(&[class.as_str()])
                    .inc();
                if let Some(suppressed) = self.dlq_log.check() {
                    tracing::warn!(
                        topic = msg.topic(),
                        partition = msg.partition(),
                        offset = msg.offset(),
                        reason = class.as_str(),
                        suppressed,
                        "record sent to the dead-letter topic: {message}"
                    );
                }
            }
        }
        // The consumer thread may be gone at shutdown; then there is nothing left to store.
        let _ = self.done_tx.send(Done {
            partition: id.clone(),
            epoch,
            offset: msg.offset(),
            acked,
        });
        // Only after the completion was reported: the committer waits for this.
        drop(ticket);
    }
}

/// One partition's acknowledger (see [`Pipeline::run_acker`]) and the state its loop keeps.
///
/// The fields are declared in the order `run_acker`'s locals and arguments were dropped before
/// this state became a struct (the records still held first, the pipeline last).
struct Acker {
    /// Records re-sent (or being re-sent) come before anything still in the channel.
    redo: VecDeque<Sent>,
    /// Transient failures in a row, for the backoff.
    attempt: u32,
    cancel: CancellationToken,
    resend: Arc<RwLock<()>>,
    sent: tmpsc::UnboundedReceiver<Sent>,
    epoch: u64,
    id: PartitionId,
    pipeline: Arc<Pipeline>,
}

impl Acker {
    /// Settles one record after the other, in send order, until cancelled or the channel closes.
    async fn run(mut self) {
        loop {
            let Some(mut entry) = self.next().await else {
                return;
            };
            let Some(result) = settle(&mut entry.state, &self.cancel).await else {
                return;
            };
            let error = match result {
                Ok(()) => {
                    self.acked(entry);
                    continue;
                }
                Err(e) => e,
            };
            if self.failed(entry, error).await.is_break() {
                return;
            }
        }
    }

    /// The next record to settle: a re-sent one first, else the next one sent; `None` when
    /// cancelled or the publisher is gone.
    async fn next(&mut self) -> Option<Sent> {
        match self.redo.pop_front() {
            Some(e) => Some(e),
            None => tokio::select! {
                biased;
                _ = self.cancel.cancelled() => None,
                e = self.sent.recv() => e,
            },
        }
    }

    /// The broker acknowledged `entry`: the failure streak ends, the record is counted and its
    /// offset reported.
    fn acked(&mut self, entry: Sent) {
        self.attempt = 0;
        let status = &self.pipeline.status;
        // Read first: a store on every record would bounce the cache line between
        // the partitions' tasks.
        if status.write_denied.load(Ordering::Relaxed) {
            status.write_denied.store(false, Ordering::Relaxed);
        }
        self.pipeline.published(entry, &self.id, self.epoch);
    }

    /// `entry` failed with `error`: recorded for the transaction, turned into a (shorter) dead
    /// letter, or re-sent in order. `Break` when the acknowledger stops.
    async fn failed(&mut self, entry: Sent, error: KafkaError) -> ControlFlow<()> {
        let permanent = producer::is_permanent(&error);
        // Refused by the producer itself: it never reached the broker, so even a transaction
        // is intact and the record becomes a dead letter in it, as in at-least-once.
        let reached = !matches!(entry.state, Pending::Refused(_));
        if let (Some(eos), true) = (&self.pipeline.eos, reached) {
            in_transaction(eos, entry, &self.id, error, permanent);
            return ControlFlow::Continue(());
        }
        if permanent {
            return self.refused(entry, error).await;
        }
        self.transient(entry, error).await
    }

    /// A permanent refusal outside a transaction: an output is replaced by its dead letter, a
    /// dead letter too large for the DLQ topic is cut shorter.
    async fn refused(&mut self, mut entry: Sent, error: KafkaError) -> ControlFlow<()> {
        match entry.processed.outcome {
            Outcome::Output { .. } => {
                entry.processed = self.pipeline.refused_dead_letter(&entry.msg, &error);
                let Some(state) = self.pipeline.send(&entry.processed, &self.cancel).await else {
                    return ControlFlow::Break(());
                };
                entry.state = state;
                self.redo.push_front(entry);
            }
            // Too large for the DLQ topic (its max.message.bytes may be below the
            // producer's limit): re-send a copy cut shorter. Anything else stops here.
            Outcome::Dead { .. } => return self.cut_shorter(entry, error).await,
        }
        ControlFlow::Continue(())
    }

    /// Re-sends the refused dead letter `entry` cut shorter, or holds the partition (alive,
    /// assigned and uncommitted) when it cannot be cut.
    async fn cut_shorter(&mut self, mut entry: Sent, error: KafkaError) -> ControlFlow<()> {
        let dlq = entry.processed.record.topic.clone();
        let refused = producer::record_size(&entry.processed.record);
        let limit = producer::is_too_large(&error)
            .then(|| producer::smaller_limit(&entry.processed.record))
            .flatten();
        let cut = limit.is_some_and(|limit| {
            producer::fit_dead_letter(&mut entry.processed.record, entry.msg.payload(), limit)
        });
        if !cut {
            self.pipeline.stuck(&entry.msg, &dlq, &error);
            // Alive but holding: the partition stays assigned and uncommitted.
            self.cancel.cancelled().await;
            return ControlFlow::Break(());
        }
        tracing::warn!(
            topic = entry.msg.topic(),
            partition = entry.msg.partition(),
            offset = entry.msg.offset(),
            refused,
            limit,
            "dead letter refused as too large, re-sending it cut shorter: {error}"
        );
        let Some(state) = self.pipeline.send(&entry.processed, &self.cancel).await else {
            return ControlFlow::Break(());
        };
        entry.state = state;
        self.redo.push_front(entry);
        ControlFlow::Continue(())
    }

    /// A transient failure in at-least-once mode: logged, then the partition's unacknowledged
    /// records are re-sent in order (unless the producer is fatally broken).
    async fn transient(&mut self, entry: Sent, error: KafkaError) -> ControlFlow<()> {
        if self.pipeline.producer.client().fatal_error().is_some() {
            // Nothing will be delivered any more; the consumer thread sees the fatal error,
            // drains and exits non-zero.
            self.cancel.cancelled().await;
            return ControlFlow::Break(());
        }
        self.report(&entry, &error);
        self.resend_in_order(entry, error).await
    }

    /// Logs a transient failure; an authorization error also makes `/readyz` fail.
    fn report(&self, entry: &Sent, error: &KafkaError) {
        let (id, attempt) = (&self.id, self.attempt);
        if producer::is_authorization_error(error) {
            // Retried like any broker error (fixing the ACL resumes the stream without a
            // restart), but the worker is not ready while it cannot write.
            self.pipeline
                .status
                .write_denied
                .store(true, Ordering::Relaxed);
            tracing::error!(
                topic = %entry.processed.record.topic,
                partition = id.partition,
                attempt,
                "kafka denies this worker's principal writing to the topic (ACL); retrying, \
                 /readyz is 503 until a write succeeds: {error}"
            );
        } else {
            tracing::warn!(
                topic = %entry.processed.record.topic,
                partition = id.partition,
                attempt,
                "delivery failed, re-sending the partition's unacknowledged records in order: {error}"
            );
        }
    }

    /// Holding the partition's re-send lock (the publisher stops): settles every record sent
    /// after `entry`, backs off, then re-sends the failed ones in offset order; they are settled
    /// again before anything newer.
    async fn resend_in_order(&mut self, mut entry: Sent, error: KafkaError) -> ControlFlow<()> {
        let _resending = tokio::select! {
            biased;
            _ = self.cancel.cancelled() => return ControlFlow::Break(()),
            g = self.resend.write() => g,
        };
        entry.state = Pending::Failed(error);
        let mut batch = VecDeque::from([entry]);
        batch.extend(self.redo.drain(..));
        while let Ok(e) = self.sent.try_recv() {
            batch.push_back(e);
        }
        for e in batch.iter_mut().skip(1) {
            if settle(&mut e.state, &self.cancel).await.is_none() {
                return ControlFlow::Break(());
            }
        }
        tokio::select! {
            _ = self.cancel.cancelled() => return ControlFlow::Break(()),
            _ = tokio::time::sleep(producer::backoff(self.attempt)) => {}
        }
        self.attempt = self.attempt.saturating_add(1);
        for e in batch.iter_mut() {
            if matches!(&e.state, Pending::Failed(err) | Pending::Refused(err) if !producer::is_permanent(err))
            {
                let Some(state) = self.pipeline.send(&e.processed, &self.cancel).await else {
                    return ControlFlow::Break(());
                };
                e.state = state;
            }
        }
        self.redo = batch;
        ControlFlow::Continue(())
    }
}

/// Inside a transaction nothing is re-sent: it is aborted. A refused output is remembered and
/// becomes a dead letter when the partitions are replayed; a dead letter refused as too large is
/// remembered with a smaller limit and is cut to it when the partitions are replayed (as
/// [`Acker::cut_shorter`] re-sends it outside a transaction). A dead letter that cannot be cut
/// any shorter fails the transaction like any other delivery failure.
fn in_transaction(eos: &Eos, entry: Sent, id: &PartitionId, error: KafkaError, permanent: bool) {
    let generation = entry.ticket.generation();
    let shorter = match &entry.processed.outcome {
        Outcome::Dead { .. } if producer::is_too_large(&error) => {
            producer::smaller_limit(&entry.processed.record).filter(|limit| {
                let mut probe = entry.processed.record.clone();
                producer::fit_dead_letter(&mut probe, entry.msg.payload(), *limit)
            })
        }
        _ => None,
    };
    match (entry.processed.outcome, shorter) {
        (Outcome::Output { .. }, _) if permanent => {
            eos.record_refusal(generation, id, entry.msg.offset(), Redo::Dead(error))
        }
        (Outcome::Dead { class, message }, Some(limit)) => {
            let redo = Redo::Cut {
                class,
                message,
                limit,
                error,
            };
            eos.record_refusal(generation, id, entry.msg.offset(), redo)
        }
        _ if matches!(
            error.rdkafka_error_code(),
            Some(RDKafkaErrorCode::PurgeQueue | RDKafkaErrorCode::PurgeInflight)
        ) =>
        {
            eos.record_purged(generation)
        }
        _ => eos.record_failure(
            generation,
            EosError::Delivery {
                topic: entry.msg.topic().to_string(),
                offset: entry.msg.offset(),
                error,
            },
        ),
    }
}

/// One record handed to the producer and what the broker answered so far.
pub(super) struct Sent {
    msg: Arc<OwnedMessage>,
    processed: Processed,
    state: Pending,
    ticket: Ticket,
    /// When it was first handed to the producer (stage timings).
    handed: Instant,
}

pub(super) enum Pending {
    Waiting(DeliveryFuture),
    Acked,
    /// The broker (or librdkafka after retries) answered with this error.
    Failed(KafkaError),
    /// The producer refused the record before sending it.
    Refused(KafkaError),
}

/// Waits for the broker's answer (if not in yet) and records it in `state`. `None` when cancelled
/// or the producer is gone (shutdown past its deadline).
async fn settle(state: &mut Pending, cancel: &CancellationToken) -> Option<Result<(), KafkaError>> {
    if let Pending::Waiting(delivery) = state {
        let answer = tokio::select! {
            biased;
            _ = cancel.cancelled() => return None,
            r = delivery => r,
        };
        *state = match answer {
            Ok(Ok(_)) => Pending::Acked,
            Ok(Err((e, _))) => Pending::Failed(e),
            Err(_) => return None,
        };
    }
    match state {
        Pending::Acked => Some(Ok(())),
        Pending::Failed(e) | Pending::Refused(e) => Some(Err(e.clone())),
        Pending::Waiting(_) => None,
    }
}
