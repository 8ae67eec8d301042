//! Input decoding and validation: a record value is a JSON envelope or plain text (DESIGN §3).
//!
//! Everything here is pure so the worker and the offline `enrich` command share one set of rules,
//! and a rejected record carries an [`ErrorClass`] that becomes its dead-letter reason.

use crate::service::config::LimitsSettings;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Why a record went to the dead-letter topic. The strings are the `x-error-class` header and the
/// `reason` label of `records_dlq_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    InvalidJson,
    InvalidEnvelope,
    EmptyText,
    InvalidUtf8,
    TooLarge,
    TextTooLong,
    EnrichFailed,
    /// The broker refused the enriched document (e.g. larger than the output topic allows).
    OutputRejected,
    /// The article's language has the `dlq` policy (`[language]`).
    UnsupportedLanguage,
}

impl ErrorClass {
    pub(crate) const ALL: [ErrorClass; 9] = [
        ErrorClass::InvalidJson,
        ErrorClass::InvalidEnvelope,
        ErrorClass::EmptyText,
        ErrorClass::InvalidUtf8,
        ErrorClass::TooLarge,
        ErrorClass::TextTooLong,
        ErrorClass::EnrichFailed,
        ErrorClass::OutputRejected,
        ErrorClass::UnsupportedLanguage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::InvalidJson => "invalid_json",
            ErrorClass::InvalidEnvelope => "invalid_envelope",
            ErrorClass::EmptyText => "empty_text",
            ErrorClass::InvalidUtf8 => "invalid_utf8",
            ErrorClass::TooLarge => "too_large",
            ErrorClass::TextTooLong => "text_too_long",
            ErrorClass::EnrichFailed => "enrich_failed",
            ErrorClass::OutputRejected => "output_rejected",
            ErrorClass::UnsupportedLanguage => "unsupported_language",
        }
    }
}

impl std::fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An `x-error-class` name that is not one of [`ErrorClass::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown error class `{0}` (one of: {known})", known = ErrorClass::ALL.map(ErrorClass::as_str).join(", "))]
pub struct UnknownErrorClass(pub String);

impl std::str::FromStr for ErrorClass {
    type Err = UnknownErrorClass;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ErrorClass::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownErrorClass(s.to_string()))
    }
}

/// A record that cannot become an article: its class and a sentence for humans.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub(crate) struct DecodeError {
    pub class: ErrorClass,
    pub message: String,
}

impl DecodeError {
    pub(crate) fn new(class: ErrorClass, message: impl Into<String>) -> Self {
        Self {
            class,
            message: message.into(),
        }
    }
}

/// A decoded, validated article ready for the enrich core.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Article {
    pub id: String,
    /// The text offsets in the output refer to (`body`/`text`, or raw text after a `date` prefix).
    pub text: String,
    pub title: Option<String>,
    pub url: Option<String>,
    pub source: Option<String>,
    pub published_at: Option<String>,
    pub language: Option<String>,
    /// JSON fields the schema does not name, kept as they came.
    pub meta: Map<String, Value>,
}

/// Decodes one record value (`None` is a tombstone). `key` is the record key, used as the id when the
/// envelope has none.
pub(crate) fn decode(
    value: Option<&[u8]>,
    key: Option<&[u8]>,
    limits: &LimitsSettings,
) -> Result<Article, DecodeError> {
    let bytes = value.unwrap_or_default();
    if bytes.len() > limits.max_record_bytes {
        return Err(DecodeError::new(
            ErrorClass::TooLarge,
            format!(
                "record value is {} bytes, over limits.max_record_bytes ({})",
                bytes.len(),
                limits.max_record_bytes
            ),
        ));
    }
    let raw = std::str::from_utf8(bytes).map_err(|e| {
        DecodeError::new(
            ErrorClass::InvalidUtf8,
            format!(
                "record value is not valid UTF-8 (first bad byte at {})",
                e.valid_up_to()
            ),
        )
    })?;
    let trimmed = raw.trim_start();
    let mut article = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        decode_json(raw)?
    } else {
        decode_plain(raw)?
    };
    if article.text.trim().is_empty() {
        return Err(DecodeError::new(
            ErrorClass::EmptyText,
            "article text is empty",
        ));
    }
    let chars = article.text.chars().count();
    if chars > limits.max_text_chars {
        return Err(DecodeError::new(
            ErrorClass::TextTooLong,
            format!(
                "article text is {chars} chars, over limits.max_text_chars ({})",
                limits.max_text_chars
            ),
        ));
    }
    if article.id.is_empty() {
        article.id = key
            .and_then(|k| std::str::from_utf8(k).ok())
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| hex::encode(Sha256::digest(article.text.as_bytes())));
    }
    Ok(article)
}

fn decode_json(raw: &str) -> Result<Article, DecodeError> {
    let value: Value = serde_json::from_str(raw)
        .map_err(|e| DecodeError::new(ErrorClass::InvalidJson, format!("invalid JSON: {e}")))?;
    let Value::Object(mut obj) = value else {
        return Err(DecodeError::new(
            ErrorClass::InvalidEnvelope,
            format!("JSON value must be an object, got {}", kind(&value)),
        ));
    };
    // `body` wins when both are present; the other one is then kept in `meta`.
    let text_field = if obj.contains_key("body") {
        "body"
    } else if obj.contains_key("text") {
        "text"
    } else {
        return Err(DecodeError::new(
            ErrorClass::InvalidEnvelope,
            "JSON object needs a `body` or `text` string field",
        ));
    };
    let text = match obj.remove(text_field) {
        Some(Value::String(s)) => s,
        Some(other) => {
            return Err(DecodeError::new(
                ErrorClass::InvalidEnvelope,
                format!(
                    "field `{text_field}` must be a string, got {}",
                    kind(&other)
                ),
            ))
        }
        None => String::new(),
    };
    let id = match obj.remove("id") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
        Some(other) => {
            return Err(DecodeError::new(
                ErrorClass::InvalidEnvelope,
                format!("field `id` must be a string, got {}", kind(&other)),
            ))
        }
    };
    let title = optional_string(&mut obj, "title")?;
    let url = optional_string(&mut obj, "url")?;
    let source = optional_string(&mut obj, "source")?;
    let language = optional_string(&mut obj, "language")?;
    let published_at = optional_string(&mut obj, "published_at")?;
    if let Some(p) = &published_at {
        if !is_date(p) && !is_rfc3339(p) {
            return Err(DecodeError::new(
                ErrorClass::InvalidEnvelope,
                format!("field `published_at` must be RFC 3339 or YYYY-MM-DD, got {p:?}"),
            ));
        }
    }
    Ok(Article {
        id,
        text,
        title,
        url,
        source,
        published_at,
        language,
        meta: obj,
    })
}

fn optional_string(
    obj: &mut Map<String, Value>,
    field: &str,
) -> Result<Option<String>, DecodeError> {
    match obj.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(DecodeError::new(
            ErrorClass::InvalidEnvelope,
            format!("field `{field}` must be a string, got {}", kind(&other)),
        )),
    }
}

/// Plain text, optionally led by a `date YYYY-MM-DD` line or prefix (the date becomes `published_at`
/// and the text starts after it).
fn decode_plain(raw: &str) -> Result<Article, DecodeError> {
    let (published_at, text) = match split_date_prefix(raw) {
        Some((date, rest)) => (Some(date.to_string()), rest),
        None => (None, raw),
    };
    Ok(Article {
        id: String::new(),
        text: text.to_string(),
        title: None,
        url: None,
        source: None,
        published_at,
        language: None,
        meta: Map::new(),
    })
}

fn split_date_prefix(raw: &str) -> Option<(&str, &str)> {
    let s = raw.trim_start();
    let word = s.get(..4)?;
    if !word.eq_ignore_ascii_case("date") {
        return None;
    }
    let after_word = &s[4..];
    let date_part = after_word.trim_start_matches([' ', '\t']);
    if date_part.len() == after_word.len() {
        return None; // "dated…" or "date:" is prose, not the prefix
    }
    let date = date_part.get(..10)?;
    if !is_date(date) {
        return None;
    }
    let rest = &date_part[10..];
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some((date, rest.trim_start()))
}

/// `YYYY-MM-DD` with a real month and day.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (num(&s[0..4]), num(&s[5..7]), num(&s[8..10])) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
fn is_rfc3339(s: &str) -> bool {
    // Every valid form is ASCII; checking that first makes each byte index below a char boundary.
    if !s.is_ascii() {
        return false;
    }
    let (Some(date), Some(sep), Some(time)) = (s.get(..10), s.get(10..11), s.get(11..)) else {
        return false;
    };
    if !is_date(date) || !matches!(sep, "T" | "t" | " ") || time.len() < 9 {
        return false;
    }
    let (Some(h), Some(mi), Some(sec)) = (num(&time[0..2]), num(&time[3..5]), num(&time[6..8]))
    else {
        return false;
    };
    if &time[2..3] != ":" || &time[5..6] != ":" || h > 23 || mi > 59 || sec > 60 {
        return false;
    }
    let mut rest = &time[8..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &frac[digits..];
    }
    match rest {
        "Z" | "z" => true,
        offset if offset.len() == 6 => {
            matches!(&offset[0..1], "+" | "-")
                && &offset[3..4] == ":"
                && num(&offset[1..3]).is_some_and(|h| h <= 23)
                && num(&offset[4..6]).is_some_and(|m| m <= 59)
        }
        _ => false,
    }
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> LimitsSettings {
        LimitsSettings {
            max_record_bytes: 200,
            max_text_chars: 50,
            ..LimitsSettings::default()
        }
    }

    fn ok(value: &str, key: Option<&str>) -> Article {
        decode(Some(value.as_bytes()), key.map(str::as_bytes), &limits()).unwrap()
    }

    fn class(value: &[u8]) -> ErrorClass {
        decode(Some(value), None, &limits()).unwrap_err().class
    }

    #[test]
    fn rejected_records_get_their_class() {
        let long_text = format!("{{\"body\": \"{}\"}}", "é".repeat(51));
        let big = "x".repeat(201);
        let cases: &[(&[u8], ErrorClass)] = &[
            (b"{not json", ErrorClass::InvalidJson),
            (b"[1, 2", ErrorClass::InvalidJson),
            (b"[1, 2]", ErrorClass::InvalidEnvelope),
            (b"{\"title\": \"no text\"}", ErrorClass::InvalidEnvelope),
            (b"{\"body\": 42}", ErrorClass::InvalidEnvelope),
            (b"{\"text\": [\"a\"]}", ErrorClass::InvalidEnvelope),
            (
                b"{\"body\": \"x\", \"id\": {}}",
                ErrorClass::InvalidEnvelope,
            ),
            (
                b"{\"body\": \"x\", \"title\": 1}",
                ErrorClass::InvalidEnvelope,
            ),
            (
                b"{\"body\": \"x\", \"published_at\": \"yesterday\"}",
                ErrorClass::InvalidEnvelope,
            ),
            (
                // A multi-byte character in the time part once panicked on byte slicing.
                "{\"body\": \"x\", \"published_at\": \"2025-06-18T1é:00:00Z\"}".as_bytes(),
                ErrorClass::InvalidEnvelope,
            ),
            (
                "{\"body\": \"x\", \"published_at\": \"2025-06-18T10:00:00+0é:00\"}".as_bytes(),
                ErrorClass::InvalidEnvelope,
            ),
            (b"{\"body\": \"  \"}", ErrorClass::EmptyText),
            (b"", ErrorClass::EmptyText),
            (b"   \n ", ErrorClass::EmptyText),
            (b"date 2025-06-18\n", ErrorClass::EmptyText),
            (b"caf\xe9 au lait", ErrorClass::InvalidUtf8),
            (big.as_bytes(), ErrorClass::TooLarge),
            (long_text.as_bytes(), ErrorClass::TextTooLong),
        ];
        for (value, want) in cases {
            assert_eq!(class(value), *want, "{}", String::from_utf8_lossy(value));
        }
    }

    #[test]
    fn tombstone_is_empty_text() {
        let err = decode(None, Some(b"k"), &limits()).unwrap_err();
        assert_eq!(err.class, ErrorClass::EmptyText);
    }

    #[test]
    fn error_sentence_names_field_and_type() {
        let err = decode(Some(b"{\"body\": 42}"), None, &limits()).unwrap_err();
        assert_eq!(err.message, "field `body` must be a string, got number");
    }

    #[test]
    fn json_envelope_fields_and_meta() {
        let a = ok(
            r#"{"id": "a1", "title": "T", "url": "u", "source": "s", "language": "en",
                "published_at": "2025-06-18T10:00:00Z", "body": "Hello Seoul.", "tags": ["x"]}"#,
            Some("key"),
        );
        assert_eq!(a.id, "a1");
        assert_eq!(a.text, "Hello Seoul.");
        assert_eq!(a.title.as_deref(), Some("T"));
        assert_eq!(a.published_at.as_deref(), Some("2025-06-18T10:00:00Z"));
        assert_eq!(a.language.as_deref(), Some("en"));
        assert_eq!(a.meta.len(), 1);
        assert_eq!(a.meta["tags"], serde_json::json!(["x"]));
    }

    #[test]
    fn id_falls_back_to_key_then_text_hash() {
        let cases: &[(&str, Option<&str>, &str)] = &[
            (r#"{"id": 7, "text": "abc"}"#, Some("k"), "7"),
            (r#"{"text": "abc"}"#, Some("k1"), "k1"),
            (r#"{"id": null, "text": "abc"}"#, Some("  "), ""),
            ("abc", None, ""),
        ];
        let hash = hex::encode(Sha256::digest(b"abc"));
        for (value, key, want) in cases {
            let want = if want.is_empty() { hash.as_str() } else { want };
            assert_eq!(ok(value, *key).id, want, "{value}");
        }
    }

    #[test]
    fn body_wins_over_text() {
        let a = ok(r#"{"body": "b", "text": "t"}"#, None);
        assert_eq!(a.text, "b");
        assert_eq!(a.meta["text"], "t");
    }

    #[test]
    fn plain_text_date_prefix() {
        let cases: &[(&str, Option<&str>, &str)] = &[
            (
                " date 2024-11-05 Marrow Creek",
                Some("2024-11-05"),
                "Marrow Creek",
            ),
            (
                "date 2025-06-18\n\nBody here",
                Some("2025-06-18"),
                "Body here",
            ),
            ("Date\t2024-02-29 Leap", Some("2024-02-29"), "Leap"),
            (
                "date 2025-02-30 Not a date",
                None,
                "date 2025-02-30 Not a date",
            ),
            ("dated 2025-06-18 prose", None, "dated 2025-06-18 prose"),
            ("date 2025-06-18x", None, "date 2025-06-18x"),
            ("Plain article.", None, "Plain article."),
        ];
        for (raw, date, text) in cases {
            let a = ok(raw, None);
            assert_eq!(a.published_at.as_deref(), *date, "{raw}");
            assert_eq!(a.text, *text, "{raw}");
        }
    }

    #[test]
    fn rfc3339_and_dates() {
        for good in [
            "2025-06-18",
            "2025-06-18T10:00:00Z",
            "2025-06-18T10:00:00.123+09:00",
            "2025-06-18 10:00:00-05:00",
        ] {
            assert!(is_date(good) || is_rfc3339(good), "{good}");
        }
        for bad in [
            "2025-13-01",
            "2025-06-18T25:00:00Z",
            "2025-06-18T10:00:00",
            "2025-06-18T10:00Z",
            "18/06/2025",
        ] {
            assert!(!is_date(bad) && !is_rfc3339(bad), "{bad}");
        }
    }
}
