//! The worker under faults on the real local broker: killed, stopped, scaled, and started without a
//! broker. At-least-once means no article may go missing; duplicates are allowed and reported.
//! Needs `scripts/kafka start` (scripts/test does it).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::articles::{good_batch, ids};
use common::worker::{free_port, DRAIN_TIMEOUT_MS};
use common::{consume_ids, key_counts, produce, wait_for, Topics, Worker, WorkerOptions};
use newsenrich::service::metrics;
use std::time::{Duration, Instant};

/// Longest a SIGTERM'd worker may take to exit: the contract's hard cap is twice the drain
/// deadline, plus a margin for process teardown on a busy 2-core machine.
const EXIT_LIMIT: Duration = Duration::from_millis(2 * DRAIN_TIMEOUT_MS + 4000);

fn report_duplicates(test: &str, out: &[common::Rec], total: usize) -> usize {
    let dups: usize = key_counts(out).values().map(|c| c - 1).sum();
    eprintln!(
        "{test}: {} output records for {total} ids, {dups} duplicates",
        out.len()
    );
    dups
}

/// Asserts the process ended by itself with exit code 0 within EXIT_LIMIT of `since`; returns
/// how long it took.
fn assert_clean_exit(w: &mut Worker, since: Instant) -> Duration {
    let st = w.wait_exit(EXIT_LIMIT);
    let took = since.elapsed();
    let Some(st) = st else {
        panic!(
            "[{}] still running {took:?} after SIGTERM (limit {EXIT_LIMIT:?})",
            w.name
        );
    };
    eprintln!("[{}] exited {st} {took:?} after SIGTERM", w.name);
    assert_eq!(
        st.code(),
        Some(0),
        "[{}] exit status after SIGTERM: {st}",
        w.name
    );
    assert!(
        w.log().contains("worker stopped"),
        "[{}] no \"worker stopped\" log line",
        w.name
    );
    took
}

/// After a shutdown that finished within the drain deadline nothing was abandoned: every record
/// whose output was acknowledged had its offset committed on the way out, so a successor must not
/// redo any of them. (A shutdown that hit the deadline may leave duplicates; that is allowed.)
fn assert_no_redo_after_clean_stop(took: Duration, dups: usize, what: &str) {
    if took < Duration::from_millis(DRAIN_TIMEOUT_MS) {
        assert_eq!(
            dups, 0,
            "{what}: the stopped worker drained in {took:?} (< drain deadline) yet {dups} records \
             were processed twice: offsets were not committed on shutdown"
        );
    }
}

/// Sends `N` records, lets a first worker publish some, stops it with `stop` (given the worker
/// and how many documents it had published), then starts a second worker in the same group and
/// waits until every id is in the output. Returns the duplicate count and what `stop` returned.
fn stop_mid_stream_then_restart<T>(
    test: &str,
    stop: impl FnOnce(&mut Worker, f64) -> T,
) -> (usize, T) {
    const N: usize = 1500;
    let topics = Topics::create(test, 3);
    let sent = produce(&topics.input, good_batch(test, 0, N));
    let opts = WorkerOptions::new(&topics);

    let mut w1 = Worker::start("w1", &opts);
    let before = w1.wait_produced(50.0, Duration::from_secs(120));
    eprintln!("{test}: stopping w1 after {before} of {N} documents");
    let stopped = stop(&mut w1, before);

    let mut w2 = Worker::start("w2", &opts);
    let out = consume_ids(
        &topics.output,
        &ids(&sent),
        Duration::from_secs(180),
        || w2.assert_alive(),
    );
    w2.assert_alive();
    (report_duplicates(test, &out, N), stopped)
}

#[test]
fn sigkill_mid_stream_then_restart_loses_nothing() {
    stop_mid_stream_then_restart("kill9", |w1, before| {
        w1.sigkill();
        if before >= 1500.0 {
            eprintln!("warning: w1 finished before the kill; the restart had nothing to redo");
        }
    });
}

#[test]
fn sigterm_mid_stream_exits_zero_and_restart_loses_nothing() {
    let (dups, took) = stop_mid_stream_then_restart("term", |w1, _| {
        let t0 = Instant::now();
        w1.sigterm();
        assert_clean_exit(w1, t0)
    });
    assert_no_redo_after_clean_stop(took, dups, "sigterm");
}

#[test]
fn two_workers_share_partitions_and_one_leaving_loses_nothing() {
    let topics = Topics::create("group", 4);
    let opts = WorkerOptions::new(&topics);
    let mut a = Worker::start("a", &opts);
    let mut b = Worker::start("b", &opts);
    a.wait_ready();
    b.wait_ready();

    // Keep records coming until both members have consumed some: the group needs a heartbeat or
    // two to hand the second member its share, and a burst sent before that goes to the first only.
    let mut sent = produce(&topics.input, good_batch("s", 0, 200));
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let (ca, cb) = (
            a.metric(metrics::RECORDS_CONSUMED_TOTAL),
            b.metric(metrics::RECORDS_CONSUMED_TOTAL),
        );
        if ca > 0.0 && cb > 0.0 {
            eprintln!("both members consume: a={ca} b={cb}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "after 90s one group member still consumed nothing (a={ca} b={cb}): partitions not shared"
        );
        let n = sent.len();
        sent.extend(produce(&topics.input, good_batch("s", n, 40)));
        std::thread::sleep(Duration::from_millis(500));
    }

    let t0 = Instant::now();
    a.sigterm();
    let took = assert_clean_exit(&mut a, t0);
    // Everything sent after `a` left must be handled by `b` alone.
    let n = sent.len();
    sent.extend(produce(&topics.input, good_batch("s", n, 300)));

    let out = consume_ids(
        &topics.output,
        &ids(&sent),
        Duration::from_secs(180),
        || b.assert_alive(),
    );
    b.assert_alive();
    let dups = report_duplicates("two workers", &out, sent.len());
    assert_no_redo_after_clean_stop(took, dups, "two workers");
}

#[test]
fn broker_down_at_start_stays_up_and_not_ready() {
    // No broker listens on this port; the topics need not exist.
    let port = free_port();
    let topics = Topics::names("nobroker", 1);
    let mut opts = WorkerOptions::new(&topics);
    opts.brokers = Some(format!("127.0.0.1:{port}"));
    let mut w = Worker::start("w", &opts);

    let (status, _, _) = wait_for(Duration::from_secs(60), "/readyz to answer", || {
        w.assert_alive();
        w.get("/readyz")
    });
    assert_eq!(status, 503, "/readyz without a broker");
    // Watch it for a while: no crash, no exit, never ready.
    let until = Instant::now() + Duration::from_secs(8);
    while Instant::now() < until {
        w.assert_alive();
        if let Some((s, _, body)) = w.get("/readyz") {
            assert_eq!(s, 503, "/readyz became {s} without a broker: {body}");
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    // Liveness must not fail during an outage, or an orchestrator would restart it in a loop.
    let (status, _, body) = w.get("/healthz").expect("/healthz answers");
    assert_eq!(status, 200, "/healthz during a broker outage: {body}");
    let log = w.log();
    assert!(
        log.contains(&port.to_string()),
        "the log should name the unreachable broker 127.0.0.1:{port}; log:\n{log}"
    );
    w.sigterm();
    // Shutdown must not hang on a broker that never answered (exit code is not the point here).
    let st = w.wait_exit(EXIT_LIMIT);
    assert!(
        st.is_some(),
        "still running {EXIT_LIMIT:?} after SIGTERM without a broker"
    );
    eprintln!("SIGTERM without a broker: {st:?}");
}
