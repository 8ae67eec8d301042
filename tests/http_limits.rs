//! The HTTP server's bounds, broker-free: the real router and connection loop (`http::serve`) on a
//! loopback port, attacked with plain TCP clients that send half a request head and stall.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use newsenrich::service::config::HttpSettings;
use newsenrich::service::health::Status;
use newsenrich::service::http::{self, HttpState};
use newsenrich::service::metrics::Metrics;
use newsenrich::service::worker::Progress;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// The server on its own runtime (2 threads, like a small pod); the test drives blocking clients.
struct Server {
    addr: SocketAddr,
    stop: CancellationToken,
    runtime: tokio::runtime::Runtime,
    task: tokio::task::JoinHandle<()>,
}

fn start(limits: HttpSettings) -> Server {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let status = Arc::new(Status::default());
    status.touch();
    let state = HttpState {
        metrics: Metrics::new().unwrap(),
        status,
        progress: Arc::new(Progress::default()),
        stall_timeout: Duration::from_secs(60),
    };
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = CancellationToken::new();
    let task = {
        let stop = stop.clone();
        runtime
            .spawn(async move { http::serve(listener, http::router(state), &limits, stop).await })
    };
    Server {
        addr,
        stop,
        runtime,
        task,
    }
}

impl Server {
    fn shutdown(self) {
        self.stop.cancel();
        self.runtime
            .block_on(async { tokio::time::timeout(Duration::from_secs(5), self.task).await })
            .expect("server did not stop")
            .unwrap();
    }
}

/// One request on a fresh connection; the status code and how long it took.
fn get(addr: SocketAddr, path: &str, extra_headers: &str) -> (u16, Duration) {
    let started = Instant::now();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: t\r\n{extra_headers}Connection: close\r\n\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)
        .expect("no complete response within 10 s");
    let text = String::from_utf8_lossy(&buf);
    let code = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {text:?}"));
    (code, started.elapsed())
}

/// A client that sends half a request head and then nothing.
fn slow_client(addr: SocketAddr) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        .unwrap();
    s
}

/// Waits until the server closes `s`; how long that took (from `since`), None if it stayed open
/// until `limit` after `since`.
fn closed_within(s: &mut TcpStream, since: Instant, limit: Duration) -> Option<Duration> {
    let mut buf = [0u8; 512];
    loop {
        let left = limit.checked_sub(since.elapsed())?;
        s.set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        match s.read(&mut buf) {
            Ok(0) => return Some(since.elapsed()),
            // A 408 or similar before the close is fine; keep reading until EOF.
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return None
            }
            Err(_) => return Some(since.elapsed()),
        }
    }
}

#[test]
fn healthz_answers_while_500_slow_header_clients_are_attached() {
    let server = start(HttpSettings {
        header_read_timeout_ms: 3_000,
        ..HttpSettings::default()
    });
    let attached = Instant::now();
    let mut slow = Vec::new();
    for _ in 0..500 {
        slow.push(slow_client(server.addr));
    }
    // Let the server accept them all.
    std::thread::sleep(Duration::from_millis(200));
    let mut worst = Duration::ZERO;
    for _ in 0..20 {
        let (code, took) = get(server.addr, "/healthz", "");
        assert_eq!(code, 200);
        worst = worst.max(took);
    }
    eprintln!("/healthz with 500 slow clients attached: worst of 20 = {worst:?}");
    // A sanity bound, not a benchmark: a server stuck behind the slow clients takes seconds.
    assert!(worst < Duration::from_secs(1), "{worst:?}");

    // Every slow client is dropped by the header-read timeout (3 s), not before.
    let mut first = None;
    let mut dropped = 0;
    for s in &mut slow {
        if let Some(at) = closed_within(s, attached, Duration::from_secs(10)) {
            dropped += 1;
            first.get_or_insert(at);
        }
    }
    let last = attached.elapsed();
    eprintln!("500 slow clients: first seen closed {first:?}, all by {last:?} after connecting");
    assert_eq!(dropped, 500);
    assert!(
        first.unwrap() >= Duration::from_millis(2_900),
        "closed too early: {first:?}"
    );
    server.shutdown();
}

#[test]
fn a_slow_header_client_is_disconnected_after_the_timeout() {
    let server = start(HttpSettings {
        header_read_timeout_ms: 500,
        ..HttpSettings::default()
    });
    let started = Instant::now();
    let mut s = slow_client(server.addr);
    let took = closed_within(&mut s, started, Duration::from_secs(5))
        .expect("slow client still connected after 5 s");
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_secs(3),
        "{took:?}"
    );
    // A kept-alive connection that goes idle is ended by the same timeout.
    let started = Instant::now();
    let mut idle = TcpStream::connect(server.addr).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let took = closed_within(&mut idle, started, Duration::from_secs(5))
        .expect("idle kept-alive connection still open after 5 s");
    assert!(took < Duration::from_secs(3), "{took:?}");
    server.shutdown();
}

#[test]
fn connections_over_the_limit_are_closed_and_service_resumes() {
    let server = start(HttpSettings {
        header_read_timeout_ms: 1_000,
        max_connections: 8,
        ..HttpSettings::default()
    });
    let mut slow = Vec::new();
    for _ in 0..8 {
        slow.push(slow_client(server.addr));
    }
    std::thread::sleep(Duration::from_millis(100));
    // The ninth is closed at once, without an answer.
    let mut ninth = TcpStream::connect(server.addr).unwrap();
    let _ = ninth.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
    ninth
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut buf = Vec::new();
    let read = ninth.read_to_end(&mut buf);
    assert!(
        matches!(read, Ok(0))
            || matches!(&read, Err(e) if e.kind() != std::io::ErrorKind::WouldBlock),
        "over the limit but not closed: {read:?} {:?}",
        String::from_utf8_lossy(&buf)
    );
    // Once the slow ones time out, /healthz is served again.
    std::thread::sleep(Duration::from_millis(1_500));
    assert_eq!(get(server.addr, "/healthz", "").0, 200);
    server.shutdown();
}

#[test]
fn oversized_heads_and_bodies_are_refused() {
    let server = start(HttpSettings::default());
    let big = format!("X-Big: {}\r\n", "a".repeat(40_000));
    assert_eq!(get(server.addr, "/healthz", &big).0, 431);
    assert_eq!(
        get(server.addr, "/healthz", "Content-Length: 1000000\r\n").0,
        413
    );
    assert_eq!(get(server.addr, "/healthz", "Content-Length: 0\r\n").0, 200);
    assert_eq!(get(server.addr, "/metrics", "").0, 200);
    server.shutdown();
}
