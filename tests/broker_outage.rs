//! A broker that goes away while the worker runs, then comes back: the worker stays up, reports not
//! ready, keeps retrying, and carries on afterwards with nothing lost. The outage outlasts the
//! group session, so the worker also loses its partitions on the way and must rejoin the group. This test runs its own
//! throw-away broker (scripts/kafka on a free port) so the shared one is never disturbed.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::broker::Broker;

use common::articles::{good_batch, ids};
use common::worker::SESSION_TIMEOUT_MS;
use common::{consume_ids_on, produce_on, wait_for, Topics, Worker, WorkerOptions};
use std::net::TcpListener;
use std::time::{Duration, Instant};

fn ready_status(w: &mut Worker) -> Option<u16> {
    w.get("/readyz").map(|(s, _, _)| s)
}

/// Waits until `/readyz` answers `status`, the worker staying alive meanwhile.
fn wait_readyz(w: &mut Worker, status: u16, limit: Duration, when: &str) {
    let t0 = Instant::now();
    wait_for(limit, &format!("/readyz {status} {when}"), || {
        w.assert_alive();
        (ready_status(w) == Some(status)).then_some(())
    });
    eprintln!("/readyz {status} {:?} {when}", t0.elapsed());
}

#[test]
fn broker_outage_mid_run_is_survived_and_nothing_is_lost() {
    let broker = Broker::start_new();
    let bs = broker.bootstrap();
    let topics = Topics::create_on(&bs, "outage", 3);
    let mut opts = WorkerOptions::new(&topics);
    opts.brokers = Some(bs.clone());
    let mut w = Worker::start("w", &opts);
    w.wait_ready();

    let mut sent = produce_on(&bs, &topics.input, good_batch("o", 0, 100));
    consume_ids_on(
        &bs,
        &topics.output,
        &ids(&sent),
        Duration::from_secs(120),
        || w.assert_alive(),
    );

    broker.kafka("stop");
    wait_readyz(
        &mut w,
        503,
        Duration::from_secs(60),
        "after the broker went away",
    );
    // The outage outlasts the session timeout: the worker must neither exit nor fail liveness, and
    // its partitions are taken away (no commit is tried while Kafka is unreachable).
    let until = Instant::now() + Duration::from_millis(SESSION_TIMEOUT_MS) + Duration::from_secs(3);
    while Instant::now() < until {
        w.assert_alive();
        std::thread::sleep(Duration::from_millis(500));
    }
    let (status, _, body) = w
        .get("/healthz")
        .expect("/healthz answers during the outage");
    assert_eq!(status, 200, "/healthz during a broker outage: {body}");

    broker.kafka("start");
    wait_readyz(
        &mut w,
        200,
        Duration::from_secs(90),
        "after the broker came back",
    );

    let n = sent.len();
    sent.extend(produce_on(&bs, &topics.input, good_batch("o", n, 100)));
    consume_ids_on(
        &bs,
        &topics.output,
        &ids(&sent),
        Duration::from_secs(120),
        || w.assert_alive(),
    );
    let log = w.log();
    let count = |needle: &str| log.lines().filter(|l| l.contains(needle)).count();
    assert!(
        count("partitions revoked") >= 1 && count("partitions assigned") >= 2,
        "the worker should lose its partitions during the outage and get them back after it \
         (worker log below)"
    );
    let warnings = log
        .lines()
        .filter(|l| l.contains("WARN") || l.contains("ERROR"))
        .count();
    eprintln!("worker logged {warnings} warning/error lines during the outage");
    assert!(
        warnings > 0,
        "the outage should be visible in the worker's log"
    );
}

/// A worker whose output is unreachable (its producer points at a closed port) while its input is
/// fine: it fills up (`max_inflight` = 2) and stays full. It must keep polling: a second member that
/// joins the group gets partitions within seconds and publishes them, and the full worker rejoins
/// (is assigned again) instead of blocking the rebalance until it is evicted. Its /healthz turns 503
/// once nothing has finished for `stall_timeout_ms`.
#[test]
fn full_worker_with_unreachable_output_keeps_serving_rebalances_and_reports_the_stall() {
    let topics = Topics::create("full-rebalance", 4);
    common::produce(&topics.input, good_batch("fr", 0, 200));
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").expect("a free port");
        l.local_addr().expect("port").port()
    };
    let stuck_opts = WorkerOptions::new(&topics)
        .env("NEWSENRICH__WORKER__MAX_INFLIGHT", "2")
        .env("NEWSENRICH__WORKER__MAX_INFLIGHT_PER_PARTITION", "2")
        .env("NEWSENRICH__WORKER__STALL_TIMEOUT_MS", "4000")
        .env(
            "NEWSENRICH__KAFKA__PRODUCER_EXTRA__BOOTSTRAP__SERVERS",
            &format!("127.0.0.1:{closed}"),
        );
    let mut stuck = Worker::start("stuck", &stuck_opts);
    wait_for(
        Duration::from_secs(60),
        "[stuck] full (2 in flight)",
        || {
            stuck.assert_alive();
            (stuck.metric(newsenrich::service::metrics::INFLIGHT_RECORDS) >= 2.0).then_some(())
        },
    );
    let health = wait_for(
        Duration::from_secs(20),
        "[stuck] /healthz 503 after the stall timeout",
        || match stuck.get("/healthz") {
            Some((503, _, body)) => Some(body),
            _ => None,
        },
    );
    assert!(
        health.contains("none finished"),
        "/healthz says why: {health}"
    );

    let joined = Instant::now();
    let mut helper = Worker::start("helper", &WorkerOptions::new(&topics));
    // Without polling the full member would hold the rebalance until max.poll.interval.ms (5 min).
    helper.wait_produced(1.0, Duration::from_secs(60));
    eprintln!("helper published after {:?}", joined.elapsed());
    wait_for(
        Duration::from_secs(30),
        "[stuck] assigned partitions again after the rebalance",
        || (stuck.log().matches("partitions assigned").count() >= 2).then_some(()),
    );
    stuck.assert_alive();
    assert_eq!(
        stuck.metric(newsenrich::service::metrics::RECORDS_PRODUCED_TOTAL),
        0.0,
        "the stuck worker's output is unreachable"
    );
}
