//! Bad configuration is caught at start with an error that names the key, before any connection
//! is made; `check-config` shows the effective settings without secrets. No broker needed.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::worker::newsenrich_command;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the command to completion, killing it after 30 s (a config error must not wait for Kafka).
fn run(mut cmd: Command) -> Outcome {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn newsenrich");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "newsenrich still running after 30s; stderr:\n{}",
                err_t.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Outcome {
        code: status.code(),
        stdout: out_t.join().unwrap_or_default(),
        stderr: err_t.join().unwrap_or_default(),
    }
}

fn with_file(toml: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, toml).unwrap();
    (dir, path)
}

/// Asserts a configuration error: exit code 2 and stderr naming `key`.
fn assert_config_error(o: &Outcome, key: &str) {
    assert_eq!(
        o.code,
        Some(2),
        "expected exit code 2 for a bad {key}; stderr:\n{}",
        o.stderr
    );
    assert!(
        o.stderr.to_lowercase().contains(key),
        "stderr should name {key:?}:\n{}",
        o.stderr
    );
}

#[test]
fn unknown_env_key_stops_run_naming_it() {
    let mut cmd = newsenrich_command();
    cmd.arg("run")
        .env("NEWSENRICH__KAFKA__BROKRES", "127.0.0.1:9092")
        .env(
            "NEWSENRICH__HTTP__PORT",
            common::worker::free_port().to_string(),
        );
    assert_config_error(&run(cmd), "brokres");
}

#[test]
fn unknown_file_key_stops_check_config_naming_it() {
    let (_d, path) = with_file("[kafka]\nbrokers = \"127.0.0.1:9092\"\ngroup_idd = \"x\"\n");
    let mut cmd = newsenrich_command();
    cmd.arg("check-config").arg("--config").arg(&path);
    assert_config_error(&run(cmd), "group_idd");
}

#[test]
fn unknown_section_is_an_error() {
    let (_d, path) = with_file("[kafak]\nbrokers = \"127.0.0.1:9092\"\n");
    let mut cmd = newsenrich_command();
    cmd.arg("check-config").arg("--config").arg(&path);
    assert_config_error(&run(cmd), "kafak");
}

#[test]
fn malformed_value_names_the_key() {
    let mut cmd = newsenrich_command();
    cmd.arg("check-config")
        .env("NEWSENRICH__HTTP__PORT", "ninety-eight");
    assert_config_error(&run(cmd), "port");
}

#[test]
fn unknown_delivery_mode_names_the_key() {
    let mut cmd = newsenrich_command();
    cmd.arg("check-config")
        .env("NEWSENRICH__KAFKA__DELIVERY", "exactly_twice");
    assert_config_error(&run(cmd), "delivery");
}

#[test]
fn drain_deadline_must_be_shorter_than_session_timeout() {
    let mut cmd = newsenrich_command();
    cmd.arg("check-config")
        .env("NEWSENRICH__KAFKA__SESSION_TIMEOUT_MS", "10000")
        .env("NEWSENRICH__WORKER__DRAIN_TIMEOUT_MS", "20000");
    assert_config_error(&run(cmd), "drain_timeout_ms");
}

#[test]
fn check_config_prints_effective_settings_without_secrets() {
    let (_d, path) = with_file(
        "[kafka]\ngroup_id = \"from-file\"\n\n[kafka.consumer_extra]\n\
         \"security.protocol\" = \"SASL_SSL\"\n\"sasl.password\" = \"hunter2-do-not-print\"\n",
    );
    let mut cmd = newsenrich_command();
    cmd.arg("check-config")
        .arg("--config")
        .arg(&path)
        .env("NEWSENRICH__KAFKA__INPUT_TOPIC", "from-env-topic");
    let o = run(cmd);
    assert_eq!(
        o.code,
        Some(0),
        "check-config on valid settings; stderr:\n{}",
        o.stderr
    );
    let all = format!("{}{}", o.stdout, o.stderr);
    assert!(all.contains("from-file"), "file value shown:\n{all}");
    assert!(all.contains("from-env-topic"), "env override shown:\n{all}");
    assert!(all.contains("articles.enriched"), "defaults shown:\n{all}");
    assert!(
        !all.contains("hunter2-do-not-print"),
        "a password must be redacted:\n{all}"
    );
}
