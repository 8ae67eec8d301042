//! Intake, on the consumer thread: the poll loop ([`consume`]), admitting records into the
//! pipeline with backpressure, storing finished offsets, rebalances and the drain on the way out.

use super::*;

impl Pipeline {
    /// Takes one fetched record into the pipeline. When the pipeline is full overall, holds the
    /// record and pauses every partition; the poll loop goes on (rebalances, commits). When only
    /// its partition is full, waits briefly, then holds the record and pauses that partition so a
    /// stuck partition does not stall the others.
    pub(super) fn admit(
        self: &Arc<Self>,
        consumer: &InputConsumer,
        msg: OwnedMessage,
        stop: &CancellationToken,
    ) {
        let id = PartitionId::new(msg.topic(), msg.partition());
        let started = Instant::now();
        if let Some(ts) = msg.timestamp().to_millis().filter(|t| *t > 0) {
            let fetch_ms = crate::service::health::now_ms().saturating_sub(ts as u64);
            self.metrics.stages.fetch.observe(fetch_ms as f64 / 1000.0);
        }
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
                    self.start(part, total, msg, started);
                    return;
                }
                if global_full {
                    part.held.push_back((msg, started));
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
                    part.held.push_back((msg, started));
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

    /// Starts processing `msg` (polled at `polled`).
    pub(super) fn start(
        self: &Arc<Self>,
        part: &mut Part,
        total: &mut usize,
        msg: OwnedMessage,
        polled: Instant,
    ) {
        let started = Instant::now();
        self.metrics
            .stages
            .admit
            .observe((started - polled).as_secs_f64());
        part.offsets.begin(msg.offset());
        *total += 1;
        self.metrics.inflight.set(*total as i64);
        self.progress.set_inflight(*total);
        self.metrics.records_consumed.inc();
        let msg = Arc::new(msg);
        let result = match self.eos.as_ref().and_then(|e| e.redo_as_dead(&msg)) {
            // Refused by the broker in an aborted transaction: this time it is a dead letter (cut
            // shorter when the dead letter itself was refused as too large).
            Some(redo) => {
                let (tx, rx) = oneshot::channel();
                let _ = tx.send(self.redo_dead_letter(&msg, redo));
                rx
            }
            None => self.spawn_processing(msg.clone(), started),
        };
        // A closed channel means the partition is being dropped; its record will be redelivered.
        let _ = part.jobs.send(Job { msg, result });
    }

    /// Applies acknowledged completions (waiting up to `wait` for the first one): stores advanced
    /// offsets, releases held records, resumes partitions that drained.
    pub(super) fn pump(self: &Arc<Self>, consumer: &InputConsumer, wait: Duration) {
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
                self.metrics
                    .stages
                    .store
                    .observe(done.acked.elapsed().as_secs_f64());
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
                    if let Some((msg, polled)) = part.held.pop_front() {
                        self.start(part, total, msg, polled);
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
    pub(super) fn drain(
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
    pub(super) fn forget(&self, only: Option<&HashSet<PartitionId>>) {
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
    pub(super) fn wind_down(
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
    /// The inner errors are in the text, not also `source()`s, so `{:#}` prints each once.
    #[error("cannot subscribe: {0}")]
    Subscribe(rdkafka::error::KafkaError),
    /// Exactly-once mode: the group resumes from the last committed transaction after a restart.
    #[error("transaction failed, exiting so the group resumes from the last commit: {0}")]
    Transaction(EosError),
    /// A partition task died or the producer failed fatally; in-flight work was drained.
    #[error("pipeline failed, exiting so the worker is restarted: {0}")]
    Failed(PipelineError),
}

/// The consumer thread's body: subscribe, poll until `stop`, then drain, commit and close.
pub fn consume(
    pipeline: Arc<Pipeline>,
    consumer: InputConsumer,
    input_topic: &str,
    stop: CancellationToken,
) -> Result<(), ConsumeError> {
    consumer
        .subscribe(&[input_topic])
        .map_err(ConsumeError::Subscribe)?;
    tracing::info!(topic = input_topic, "worker started");
    let errors = RateLimit::new(Duration::from_secs(10));
    let mut producer_checked = Instant::now();
    while !stop.is_cancelled() {
        pipeline.status.touch();
        // With every partition paused nothing can arrive but callbacks, and only completions free
        // room: wait on those (woken at once by the first) rather than sleeping in poll.
        let timeout = if pipeline.lock().global_paused {
            pipeline.pump(&consumer, POLL_INTERVAL);
            Duration::ZERO
        } else {
            POLL_INTERVAL
        };
        match consumer.poll(timeout) {
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
pub(super) fn abandon(
    pipeline: Arc<Pipeline>,
    consumer: InputConsumer,
    error: EosError,
) -> ConsumeError {
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

pub(super) fn commit_sync(consumer: &InputConsumer) {
    tracing::debug!("committing offsets");
    match consumer.commit_consumer_state(CommitMode::Sync) {
        Ok(()) => tracing::info!("offsets committed"),
        Err(e) if e.rdkafka_error_code() == Some(RDKafkaErrorCode::NoOffset) => {}
        Err(e) => tracing::warn!("offset commit failed: {e}"),
    }
}
