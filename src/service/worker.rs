//! The pipeline: decode -> enrich (off the async reactor) -> publish -> mark the offset done.
//!
//! Threads and tasks:
//! - one consumer thread polls librdkafka, admits records, stores offsets and runs the rebalance
//!   callbacks. It alone touches the consumer, so revocation can block there while it drains.
//! - per record, a blocking task behind a semaphore (the bounded enrich pool) decodes and enriches.
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

use crate::enrich::Enricher;
use crate::service::article::ErrorClass;
use crate::service::config::{LimitsSettings, Settings};
use crate::service::health::{now_ms, Status};
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
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::runtime::Handle;
use tokio::sync::{mpsc as tmpsc, Semaphore};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

mod eos;
mod tasks;

/// How long the consumer thread waits in one poll; bounds how late offsets are stored and held
/// records are released.
const POLL_INTERVAL: Duration = Duration::from_millis(20);
/// How long a full pipeline waits for a completion before looking around again.
const WAIT_STEP: Duration = Duration::from_millis(10);
/// How long a record of a full partition waits for room before its partition is paused.
const PARTITION_FULL_WAIT: Duration = Duration::from_millis(200);

/// How often the consumer thread asks librdkafka whether the producer hit a fatal error.
const FATAL_CHECK: Duration = Duration::from_millis(200);

/// Whether records finish, for `/healthz`: written by the pipeline, read by the HTTP handler.
#[derive(Debug, Default)]
pub struct Progress {
    /// Unix millis of the last finished record, or of when the pipeline last became busy.
    last_ms: AtomicU64,
    inflight: AtomicUsize,
    /// A pipeline task died or the producer failed fatally: the worker is going down.
    broken: AtomicBool,
}

impl Progress {
    /// `Some(reason)` when the pipeline is broken, or records are in flight and none finished
    /// within `timeout`.
    pub fn stalled(&self, timeout: Duration) -> Option<&'static str> {
        if self.broken.load(Ordering::Relaxed) {
            return Some("pipeline failed, worker exiting");
        }
        if self.inflight.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let idle = now_ms().saturating_sub(self.last_ms.load(Ordering::Relaxed));
        (idle > timeout.as_millis() as u64)
            .then_some("records in flight and none finished within worker.stall_timeout_ms")
    }

    fn set_inflight(&self, n: usize) {
        if self.inflight.swap(n, Ordering::Relaxed) == 0 && n > 0 {
            self.finished();
        }
    }

    fn finished(&self) {
        self.last_ms.store(now_ms(), Ordering::Relaxed);
    }
}

/// The settings the pipeline needs, resolved once.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    pub output_topic: String,
    pub dlq_topic: String,
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
            limits: s.limits.clone(),
            threads: s.worker.effective_threads(),
            max_inflight: s.worker.max_inflight,
            max_inflight_per_partition: s.worker.max_inflight_per_partition,
            drain_timeout: Duration::from_millis(s.worker.drain_timeout_ms),
            exactly_once: s.kafka.delivery == crate::service::config::Delivery::ExactlyOnce,
            language: s.language.clone(),
        }
    }
}

/// What became of one input record, ready to publish.
struct Processed {
    record: OutRecord,
    outcome: Outcome,
}

enum Outcome {
    Output { article_id: String },
    Dead { class: ErrorClass, message: String },
}

/// A record handed to its partition task, in input order.
struct Job {
    msg: Arc<OwnedMessage>,
    result: JoinHandle<Processed>,
}

/// A record's output (or dead letter) was acknowledged.
struct Done {
    partition: PartitionId,
    epoch: u64,
    offset: i64,
}

/// Consumer-thread state of one assigned partition.
struct Part {
    /// Distinguishes this assignment from an earlier one of the same partition, so completions of
    /// records abandoned at a revocation never store offsets for the new owner's run.
    epoch: u64,
    offsets: PartitionOffsets,
    /// Records fetched while the partition was full; it is paused until they are started.
    held: VecDeque<OwnedMessage>,
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
    /// Permits = enrich pool size: CPU-bound work never runs more than that many at once.
    pool: Arc<Semaphore>,
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
    fatal: Mutex<Option<String>>,
    /// A broken pipeline (a dead task, a fatal producer error): drain, then exit non-zero.
    failing: Mutex<Option<String>>,
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
            pool: Arc::new(Semaphore::new(cfg.threads.max(1))),
            model: enricher.model_name(),
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

    // ---- consumer thread ----------------------------------------------------------------------

    /// Takes one fetched record into the pipeline. When the pipeline is full overall, holds the
    /// record and pauses every partition; the poll loop goes on (rebalances, commits). When only
    /// its partition is full, waits briefly, then holds the record and pauses that partition so a
    /// stuck partition does not stall the others.
    fn admit(
        self: &Arc<Self>,
        consumer: &InputConsumer,
        msg: OwnedMessage,
        stop: &CancellationToken,
    ) {
        let id = PartitionId::new(msg.topic(), msg.partition());
        let started = Instant::now();
        loop {
            {
                let mut guard = self.lock();
                if !guard.parts.contains_key(&id) {
                    // Records only arrive for assigned partitions; this covers a missed callback.
                    self.add_partition(&mut guard, id.clone());
                }
                let State {
                    parts,
                    total,
                    global_paused,
                    ..
                } = &mut *guard;
                let Some(part) = parts.get_mut(&id) else {
                    return;
                };
                part.start.get_or_insert(msg.offset());
                let part_full = part.offsets.len() >= self.cfg.max_inflight_per_partition;
                let global_full = *total >= self.cfg.max_inflight || *global_paused;
                if part.held.is_empty() && !part_full && !global_full {
                    self.start(part, total, msg);
                    return;
                }
                if global_full {
                    part.held.push_back(msg);
                    if !*global_paused {
                        tracing::debug!(inflight = *total, "pipeline full: pausing all partitions");
                    }
                    *global_paused = true;
                    for (pid, p) in parts.iter_mut() {
                        if !p.paused {
                            p.paused = true;
                            set_paused(consumer, pid, true);
                        }
                    }
                    return;
                }
                // Pausing drops librdkafka's prefetched records and resuming refetches them, so it is
                // kept for partitions that stay full; short waits ride out ordinary saturation.
                let hold = !part.held.is_empty()
                    || stop.is_cancelled()
                    || started.elapsed() >= PARTITION_FULL_WAIT;
                if hold {
                    part.held.push_back(msg);
                    if !part.paused {
                        part.paused = true;
                        set_paused(consumer, &id, true);
                    }
                    return;
                }
            }
            self.status.touch();
            self.pump(consumer, WAIT_STEP);
        }
    }

    fn start(self: &Arc<Self>, part: &mut Part, total: &mut usize, msg: OwnedMessage) {
        part.offsets.begin(msg.offset());
        *total += 1;
        self.metrics.inflight.set(*total as i64);
        self.progress.set_inflight(*total);
        self.metrics.records_consumed.inc();
        let msg = Arc::new(msg);
        let result = match self.eos.as_ref().and_then(|e| e.redo_as_dead(&msg)) {
            // Refused by the broker in an aborted transaction: this time it is a dead letter.
            Some(reason) => {
                let this = self.clone();
                let record = msg.clone();
                self.tasks.spawn_on(
                    async move { this.refused_dead_letter(&record, reason) },
                    &self.rt,
                )
            }
            None => self.spawn_processing(msg.clone()),
        };
        // A closed channel means the partition is being dropped; its record will be redelivered.
        let _ = part.jobs.send(Job { msg, result });
    }

    /// Applies acknowledged completions (waiting up to `wait` for the first one): stores advanced
    /// offsets, releases held records, resumes partitions that drained.
    fn pump(self: &Arc<Self>, consumer: &InputConsumer, wait: Duration) {
        // One entry per partition (the furthest): a list naming a partition twice stores garbage.
        let mut stores: HashMap<PartitionId, i64> = HashMap::new();
        {
            let rx = self.done_rx.lock().unwrap_or_else(|p| p.into_inner());
            let first = if wait.is_zero() {
                None
            } else {
                rx.recv_timeout(wait).ok()
            };
            let mut guard = self.lock();
            let state = &mut *guard;
            let mut finished = false;
            for done in first
                .into_iter()
                .chain(std::iter::from_fn(|| rx.try_recv().ok()))
            {
                let Some(part) = state.parts.get_mut(&done.partition) else {
                    continue;
                };
                if part.epoch != done.epoch {
                    continue;
                }
                let before = part.offsets.len();
                if let Some(next) = part.offsets.finish(done.offset) {
                    let slot = stores.entry(done.partition).or_insert(next);
                    *slot = (*slot).max(next);
                }
                state.total -= before - part.offsets.len();
                finished = true;
            }
            if finished {
                self.progress.finished();
            }
            state.set_total(&self.metrics, &self.progress);
            let State {
                parts,
                total,
                global_paused,
                ..
            } = state;
            for part in parts.values_mut() {
                while !part.held.is_empty()
                    && part.offsets.len() < self.cfg.max_inflight_per_partition
                    && *total < self.cfg.max_inflight
                {
                    if let Some(msg) = part.held.pop_front() {
                        self.start(part, total, msg);
                    }
                }
            }
            if *global_paused && *total <= self.cfg.max_inflight * 3 / 4 {
                *global_paused = false;
                tracing::debug!(inflight = *total, "pipeline below its low mark: resuming");
            }
            for (id, part) in parts.iter_mut() {
                // Resume only once well below the limits: every pause drops librdkafka's prefetched
                // records and a resume refetches them, so flapping at the limit would crawl.
                // (Only the partition's own level counts: waiting for the whole pipeline to drain
                // could starve it while the other partitions keep the pipeline busy.)
                let low = part.offsets.len() <= self.cfg.max_inflight_per_partition / 2
                    && !*global_paused;
                if part.held.is_empty() && part.paused && low {
                    part.paused = false;
                    set_paused(consumer, id, false);
                }
            }
        }
        if stores.is_empty() {
            return;
        }
        if let Some(eos) = &self.eos {
            // Committed with the transaction, not by the consumer.
            eos.add_committable(&stores);
            return;
        }
        let mut tpl = TopicPartitionList::new();
        for (PartitionId { topic, partition }, next) in &stores {
            if let Err(e) = tpl.add_partition_offset(topic, *partition, Offset::Offset(*next)) {
                tracing::warn!(topic, partition, "cannot build offset list: {e}");
            }
        }
        if let Err(e) = consumer.store_offsets(&tpl) {
            tracing::warn!("cannot store offsets: {e}");
        }
    }

    /// Waits until the given partitions (all when `None`) have nothing unstored, or `deadline`.
    /// Returns how many records were still unfinished.
    fn drain(
        self: &Arc<Self>,
        consumer: &InputConsumer,
        only: Option<&HashSet<PartitionId>>,
        deadline: Instant,
    ) -> usize {
        loop {
            self.status.touch();
            self.pump(consumer, Duration::ZERO);
            let left: usize = self
                .lock()
                .parts
                .iter()
                .filter(|(id, _)| only.is_none_or(|set| set.contains(*id)))
                .map(|(_, p)| p.offsets.len())
                .sum();
            let now = Instant::now();
            if left == 0 || now >= deadline {
                return left;
            }
            // A drain can take longer than a transaction may stay open: keep committing.
            if self.eos.as_ref().is_some_and(eos::Eos::commit_due) {
                if let Err(e) = self.commit_transaction(consumer, || {}) {
                    self.set_fatal(e);
                    return left;
                }
            }
            self.pump(consumer, WAIT_STEP.min(deadline - now));
        }
    }

    /// Drops partitions from the state; their tasks stop and late completions are ignored.
    fn forget(&self, only: Option<&HashSet<PartitionId>>) {
        let mut guard = self.lock();
        let state = &mut *guard;
        let ids: Vec<PartitionId> = state
            .parts
            .keys()
            .filter(|id| only.is_none_or(|set| set.contains(*id)))
            .cloned()
            .collect();
        for id in ids {
            if let Some(part) = state.parts.remove(&id) {
                part.cancel.cancel();
                state.total -= part.offsets.len();
                let partition = id.partition.to_string();
                let _ = self
                    .metrics
                    .consumer_lag
                    .remove_label_values(&[id.topic.as_str(), partition.as_str()]);
            }
        }
        if state.parts.is_empty() {
            state.global_paused = false;
        }
        state.set_total(&self.metrics, &self.progress);
    }

    /// Stop taking records for the partitions, finish what runs within the drain deadline, commit.
    fn wind_down(
        self: &Arc<Self>,
        consumer: &InputConsumer,
        only: Option<&HashSet<PartitionId>>,
        why: &'static str,
    ) {
        {
            let mut guard = self.lock();
            if !guard
                .parts
                .keys()
                .any(|id| only.is_none_or(|set| set.contains(id)))
            {
                return; // e.g. the revocation when a consumer closes after shutdown already drained
            }
            for (id, part) in guard.parts.iter_mut() {
                if only.is_none_or(|set| set.contains(id)) {
                    // Held records were never started nor stored: the next owner reads them again.
                    part.held.clear();
                    if part.paused {
                        part.paused = false;
                        set_paused(consumer, id, false);
                    }
                }
            }
        }
        let started = Instant::now();
        let left = self.drain(consumer, only, started + self.cfg.drain_timeout);
        if left > 0 {
            tracing::warn!(
                unfinished = left,
                "{why}: drain deadline passed, unfinished records will be consumed again"
            );
        } else {
            tracing::info!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                "{why}: in-flight records finished"
            );
        }
        if self.eos.is_some() {
            // Dropped before the gate reopens: past the drain deadline a revoked partition's task
            // may still be waiting to send, and a record it slipped into the next transaction would
            // be committed by us while the partition's new owner processes it again.
            if let Err(e) = self.commit_transaction(consumer, || self.forget(only)) {
                self.set_fatal(e);
            }
        } else if self.status.consumer_unreachable.load(Ordering::Relaxed) {
            // A synchronous commit would block until the broker is back; what is stored stays
            // uncommitted and is consumed again (at-least-once).
            tracing::warn!("kafka unreachable: skipping the offset commit");
        } else if !consumer.assignment_lost() {
            commit_sync(consumer);
        }
        self.forget(only);
    }

    fn set_fatal(&self, error: String) {
        let mut fatal = self.fatal.lock().unwrap_or_else(|p| p.into_inner());
        fatal.get_or_insert(error);
    }

    fn take_fatal(&self) -> Option<String> {
        self.fatal.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// A broken pipeline: log once, fail `/healthz`, and make the consumer thread drain and exit
    /// non-zero.
    fn fail(&self, why: String) {
        self.progress.broken.store(true, Ordering::Relaxed);
        let mut failing = self.failing.lock().unwrap_or_else(|p| p.into_inner());
        if failing.is_none() {
            tracing::error!(
                "{why}: finishing what can be finished, then exiting non-zero so the worker is restarted"
            );
            *failing = Some(why);
        }
    }

    fn failing(&self) -> Option<String> {
        self.failing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// A fatal producer error (librdkafka's ERR__FATAL): nothing can be published any more.
    fn check_producer(&self) {
        use rdkafka::producer::Producer;
        if let Some((code, reason)) = self.producer.client().fatal_error() {
            self.fail(format!("producer fatal error ({code:?}): {reason}"));
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
                let how = match result {
                    Ok(()) => "ended while its partition is assigned".to_string(),
                    Err(e) if e.is_panic() => {
                        format!(
                            "panicked: {}",
                            crate::service::process::panic_message(&*e.into_panic())
                        )
                    }
                    Err(e) => format!("failed: {e}"),
                };
                this.fail(format!(
                    "the {what} task of {} partition {} {how}",
                    id.topic, id.partition
                ));
            },
            &self.rt,
        );
    }
}

/// The rebalance handler handed to the consumer context; runs on the consumer thread.
pub struct Rebalancer {
    pipeline: Arc<Pipeline>,
}

impl Rebalancer {
    pub fn new(pipeline: Arc<Pipeline>) -> Self {
        Self { pipeline }
    }
}

impl RebalanceHandler for Rebalancer {
    fn assigned(&self, _consumer: &InputConsumer, partitions: &[PartitionId]) {
        let mut guard = self.pipeline.lock();
        for id in partitions {
            if !guard.parts.contains_key(id) {
                self.pipeline.add_partition(&mut guard, id.clone());
            }
        }
    }

    fn revoking(&self, consumer: &InputConsumer, partitions: &[PartitionId]) {
        let set: HashSet<PartitionId> = partitions.iter().cloned().collect();
        self.pipeline
            .wind_down(consumer, Some(&set), "partitions revoked");
    }
}

/// Why the consumer thread stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ConsumeError {
    #[error("cannot subscribe: {0}")]
    Subscribe(#[from] rdkafka::error::KafkaError),
    /// Exactly-once mode: the group resumes from the last committed transaction after a restart.
    #[error("transaction failed, exiting so the group resumes from the last commit: {0}")]
    Transaction(String),
    /// A partition task died or the producer failed fatally; in-flight work was drained.
    #[error("pipeline failed, exiting so the worker is restarted: {0}")]
    Failed(String),
}

/// The consumer thread's body: subscribe, poll until `stop`, then drain, commit and close.
pub fn consume(
    pipeline: Arc<Pipeline>,
    consumer: InputConsumer,
    input_topic: &str,
    stop: CancellationToken,
) -> Result<(), ConsumeError> {
    consumer.subscribe(&[input_topic])?;
    tracing::info!(topic = input_topic, "worker started");
    let errors = RateLimit::new(Duration::from_secs(10));
    let mut producer_checked = Instant::now();
    while !stop.is_cancelled() {
        pipeline.status.touch();
        match consumer.poll(POLL_INTERVAL) {
            Some(Ok(msg)) => pipeline.admit(&consumer, msg.detach(), &stop),
            // Only when a user turns on enable.partition.eof: not an error.
            Some(Err(rdkafka::error::KafkaError::PartitionEOF(_))) => {}
            Some(Err(e)) => {
                if let Some(suppressed) = errors.check() {
                    tracing::warn!(suppressed, "consumer error (retrying): {e}");
                }
            }
            None => {}
        }
        pipeline.pump(&consumer, Duration::ZERO);
        if pipeline.eos.as_ref().is_some_and(eos::Eos::commit_due) {
            if let Err(e) = pipeline.commit_transaction(&consumer, || {}) {
                pipeline.set_fatal(e);
            }
        }
        if producer_checked.elapsed() >= FATAL_CHECK {
            producer_checked = Instant::now();
            pipeline.check_producer();
        }
        if let Some(e) = pipeline.take_fatal() {
            return Err(abandon(pipeline, consumer, e));
        }
        if pipeline.failing().is_some() {
            break;
        }
    }
    pipeline.status.stopping.store(true, Ordering::Relaxed);
    tracing::info!("stopping: no more fetching, finishing in-flight records");
    pipeline.wind_down(&consumer, None, "shutdown");
    if let Some(e) = pipeline.take_fatal() {
        return Err(abandon(pipeline, consumer, e));
    }
    if !pipeline.status.consumer_unreachable.load(Ordering::Relaxed) {
        // Dropping the consumer leaves the group (its revoke callback finds nothing left to do).
        tracing::info!("closing consumer");
        drop(consumer);
        tracing::info!("consumer closed");
    } else {
        // Closing waits for the group coordinator, which is unreachable: the process is about to
        // exit anyway, and the broker expires this member after the session timeout.
        tracing::warn!("kafka unreachable: exiting without leaving the group");
        std::mem::forget(consumer);
    }
    match pipeline.failing() {
        Some(why) => Err(ConsumeError::Failed(why)),
        None => Ok(()),
    }
}

/// After a failed transaction: drop all work (nothing of it is committed) and leave the group.
fn abandon(pipeline: Arc<Pipeline>, consumer: InputConsumer, error: String) -> ConsumeError {
    pipeline.status.stopping.store(true, Ordering::Relaxed);
    pipeline.forget(None);
    drop(consumer);
    ConsumeError::Transaction(error)
}

pub(super) fn set_paused(consumer: &InputConsumer, id: &PartitionId, pause: bool) {
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition(&id.topic, id.partition);
    let result = if pause {
        consumer.pause(&tpl)
    } else {
        consumer.resume(&tpl)
    };
    if let Err(e) = result {
        tracing::warn!(topic = %id.topic, partition = id.partition, pause, "cannot pause/resume partition: {e}");
    }
}

fn commit_sync(consumer: &InputConsumer) {
    tracing::debug!("committing offsets");
    match consumer.commit_consumer_state(CommitMode::Sync) {
        Ok(()) => tracing::info!("offsets committed"),
        Err(e) if e.rdkafka_error_code() == Some(RDKafkaErrorCode::NoOffset) => {}
        Err(e) => tracing::warn!("offset commit failed: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::config::Settings;

    #[test]
    fn progress_reports_a_stall_only_while_records_are_in_flight() {
        let p = Progress::default();
        let timeout = Duration::from_millis(50);
        assert_eq!(p.stalled(timeout), None, "idle is not stalled");
        p.set_inflight(3);
        assert_eq!(p.stalled(timeout), None, "just became busy");
        std::thread::sleep(Duration::from_millis(80));
        assert!(p.stalled(timeout).is_some(), "busy and nothing finished");
        p.finished();
        assert_eq!(p.stalled(timeout), None, "a record finished");
        std::thread::sleep(Duration::from_millis(80));
        p.set_inflight(0);
        assert_eq!(p.stalled(timeout), None, "drained");
        p.broken.store(true, Ordering::Relaxed);
        assert!(
            p.stalled(timeout).is_some(),
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

    fn wait_failing(p: &Pipeline) -> Option<String> {
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
        let why = wait_failing(&p).unwrap_or_default();
        assert!(
            why.contains("publisher task of articles partition 4 panicked: header copy failed"),
            "{why}"
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
        let why = wait_failing(&p).unwrap_or_default();
        assert!(
            why.contains("ended while its partition is assigned"),
            "{why}"
        );
        rt.block_on(p.close(Duration::from_secs(1)));
    }
}
