//! Dead letters: their headers (the contract), and cutting one to a size the broker takes.

use super::headers::HeaderList;
use super::OutRecord;
use sha2::{Digest, Sha256};

/// Dead-letter header names (the contract).
pub(crate) const H_ERROR_CLASS: &str = "x-error-class";
pub(crate) const H_ERROR: &str = "x-error";
pub(crate) const H_SRC_TOPIC: &str = "x-src-topic";
pub(crate) const H_SRC_PARTITION: &str = "x-src-partition";
pub(crate) const H_SRC_OFFSET: &str = "x-src-offset";
/// On a dead letter whose key or value was cut to fit: `true`, the original value's length in
/// bytes (decimal) and its SHA-256 (lowercase hex).
pub(crate) const H_TRUNCATED: &str = "x-truncated";
pub(crate) const H_ORIGINAL_SIZE: &str = "x-original-size";
pub(crate) const H_ORIGINAL_SHA256: &str = "x-original-sha256";

/// Longest `x-error` sentence kept; headers are not the place for essays.
const MAX_ERROR_LEN: usize = 1000;

/// The headers a dead letter gets on top of the original record's.
pub(crate) const DEAD_LETTER_HEADERS: [&str; 5] = [
    H_ERROR_CLASS,
    H_ERROR,
    H_SRC_TOPIC,
    H_SRC_PARTITION,
    H_SRC_OFFSET,
];

/// True when the header name `key` is one of `names`.
fn named(key: &[u8], names: &[&str]) -> bool {
    names.iter().any(|n| n.as_bytes() == key)
}

/// `headers` without [`DEAD_LETTER_HEADERS`]: the original record's own.
pub(crate) fn without_dead_letter_headers(headers: &[(Vec<u8>, Option<Vec<u8>>)]) -> HeaderList {
    headers
        .iter()
        .filter(|(k, _)| !named(k, &DEAD_LETTER_HEADERS))
        .cloned()
        .collect()
}

/// Where a dead letter came from and why it is one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DeadLetterInfo<'a> {
    pub class: &'a str,
    pub error: &'a str,
    pub topic: &'a str,
    pub partition: i32,
    pub offset: i64,
}

/// The original headers plus the `x-error-*`/`x-src-*` ones. Stale copies of ours (a record replayed
/// from a DLQ) are replaced so each name appears once.
pub(crate) fn dead_letter_headers(
    original: &[(Vec<u8>, Option<Vec<u8>>)],
    info: &DeadLetterInfo<'_>,
) -> HeaderList {
    let mut headers = without_dead_letter_headers(original);
    let error: String = info.error.chars().take(MAX_ERROR_LEN).collect();
    for (key, value) in [
        (H_ERROR_CLASS, info.class.to_string()),
        (H_ERROR, error),
        (H_SRC_TOPIC, info.topic.to_string()),
        (H_SRC_PARTITION, info.partition.to_string()),
        (H_SRC_OFFSET, info.offset.to_string()),
    ] {
        headers.push((key.as_bytes().to_vec(), Some(value.into_bytes())));
    }
    headers
}

/// What librdkafka and the broker count for one record besides key, value and headers: the
/// record's and its batch's framing (61 bytes of batch header, varints), rounded up generously.
pub(crate) const RECORD_FRAMING_BYTES: usize = 1024;
/// Per header: two length varints.
const HEADER_FRAMING_BYTES: usize = 10;
/// The smallest value budget worth a try; below it the dead letter cannot be shrunk further.
const MIN_VALUE_BYTES: usize = 1024;

/// Bytes `record` counts against `message.max.bytes` (key, value, headers and framing).
pub(crate) fn record_size(record: &OutRecord) -> usize {
    let headers: usize = record
        .headers
        .iter()
        .map(|(k, v)| k.len() + v.as_ref().map_or(0, Vec::len) + HEADER_FRAMING_BYTES)
        .sum();
    record.key.as_ref().map_or(0, Vec::len)
        + record.payload.as_ref().map_or(0, Vec::len)
        + headers
        + RECORD_FRAMING_BYTES
}

/// The longest prefix of `bytes` of at most `max` bytes that does not split a UTF-8 sequence (a
/// cut inside one would turn readable text into an invalid tail).
fn cut(bytes: &[u8], max: usize) -> &[u8] {
    if bytes.len() <= max {
        return bytes;
    }
    let mut end = max;
    // Back off over continuation bytes (10xxxxxx), at most a sequence's length.
    while end > 0 && max - end < 3 && bytes[end] & 0xC0 == 0x80 {
        end -= 1;
    }
    if bytes[end] & 0xC0 == 0x80 {
        end = max; // not UTF-8 anyway: cut where the budget ends
    }
    &bytes[..end]
}

/// Makes the dead letter `record` (built from `original`, the consumed value) at most `limit`
/// bytes by [`record_size`]: the value is cut (at a UTF-8 boundary when it is text), then the key
/// if it alone is too long, and `x-truncated: true`, `x-original-size` and `x-original-sha256`
/// (of the whole original value) are added. A record that fits is left as it is. Returns false
/// when even an empty value and key do not fit (the headers alone are too long).
pub(crate) fn fit_dead_letter(
    record: &mut OutRecord,
    original: Option<&[u8]>,
    limit: usize,
) -> bool {
    if record_size(record) <= limit {
        return true;
    }
    let original = original.unwrap_or_default();
    record
        .headers
        .retain(|(k, _)| !named(k, &[H_TRUNCATED, H_ORIGINAL_SIZE, H_ORIGINAL_SHA256]));
    for (key, value) in [
        (H_TRUNCATED, "true".to_string()),
        (H_ORIGINAL_SIZE, original.len().to_string()),
        (H_ORIGINAL_SHA256, hex::encode(Sha256::digest(original))),
    ] {
        record
            .headers
            .push((key.as_bytes().to_vec(), Some(value.into_bytes())));
    }
    let key_len = record.key.as_ref().map_or(0, Vec::len);
    let payload_len = record.payload.as_ref().map_or(0, Vec::len);
    let others = record_size(record) - key_len - payload_len;
    let Some(room) = limit.checked_sub(others) else {
        return false;
    };
    if let Some(key) = &mut record.key {
        // Keys are short in practice; only a key that alone breaks the budget is cut, and it
        // keeps at most half of it so the value keeps something to look at.
        if key.len() > room / 2 && key.len() + payload_len > room {
            let keep = cut(key, room / 2).len();
            key.truncate(keep);
        }
    }
    let room = room - record.key.as_ref().map_or(0, Vec::len);
    if let Some(payload) = &mut record.payload {
        let keep = cut(payload, room).len();
        payload.truncate(keep);
    }
    record_size(record) <= limit
}

/// The next, smaller budget for a dead letter the broker refused as too large (the topic's
/// `max.message.bytes` may be below the producer's limit): half of what was refused, or `None`
/// when the value is already down to a size not worth cutting further.
pub(crate) fn smaller_limit(refused: &OutRecord) -> Option<usize> {
    let value = refused.payload.as_ref().map_or(0, Vec::len);
    if value <= MIN_VALUE_BYTES {
        return None;
    }
    Some(record_size(refused) - value / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(k: &str, v: &str) -> (Vec<u8>, Option<Vec<u8>>) {
        (k.as_bytes().to_vec(), Some(v.as_bytes().to_vec()))
    }

    #[test]
    fn dead_letter_headers_keep_originals_and_add_ours() {
        let original = vec![h("traceparent", "00-abc-01"), (b"empty".to_vec(), None)];
        let info = DeadLetterInfo {
            class: "invalid_json",
            error: "invalid JSON: expected value at line 1 column 1",
            topic: "articles",
            partition: 3,
            offset: 42,
        };
        let got = dead_letter_headers(&original, &info);
        assert_eq!(
            got,
            vec![
                h("traceparent", "00-abc-01"),
                (b"empty".to_vec(), None),
                h("x-error-class", "invalid_json"),
                h("x-error", "invalid JSON: expected value at line 1 column 1"),
                h("x-src-topic", "articles"),
                h("x-src-partition", "3"),
                h("x-src-offset", "42"),
            ]
        );
    }

    #[test]
    fn a_replayed_copy_keeps_only_the_original_headers() {
        let dead = vec![
            h("traceparent", "00-abc-def-01"),
            h(H_ERROR_CLASS, "text_too_long"),
            h(H_ERROR, "text has 9000 characters"),
            h(H_SRC_TOPIC, "articles"),
            h(H_SRC_PARTITION, "2"),
            h(H_SRC_OFFSET, "41"),
            (b"empty".to_vec(), None),
        ];
        assert_eq!(
            without_dead_letter_headers(&dead),
            vec![h("traceparent", "00-abc-def-01"), (b"empty".to_vec(), None)]
        );
    }

    #[test]
    fn replayed_dead_letter_gets_fresh_error_headers() {
        let original = vec![
            h("x-error-class", "too_large"),
            h("x-src-offset", "1"),
            h("a", "b"),
        ];
        let info = DeadLetterInfo {
            class: "empty_text",
            error: &"e".repeat(5000),
            topic: "t",
            partition: 0,
            offset: 7,
        };
        let got = dead_letter_headers(&original, &info);
        let names: Vec<&[u8]> = got.iter().map(|(k, _)| k.as_slice()).collect();
        assert_eq!(
            names,
            [
                b"a".as_slice(),
                b"x-error-class",
                b"x-error",
                b"x-src-topic",
                b"x-src-partition",
                b"x-src-offset"
            ]
        );
        assert_eq!(got[1].1.as_deref(), Some(b"empty_text".as_slice()));
        assert_eq!(got[2].1.as_ref().map(Vec::len), Some(MAX_ERROR_LEN));
    }

    fn header<'a>(r: &'a OutRecord, name: &str) -> Option<&'a str> {
        r.headers
            .iter()
            .rev()
            .find(|(k, _)| k == name.as_bytes())
            .and_then(|(_, v)| std::str::from_utf8(v.as_deref()?).ok())
    }

    fn dead_letter(value: &[u8]) -> OutRecord {
        OutRecord {
            topic: "dlq".into(),
            key: Some(b"k-1".to_vec()),
            payload: Some(value.to_vec()),
            headers: vec![
                h("x-error-class", "text_too_long"),
                h("traceparent", "00-1"),
            ],
        }
    }

    #[test]
    fn a_dead_letter_that_fits_is_left_alone() {
        let mut r = dead_letter(b"short");
        let before = r.clone();
        assert!(fit_dead_letter(&mut r, Some(b"short"), 10_000));
        assert_eq!(r, before);
    }

    #[test]
    fn an_oversized_dead_letter_is_cut_and_says_what_it_was() {
        let value: Vec<u8> = "word ".repeat(40_000).into_bytes();
        let mut r = dead_letter(&value);
        assert!(fit_dead_letter(&mut r, Some(&value), 50_000));
        assert!(record_size(&r) <= 50_000, "{}", record_size(&r));
        let kept = r.payload.as_ref().unwrap();
        assert!(kept.len() > 40_000, "kept {} bytes", kept.len());
        assert!(value.starts_with(kept));
        assert_eq!(header(&r, H_TRUNCATED), Some("true"));
        assert_eq!(header(&r, H_ORIGINAL_SIZE), Some("200000"));
        let sha = hex::encode(Sha256::digest(&value));
        assert_eq!(header(&r, H_ORIGINAL_SHA256), Some(sha.as_str()));
        assert_eq!(r.key.as_deref(), Some(b"k-1".as_slice()));
        assert_eq!(header(&r, "traceparent"), Some("00-1"));

        // Shrinking again (the broker refused it) keeps one set of markers, of the original.
        let limit = smaller_limit(&r).unwrap();
        assert!(fit_dead_letter(&mut r, Some(&value), limit));
        assert!(record_size(&r) <= limit);
        let marks = r
            .headers
            .iter()
            .filter(|(k, _)| k == H_ORIGINAL_SIZE.as_bytes())
            .count();
        assert_eq!(marks, 1);
        assert_eq!(header(&r, H_ORIGINAL_SIZE), Some("200000"));
        assert_eq!(header(&r, H_ORIGINAL_SHA256), Some(sha.as_str()));
    }

    #[test]
    fn a_cut_never_splits_a_utf8_sequence() {
        let value = "é".repeat(30_000).into_bytes(); // two bytes each
        let mut r = dead_letter(&value);
        let limit = record_size(&r) - 10_001;
        assert!(fit_dead_letter(&mut r, Some(&value), limit));
        let kept = r.payload.unwrap();
        assert!(std::str::from_utf8(&kept).is_ok());
        assert!(kept.len() >= value.len() - 10_400, "{}", kept.len());
    }

    #[test]
    fn a_huge_key_is_cut_too_and_hopeless_headers_are_reported() {
        let mut r = dead_letter(b"v");
        r.key = Some(vec![b'k'; 100_000]);
        assert!(fit_dead_letter(&mut r, Some(b"v"), 20_000));
        assert!(record_size(&r) <= 20_000);
        let mut r = dead_letter(b"v");
        r.headers.push(h("big", &"x".repeat(30_000)));
        assert!(!fit_dead_letter(&mut r, Some(b"v"), 20_000));
    }

    #[test]
    fn shrinking_stops_at_a_small_value() {
        assert!(smaller_limit(&dead_letter(&[b'a'; 1024])).is_none());
        assert!(smaller_limit(&dead_letter(&[b'a'; 4096])).is_some());
    }
}
