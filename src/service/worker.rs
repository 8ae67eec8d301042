//! The pipeline: decode -> enrich (off the async reactor) -> publish -> mark the offset done.
//!
//! Stages, one file each: [`intake`] (the consumer thread: poll, admit with backpressure, store
//! offsets, rebalances, drain), [`pool`] (decode and enrich on the bounded pool, dead letters),
//! [`publish`] (per-partition publisher and acknowledger), [`eos`] (the exactly-once transaction
//! coordinator and its state), [`progress`] (what `/healthz` reads), [`error`] (what can break the
//! pipeline or a transaction). This file holds the shared state ([`Pipeline`]), partition start-up
//! and task supervision.
//!
//! Threads and tasks:
//! - one consumer thread polls librdkafka, admits records, stores offsets and runs the rebalance
//!   callbacks. It alone touches the consumer, so revocation can block there while it drains.
//! - `worker.threads` enrich threads, started once, take records from one queue in input order and
//!   decode and enrich them (always the same threads: warm caches and allocator arenas, no thread
//!   hand-off per record beyond the queue).
//! - per partition, an async task awaits those results in input order and hands them to the
//!   producer in that order (so the output of a partition keeps its input order), then spawns a task
//!   waiting for the broker's ack, which reports the offset back to the consumer thread.
//!
//! Backpressure: when `max_inflight` records are unstored overall, the consumer thread holds the
//! record at hand, pauses every assigned partition and keeps polling (so rebalances are served,
//! the group membership stays alive and exactly-once commits go on); the partitions resume once the
//! pipeline is down to three quarters of the limit. A partition with `max_inflight_per_partition`
//! unstored records gets a short wait, then is paused with its next record held, so a stuck
//! partition does not stall the others. Nothing is dropped.
//!
//! Supervision: the partition tasks are watched; one that panics or ends while its partition is
//! still assigned makes the worker drain what it can and exit non-zero, as does a fatal producer
//! error. [`Progress`] lets `/healthz` fail when records are in flight and none finishes.
//!
//! Offsets: at-least-once stores each partition's contiguous finished prefix for auto-commit;
//! exactly-once (`eos`) commits the same prefix inside the producer's transaction.

use crate::enrich::language::LanguageDetector;
use crate::enrich::Enricher;
use crate::service::article::ErrorClass;
use crate::service::config::{LimitsSettings, Settings};
use crate::service::health::Status;
use crate::service::kafka::consumer::{InputConsumer, PartitionId, RebalanceHandler};
use crate::service::kafka::offsets::PartitionOffsets;
use crate::service::kafka::producer::{OutRecord, OutputProducer};
use crate::service::kafka::RateLimit;
use crate::service::metrics::Metrics;
use rdkafka::consumer::{CommitMode, Consumer};
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::message::{Message, OwnedMessage};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::runtime::Handle;
use tokio::sync::{mpsc as tmpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

mod eos;
mod error;
mod intake;
mod pool;
mod progress;
mod publish;

pub use error::{EosError, PipelineError, TaskEnd, TxnStep};
pub use intake::{consume, ConsumeError, Rebalancer};
pub use progress::Progress;

/// How long the consumer thread waits in one poll when nothing arrives. A record is taken the moment
/// it is fetched; this only bounds how late a finished record's offset is stored (auto-commit runs
/// every 5 s, so it adds nothing that matters) and how often an idle worker wakes up. A full
/// pipeline waits on completions instead (see `consume`).
const POLL_INTERVAL: Duration = Duration::from_millis(20);
/// How long a full pipeline waits for a completion before looking around again.
const WAIT_STEP: Duration = Duration::from_millis(10);
/// How long a record of a full partition waits for room before its partition is paused.
const PARTITION_FULL_WAIT: Duration = Duration::from_millis(200);

/// How often the consumer thread asks librdkafka whether the producer hit a fatal error.
const FATAL_CHECK: Duration = Duration::from_millis(200);

/// The settings the pipeline needs, resolved once.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    pub output_topic: String,
    pub dlq_topic: String,
    /// The producer's `message.max.bytes`: a dead letter is cut to fit it.
    pub dead_letter_max_bytes: usize,
    pub limits: LimitsSettings,
    pub threads: usize,
    pub max_inflight: usize,
    pub max_inflight_per_partition: usize,
    pub drain_timeout: Duration,
    /// Publish and commit offsets in Kafka transactions (see `worker/eos.rs`).
    pub exactly_once: bool,
    /// Language policies (`service::language`).
    pub language: crate::service::config::LanguageSettings,
}

impl PipelineConfig {
    pub fn from_settings(s: &Settings) -> Self {
        Self {
            output_topic: s.kafka.output_topic.clone(),
            dlq_topic: s.kafka.dlq_topic(),
            dead_letter_max_bytes: s.kafka.message_max_bytes(&s.limits),
            limits: s.limits.clone(),
            threads: s.worker.effective_threads(),
            max_inflight: s.worker.max_inflight,
            max_inflight_per_partition: s.worker.max_inflight_per_partition,
            drain_timeout: s.worker.drain_timeout(),
            exactly_once: s.kafka.delivery == crate::service::config::Delivery::ExactlyOnce,
            language: s.language.clone(),
        }
    }
}

/// What became of one input record, ready to publish.
struct Processed {
    record: OutRecord,
    outcome: Outcome,
    /// When it was ready to publish (stage timings).
    ready: Instant,
}

enum Outcome {
    Output { article_id: String },
    Dead { class: ErrorClass, message: String },
}

/// A record handed to its partition task, in input order.
struct Job {
    msg: Arc<OwnedMessage>,
    /// Closed without a value when the enrich thread failed.
    result: oneshot::Receiver<Processed>,
}

/// A record's output (or dead letter) was acknowledged.
struct Done {
    partition: PartitionId,
    epoch: u64,
    offset: i64,
    /// When the broker's ack was seen (stage timings).
    acked: Instant,
}

/// Consumer-thread state of one assigned partition.
struct Part {
    /// Distinguishes this assignment from an earlier one of the same partition, so completions of
    /// records abandoned at a revocation never store offsets for the new owner's run.
    epoch: u64,
    offsets: PartitionOffsets,
    /// Records fetched while the partition was full (with when they were polled); it is paused
    /// until they are started.
    held: VecDeque<(OwnedMessage, Instant)>,
    paused: bool,
    /// Exactly-once: the next offset of the last transaction committed for this partition.
    committed: Option<i64>,
    /// The first offset fetched since the partition was (re)added: where a rewind goes back to
    /// when nothing was committed yet.
    start: Option<i64>,
    jobs: tmpsc::UnboundedSender<Job>,
    cancel: CancellationToken,
}

#[derive(Default)]
struct State {
    parts: HashMap<PartitionId, Part>,
    next_epoch: u64,
    /// Sum of unstored records over all partitions.
    total: usize,
    /// The whole pipeline was full: every partition is paused until it is down to the low mark.
    global_paused: bool,
}

impl State {
    fn set_total(&self, metrics: &Metrics, progress: &Progress) {
        metrics.inflight.set(self.total as i64);
        progress.set_inflight(self.total);
    }
}

pub struct Pipeline {
    cfg: PipelineConfig,
    rt: Handle,
    producer: Arc<OutputProducer>,
    enricher: Arc<Enricher>,
    model: String,
    /// The language detector for the configured candidates, built once.
    detector: LanguageDetector,
    /// The enrich threads' queue: CPU-bound work never runs on more than `threads` threads.
    pool: pool::EnrichPool,
    metrics: Metrics,
    status: Arc<Status>,
    tasks: TaskTracker,
    /// Parent of every partition token: cancelling it abandons all in-flight work.
    abort: CancellationToken,
    state: Mutex<State>,
    done_tx: mpsc::Sender<Done>,
    done_rx: Mutex<mpsc::Receiver<Done>>,
    dlq_log: RateLimit,
    /// Transaction state in exactly-once mode.
    eos: Option<eos::Eos>,
    /// An unrecoverable error (a failed transaction): the consumer thread stops and reports it.
    fatal: Mutex<Option<EosError>>,
    /// A broken pipeline (a dead task, a fatal producer error): drain, then exit non-zero.
    failing: Mutex<Option<PipelineError>>,
    progress: Arc<Progress>,
}

impl Pipeline {
    pub fn new(
        cfg: PipelineConfig,
        rt: Handle,
        producer: Arc<OutputProducer>,
        enricher: Arc<Enricher>,
        metrics: Metrics,
        status: Arc<Status>,
        progress: Arc<Progress>,
    ) -> Arc<Self> {
        let (done_tx, done_rx) = mpsc::channel();
        let cfg_eos = cfg.exactly_once;
        crate::service::language::init_metrics(&metrics, &cfg.language);
        Arc::new(Self {
            pool: pool::EnrichPool::start(cfg.threads.max(1)),
            model: enricher.model_name(),
            detector: crate::service::language::detector_for(&cfg.language),
            cfg,
            rt,
            producer,
            enricher,
            metrics,
            status,
            tasks: TaskTracker::new(),
            abort: CancellationToken::new(),
            state: Mutex::new(State::default()),
            done_tx,
            done_rx: Mutex::new(done_rx),
            dlq_log: RateLimit::new(Duration::from_secs(1)),
            eos: cfg_eos.then(eos::Eos::default),
            fatal: Mutex::new(None),
            failing: Mutex::new(None),
            progress,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Abandons whatever is still running and waits (bounded) for the tasks to end.
    pub async fn close(&self, timeout: Duration) {
        self.abort.cancel();
        self.tasks.close();
        if tokio::time::timeout(timeout, self.tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!("pipeline tasks did not stop in time");
        }
    }

    fn set_fatal(&self, error: EosError) {
        let mut fatal = self.fatal.lock().unwrap_or_else(|p| p.into_inner());
        fatal.get_or_insert(error);
    }

    fn take_fatal(&self) -> Option<EosError> {
        self.fatal.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// A broken pipeline: log once, fail `/healthz`, and make the consumer thread drain and exit
    /// non-zero.
    fn fail(&self, why: PipelineError) {
        self.progress.broken.store(true, Ordering::Relaxed);
        let mut failing = self.failing.lock().unwrap_or_else(|p| p.into_inner());
        if failing.is_none() {
            tracing::error!(
                "{why}: finishing what can be finished, then exiting non-zero so the worker is restarted"
            );
            *failing = Some(why);
        }
    }

    fn failing(&self) -> Option<PipelineError> {
        self.failing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// A fatal producer error (librdkafka's ERR__FATAL): nothing can be published any more.
    fn check_producer(&self) {
        use rdkafka::producer::Producer;
        if let Some((code, reason)) = self.producer.client().fatal_error() {
            self.fail(PipelineError::ProducerFatal { code, reason });
        }
    }

    fn add_partition(self: &Arc<Self>, state: &mut State, id: PartitionId) {
        self.add_partition_at(state, id, None);
    }

    /// Starts the partition's publisher and acknowledger, supervised.
    fn add_partition_at(
        self: &Arc<Self>,
        state: &mut State,
        id: PartitionId,
        committed: Option<i64>,
    ) {
        let epoch = state.next_epoch;
        state.next_epoch += 1;
        let (jobs, rx) = tmpsc::unbounded_channel();
        let (sent_tx, sent_rx) = tmpsc::unbounded_channel();
        let resend = Arc::new(tokio::sync::RwLock::new(()));
        let cancel = self.abort.child_token();
        let publisher = self
            .clone()
            .run_partition(rx, sent_tx, resend.clone(), cancel.clone());
        self.supervise("publisher", &id, &cancel, publisher);
        let acker = self
            .clone()
            .run_acker(id.clone(), epoch, sent_rx, resend, cancel.clone());
        self.supervise("acknowledger", &id, &cancel, acker);
        state.parts.insert(
            id,
            Part {
                epoch,
                offsets: PartitionOffsets::default(),
                held: VecDeque::new(),
                paused: false,
                committed,
                start: None,
                jobs,
                cancel,
            },
        );
    }

    /// Runs a partition task and watches it: a panic, or an end while its partition is still
    /// assigned (not cancelled), leaves that partition stuck, so the worker fails.
    fn supervise(
        self: &Arc<Self>,
        what: &'static str,
        id: &PartitionId,
        cancel: &CancellationToken,
        task: impl Future<Output = ()> + Send + 'static,
    ) {
        let handle = self.rt.spawn(self.tasks.track_future(task));
        let this = self.clone();
        let id = id.clone();
        let cancel = cancel.clone();
        self.tasks.spawn_on(
            async move {
                let result = handle.await;
                if cancel.is_cancelled() {
                    return;
                }
                let end = match result {
                    Ok(()) => TaskEnd::Returned,
                    Err(e) if e.is_panic() => {
                        TaskEnd::Panicked(crate::service::process::panic_message(&*e.into_panic()))
                    }
                    Err(_) => TaskEnd::Cancelled,
                };
                this.fail(PipelineError::TaskDied {
                    task: what,
                    topic: id.topic,
                    partition: id.partition,
                    end,
                });
            },
            &self.rt,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::config::Settings;
    use crate::service::health::Unhealthy;

    #[test]
    fn progress_reports_a_stall_only_while_records_are_in_flight() {
        let p = Progress::default();
        let timeout = Duration::from_millis(50);
        assert_eq!(p.stalled(timeout), None, "idle is not stalled");
        p.set_inflight(3);
        assert_eq!(p.stalled(timeout), None, "just became busy");
        std::thread::sleep(Duration::from_millis(80));
        assert_eq!(
            p.stalled(timeout),
            Some(Unhealthy::Stalled),
            "busy and nothing finished"
        );
        p.finished();
        assert_eq!(p.stalled(timeout), None, "a record finished");
        std::thread::sleep(Duration::from_millis(80));
        p.set_inflight(0);
        assert_eq!(p.stalled(timeout), None, "drained");
        p.broken.store(true, Ordering::Relaxed);
        assert_eq!(
            p.stalled(timeout),
            Some(Unhealthy::PipelineFailed),
            "a broken pipeline is never healthy"
        );
    }

    fn pipeline(rt: &tokio::runtime::Runtime) -> (Arc<Pipeline>, Arc<Progress>) {
        let settings = Settings::default();
        let status = Arc::new(Status::default());
        // Never connects in this test: nothing is sent.
        let producer = crate::service::kafka::producer::create(&settings.kafka, status.clone())
            .map(Arc::new)
            .unwrap_or_else(|e| panic!("producer: {e}"));
        let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
        let enricher = Arc::new(Enricher::load(&models).unwrap_or_else(|e| panic!("models: {e}")));
        let metrics = Metrics::new().unwrap_or_else(|e| panic!("metrics: {e}"));
        let progress = Arc::new(Progress::default());
        let p = Pipeline::new(
            PipelineConfig::from_settings(&settings),
            rt.handle().clone(),
            producer,
            enricher,
            metrics,
            status,
            progress.clone(),
        );
        (p, progress)
    }

    fn wait_failing(p: &Pipeline) -> Option<PipelineError> {
        for _ in 0..100 {
            if let Some(why) = p.failing() {
                return Some(why);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    #[test]
    fn a_partition_task_that_dies_fails_the_pipeline_and_a_cancelled_one_does_not() {
        let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("runtime: {e}"));
        let (p, progress) = pipeline(&rt);
        let id = PartitionId::new("articles", 4);

        let cancel = CancellationToken::new();
        let task_cancel = cancel.clone();
        p.supervise("publisher", &id, &cancel, async move {
            task_cancel.cancelled().await;
        });
        cancel.cancel();
        assert_eq!(
            wait_failing(&p),
            None,
            "a revoked partition's task ends quietly"
        );
        assert_eq!(progress.stalled(Duration::from_secs(60)), None);

        let cancel = CancellationToken::new();
        p.supervise("publisher", &id, &cancel, async {
            panic!("header copy failed");
        });
        let why = wait_failing(&p);
        assert_eq!(
            why,
            Some(PipelineError::TaskDied {
                task: "publisher",
                topic: "articles".into(),
                partition: 4,
                end: TaskEnd::Panicked("header copy failed".into()),
            })
        );
        assert!(
            progress.stalled(Duration::from_secs(60)).is_some(),
            "/healthz fails"
        );
        rt.block_on(p.close(Duration::from_secs(1)));
    }

    #[test]
    fn a_partition_task_that_ends_while_assigned_fails_the_pipeline() {
        let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("runtime: {e}"));
        let (p, _) = pipeline(&rt);
        let id = PartitionId::new("articles", 1);
        p.supervise("acknowledger", &id, &CancellationToken::new(), async {});
        let why = wait_failing(&p).map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            why,
            "the acknowledger task of articles partition 1 ended while its partition is assigned"
        );
        rt.block_on(p.close(Duration::from_secs(1)));
    }
}
