//! The whole worker in-process, through the library (`newsenrich::service::app::run` with a
//! shutdown token of the test's), against the real local broker: articles in, enriched documents
//! out, and cancelling the token stops it cleanly with the group's offsets committed to the end.
//! Run twice in one process, which also shows that `run` leaves no process-wide state behind (metrics
//! registry, panic hook, signal handlers, log subscriber) that would stop a second run.
//! Needs `scripts/kafka start` (scripts/test does it).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::articles::{good_batch, ids};
use common::worker::{free_port, http_get, DRAIN_TIMEOUT_MS, SESSION_TIMEOUT_MS};
use common::{
    consume_ids, consume_until, group_committed, high_watermarks, key_counts, produce, wait_for,
    Rec, Topics,
};
use newsenrich::service::app;
use newsenrich::service::config::Settings;
use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const SCHEMA: &str = "newsenrich.article.v1";

/// Settings for an in-process worker on the test's topics: from a file, with no environment (the
/// test process's own NEWSENRICH__ variables, if any, stay out of it).
fn settings(topics: &Topics, port: u16, dir: &std::path::Path) -> Settings {
    let models = common::worker::crate_dir().join("models");
    let toml = format!(
        "[kafka]\n\
         brokers = \"{brokers}\"\n\
         group_id = \"{group}\"\n\
         input_topic = \"{input}\"\n\
         output_topic = \"{output}\"\n\
         dlq_topic = \"{dlq}\"\n\
         session_timeout_ms = {SESSION_TIMEOUT_MS}\n\n\
         [kafka.consumer_extra]\n\
         \"auto.offset.reset\" = \"earliest\"\n\n\
         [worker]\n\
         threads = 2\n\
         drain_timeout_ms = {DRAIN_TIMEOUT_MS}\n\n\
         [http]\n\
         host = \"127.0.0.1\"\n\
         port = {port}\n\n\
         [enrich]\n\
         models_dir = \"{models}\"\n",
        brokers = common::bootstrap(),
        group = topics.group,
        input = topics.input,
        output = topics.output,
        dlq = topics.dlq,
        models = models.display(),
    );
    let path = dir.join("worker.toml");
    std::fs::write(&path, toml).expect("write the worker settings");
    Settings::load_from(Some(&path), std::iter::empty()).expect("valid worker settings")
}

/// One in-process run: starts `app::run` on `rt`, waits until every id of `want` is on the output
/// topic (the run must not end meanwhile), checks `/readyz`, cancels the token and asserts that
/// `run` returns `Ok` within the drain deadline. Returns everything on the output topic then.
fn run_until_out(
    rt: &tokio::runtime::Runtime,
    topics: &Topics,
    want: &[String],
    dir: &std::path::Path,
) -> Vec<Rec> {
    let port = free_port();
    let shutdown = CancellationToken::new();
    let run = rt.spawn(app::run(settings(topics, port, dir), shutdown.clone()));

    consume_ids(&topics.output, want, Duration::from_secs(180), || {
        assert!(
            !run.is_finished(),
            "app::run returned before its shutdown token was cancelled"
        );
    });
    // Readiness follows librdkafka's statistics, which may lag the first records by a second.
    wait_for(Duration::from_secs(30), "/readyz 200 while running", || {
        assert!(!run.is_finished(), "app::run returned before cancel");
        http_get(port, "/readyz").and_then(|(status, _, _)| (status == 200).then_some(()))
    });

    let drain = Duration::from_millis(DRAIN_TIMEOUT_MS);
    let cancelled = Instant::now();
    shutdown.cancel();
    let ended = rt.block_on(async { tokio::time::timeout(drain, run).await });
    let took = cancelled.elapsed();
    match ended {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(e))) => panic!("app::run failed after cancel: {e:#}"),
        Ok(Err(e)) => panic!("app::run panicked: {e}"),
        Err(_) => panic!("app::run did not return within the drain deadline ({drain:?})"),
    }
    eprintln!("app::run returned Ok {} ms after cancel", took.as_millis());
    assert!(
        http_get(port, "/readyz").is_none(),
        "the HTTP server stops with the run"
    );
    // Everything the run wrote, duplicates included (nothing is written after it returned).
    let total: i64 = high_watermarks(&topics.output).values().sum();
    consume_until(
        &topics.output,
        Duration::from_secs(60),
        &format!("all {total} output records"),
        |recs| recs.len() as i64 >= total,
    )
}

/// Every input partition committed up to its end offset by the worker's group.
fn assert_committed_to_end(topics: &Topics) {
    let ends = high_watermarks(&topics.input);
    let parts: Vec<i32> = ends.keys().copied().collect();
    let committed = group_committed(&topics.group, &topics.input, &parts);
    // A partition nothing was written to has nothing to commit.
    let expected: BTreeMap<i32, i64> = ends.into_iter().filter(|(_, end)| *end > 0).collect();
    let got: BTreeMap<i32, i64> = committed
        .into_iter()
        .filter(|(p, _)| expected.contains_key(p))
        .collect();
    assert_eq!(
        got, expected,
        "the group's committed offsets on the input must be its end offsets once run returned"
    );
}

#[test]
fn in_process_worker_enriches_and_stops_on_cancel_with_offsets_committed() {
    let topics = Topics::create("in-process", 3);
    let dir = tempfile::tempdir().expect("temp dir");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");

    // First run: 20 articles.
    let first = produce(&topics.input, good_batch("inproc", 0, 20));
    let first_ids = ids(&first);
    let out = run_until_out(&rt, &topics, &first_ids, dir.path());
    let wanted: HashSet<String> = first_ids.iter().cloned().collect();
    let keys: HashSet<String> = out.iter().filter_map(Rec::key_str).collect();
    assert_eq!(keys, wanted, "the output ids are the input ids");
    assert_eq!(
        out.len(),
        20,
        "one document per article: {:?}",
        key_counts(&out)
    );
    for doc in &out {
        let key = doc.key_str().unwrap();
        let v = doc.json();
        assert_eq!(v["schema"], SCHEMA, "schema of {key}");
        assert_eq!(v["id"], key.as_str(), "the document id is its key");
        let entities = v["entities"].as_array().map_or(0, Vec::len);
        assert!(entities > 0, "{key} was not enriched: {v}");
        assert_eq!(
            v["processing"]["source"]["topic"],
            topics.input.as_str(),
            "{key}: processing.source.topic"
        );
    }
    assert_committed_to_end(&topics);

    // Second run in the same process and group: takes up where the first committed.
    let second = produce(&topics.input, good_batch("inproc", 20, 5));
    let mut all_ids = first_ids.clone();
    all_ids.extend(ids(&second));
    let out = run_until_out(&rt, &topics, &all_ids, dir.path());
    let counts = key_counts(&out);
    for id in &all_ids {
        assert_eq!(
            counts.get(id),
            Some(&1),
            "{id}: the second run neither misses nor redoes what the first committed"
        );
    }
    assert_committed_to_end(&topics);
}
