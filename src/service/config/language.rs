//! The `[language]` section: what happens to an article in each language.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What happens to an article in one language (see `[language]` in `config/default.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LanguagePolicy {
    /// Run the enrich core (its models are English).
    Enrich,
    /// Publish the document with `language`, no entities or relations and
    /// `processing.skipped = "unsupported_language"`.
    Pass,
    /// Send the record to the dead-letter topic as `unsupported_language`.
    Dlq,
    /// Send the original record, with `x-language` headers, to `language.route_topic`.
    Route,
}

impl LanguagePolicy {
    pub(crate) const ALL: [LanguagePolicy; 4] = [
        LanguagePolicy::Enrich,
        LanguagePolicy::Pass,
        LanguagePolicy::Dlq,
        LanguagePolicy::Route,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LanguagePolicy::Enrich => "enrich",
            LanguagePolicy::Pass => "pass",
            LanguagePolicy::Dlq => "dlq",
            LanguagePolicy::Route => "route",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LanguageSettings {
    /// Use the input envelope's `language` field (when it names a known language) instead of
    /// detecting.
    pub trust_input: bool,
    /// The policy of a language `policies` does not name.
    pub default_policy: LanguagePolicy,
    /// Policy per ISO 639-1 code, and `und` for text whose language cannot be told. `en` and `und`
    /// are `enrich` unless named here.
    pub policies: BTreeMap<String, LanguagePolicy>,
    /// Where `route` sends records; required when any policy is `route`.
    pub route_topic: String,
    /// The languages the feed can carry (ISO 639-1 codes); the detector answers only among them.
    /// Empty (the default) means every language it knows.
    pub candidates: Vec<String>,
}

impl Default for LanguageSettings {
    fn default() -> Self {
        Self {
            trust_input: false,
            default_policy: LanguagePolicy::Pass,
            policies: [
                ("en".to_string(), LanguagePolicy::Enrich),
                ("und".to_string(), LanguagePolicy::Enrich),
            ]
            .into(),
            route_topic: String::new(),
            candidates: Vec::new(),
        }
    }
}

impl LanguageSettings {
    /// The policy for an ISO 639-1 code (or `und`): the one configured for it, else `enrich` for
    /// `en` and `und`, else `default_policy`.
    pub(crate) fn policy_for(&self, code: &str) -> LanguagePolicy {
        match self.policies.get(code) {
            Some(policy) => *policy,
            None if code == "en" || code == crate::enrich::language::UNDETERMINED => {
                LanguagePolicy::Enrich
            }
            None => self.default_policy,
        }
    }

    /// Whether any language can be routed.
    pub(crate) fn routes(&self) -> bool {
        self.default_policy == LanguagePolicy::Route
            || self.policies.values().any(|p| *p == LanguagePolicy::Route)
    }
}
