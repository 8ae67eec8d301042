//! The async half of the pipeline: the bounded enrich pool and the per-partition publishing tasks.

use super::eos::Ticket;
use super::{Done, Job, Outcome, Pipeline, Processed};
use crate::article::{self, ErrorClass};
use crate::config::required_message_max_bytes;
use crate::enrich::output::SourcePosition;
use crate::kafka::consumer::PartitionId;
use crate::kafka::now_ms;
use crate::kafka::producer::{self, DeadLetterInfo, OutRecord, SendError};
use rdkafka::message::{Message, OwnedMessage};
use rdkafka::producer::DeliveryFuture;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc as tmpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

impl Pipeline {
    // ---- enrich pool ---------------------------------------------------------------------------

    pub(super) fn spawn_processing(
        self: &Arc<Self>,
        msg: Arc<OwnedMessage>,
    ) -> JoinHandle<Processed> {
        let this = self.clone();
        self.tasks.spawn_on(
            async move {
                // The semaphore is never closed; without a permit we would still make progress.
                let permit = this.pool.clone().acquire_owned().await.ok();
                let worker = this.clone();
                let record = msg.clone();
                let job = this.tasks.spawn_blocking_on(
                    move || {
                        let _permit = permit;
                        worker.process(&record)
                    },
                    &this.rt,
                );
                match job.await {
                    Ok(processed) => processed,
                    Err(e) => this.dead(
                        &msg,
                        ErrorClass::EnrichFailed,
                        format!("enrich task failed: {e}"),
                    ),
                }
            },
            &self.rt,
        )
    }

    /// Decode and enrich one record (blocking, CPU-bound).
    fn process(&self, msg: &OwnedMessage) -> Processed {
        let article = match article::decode(msg.payload(), msg.key(), &self.cfg.limits) {
            Ok(a) => a,
            Err(e) => return self.dead(msg, e.class, e.message),
        };
        let started = Instant::now();
        let analysis = catch_unwind(AssertUnwindSafe(|| self.enricher.analyze(&article.text)));
        let elapsed = started.elapsed();
        self.metrics.enrich_duration.observe(elapsed.as_secs_f64());
        let analysis = match analysis {
            Ok(a) => a,
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                return self.dead(
                    msg,
                    ErrorClass::EnrichFailed,
                    format!("enrich core panicked: {what}"),
                );
            }
        };
        for e in &analysis.entities {
            self.metrics
                .entities_extracted
                .with_label_values(&[e.etype.as_str()])
                .inc();
        }
        for r in &analysis.relations {
            self.metrics
                .relations_extracted
                .with_label_values(&[r.predicate.as_str()])
                .inc();
        }
        let id = article.id.clone();
        let source = SourcePosition {
            topic: msg.topic().to_string(),
            partition: msg.partition(),
            offset: msg.offset(),
        };
        let doc = article.into_doc(
            analysis,
            self.model.clone(),
            elapsed.as_micros() as u64,
            Some(source),
        );
        match serde_json::to_vec(&doc) {
            Ok(payload) => Processed {
                record: OutRecord {
                    topic: self.cfg.output_topic.clone(),
                    key: Some(id.clone().into_bytes()),
                    payload: Some(payload),
                    headers: producer::headers_of(msg),
                },
                outcome: Outcome::Output { article_id: id },
            },
            Err(e) => self.dead(
                msg,
                ErrorClass::EnrichFailed,
                format!("cannot serialize output: {e}"),
            ),
        }
    }

    /// The dead letter for `msg`: original key, bytes and headers plus the error headers. A copy
    /// larger than the producer takes (`limits.max_record_bytes` + headroom) is cut to fit and
    /// marked (`x-truncated`, `x-original-size`, `x-original-sha256`).
    fn dead(&self, msg: &OwnedMessage, class: ErrorClass, message: String) -> Processed {
        let info = DeadLetterInfo {
            class: class.as_str(),
            error: &message,
            topic: msg.topic(),
            partition: msg.partition(),
            offset: msg.offset(),
        };
        let mut record = OutRecord {
            topic: self.cfg.dlq_topic.clone(),
            key: msg.key().map(<[u8]>::to_vec),
            payload: msg.payload().map(<[u8]>::to_vec),
            headers: producer::dead_letter_headers(&producer::headers_of(msg), &info),
        };
        let limit = required_message_max_bytes(&self.cfg.limits);
        // Should the headers alone be too long, the send fails and `finish` stops the partition.
        producer::fit_dead_letter(&mut record, msg.payload(), limit);
        Processed {
            record,
            outcome: Outcome::Dead { class, message },
        }
    }

    /// `msg` reached neither topic: its partition stops here (no completion is reported, so
    /// nothing from it on is committed), `/readyz` fails and the log says why, loudly.
    fn stuck(&self, msg: &OwnedMessage, dlq_topic: &str, cause: &dyn std::fmt::Display) {
        self.status.record_stuck.store(true, Ordering::Relaxed);
        tracing::error!(
            topic = msg.topic(),
            partition = msg.partition(),
            offset = msg.offset(),
            dlq_topic,
            "record reached neither the output nor the dead-letter topic; its partition stops \
             here (not committed) until the cause is fixed and the worker restarted: {cause}"
        );
    }

    // ---- partition tasks -----------------------------------------------------------------------

    /// Publishes one partition's results in input order.
    pub(super) async fn run_partition(
        self: Arc<Self>,
        id: PartitionId,
        epoch: u64,
        mut jobs: tmpsc::UnboundedReceiver<Job>,
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
                    Err(e) => self.dead(&job.msg, ErrorClass::EnrichFailed, format!("enrich task failed: {e}")),
                },
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
            let queued = producer::enqueue(&self.producer, &processed.record, &cancel).await;
            drop(gate);
            if matches!(queued, Err(SendError::Cancelled)) {
                return;
            }
            let this = self.clone();
            let done = Done {
                partition: id.clone(),
                epoch,
                offset: job.msg.offset(),
            };
            let cancel = cancel.clone();
            self.tasks.spawn(async move {
                this.finish(job.msg, processed, queued, done, cancel).await;
                // Only after the completion was reported: the committer waits for this.
                drop(ticket);
            });
        }
    }

    /// Waits for the broker's ack (re-sending on transient errors), counts, reports the offset.
    async fn finish(
        self: Arc<Self>,
        msg: Arc<OwnedMessage>,
        mut processed: Processed,
        mut queued: Result<DeliveryFuture, SendError>,
        done: Done,
        cancel: CancellationToken,
    ) {
        let resend = self.eos.is_none();
        loop {
            let (result, sent) = match queued {
                Ok(delivery) => (
                    producer::deliver(&self.producer, &processed.record, delivery, resend, &cancel)
                        .await,
                    true,
                ),
                Err(e) => (Err(e), false),
            };
            match result {
                Ok(()) => break,
                Err(SendError::Cancelled) => return,
                // A record refused by the producer itself (e.g. output over message.max.bytes)
                // never reached the broker, so even a transaction is intact: it becomes a dead
                // letter below, as in at-least-once. Aborting would crash-loop on the record.
                Err(e) if !resend && (sent || !matches!(e, SendError::Permanent(_))) => {
                    // The open transaction can only be aborted now; the committer sees this.
                    if let Some(eos) = &self.eos {
                        eos.record_failure(format!(
                            "offset {} of {}: {e}",
                            msg.offset(),
                            msg.topic()
                        ));
                    }
                    return;
                }
                Err(SendError::Failed(e)) => {
                    // `deliver` re-sends by itself in this mode; should it ever give up, send again
                    // rather than leave the partition's commit point stuck.
                    tracing::warn!("delivery failed, re-sending: {e}");
                    queued = producer::enqueue(&self.producer, &processed.record, &cancel).await;
                }
                Err(SendError::Permanent(e)) => match processed.outcome {
                    Outcome::Output { .. } => {
                        processed = self.dead(
                            &msg,
                            ErrorClass::EnrichFailed,
                            format!("output rejected by kafka: {e}"),
                        );
                        queued =
                            producer::enqueue(&self.producer, &processed.record, &cancel).await;
                    }
                    // Too large for the DLQ topic (its max.message.bytes may be below the
                    // producer's limit): retry with a copy cut shorter. Anything else stops here.
                    Outcome::Dead { .. } => {
                        let dlq = processed.record.topic.clone();
                        let refused = producer::record_size(&processed.record);
                        let limit = producer::is_too_large(&e)
                            .then(|| producer::smaller_limit(&processed.record))
                            .flatten();
                        match limit {
                            Some(limit)
                                if producer::fit_dead_letter(
                                    &mut processed.record,
                                    msg.payload(),
                                    limit,
                                ) =>
                            {
                                tracing::warn!(
                                    topic = msg.topic(),
                                    partition = msg.partition(),
                                    offset = msg.offset(),
                                    refused,
                                    limit,
                                    "dead letter refused as too large, retrying cut shorter: {e}"
                                );
                                queued =
                                    producer::enqueue(&self.producer, &processed.record, &cancel)
                                        .await;
                            }
                            _ => {
                                self.stuck(&msg, &dlq, &format!("dead letter rejected: {e}"));
                                return;
                            }
                        }
                    }
                },
            }
        }
        match &processed.outcome {
            Outcome::Output { article_id } => {
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
        let _ = self.done_tx.send(done);
    }
}
