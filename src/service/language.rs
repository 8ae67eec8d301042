//! What to do with an article given its language: the one decision the worker and
//! `newsenrich enrich` share.
//!
//! [`decide`] takes the language from the input envelope (when `language.trust_input` is on and the
//! field names a language the detector knows) or from the core's detector
//! ([`crate::enrich::language::detect`]), then looks up its policy (`[language]` settings).
//! [`Decision::stamp`] writes the outcome into the output document.

use crate::enrich::language::{self, LanguageDetector, UNDETERMINED};
use crate::enrich::output::ArticleDoc;
use crate::service::article::Article;
use crate::service::config::{LanguagePolicy, LanguageSettings};
use crate::service::kafka::producer::{HeaderList, OutRecord};
use crate::service::metrics::Metrics;

/// `processing.skipped` of a document whose language has the `pass` policy.
pub(crate) const SKIPPED_UNSUPPORTED: &str = "unsupported_language";

/// Headers a routed record carries besides its own.
pub(crate) const H_LANGUAGE: &str = "x-language";
pub(crate) const H_LANGUAGE_CONFIDENCE: &str = "x-language-confidence";

/// Languages the `language` label of `newsenrich_articles_by_language_total` names even when no
/// policy mentions them: the most common languages of news wires. Any language with a configured
/// policy is named too; the rest count as `other`, undetermined text as `unknown`.
pub(crate) const TRACKED: [&str; 20] = [
    "en", "de", "fr", "es", "pt", "it", "nl", "ru", "ar", "zh", "ja", "hi", "ko", "tr", "pl", "uk",
    "sv", "id", "fa", "vi",
];

/// Where the language came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Detected,
    Input,
}

impl Source {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Source::Detected => "detected",
            Source::Input => "input",
        }
    }
}

/// An article's language and what to do with it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decision {
    /// ISO 639-1 code, or `und`.
    pub language: &'static str,
    pub confidence: f64,
    pub source: Source,
    pub policy: LanguagePolicy,
}

/// The detector for `settings`' candidate languages, built once per worker (and per
/// `newsenrich enrich` run), not per article.
pub(crate) fn detector_for(settings: &LanguageSettings) -> LanguageDetector {
    let candidates: Vec<&str> = settings.candidates.iter().map(String::as_str).collect();
    LanguageDetector::among(&candidates)
}

/// The language of `article` and its policy under `settings`, detected by `detector` (see
/// [`detector_for`]) unless the input's own tag is trusted.
pub(crate) fn decide(
    article: &Article,
    settings: &LanguageSettings,
    detector: &LanguageDetector,
) -> Decision {
    let trusted = settings
        .trust_input
        .then(|| {
            article
                .language
                .as_deref()
                .and_then(language::normalize_tag)
        })
        .flatten();
    let (code, confidence, source) = match trusted {
        Some(code) => (code, 1.0, Source::Input),
        None => {
            let found = detector.detect(&article.text);
            (found.code_or_und(), found.confidence, Source::Detected)
        }
    };
    Decision {
        language: code,
        confidence,
        source,
        policy: settings.policy_for(code),
    }
}

impl Decision {
    /// Whether the enrich core runs on the article.
    pub(crate) fn enriches(&self) -> bool {
        self.policy == LanguagePolicy::Enrich
    }

    /// Writes the language into `doc`; with the `pass` policy also empties its entities and
    /// relations and marks it `processing.skipped`.
    pub(crate) fn stamp(&self, doc: &mut ArticleDoc) {
        doc.language = Some(self.language.to_string());
        doc.processing.language_confidence = (self.confidence * 1000.0).round() / 1000.0;
        doc.processing.language_source = Some(self.source.as_str().to_string());
        if !self.enriches() {
            doc.entities.clear();
            doc.relations.clear();
            doc.processing.degraded.clear();
            doc.processing.skipped = Some(SKIPPED_UNSUPPORTED.to_string());
        }
    }

    /// The dead-letter message of the `dlq` policy.
    pub(crate) fn dead_letter_message(&self) -> String {
        format!(
            "language {} ({}, confidence {:.2}) has policy dlq",
            self.language,
            self.source.as_str(),
            self.confidence
        )
    }

    /// The `route` policy's record: the input record as it came (key, value, headers), to
    /// `topic`, with [`H_LANGUAGE`] and [`H_LANGUAGE_CONFIDENCE`] set (replacing any the input had).
    pub(crate) fn route_record(
        &self,
        topic: &str,
        key: Option<&[u8]>,
        payload: Option<&[u8]>,
        headers: HeaderList,
    ) -> OutRecord {
        let mut headers: HeaderList = headers
            .into_iter()
            .filter(|(k, _)| k != H_LANGUAGE.as_bytes() && k != H_LANGUAGE_CONFIDENCE.as_bytes())
            .collect();
        headers.push((
            H_LANGUAGE.as_bytes().to_vec(),
            Some(self.language.as_bytes().to_vec()),
        ));
        headers.push((
            H_LANGUAGE_CONFIDENCE.as_bytes().to_vec(),
            Some(format!("{:.3}", self.confidence).into_bytes()),
        ));
        OutRecord {
            topic: topic.to_string(),
            key: key.map(<[u8]>::to_vec),
            payload: payload.map(<[u8]>::to_vec),
            headers,
        }
    }

    /// The `language` label: a tracked or configured code, `other`, or `unknown` for `und`.
    pub(crate) fn metric_label<'a>(&self, settings: &'a LanguageSettings) -> &'a str {
        if self.language == UNDETERMINED {
            return "unknown";
        }
        if let Some(tracked) = TRACKED.iter().find(|c| **c == self.language) {
            return tracked;
        }
        match settings.policies.get_key_value(self.language) {
            Some((configured, _)) => configured,
            None => "other",
        }
    }

    /// Counts the article by language and by policy outcome.
    pub(crate) fn count(&self, metrics: &Metrics, settings: &LanguageSettings) {
        metrics
            .articles_by_language
            .with_label_values(&[self.metric_label(settings)])
            .inc();
        metrics
            .language_outcomes
            .with_label_values(&[self.policy.as_str()])
            .inc();
    }
}

/// Creates every label the language metrics can take at zero, so dashboards see them before the
/// first article.
pub(crate) fn init_metrics(metrics: &Metrics, settings: &LanguageSettings) {
    let configured = settings
        .policies
        .keys()
        .map(String::as_str)
        .filter(|c| *c != UNDETERMINED);
    for label in TRACKED
        .into_iter()
        .chain(configured)
        .chain(["other", "unknown"])
    {
        metrics.articles_by_language.with_label_values(&[label]);
    }
    for policy in LanguagePolicy::ALL {
        metrics
            .language_outcomes
            .with_label_values(&[policy.as_str()]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::output::Processing;
    use crate::enrich::{Analysis, Entity, EntityType, MentionSpan};
    use crate::service::article;
    use crate::service::config::LimitsSettings;
    use serde_json::Value;

    const GERMAN: &str = "Bundeskanzler Olaf Scholz hat am Dienstag in Paris den französischen \
        Präsidenten Emmanuel Macron getroffen. Die beiden Politiker sprachen über die Zukunft der \
        Europäischen Union und die Unterstützung für die Ukraine. Deutschland und Frankreich wollen \
        ihre Zusammenarbeit in der Verteidigung vertiefen.";

    fn article_of(body: &str, language: Option<&str>) -> Article {
        let mut envelope = serde_json::json!({"id": "a1", "body": body});
        if let Some(l) = language {
            envelope["language"] = l.into();
        }
        let raw = envelope.to_string();
        article::decode(Some(raw.as_bytes()), None, &LimitsSettings::default()).unwrap()
    }

    #[test]
    fn detects_unless_a_known_input_language_is_trusted() {
        let mut settings = LanguageSettings::default();
        let d = decide(
            &article_of(GERMAN, Some("en")),
            &settings,
            &detector_for(&settings),
        );
        assert_eq!((d.language, d.source), ("de", Source::Detected));
        assert_eq!(d.policy, LanguagePolicy::Pass);
        settings.trust_input = true;
        let d = decide(
            &article_of(GERMAN, Some("en-GB")),
            &settings,
            &detector_for(&settings),
        );
        assert_eq!(
            (d.language, d.source, d.confidence),
            ("en", Source::Input, 1.0)
        );
        assert_eq!(d.policy, LanguagePolicy::Enrich);
        for unusable in [Some("klingon"), Some("und"), None] {
            let d = decide(
                &article_of(GERMAN, unusable),
                &settings,
                &detector_for(&settings),
            );
            assert_eq!(
                (d.language, d.source),
                ("de", Source::Detected),
                "{unusable:?}"
            );
        }
        let d = decide(
            &article_of("Lee visited Seoul.", None),
            &settings,
            &detector_for(&settings),
        );
        assert_eq!((d.language, d.policy), ("und", LanguagePolicy::Enrich));
    }

    fn doc_with_an_entity(d: &Decision) -> ArticleDoc {
        let analysis = Analysis {
            entities: vec![Entity {
                id: "E1".into(),
                etype: EntityType::Person,
                name: "Politiker".into(),
                salience: 0.5,
                mentions: vec![MentionSpan {
                    text: "Politiker".into(),
                    start: 0,
                    end: 9,
                }],
                links: Default::default(),
            }],
            ..Analysis::default()
        };
        let mut doc = crate::service::process::document(
            article_of(GERMAN, None),
            analysis,
            "m".into(),
            1,
            None,
        );
        d.stamp(&mut doc);
        doc
    }

    #[test]
    fn pass_publishes_the_language_and_no_guesses_in_the_published_schema() {
        let d = decide(
            &article_of(GERMAN, None),
            &LanguageSettings::default(),
            &LanguageDetector::default(),
        );
        let doc = doc_with_an_entity(&d);
        assert_eq!(doc.language.as_deref(), Some("de"));
        assert!(doc.entities.is_empty() && doc.relations.is_empty());
        let Processing {
            skipped,
            language_confidence,
            language_source,
            ..
        } = &doc.processing;
        assert_eq!(skipped.as_deref(), Some(SKIPPED_UNSUPPORTED));
        assert!(*language_confidence > 0.5, "{language_confidence}");
        assert_eq!(language_source.as_deref(), Some("detected"));

        let schema: Value =
            serde_json::from_str(include_str!("../../schema/newsenrich.article.v1.json")).unwrap();
        let json = serde_json::to_value(&doc).unwrap();
        let processing = &schema["$defs"]["processing"];
        for (key, value) in json["processing"].as_object().unwrap() {
            let declared = &processing["properties"][key];
            assert!(!declared.is_null(), "processing.{key} not in the schema");
            if let Some(allowed) = declared["enum"].as_array() {
                assert!(allowed.contains(value), "processing.{key} = {value}");
            }
        }
        for required in processing["required"].as_array().unwrap() {
            assert!(json["processing"].get(required.as_str().unwrap()).is_some());
        }
        assert!(schema["required"]
            .as_array()
            .unwrap()
            .contains(&"language".into()));

        // Enriched: entities kept, no skip flag.
        let mut settings = LanguageSettings::default();
        settings
            .policies
            .insert("de".into(), LanguagePolicy::Enrich);
        let doc = doc_with_an_entity(&decide(
            &article_of(GERMAN, None),
            &settings,
            &detector_for(&settings),
        ));
        assert_eq!(doc.entities.len(), 1);
        assert_eq!(doc.processing.skipped, None);
    }

    #[test]
    fn a_routed_record_is_the_input_with_language_headers() {
        let d = decide(
            &article_of(GERMAN, None),
            &LanguageSettings::default(),
            &LanguageDetector::default(),
        );
        let headers = vec![
            (b"traceparent".to_vec(), Some(b"00-1".to_vec())),
            (H_LANGUAGE.as_bytes().to_vec(), Some(b"en".to_vec())),
        ];
        let r = d.route_record("articles.de", Some(b"k"), Some(b"raw"), headers);
        assert_eq!(r.topic, "articles.de");
        assert_eq!(r.key.as_deref(), Some(&b"k"[..]));
        assert_eq!(r.payload.as_deref(), Some(&b"raw"[..]));
        let get = |name: &str| -> Vec<&[u8]> {
            r.headers
                .iter()
                .filter(|(k, _)| k == name.as_bytes())
                .filter_map(|(_, v)| v.as_deref())
                .collect()
        };
        assert_eq!(get("traceparent"), [b"00-1"]);
        assert_eq!(get(H_LANGUAGE), [b"de"]);
        assert_eq!(get(H_LANGUAGE_CONFIDENCE).len(), 1);
    }

    #[test]
    fn language_labels_stay_bounded() {
        let mut settings = LanguageSettings::default();
        let label = |code: &'static str, s: &LanguageSettings| {
            Decision {
                language: code,
                confidence: 1.0,
                source: Source::Detected,
                policy: LanguagePolicy::Pass,
            }
            .metric_label(s)
            .to_string()
        };
        assert_eq!(label("de", &settings), "de");
        assert_eq!(label("und", &settings), "unknown");
        assert_eq!(label("am", &settings), "other");
        settings.policies.insert("am".into(), LanguagePolicy::Dlq);
        assert_eq!(label("am", &settings), "am");

        let metrics = Metrics::new().unwrap();
        init_metrics(&metrics, &settings);
        let text = metrics.render();
        for want in [
            "language=\"am\"",
            "language=\"other\"",
            "language=\"unknown\"",
            "outcome=\"route\"",
        ] {
            assert!(text.contains(want), "{want} missing");
        }
        assert!(!text.contains("language=\"und\""));
    }
}
