//! `newsenrich replay-dlq`: after the cause of some dead letters is fixed (a limit raised, a
//! producer corrected), puts them back on the input topic so the workers enrich them.
//!
//! - Reads the dead-letter topic up to the end it had when the command started (a record that fails
//!   again lands behind that end and is not replayed a second time in the same run).
//! - Progress is committed under its own consumer group (`<kafka.group_id>-dlq-replay`), only for
//!   records whose copy the broker acknowledged: a second run goes on where the first stopped,
//!   and a crash replays at most a batch twice (at-least-once, like the worker).
//! - The copy keeps the dead letter's key, value and headers, minus our `x-error*`/`x-src-*` ones.
//! - A dead letter that is a truncated copy (`x-truncated`, its original was too large for the
//!   dead-letter topic) is never replayed: counted as skipped under `truncated`.
//! - `--class` replays only some error classes; the records of other classes are passed over (the
//!   summary counts them) and `--from-beginning` reaches them again later.

use super::client::{client_config, Client};
use super::producer::{
    deliver, enqueue, headers_of, without_dead_letter_headers, OutRecord, H_ERROR_CLASS,
    H_TRUNCATED,
};
use crate::service::article::ErrorClass;
use crate::service::config::KafkaSettings;
use anyhow::{anyhow, bail, Context};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{BorrowedMessage, Message};
use rdkafka::producer::{DeliveryFuture, FutureProducer};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// What to replay.
#[derive(Debug, Clone, Default)]
pub struct ReplayOptions {
    /// Error classes to replay (`x-error-class`); empty means all.
    pub classes: Vec<ErrorClass>,
    /// Stop after this many replayed records.
    pub limit: Option<u64>,
    /// Count what would be replayed; produce and commit nothing.
    pub dry_run: bool,
    /// Start from the topic's first record instead of the replay group's committed position.
    pub from_beginning: bool,
}

/// What a run did, per error class.
#[derive(Debug, Default, PartialEq)]
pub struct ReplaySummary {
    pub replayed: BTreeMap<String, u64>,
    pub skipped: BTreeMap<String, u64>,
}

impl ReplaySummary {
    pub fn total_replayed(&self) -> u64 {
        self.replayed.values().sum()
    }

    pub fn total_skipped(&self) -> u64 {
        self.skipped.values().sum()
    }
}

/// True when a dead letter of `class` is to be replayed.
pub(crate) fn selected(options: &ReplayOptions, class: &str) -> bool {
    options.classes.is_empty() || options.classes.iter().any(|c| c.as_str() == class)
}

const TIMEOUT: Duration = Duration::from_secs(30);
/// Summary key for dead letters passed over because they are truncated copies.
pub(crate) const TRUNCATED_CLASS: &str = "truncated";
/// Records between two commits of the replay position.
const BATCH: usize = 500;

/// Replays the dead letters of `settings`' DLQ topic onto its input topic.
pub async fn replay(
    settings: &KafkaSettings,
    options: &ReplayOptions,
) -> anyhow::Result<ReplaySummary> {
    let dlq = settings.dlq_topic();
    let consumer: BaseConsumer = client_config(settings, Client::ReplayConsumer)
        .create()
        .context("creating the DLQ consumer")?;
    let producer: FutureProducer = client_config(settings, Client::ReplayProducer)
        .create()
        .context("creating the producer")?;

    let partitions = dlq_partitions(&consumer, &dlq)?;
    // Where to start and where to stop, per partition.
    let (ends, assign) = start_and_end(&consumer, &dlq, &partitions, options)?;
    if ends.is_empty() {
        return Ok(ReplaySummary::default());
    }
    consumer
        .assign(&assign)
        .context("assigning the DLQ partitions")?;
    let mut run = Run {
        settings,
        options,
        consumer: &consumer,
        producer: &producer,
        dlq: &dlq,
        ends,
        pending: Vec::new(),
        // Nothing cancels a replay run; `enqueue` and `deliver` take a token for the worker's
        // shutdown.
        never: CancellationToken::new(),
        done: BTreeMap::new(),
        summary: ReplaySummary::default(),
        last_progress: Instant::now(),
    };
    run.copy_all().await?;
    run.commit_batch().await?;
    Ok(run.summary)
}

/// The partitions of the dead-letter topic `dlq`; an error when it does not exist.
fn dlq_partitions(consumer: &BaseConsumer, dlq: &str) -> anyhow::Result<Vec<i32>> {
    let meta = consumer
        .fetch_metadata(Some(dlq), TIMEOUT)
        .with_context(|| format!("reading the metadata of {dlq}"))?;
    let partitions: Vec<i32> = meta
        .topics()
        .iter()
        .filter(|t| t.name() == dlq && t.error().is_none())
        .flat_map(|t| t.partitions().iter().map(|p| p.id()))
        .collect();
    if partitions.is_empty() {
        bail!("dead-letter topic {dlq} does not exist (or has no partitions)");
    }
    Ok(partitions)
}

/// Per partition with records left: where to stop (the end it has now) and, in the list to
/// assign, where to start (the replay group's committed position, or the first record).
fn start_and_end(
    consumer: &BaseConsumer,
    dlq: &str,
    partitions: &[i32],
    options: &ReplayOptions,
) -> anyhow::Result<(BTreeMap<i32, i64>, TopicPartitionList)> {
    let mut ends: BTreeMap<i32, i64> = BTreeMap::new();
    let mut assign = TopicPartitionList::new();
    let committed = if options.from_beginning {
        None
    } else {
        let mut tpl = TopicPartitionList::new();
        for &p in partitions {
            tpl.add_partition(dlq, p);
        }
        Some(
            consumer
                .committed_offsets(tpl, TIMEOUT)
                .context("reading the replay group's committed offsets")?,
        )
    };
    for &p in partitions {
        let (low, high) = consumer
            .fetch_watermarks(dlq, p, TIMEOUT)
            .with_context(|| format!("reading the offsets of {dlq}/{p}"))?;
        let start = committed
            .as_ref()
            .and_then(|c| c.find_partition(dlq, p))
            .and_then(|e| match e.offset() {
                Offset::Offset(o) => Some(o.max(low)),
                _ => None,
            })
            .unwrap_or(low);
        if start < high {
            ends.insert(p, high);
            assign
                .add_partition_offset(dlq, p, Offset::Offset(start))
                .context("setting a start offset")?;
        }
    }
    Ok((ends, assign))
}

/// One replay run once its partitions are assigned: what is left to read, what was sent, and
/// what is done.
struct Run<'a> {
    settings: &'a KafkaSettings,
    options: &'a ReplayOptions,
    consumer: &'a BaseConsumer,
    producer: &'a FutureProducer,
    dlq: &'a str,
    /// Partitions not read to their end yet, with that end.
    ends: BTreeMap<i32, i64>,
    /// Copies sent and not yet acknowledged.
    pending: Vec<(OutRecord, DeliveryFuture)>,
    never: CancellationToken,
    /// Per partition, the offset after the last record handled.
    done: BTreeMap<i32, i64>,
    summary: ReplaySummary,
    last_progress: Instant,
}

impl Run<'_> {
    /// Reads until every partition reached its end or the limit is reached, committing a batch
    /// at a time.
    async fn copy_all(&mut self) -> anyhow::Result<()> {
        while !self.ends.is_empty() && !self.limit_reached() {
            let consumer = self.consumer;
            let msg = match consumer.poll(Duration::from_millis(500)) {
                None => {
                    self.idle()?;
                    continue;
                }
                Some(Err(e)) => bail!("reading {}: {e}", self.dlq),
                Some(Ok(m)) => m,
            };
            self.last_progress = Instant::now();
            self.handle(&msg).await?;
            if self.pending.len() >= BATCH {
                self.commit_batch().await?;
            }
        }
        Ok(())
    }

    fn limit_reached(&self) -> bool {
        self.options
            .limit
            .is_some_and(|l| self.summary.total_replayed() >= l)
    }

    /// No record came: drops the partitions whose position reached their end, and gives up
    /// when nothing came for too long.
    fn idle(&mut self) -> anyhow::Result<()> {
        let dlq = self.dlq;
        // Transaction markers (exactly-once workers write the DLQ in transactions) take
        // offsets but are never delivered: the position, not the last record, says a
        // partition is done.
        if let Ok(position) = self.consumer.position() {
            self.ends.retain(|&p, &mut end| {
                !matches!(
                    position.find_partition(dlq, p).map(|e| e.offset()),
                    Some(Offset::Offset(o)) if o >= end
                )
            });
        }
        if !self.ends.is_empty() && self.last_progress.elapsed() > TIMEOUT {
            bail!(
                "no records from {dlq} for {}s with {} partitions unfinished (Kafka down, or a transaction still open?)",
                TIMEOUT.as_secs(),
                self.ends.len()
            );
        }
        Ok(())
    }

    /// One dead letter: skipped when truncated or of a class not selected, else copied to the
    /// input topic (unless a dry run); then counted as done.
    async fn handle(&mut self, msg: &BorrowedMessage<'_>) -> anyhow::Result<()> {
        let (p, offset) = (msg.partition(), msg.offset());
        let headers = headers_of(msg);
        let class = headers
            .iter()
            .find(|(k, _)| k == H_ERROR_CLASS.as_bytes())
            .and_then(|(_, v)| v.as_deref())
            .map_or_else(
                || "unknown".to_string(),
                |v| String::from_utf8_lossy(v).into_owned(),
            );
        let truncated = headers.iter().any(|(k, _)| k == H_TRUNCATED.as_bytes());
        let summary = &mut self.summary;
        if truncated {
            // Only a cut copy of the original survived: replaying it would enrich part of an
            // article as if it were the whole.
            tracing::warn!(
                partition = p,
                offset,
                class,
                "dead letter is a truncated copy (x-truncated), not replayed"
            );
            *summary
                .skipped
                .entry(TRUNCATED_CLASS.to_string())
                .or_default() += 1;
        } else if selected(self.options, &class) {
            *summary.replayed.entry(class).or_default() += 1;
            if !self.options.dry_run {
                let copy = OutRecord {
                    topic: self.settings.input_topic.clone(),
                    key: msg.key().map(<[u8]>::to_vec),
                    payload: msg.payload().map(<[u8]>::to_vec),
                    headers: without_dead_letter_headers(&headers),
                };
                let delivery = enqueue(self.producer, &copy, &self.never)
                    .await
                    .map_err(|e| anyhow!("producing a replayed record: {e}"))?;
                self.pending.push((copy, delivery));
            }
        } else {
            *summary.skipped.entry(class).or_default() += 1;
        }
        self.done.insert(p, offset + 1);
        if self.ends.get(&p).is_some_and(|&end| offset + 1 >= end) {
            self.ends.remove(&p);
        }
        Ok(())
    }

    /// Settles the copies sent so far and commits the position (see [`settle`]).
    async fn commit_batch(&mut self) -> anyhow::Result<()> {
        settle(
            self.consumer,
            self.producer,
            &mut self.pending,
            &self.done,
            self.dlq,
            self.options,
            &self.never,
        )
        .await
    }
}

/// Waits for the broker to acknowledge every copy sent so far, then commits the replay position.
/// A copy is sent again after a transient failure (at-least-once, like the worker); an error no
/// retry fixes ends the run before the position of its batch is committed.
async fn settle(
    consumer: &BaseConsumer,
    producer: &FutureProducer,
    pending: &mut Vec<(OutRecord, DeliveryFuture)>,
    done: &BTreeMap<i32, i64>,
    dlq: &str,
    options: &ReplayOptions,
    never: &CancellationToken,
) -> anyhow::Result<()> {
    for (copy, delivery) in pending.drain(..) {
        deliver(producer, &copy, delivery, true, never)
            .await
            .map_err(|e| anyhow!("producing a replayed record: {e}"))?;
    }
    if options.dry_run || done.is_empty() {
        return Ok(());
    }
    let mut tpl = TopicPartitionList::new();
    for (&p, &next) in done {
        tpl.add_partition_offset(dlq, p, Offset::Offset(next))
            .context("building the replay position")?;
    }
    consumer
        .commit(&tpl, rdkafka::consumer::CommitMode::Sync)
        .context("committing the replay position")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_filter() {
        let all = ReplayOptions::default();
        assert!(selected(&all, "invalid_json"));
        let some = ReplayOptions {
            classes: vec![ErrorClass::TextTooLong, ErrorClass::TooLarge],
            ..ReplayOptions::default()
        };
        assert!(selected(&some, "too_large"));
        assert!(!selected(&some, "invalid_json"));
    }

    #[test]
    fn an_unknown_class_name_is_an_error_that_lists_the_known_ones() {
        assert_eq!("too_large".parse::<ErrorClass>(), Ok(ErrorClass::TooLarge));
        for class in ErrorClass::ALL {
            assert_eq!(class.as_str().parse::<ErrorClass>(), Ok(class));
        }
        let err = "too-large".parse::<ErrorClass>().unwrap_err().to_string();
        assert!(err.contains("`too-large`"), "{err}");
        assert!(err.contains("text_too_long"), "{err}");
    }

    #[test]
    fn the_replay_group_is_not_the_workers() {
        let s = KafkaSettings::default();
        assert_eq!(s.replay_group(), "newsenrich-dlq-replay");
        assert_ne!(s.replay_group(), s.group_id);
    }
}
