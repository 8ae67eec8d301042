//! One input record through the core: decode, analyse within the configured budget, build the
//! output document. The worker and `newsenrich enrich` both call [`enrich_record`], so a record
//! gives the same document (or the same error) whichever way it comes in.

use crate::enrich::language::LanguageDetector;
use crate::enrich::output::{ArticleDoc, Processing, SourcePosition, SCHEMA};
use crate::enrich::{Analysis, Enricher};
use crate::service::article::{self, Article, DecodeError, ErrorClass};
use crate::service::config::{LanguagePolicy, LanguageSettings, LimitsSettings};
use crate::service::language::{self, Decision};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

/// A record that became an output document.
#[derive(Debug)]
pub(crate) struct Enriched {
    pub doc: ArticleDoc,
    /// Time spent in the core (decoding excluded).
    pub elapsed: Duration,
}

/// What becomes of one record.
#[derive(Debug)]
pub(crate) enum Handled {
    /// An output document: enriched, or passed through without entities (`processing.skipped`).
    Document(Box<Enriched>, Decision),
    /// Its language's policy is `route`: the original record goes to `language.route_topic`.
    Route {
        article_id: String,
        decision: Decision,
    },
    /// A dead letter: the record cannot be decoded, its language's policy is `dlq`, or the core
    /// panicked. `decision` is there once the language was known.
    Dead {
        error: DecodeError,
        decision: Option<Decision>,
    },
}

impl Handled {
    pub(crate) fn decision(&self) -> Option<&Decision> {
        match self {
            Handled::Document(_, decision) | Handled::Route { decision, .. } => Some(decision),
            Handled::Dead { decision, .. } => decision.as_ref(),
        }
    }
}

/// Decodes one record value (and key), decides by its language what to do with it and, when that
/// is enriching, enriches it within `limits`' budget. A record that cannot be decoded, whose
/// language's policy is `dlq`, or whose analysis panics, is a dead letter with its class and a
/// sentence for humans.
pub(crate) fn enrich_record(
    enricher: &Enricher,
    settings: &RecordSettings<'_>,
    value: Option<&[u8]>,
    key: Option<&[u8]>,
    source: Option<SourcePosition>,
) -> Handled {
    let article = match article::decode(value, key, settings.limits) {
        Ok(article) => article,
        Err(error) => {
            return Handled::Dead {
                error,
                decision: None,
            }
        }
    };
    let started = Instant::now();
    let lang = language::decide(&article, settings.language, settings.detector);
    match lang.policy {
        LanguagePolicy::Dlq => {
            return Handled::Dead {
                error: DecodeError::new(
                    ErrorClass::UnsupportedLanguage,
                    lang.dead_letter_message(),
                ),
                decision: Some(lang),
            }
        }
        LanguagePolicy::Route => {
            return Handled::Route {
                article_id: article.id,
                decision: lang,
            }
        }
        LanguagePolicy::Enrich | LanguagePolicy::Pass => {}
    }
    let analysis = if lang.enriches() {
        let run = catch_unwind(AssertUnwindSafe(|| {
            enricher.analyze_within(&article.text, &settings.limits.budget())
        }));
        match run {
            Ok(analysis) => analysis,
            Err(panic) => {
                return Handled::Dead {
                    error: DecodeError::new(
                        ErrorClass::EnrichFailed,
                        format!("enrich core panicked: {}", panic_message(&*panic)),
                    ),
                    decision: Some(lang),
                }
            }
        }
    } else {
        Analysis::default()
    };
    let elapsed = started.elapsed();
    let mut doc = document(
        article,
        analysis,
        settings.model.to_string(),
        elapsed.as_micros() as u64,
        source,
    );
    lang.stamp(&mut doc);
    Handled::Document(Box::new(Enriched { doc, elapsed }), lang)
}

/// The settings one record is processed with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RecordSettings<'a> {
    pub limits: &'a LimitsSettings,
    pub language: &'a LanguageSettings,
    /// The detector for `language.candidates`, built once.
    pub detector: &'a LanguageDetector,
    /// The model version stamped into `processing.model`.
    pub model: &'a str,
}

/// What a panic said, cut to [`PANIC_MESSAGE_CHARS`]: it goes into a header and a log line, and a
/// message about a string index can quote a stretch of the article.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    match text.char_indices().nth(PANIC_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// The longest panic message carried on.
pub(crate) const PANIC_MESSAGE_CHARS: usize = 200;

/// The v1 output document for `article` and what the core found in it.
pub(crate) fn document(
    article: Article,
    analysis: Analysis,
    model: String,
    duration_us: u64,
    source: Option<SourcePosition>,
) -> ArticleDoc {
    ArticleDoc {
        schema: SCHEMA.to_string(),
        id: article.id,
        title: article.title,
        url: article.url,
        source: article.source,
        published_at: article.published_at,
        language: article.language,
        entities: analysis.entities,
        relations: analysis.relations,
        meta: article.meta,
        processing: Processing {
            version: env!("CARGO_PKG_VERSION").to_string(),
            model,
            duration_us,
            source,
            degraded: analysis
                .degraded
                .iter()
                .map(|d| d.as_str().into())
                .collect(),
            language_confidence: 0.0,
            language_source: None,
            skipped: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn a_panic_message_is_cut_to_its_limit() {
        let long: Box<dyn std::any::Any + Send> = Box::new("é".repeat(500));
        let msg = panic_message(&*long);
        assert_eq!(msg.chars().count(), PANIC_MESSAGE_CHARS + 1);
        assert!(msg.ends_with('…'));
        let short: Box<dyn std::any::Any + Send> = Box::new("index out of bounds");
        assert_eq!(panic_message(&*short), "index out of bounds");
    }

    fn ok(value: &str, key: Option<&str>) -> Article {
        article::decode(
            Some(value.as_bytes()),
            key.map(str::as_bytes),
            &LimitsSettings::default(),
        )
        .unwrap()
    }

    /// The keys of `value` at `pointer` must all be declared by the schema object at `schema_ptr`.
    fn assert_declared(schema: &Value, schema_ptr: &str, value: &Value, pointer: &str) {
        let declared = schema
            .pointer(schema_ptr)
            .and_then(Value::as_object)
            .unwrap();
        let object = value.pointer(pointer).and_then(Value::as_object).unwrap();
        for key in object.keys() {
            assert!(
                declared.contains_key(key),
                "{pointer}/{key} missing from schema {schema_ptr}"
            );
        }
    }

    #[test]
    fn output_matches_the_published_schema() {
        use crate::enrich::{Entity, EntityType, MentionSpan, Predicate, Relation, Span};
        let schema: Value =
            serde_json::from_str(include_str!("../../schema/newsenrich.article.v1.json")).unwrap();
        let a = ok(
            r#"{"id":"x","title":"t","url":"u","source":"s","published_at":"2025-06-18",
                "language":"en","body":"Lee visited Seoul.","k":1}"#,
            None,
        );
        let analysis = Analysis {
            entities: vec![Entity {
                id: "E1".into(),
                etype: EntityType::Person,
                name: "Lee".into(),
                salience: 0.5,
                mentions: vec![MentionSpan {
                    text: "Lee".into(),
                    start: 0,
                    end: 3,
                }],
                links: [("iso3166".to_string(), "KR".to_string())].into(),
            }],
            relations: vec![Relation {
                subject: "E1".into(),
                predicate: Predicate::ResidesIn,
                object: "E1".into(),
                role: Some("r".into()),
                confidence: 0.5,
                evidence: Span { start: 0, end: 18 },
            }],
            degraded: vec![crate::enrich::Degradation::RelationsTruncatedTimeBudget],
        };
        let pos = SourcePosition {
            topic: "t".into(),
            partition: 0,
            offset: 1,
        };
        let doc = serde_json::to_value(document(a, analysis, "m".into(), 1, Some(pos))).unwrap();
        assert_declared(&schema, "/properties", &doc, "");
        assert_declared(&schema, "/$defs/entity/properties", &doc, "/entities/0");
        assert_declared(&schema, "/$defs/relation/properties", &doc, "/relations/0");
        assert_declared(&schema, "/$defs/processing/properties", &doc, "/processing");
        for required in schema["required"].as_array().unwrap() {
            assert!(doc.get(required.as_str().unwrap()).is_some(), "{required}");
        }
        let types: Vec<&str> = schema["$defs"]["entity"]["properties"]["type"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(types, EntityType::ALL.map(EntityType::as_str));
        let predicates: Vec<&str> = schema["$defs"]["relation"]["properties"]["predicate"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(predicates, Predicate::ALL.map(Predicate::as_str));
    }

    #[test]
    fn doc_carries_envelope_and_source() {
        let a = ok(r#"{"id": "x", "body": "Text.", "source": "wire"}"#, None);
        let pos = SourcePosition {
            topic: "in".into(),
            partition: 3,
            offset: 9,
        };
        let doc = document(a, Analysis::default(), "m".into(), 5, Some(pos.clone()));
        assert_eq!(doc.schema, SCHEMA);
        assert_eq!(doc.id, "x");
        assert_eq!(doc.source.as_deref(), Some("wire"));
        assert_eq!(doc.processing.source, Some(pos));
        assert_eq!(doc.processing.duration_us, 5);
    }
}
