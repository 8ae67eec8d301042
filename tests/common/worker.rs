//! A running `newsenrich run` process under test, and the plain HTTP client used on its port.
//! The guard kills the process on drop, so a failing test never leaves a worker behind.

use super::{bootstrap, metric_sum, wait_for, Topics};
use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Drain deadline the tests give workers (worker.drain_timeout_ms): short, so shutdown tests are fast.
pub const DRAIN_TIMEOUT_MS: u64 = 3000;

/// kafka.session_timeout_ms the tests give workers.
pub const SESSION_TIMEOUT_MS: u64 = 10000;

/// How long a worker may take from spawn to /readyz 200 (model loading, group join).
pub const READY_TIMEOUT: Duration = Duration::from_secs(90);

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    l.local_addr().expect("local addr").port()
}

/// `GET path` on 127.0.0.1:port with HTTP/1.0 (so the body is never chunked). Returns the status,
/// the raw header block and the body, or None when the port does not answer.
pub fn http_get(port: u16, path: &str) -> Option<(u16, String, String)> {
    let addr = format!("127.0.0.1:{port}");
    let sock = addr.parse().ok()?;
    let mut s = TcpStream::connect_timeout(&sock, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.set_write_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, head.to_string(), body.to_string()))
}

/// Settings for one worker. The test topics and group go in as env vars (the way deployments set
/// them); the rest in a TOML file passed with --config (the way a config file sets them).
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    pub topics: Topics,
    /// Overrides kafka.brokers (e.g. a port where no broker listens).
    pub brokers: Option<String>,
    /// Extra TOML appended to the generated config file.
    pub extra_toml: String,
    /// Extra env vars, e.g. ("NEWSENRICH__LIMITS__MAX_TEXT_CHARS", "2000").
    pub env: Vec<(String, String)>,
}

impl WorkerOptions {
    pub fn new(topics: &Topics) -> Self {
        WorkerOptions {
            topics: topics.clone(),
            brokers: None,
            extra_toml: String::new(),
            env: Vec::new(),
        }
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }
}

pub struct Worker {
    pub name: String,
    pub port: u16,
    child: Option<Child>,
    pub status: Option<ExitStatus>,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

pub fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A `newsenrich` command with a clean environment: no NEWSENRICH__ or RUST_LOG leaking in from the
/// developer's shell, models from the crate's models/ directory, cwd = crate root (the contract).
pub fn newsenrich_command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_newsenrich"));
    for (k, _) in std::env::vars_os() {
        if let Some(k) = k.to_str() {
            if k.starts_with("NEWSENRICH__") || k == "RUST_LOG" {
                cmd.env_remove(k);
            }
        }
    }
    cmd.current_dir(crate_dir())
        .env(
            "NEWSENRICH__ENRICH__MODELS_DIR",
            crate_dir().join("models").as_os_str(),
        )
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    cmd
}

impl Worker {
    pub fn start(name: &str, opts: &WorkerOptions) -> Worker {
        let dir = tempfile::tempdir().expect("temp dir for the worker");
        let port = free_port();
        let config = dir.path().join("worker.toml");
        // auto.offset.reset=earliest: tests produce before the group exists, and a new group must
        // not skip what is already in the topic.
        let toml = format!(
            "[kafka.consumer_extra]\n\"auto.offset.reset\" = \"earliest\"\n\n\
             [worker]\ndrain_timeout_ms = {DRAIN_TIMEOUT_MS}\n\n\
             [http]\nhost = \"127.0.0.1\"\n\n{}\n",
            opts.extra_toml
        );
        std::fs::write(&config, toml).expect("write worker config");
        let log = dir.path().join("worker.log");
        let out = File::create(&log).expect("worker log file");
        let err = out.try_clone().expect("worker log file");
        let t = &opts.topics;
        let mut cmd = newsenrich_command();
        cmd.arg("run")
            .arg("--config")
            .arg(&config)
            .env(
                "NEWSENRICH__KAFKA__BROKERS",
                opts.brokers.clone().unwrap_or_else(bootstrap),
            )
            .env("NEWSENRICH__KAFKA__GROUP_ID", &t.group)
            .env("NEWSENRICH__KAFKA__INPUT_TOPIC", &t.input)
            .env("NEWSENRICH__KAFKA__OUTPUT_TOPIC", &t.output)
            .env("NEWSENRICH__KAFKA__DLQ_TOPIC", &t.dlq)
            .env("NEWSENRICH__HTTP__PORT", port.to_string())
            // A SIGKILLed member holds its partitions until its session times out; 10 s instead
            // of 45 s keeps the crash tests short (still > the drain deadline, as validated).
            .env(
                "NEWSENRICH__KAFKA__SESSION_TIMEOUT_MS",
                SESSION_TIMEOUT_MS.to_string(),
            )
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err));
        for (k, v) in &opts.env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("spawn newsenrich run");
        eprintln!("[{name}] started pid {} on port {port}", child.id());
        Worker {
            name: name.to_string(),
            port,
            child: Some(child),
            status: None,
            log,
            _dir: dir,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or(0)
    }

    /// Everything the worker wrote to stdout and stderr so far.
    pub fn log(&self) -> String {
        std::fs::read(&self.log)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    fn tail(&self, n: usize) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }

    /// Exit status if the process has ended (without blocking).
    pub fn try_exit(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(st)) = child.try_wait() {
                    self.status = Some(st);
                }
            }
        }
        self.status
    }

    /// Panics (with the log) if the worker has exited.
    pub fn assert_alive(&mut self) {
        if let Some(st) = self.try_exit() {
            panic!(
                "[{}] worker exited unexpectedly ({st}); log:\n{}",
                self.name,
                self.tail(60)
            );
        }
    }

    pub fn get(&mut self, path: &str) -> Option<(u16, String, String)> {
        http_get(self.port, path)
    }

    /// Waits until /readyz answers 200.
    pub fn wait_ready(&mut self) {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            self.assert_alive();
            if let Some((200, _, _)) = self.get("/readyz") {
                return;
            }
            if Instant::now() >= deadline {
                panic!(
                    "[{}] /readyz not 200 after {READY_TIMEOUT:?}; log:\n{}",
                    self.name,
                    self.tail(60)
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The /metrics text (panics if the endpoint does not answer 200).
    pub fn metrics(&mut self) -> String {
        match self.get("/metrics") {
            Some((200, _, body)) => body,
            other => panic!(
                "[{}] GET /metrics: {:?}; log:\n{}",
                self.name,
                other.map(|(s, _, _)| s),
                self.tail(40)
            ),
        }
    }

    /// Current value of a metric (summed over its labels), 0 while /metrics does not answer.
    pub fn metric(&mut self, name: &str) -> f64 {
        self.get("/metrics")
            .map(|(_, _, m)| metric_sum(&m, name))
            .unwrap_or(0.0)
    }

    /// Waits until the worker has published at least `n` documents; returns how many it had.
    pub fn wait_produced(&mut self, n: f64, timeout: Duration) -> f64 {
        let what = format!("[{}] to publish {n} documents", self.name);
        wait_for(timeout, &what, || {
            self.assert_alive();
            let p = self.metric(newsenrich::service::metrics::RECORDS_PRODUCED_TOTAL);
            (p >= n).then_some(p)
        })
    }

    /// Waits until the worker is idle with `n` records consumed and all of them finished
    /// (produced + dead-lettered == consumed). Returns the /metrics text at that point.
    pub fn wait_accounted(&mut self, n: u64, timeout: Duration) -> String {
        let name = self.name.clone();
        let mut last = String::new();
        let deadline = Instant::now() + timeout;
        loop {
            self.assert_alive();
            if let Some((200, _, m)) = self.get("/metrics") {
                let consumed = metric_sum(&m, newsenrich::service::metrics::RECORDS_CONSUMED_TOTAL);
                let produced = metric_sum(&m, newsenrich::service::metrics::RECORDS_PRODUCED_TOTAL);
                let dlq = metric_sum(&m, newsenrich::service::metrics::RECORDS_DLQ_TOTAL);
                if consumed as u64 >= n && produced + dlq >= consumed {
                    return m;
                }
                last = format!("consumed={consumed} produced={produced} dlq={dlq}");
            }
            if Instant::now() >= deadline {
                panic!(
                    "[{name}] not idle with {n} records accounted after {timeout:?} ({last}); log:\n{}",
                    self.tail(40)
                );
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Sends SIGTERM (through kill(1): no libc dependency just for this).
    pub fn sigterm(&mut self) {
        let pid = self.pid();
        let ok = Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "[{}] kill -TERM {pid} failed", self.name);
    }

    /// SIGKILL, and reap the process.
    pub fn sigkill(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            if let Ok(st) = child.wait() {
                self.status = Some(st);
            }
        }
    }

    /// Waits for the process to end; None on timeout (the process is left running).
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(st) = self.try_exit() {
                return Some(st);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.try_exit()
    }

    /// Waits until the log contains `needle`.
    pub fn wait_log(&mut self, needle: &str, timeout: Duration) {
        let name = self.name.clone();
        let log_path = self.log.clone();
        wait_for(timeout, &format!("[{name}] log line {needle:?}"), || {
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            log.contains(needle).then_some(())
        });
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if self.try_exit().is_none() {
            self.sigkill();
        }
        if std::thread::panicking() {
            eprintln!(
                "----- [{}] worker log (last 80 lines) -----\n{}\n-----",
                self.name,
                self.tail(80)
            );
        }
    }
}

/// Runs `newsenrich replay-dlq ARGS` for `topics` against the shared broker; its stdout (the
/// summary). Fails the test when the command fails.
pub fn replay_dlq(topics: &Topics, args: &[&str]) -> String {
    let out = newsenrich_command()
        .arg("replay-dlq")
        .args(args)
        .env("NEWSENRICH__KAFKA__BROKERS", bootstrap())
        .env("NEWSENRICH__KAFKA__GROUP_ID", &topics.group)
        .env("NEWSENRICH__KAFKA__INPUT_TOPIC", &topics.input)
        .env("NEWSENRICH__KAFKA__OUTPUT_TOPIC", &topics.output)
        .env("NEWSENRICH__KAFKA__DLQ_TOPIC", &topics.dlq)
        .output()
        .expect("run newsenrich replay-dlq");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "replay-dlq {args:?} failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("replay-dlq {args:?}: {stdout}");
    stdout
}
