//! `scripts/kafka`, the broker every integration test and CI run starts: the cluster ids it formats
//! new storage with must be ids Kafka's storage tool accepts.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::process::Command;

/// One id in 64 started with '-' before, which the storage tool read as an option, so the broker
/// failed to start. 500 draws catch that with a probability above 99.9%.
#[test]
fn cluster_ids_are_base64url_uuids_that_never_look_like_options() {
    let script = format!(
        "for _ in $(seq 500); do {}/scripts/kafka new-cluster-id; done",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ids: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(ids.len(), 500);
    for id in &ids {
        assert_eq!(id.len(), 22, "a 16-byte UUID in unpadded base64: {id}");
        assert!(
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "base64url alphabet only: {id}"
        );
        assert!(!id.starts_with('-'), "would be read as an option: {id}");
    }
    let distinct: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "ids repeat");
}
