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
use rdkafka::message::Message;
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

    let meta = consumer
        .fetch_metadata(Some(&dlq), TIMEOUT)
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
    // Where to start and where to stop, per partition.
    let mut ends: BTreeMap<i32, i64> = BTreeMap::new();
    let mut assign = TopicPartitionList::new();
    let committed = if options.from_beginning {
        None
    } else {
        let mut tpl = TopicPartitionList::new();
        for &p in &partitions {
            tpl.add_partition(&dlq, p);
        }
        Some(
            consumer
                .committed_offsets(tpl, TIMEOUT)
                .context("reading the replay group's committed offsets")?,
        )
    };
    for &p in &partitions {
        let (low, high) = consumer
            .fetch_watermarks(&dlq, p, TIMEOUT)
            .with_context(|| format!("reading the offsets of {dlq}/{p}"))?;
        let start = committed
            .as_ref()
            .and_then(|c| c.find_partition(&dlq, p))
            .and_then(|e| match e.offset() {
                Offset::Offset(o) => Some(o.max(low)),
                _ => None,
            })
            .unwrap_or(low);
        if start < high {
            ends.insert(p, high);
            assign
                .add_partition_offset(&dlq, p, Offset::Offset(start))
                .context("setting a start offset")?;
        }
    }
    let mut summary = ReplaySummary::default();
    if ends.is_empty() {
        return Ok(summary);
    }
    consumer
        .assign(&assign)
        .context("assigning the DLQ partitions")?;
    let mut pending = Vec::new();
    // Nothing cancels a replay run; `enqueue` and `deliver` take a token for the worker's shutdown.
    let never = CancellationToken::new();
    let mut done: BTreeMap<i32, i64> = BTreeMap::new();
    let commit_batch = async |pending: &mut Vec<(OutRecord, DeliveryFuture)>,
                              done: &BTreeMap<i32, i64>| {
        settle(&consumer, &producer, pending, done, &dlq, options, &never).await
    };
    let limit_reached = |s: &ReplaySummary| options.limit.is_some_and(|l| s.total_replayed() >= l);
    let mut last_progress = Instant::now();
    while !ends.is_empty() && !limit_reached(&summary) {
        let msg = match consumer.poll(Duration::from_millis(500)) {
            None => {
                // Transaction markers (exactly-once workers write the DLQ in transactions) take
                // offsets but are never delivered: the position, not the last record, says a
                // partition is done.
                if let Ok(position) = consumer.position() {
                    ends.retain(|&p, &mut end| {
                        !matches!(
                            position.find_partition(&dlq, p).map(|e| e.offset()),
                            Some(Offset::Offset(o)) if o >= end
                        )
                    });
                }
                if !ends.is_empty() && last_progress.elapsed() > TIMEOUT {
                    bail!(
                        "no records from {dlq} for {}s with {} partitions unfinished (Kafka down, or a transaction still open?)",
                        TIMEOUT.as_secs(),
                        ends.len()
                    );
                }
                continue;
            }
            Some(Err(e)) => bail!("reading {dlq}: {e}"),
            Some(Ok(m)) => m,
        };
        last_progress = Instant::now();
        let (p, offset) = (msg.partition(), msg.offset());
        let headers = headers_of(&msg);
        let class = headers
            .iter()
            .find(|(k, _)| k == H_ERROR_CLASS.as_bytes())
            .and_then(|(_, v)| v.as_deref())
            .map_or_else(
                || "unknown".to_string(),
                |v| String::from_utf8_lossy(v).into_owned(),
            );
        let truncated = headers.iter().any(|(k, _)| k == H_TRUNCATED.as_bytes());
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
        } else if selected(options, &class) {
            *summary.replayed.entry(class).or_default() += 1;
            if !options.dry_run {
                let copy = OutRecord {
                    topic: settings.input_topic.clone(),
                    key: msg.key().map(<[u8]>::to_vec),
                    payload: msg.payload().map(<[u8]>::to_vec),
                    headers: without_dead_letter_headers(&headers),
                };
                let delivery = enqueue(&producer, &copy, &never)
                    .await
                    .map_err(|e| anyhow!("producing a replayed record: {e}"))?;
                pending.push((copy, delivery));
            }
        } else {
            *summary.skipped.entry(class).or_default() += 1;
        }
        done.insert(p, offset + 1);
        if ends.get(&p).is_some_and(|&end| offset + 1 >= end) {
            ends.remove(&p);
        }
        if pending.len() >= BATCH {
            commit_batch(&mut pending, &done).await?;
        }
    }
    commit_batch(&mut pending, &done).await?;
    Ok(summary)
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
