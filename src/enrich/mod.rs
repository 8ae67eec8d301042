//! The pure enrichment core: text in, entities and relations out.
//!
//! Nothing in here touches Kafka, tokio, HTTP or metrics. Stages, in order:
//! [`tokenize`] -> [`sentences`] -> `ner` (statistical tagger) -> `gazetteer` (type refinement and
//! links) + `rules` (DATE, MONEY, PERCENT) -> `entities` (merge mentions into entities) ->
//! `relations`. [`output`] is the `newsenrich.article.v1` document model.
//!
//! Offsets handed out by this module count Unicode scalar values (chars), end exclusive, into the
//! article text, so `text.chars().skip(start).take(end - start)` is the mention text.

mod budget;
pub(crate) mod entities;
pub(crate) mod gazetteer;
pub mod hostile;
#[cfg(test)]
mod hostile_tests;
pub mod language;
mod model_files;
pub(crate) mod ner;
pub mod output;
pub(crate) mod phrases;
pub(crate) mod relations;
pub(crate) mod rules;
pub mod sentences;
pub mod tokenize;
mod types;

pub use budget::{Budget, Deadline, Degradation};
pub use entities::ISO3166;
pub use model_files::ModelFiles;
pub use ner::NerModel;
pub use types::*;

use std::path::Path;
use std::sync::Arc;

/// Everything the core needs, loaded once at start-up and shared read-only between worker threads.
///
/// The core's entry point for an embedder (a batch job, another service): load once, then
/// [`Enricher::analyze`] each article from any number of threads.
///
/// ```
/// use newsenrich::enrich::{Enricher, EntityType, Predicate, ISO3166};
/// use std::path::Path;
///
/// let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
/// let enricher = Enricher::load(&models)?;
/// let text = "Kenyan President William Ruto met Tanzanian President Samia Suluhu Hassan \
///             in Nairobi on Monday.";
/// let analysis = enricher.analyze(text);
///
/// let ruto = analysis
///     .entities
///     .iter()
///     .find(|e| e.name == "William Ruto")
///     .expect("a person");
/// assert_eq!(ruto.etype, EntityType::Person);
/// let met = analysis
///     .relations
///     .iter()
///     .find(|r| r.predicate == Predicate::MetWith)
///     .expect("a meeting");
/// assert!(met.subject == ruto.id || met.object == ruto.id);
/// let kenya = analysis.entities.iter().find(|e| e.name == "Kenyan");
/// assert_eq!(kenya.and_then(|e| e.links.get(ISO3166)).map(String::as_str), Some("KE"));
///
/// // Entities and relations serialize as in the `newsenrich.article.v1` document
/// // ([`output::ArticleDoc`]).
/// let json = serde_json::to_value(met).unwrap_or_default();
/// assert_eq!(json["predicate"], "met_with");
/// # Ok::<(), newsenrich::enrich::ModelError>(())
/// ```
pub struct Enricher {
    ner: ner::NerModel,
    /// Shared with the relation model (its place features).
    gazetteer: Arc<gazetteer::Gazetteer>,
    relations: relations::RelationModel,
}

/// A model or lexicon file could not be read or parsed.
#[derive(Debug, thiserror::Error)]
#[error("cannot load model file {path}: {reason}")]
pub struct ModelError {
    pub path: String,
    pub reason: String,
}

impl ModelError {
    pub(crate) fn new(path: impl AsRef<Path>, reason: impl ToString) -> Self {
        Self {
            path: path.as_ref().display().to_string(),
            reason: reason.to_string(),
        }
    }
}

impl Enricher {
    /// Loads every model and lexicon from `dir` (the repository's `models/` in a checkout).
    pub fn load(dir: &Path) -> Result<Self, ModelError> {
        Self::from_files(&ModelFiles::dir(dir))
    }

    /// Loads every model and lexicon from `files`: a directory, or the files handed in as bytes
    /// ([`ModelFiles::from_bytes`], named as under `models/`: `ner/pass1.crf`, ...).
    pub fn from_files(files: &ModelFiles) -> Result<Self, ModelError> {
        Self::with_tagger(files, ner::NerModel::from_files(files)?)
    }

    /// Loads the rest from `dir` around a tagger loaded by the caller (evaluation tools hand in
    /// one seen from a benchmark's conventions, see [`ner::NerModel::with_conventions`]).
    pub(crate) fn load_with_tagger(dir: &Path, ner: ner::NerModel) -> Result<Self, ModelError> {
        Self::with_tagger(&ModelFiles::dir(dir), ner)
    }

    fn with_tagger(files: &ModelFiles, ner: ner::NerModel) -> Result<Self, ModelError> {
        let gazetteer = Arc::new(gazetteer::Gazetteer::from_files(files)?);
        Ok(Self {
            ner,
            relations: relations::RelationModel::from_files(files, Arc::clone(&gazetteer))?,
            gazetteer,
        })
    }

    /// A short, stable description of the loaded models for the output's `processing.model`.
    pub fn model_name(&self) -> String {
        format!("{}+{}", self.ner.name(), self.relations.name())
    }

    /// Runs the whole pipeline over one article text within the default [`Budget`].
    pub fn analyze(&self, text: &str) -> Analysis {
        self.analyze_within(text, &Budget::default())
    }

    /// Runs the whole pipeline over one article text within `budget`. Over a limit the article
    /// is enriched less completely and [`Analysis::degraded`] says how (see [`Degradation`]).
    pub fn analyze_within(&self, text: &str, budget: &Budget) -> Analysis {
        let deadline = Deadline::after(budget.max_time);
        let mut degraded = Vec::new();
        let (tokens, truncated) = tokenize::tokenize_at_most(text, budget.max_tokens);
        if truncated {
            degraded.push(Degradation::TokensTruncated);
        }
        let sentences = sentences::split(text, &tokens);
        let mut tagged = if deadline.passed() {
            degraded.push(Degradation::TaggingSkippedTimeBudget);
            Vec::new()
        } else {
            self.ner.tag(&tokens, &sentences)
        };
        restore_mention_text(text, &tokens, &mut tagged);
        cap_mentions(&mut tagged, budget.max_mentions, &mut degraded);
        let mut mentions = if deadline.passed() {
            degraded.push(Degradation::RefineSkippedTimeBudget);
            tagged
        } else {
            self.gazetteer
                .refine_with(text, &tokens, &sentences, tagged)
        };
        if deadline.passed() {
            degraded.push(Degradation::RulesSkippedTimeBudget);
        } else {
            merge_rule_mentions(&mut mentions, rules::find(text, &tokens, &sentences));
        }
        cap_mentions(&mut mentions, budget.max_mentions, &mut degraded);
        let entities = entities::resolve(&mentions, &self.gazetteer);
        let relations = if deadline.passed() {
            degraded.push(Degradation::RelationsSkippedTimeBudget);
            Vec::new()
        } else {
            let limits = relations::Limits {
                max_pairs: budget.max_pairs,
                deadline,
            };
            let out = self
                .relations
                .extract_within(text, &tokens, &sentences, &mentions, &entities, &limits);
            degraded.extend(out.degraded);
            out.relations
        };
        degraded.sort_unstable();
        degraded.dedup();
        Analysis {
            entities: entities.entities,
            relations,
            degraded,
        }
    }

    /// The stages after tagging, over mentions found by the caller (another tagger, or marked by
    /// hand): mentions merged into entities with their links, then the relations between them.
    /// Each mention's `tokens` and `sentence` index [`tokenize::tokenize`] and
    /// [`sentences::split`] over `text`; mention types are taken as given.
    pub fn relate(&self, text: &str, mentions: &[Mention]) -> Analysis {
        let tokens = tokenize::tokenize(text);
        let sentences = sentences::split(text, &tokens);
        let entities = entities::resolve(mentions, &self.gazetteer);
        let relations = self
            .relations
            .extract(text, &tokens, &sentences, mentions, &entities);
        Analysis {
            entities: entities.entities,
            relations,
            degraded: Vec::new(),
        }
    }
}

/// Keeps the first `max` mentions in reading order, noting when some were dropped.
fn cap_mentions(mentions: &mut Vec<Mention>, max: usize, degraded: &mut Vec<Degradation>) {
    if mentions.len() > max {
        mentions.sort_by_key(|m| (m.start, m.end));
        mentions.truncate(max);
        degraded.push(Degradation::MentionsTruncated);
    }
}

/// The tagger never sees the article, so it spells a mention as its tokens joined by single spaces.
/// Where the article has another gap (a line break inside a name, two spaces), take the exact slice,
/// so that `text[start:end] == mention.text` holds for every mention.
fn restore_mention_text(text: &str, tokens: &[Token<'_>], mentions: &mut [Mention]) {
    for m in mentions.iter_mut() {
        let (Some(first), Some(last)) = (
            tokens.get(m.tokens.start),
            m.tokens.end.checked_sub(1).and_then(|i| tokens.get(i)),
        ) else {
            continue;
        };
        let end = last.byte_start + last.text.len();
        if let Some(exact) = text.get(first.byte_start..end) {
            if exact != m.text {
                m.text = exact.to_string();
            }
        }
    }
}

/// Adds rule-based mentions (dates, money, percentages) that do not overlap a tagger mention;
/// the statistical tagger wins where both claim a span. Keeps the result sorted by position.
/// `extra` never overlap one another (see [`rules::find`]), so each is checked against the
/// tagger's mentions only: sorted by start, with the furthest end reached so far, in `n log n`.
fn merge_rule_mentions(mentions: &mut Vec<Mention>, extra: Vec<Mention>) {
    mentions.sort_by_key(|m| (m.start, m.end));
    let starts: Vec<usize> = mentions.iter().map(|m| m.start).collect();
    let furthest_end: Vec<usize> = mentions
        .iter()
        .scan(0, |far, m| {
            *far = m.end.max(*far);
            Some(*far)
        })
        .collect();
    let overlaps = |m: &Mention| {
        // Mentions starting before `m` ends overlap it when one of them ends after it starts.
        let before = starts.partition_point(|&s| s < m.end);
        before > 0 && furthest_end[before - 1] > m.start
    };
    let kept: Vec<Mention> = extra.into_iter().filter(|m| !overlaps(m)).collect();
    mentions.extend(kept);
    mentions.sort_by_key(|m| (m.start, m.end));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file under `models/`, named as under it ("ner/pass1.crf").
    fn models_in_memory(except: &str) -> Vec<(String, Vec<u8>)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
        let mut out = Vec::new();
        for folder in std::fs::read_dir(&root).unwrap() {
            let folder = folder.unwrap().path();
            for file in std::fs::read_dir(&folder).unwrap() {
                let path = file.unwrap().path();
                let name = path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                if name != except {
                    out.push((name, std::fs::read(&path).unwrap()));
                }
            }
        }
        out
    }

    #[test]
    fn models_handed_in_as_bytes_give_the_same_analysis_as_the_directory() {
        let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
        let from_dir = Enricher::load(&models).unwrap();
        let from_bytes =
            Enricher::from_files(&ModelFiles::from_bytes(models_in_memory(""))).unwrap();
        let text = "Kenyan President William Ruto met Tanzanian President Samia Suluhu Hassan in \
                    Nairobi on Monday. Safaricom, based in Nairobi, said its chief executive \
                    Peter Ndegwa would attend.";
        let (a, b) = (from_dir.analyze(text), from_bytes.analyze(text));
        assert!(!a.entities.is_empty() && !a.relations.is_empty(), "{a:#?}");
        assert_eq!(a, b);
        assert_eq!(from_dir.model_name(), from_bytes.model_name());
    }

    #[test]
    fn a_model_file_missing_from_the_bytes_is_named() {
        for missing in [
            "ner/pass1.crf",
            "gazetteer/countries.tsv",
            "relations/classifier.txt",
        ] {
            let files = ModelFiles::from_bytes(models_in_memory(missing));
            let err = Enricher::from_files(&files).err().map(|e| e.to_string());
            assert!(
                err.as_deref().is_some_and(|e| e.contains(missing)),
                "{missing}: {err:?}"
            );
        }
    }

    fn slice(text: &str, start: usize, end: usize) -> String {
        text.chars().skip(start).take(end - start).collect()
    }

    #[test]
    fn mention_text_is_the_exact_slice_even_across_line_breaks() {
        let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
        let enricher = Enricher::load(&models).unwrap();
        let text = "German Chancellor Angela\nMerkel met President Emmanuel  Macron in Berlin on Monday.\n\nMerkel said the talks were useful.";
        let analysis = enricher.analyze(text);
        let mut seen_merkel = false;
        for e in &analysis.entities {
            assert!(
                !e.name.contains('\n'),
                "entity names are one line: {:?}",
                e.name
            );
            for m in &e.mentions {
                assert_eq!(slice(text, m.start, m.end), m.text, "entity {}", e.name);
                seen_merkel |= m.text.contains("Merkel");
            }
        }
        assert!(seen_merkel, "{:#?}", analysis.entities);
    }
}
