//! The enrich pool: `worker.threads` dedicated threads decode and enrich the records in input order
//! (never on the async reactor); a record that cannot be becomes its dead letter here.

use super::{Outcome, Pipeline, Processed};
use crate::enrich::output::SourcePosition;
use crate::service::article::ErrorClass;
use crate::service::kafka::producer::{self, DeadLetterInfo, OutRecord};
use crate::service::process::{enrich_record, Enriched, Handled, RecordSettings};
use rdkafka::error::KafkaError;
use rdkafka::message::{Message, OwnedMessage};
use std::sync::atomic::Ordering;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Instant;
use tokio::sync::oneshot;

/// A record's work for an enrich thread.
type Task = Box<dyn FnOnce() + Send>;

/// `threads` OS threads started once, taking tasks from one queue in order. Always the same
/// threads: a blocking task per record wandered over a dozen pool threads, each with cold caches
/// and its own allocator arena, and cost about half again the core's CPU per word.
pub(super) struct EnrichPool {
    queue: mpsc::Sender<Task>,
}

impl EnrichPool {
    pub(super) fn start(threads: usize) -> Self {
        let (tx, rx) = mpsc::channel::<Task>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("enrich-{i}"))
                .spawn(move || serve(&rx));
            if let Err(e) = spawned {
                tracing::error!("cannot start enrich thread {i}: {e}");
            }
        }
        Self { queue: tx }
    }

    fn submit(&self, task: Task) {
        // Only fails when every thread is gone; the dropped reply makes the record a dead letter.
        let _ = self.queue.send(task);
    }
}

/// Runs tasks until the pipeline (the queue's sender) is gone.
fn serve(rx: &Mutex<mpsc::Receiver<Task>>) {
    loop {
        // The lock is held only while waiting: the next idle thread takes the next task.
        let task = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(p) => p.into_inner().recv(),
        };
        let Ok(task) = task else { return };
        // A panic drops the task's reply channel (its record becomes a dead letter) and must not
        // take the thread with it.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(task));
    }
}

impl Pipeline {
    /// Queues `msg` for the enrich threads (started at `started`); the receiver gets its result.
    pub(super) fn spawn_processing(
        self: &Arc<Self>,
        msg: Arc<OwnedMessage>,
        started: Instant,
    ) -> oneshot::Receiver<Processed> {
        let (tx, rx) = oneshot::channel();
        let this = self.clone();
        self.pool.submit(Box::new(move || {
            let began = Instant::now();
            let stages = &this.metrics.stages;
            stages.queue.observe((began - started).as_secs_f64());
            let processed = this.process(&msg);
            stages
                .enrich
                .observe((processed.ready - began).as_secs_f64());
            // The partition may have been revoked meanwhile; then nobody waits for it.
            let _ = tx.send(processed);
        }));
        rx
    }

    /// Decode and enrich one record (blocking, CPU-bound).
    pub(super) fn process(&self, msg: &OwnedMessage) -> Processed {
        let source = SourcePosition {
            topic: msg.topic().to_string(),
            partition: msg.partition(),
            offset: msg.offset(),
        };
        let settings = RecordSettings {
            limits: &self.cfg.limits,
            language: &self.cfg.language,
            detector: &self.detector,
            model: &self.model,
        };
        let handled = enrich_record(
            &self.enricher,
            &settings,
            msg.payload(),
            msg.key(),
            Some(source),
        );
        if let Some(decision) = handled.decision() {
            decision.count(&self.metrics, &self.cfg.language);
        }
        let Enriched { doc, elapsed } = match handled {
            Handled::Document(enriched, _) => *enriched,
            Handled::Dead { error, .. } => return self.dead(msg, error.class, error.message),
            Handled::Route {
                article_id,
                decision: lang,
            } => {
                let topic = &self.cfg.language.route_topic;
                let headers = producer::headers_of(msg);
                let record = lang.route_record(topic, msg.key(), msg.payload(), headers);
                return Processed {
                    record,
                    outcome: Outcome::Output { article_id },
                    ready: Instant::now(),
                };
            }
        };
        self.metrics.enrich_duration.observe(elapsed.as_secs_f64());
        for e in &doc.entities {
            self.metrics
                .entities_extracted
                .with_label_values(&[e.etype.as_str()])
                .inc();
        }
        for r in &doc.relations {
            self.metrics
                .relations_extracted
                .with_label_values(&[r.predicate.as_str()])
                .inc();
        }
        let id = doc.id.clone();
        match serde_json::to_vec(&doc) {
            Ok(payload) => Processed {
                record: OutRecord {
                    topic: self.cfg.output_topic.clone(),
                    key: Some(id.clone().into_bytes()),
                    payload: Some(payload),
                    headers: producer::headers_of(msg),
                },
                outcome: Outcome::Output { article_id: id },
                ready: Instant::now(),
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
    pub(super) fn dead(&self, msg: &OwnedMessage, class: ErrorClass, message: String) -> Processed {
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
        let limit = self.cfg.dead_letter_max_bytes;
        // Should the headers alone be too long, the send fails and the acknowledger stops the
        // partition.
        producer::fit_dead_letter(&mut record, msg.payload(), limit);
        Processed {
            record,
            outcome: Outcome::Dead { class, message },
            ready: Instant::now(),
        }
    }

    /// `msg` reached neither topic (the broker refused its dead letter with `error`): its partition
    /// stops here (no completion is reported, so nothing from it on is committed), `/readyz` fails
    /// and the log says why, loudly.
    pub(super) fn stuck(&self, msg: &OwnedMessage, dlq_topic: &str, error: &KafkaError) {
        self.status.record_stuck.store(true, Ordering::Relaxed);
        tracing::error!(
            topic = msg.topic(),
            partition = msg.partition(),
            offset = msg.offset(),
            dlq_topic,
            "record reached neither the output nor the dead-letter topic; its partition stops \
             here (not committed) until the cause is fixed and the worker restarted: dead letter \
             rejected: {error}"
        );
    }
}
