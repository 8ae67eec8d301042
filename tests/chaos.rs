//! Chaos, bounded: two or three worker processes in one group on a 6-partition input topic under a
//! steady feed, while a fixed schedule SIGKILLs and restarts workers, removes and adds members, and
//! once restarts the broker. At the end every id is on the output or in the DLQ; duplicates are
//! counted (allowed in at-least-once, none for a read_committed reader in exactly-once). A worker
//! must stay up through all of it, except the documented exactly-once exit when the broker outage
//! catches a transaction (it is restarted, as an orchestrator would).
//!
//! Runs its own throw-away broker (scripts/kafka on a free port pair), never the shared one. The
//! counts are printed; see them with `cargo test --test chaos -- --nocapture --test-threads=1`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::broker::Broker;

use common::articles::good_batch;
use common::{key_counts, produce_on, unique, Rec, Topics, Worker, WorkerOptions};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// Records fed over the run.
const IDS: usize = 3000;
const FEED_BATCH: usize = 100;
const FEED_EVERY: Duration = Duration::from_millis(1500);
/// Time between two chaos actions.
const STEP: Duration = Duration::from_secs(4);
/// Bound on waiting for the last ids once the chaos is over.
const SETTLE: Duration = Duration::from_secs(90);

#[derive(Debug, Clone, Copy)]
enum Action {
    /// SIGKILL the worker in the slot and start a new one there.
    Crash(usize),
    /// SIGTERM the worker in the slot (a member leaves); it must exit 0.
    Leave(usize),
    /// Start a worker in the empty slot (a member joins).
    Join(usize),
    RestartBroker,
}

const SCHEDULE: [Action; 11] = [
    Action::Join(2),
    Action::Crash(0),
    Action::Leave(1),
    Action::Crash(2),
    Action::RestartBroker,
    Action::Join(1),
    Action::Crash(0),
    Action::Crash(1),
    Action::Leave(2),
    Action::Join(2),
    Action::Crash(2),
];

/// True while `w` runs. In exactly-once mode, once the broker has been restarted, a worker may
/// have exited 1 as documented (README, "Delivery"): a transaction the broker could not take within
/// the drain deadline is aborted and the worker exits for its orchestrator to restart it, the group
/// resuming from the last commit. Then false (the caller restarts it, as Kubernetes would). Any
/// other exit panics with the log.
fn alive_or_documented_exit(w: &mut Worker, exactly_once: bool, broker_restarted: bool) -> bool {
    let Some(status) = w.try_exit() else {
        return true;
    };
    let log = w.log();
    let documented = exactly_once
        && broker_restarted
        && status.code() == Some(1)
        && log.contains("transaction failed, exiting so the group resumes from the last commit");
    assert!(
        documented,
        "[{}] worker exited unexpectedly ({status}); log:\n{log}",
        w.name
    );
    println!(
        "[{}] exited 1 after the broker outage, as documented; restarting it",
        w.name
    );
    false
}

/// Every output and DLQ record (read_committed, from the beginning) once the ids in `want` are all
/// there, or panics after `timeout`.
fn read_until_all(
    bootstrap: &str,
    topics: &Topics,
    want: &HashSet<String>,
    timeout: Duration,
) -> (Vec<Rec>, Vec<Rec>) {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", unique("chaos-reader"))
        .set("enable.auto.commit", "false")
        .set("isolation.level", "read_committed")
        .create()
        .expect("reader");
    let mut tpl = TopicPartitionList::new();
    for topic in [&topics.output, &topics.dlq] {
        let md = consumer
            .fetch_metadata(Some(topic), Duration::from_secs(10))
            .expect("metadata");
        for t in md.topics().iter().filter(|t| t.name() == topic.as_str()) {
            for p in t.partitions() {
                tpl.add_partition_offset(topic, p.id(), Offset::Beginning)
                    .expect("partition");
            }
        }
    }
    consumer.assign(&tpl).expect("assign");
    let (mut out, mut dlq) = (Vec::new(), Vec::new());
    let mut seen: HashSet<String> = HashSet::new();
    let deadline = Instant::now() + timeout;
    while seen.len() < want.len() {
        assert!(
            Instant::now() < deadline,
            "after {timeout:?}: {} of {} ids on the output or in the DLQ",
            seen.len(),
            want.len()
        );
        let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) else {
            continue;
        };
        let rec = Rec {
            key: m.key().map(<[u8]>::to_vec),
            value: m.payload().map(<[u8]>::to_vec).unwrap_or_default(),
            headers: Vec::new(),
            partition: m.partition(),
            offset: m.offset(),
        };
        if let Some(k) = rec.key_str().filter(|k| want.contains(k)) {
            seen.insert(k);
        }
        if m.topic() == topics.output {
            out.push(rec);
        } else {
            dlq.push(rec);
        }
    }
    // Whatever else is already there (late duplicates) for the count.
    let until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < until {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
            let rec = Rec {
                key: m.key().map(<[u8]>::to_vec),
                value: Vec::new(),
                headers: Vec::new(),
                partition: m.partition(),
                offset: m.offset(),
            };
            if m.topic() == topics.output {
                out.push(rec);
            } else {
                dlq.push(rec);
            }
        }
    }
    (out, dlq)
}

fn run_chaos(name: &str, exactly_once: bool) {
    let started = Instant::now();
    let broker = Broker::start_new();
    let bootstrap = broker.bootstrap();
    let topics = Topics::create_on(&bootstrap, name, 6);
    let mut opts = WorkerOptions::new(&topics);
    opts.brokers = Some(bootstrap.clone());
    if exactly_once {
        opts = opts.env("NEWSENRICH__KAFKA__DELIVERY", "exactly_once");
    }

    let feed_bootstrap = bootstrap.clone();
    let feed_topic = topics.input.clone();
    let feeder = std::thread::spawn(move || {
        let mut fed = 0;
        while fed < IDS {
            let n = FEED_BATCH.min(IDS - fed);
            produce_on(&feed_bootstrap, &feed_topic, good_batch("chaos", fed, n));
            fed += n;
            std::thread::sleep(FEED_EVERY);
        }
    });

    let mut restarts = 0;
    let mut starts = 0;
    let mut start = |slot: usize| {
        starts += 1;
        Worker::start(&format!("w{slot}-{starts}"), &opts)
    };
    let mut slots: Vec<Option<Worker>> = vec![Some(start(0)), Some(start(1)), None];
    let mut broker_restarted = false;
    for action in SCHEDULE {
        std::thread::sleep(STEP);
        println!(
            "[{:>5.1}s] chaos: {action:?}",
            started.elapsed().as_secs_f64()
        );
        match action {
            Action::Crash(i) => {
                if let Some(mut w) = slots[i].take() {
                    w.sigkill();
                }
                slots[i] = Some(start(i));
                restarts += 1;
            }
            Action::Leave(i) => {
                if let Some(mut w) = slots[i].take() {
                    w.sigterm();
                    let st = w.wait_exit(Duration::from_secs(20));
                    assert!(
                        st.is_some_and(|s| s.success()),
                        "[{}] SIGTERM amid chaos must exit 0, got {st:?}; log:\n{}",
                        w.name,
                        w.log()
                    );
                }
            }
            Action::Join(i) => {
                if slots[i].is_none() {
                    slots[i] = Some(start(i));
                }
            }
            Action::RestartBroker => {
                broker.kafka("stop");
                broker.kafka("start");
                broker_restarted = true;
            }
        }
        for (i, slot) in slots.iter_mut().enumerate() {
            if let Some(w) = slot {
                if !alive_or_documented_exit(w, exactly_once, broker_restarted) {
                    *slot = Some(start(i));
                    restarts += 1;
                }
            }
        }
    }
    feeder.join().expect("feeder");
    let fed_at = started.elapsed();

    let want: HashSet<String> = (0..IDS).map(|n| format!("chaos-{n}")).collect();
    let (out, dlq) = read_until_all(&bootstrap, &topics, &want, SETTLE);
    for slot in slots.iter_mut() {
        if slot
            .as_mut()
            .is_some_and(|w| !alive_or_documented_exit(w, exactly_once, true))
        {
            *slot = None;
        }
    }
    let out_counts = key_counts(&out);
    let dups: usize = out_counts.values().map(|c| c - 1).sum::<usize>()
        + key_counts(&dlq).values().map(|c| c - 1).sum::<usize>();
    println!(
        "chaos {name}: in={IDS} out={} (distinct {}) dlq={} duplicates={dups} restarts={restarts} \
         worker_starts={starts} broker_restarts=1 feed_done_at={:.0}s total={:.0}s",
        out.len(),
        out_counts.len(),
        dlq.len(),
        fed_at.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    if exactly_once {
        assert_eq!(
            dups, 0,
            "exactly-once: no duplicates for a read_committed reader"
        );
    }
    for w in slots.iter_mut().flatten() {
        w.sigterm();
    }
    for w in slots.iter_mut().flatten() {
        let st = w.wait_exit(Duration::from_secs(20));
        assert!(
            st.is_some_and(|s| s.success()),
            "[{}] final SIGTERM: {st:?}",
            w.name
        );
    }
}

#[test]
fn chaos_at_least_once_every_id_out_or_dead_lettered() {
    run_chaos("chaos-alo", false);
}

#[test]
fn chaos_exactly_once_every_id_once() {
    run_chaos("chaos-eos", true);
}
