//! `newsenrich eval conll04 FILE [--gold-entities] [--models DIR]`: strict entity and relation
//! scores on a CoNLL04 JSON file (a list of sentences with `tokens`, `entities`, `relations`).
//!
//! Each sentence's tokens are joined with single spaces into a text. End to end, that text goes
//! through the tokenizer, sentence splitter, tagger, gazetteer and entity resolution; with
//! `--gold-entities` the gold spans and types are handed to the relation classifier. An entity
//! counts when span and type match exactly (PERSON->Peop, ORG->Org, GPE/LOC->Loc; Other ignored).
//! A relation counts when both argument spans and types match exactly and the label matches.
//! Relations are scored at mention level from the classifier, before the article-level merge.

use super::conll04::{gold_mentions, joined, label_of, read, whole, Conll04Sentence};
use super::detok::TokenSpans;
use crate::enrich::ner::NerModel;
use crate::enrich::relations::RelationModel;
use crate::enrich::{
    sentences, tokenize, Enricher, EntityType, Mention, Predicate, Sentence, Token,
};
use anyhow::Context;
use clap::Parser;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Per-label counts of strict matches.
#[derive(Debug, Default, Clone)]
pub(crate) struct Scores {
    /// label -> (true positives, predicted, gold)
    pub counts: BTreeMap<String, (usize, usize, usize)>,
}

impl Scores {
    /// Adds one sentence: `predicted` and `gold` are sets of (label, key) items; a prediction is
    /// correct when the same item is in gold.
    pub(crate) fn add<K: PartialEq>(&mut self, predicted: &[(String, K)], gold: &[(String, K)]) {
        for (label, _) in gold {
            self.counts.entry(label.clone()).or_default().2 += 1;
        }
        for (i, p) in predicted.iter().enumerate() {
            if predicted[..i].contains(p) {
                continue;
            }
            let c = self.counts.entry(p.0.clone()).or_default();
            c.1 += 1;
            if gold.contains(p) {
                c.0 += 1;
            }
        }
    }

    /// (precision, recall, F1) of one label, in percent.
    pub(crate) fn label(&self, label: &str) -> (f64, f64, f64) {
        let (tp, p, g) = self.counts.get(label).copied().unwrap_or_default();
        crate::lab::score::percent(tp, p, g)
    }

    pub(crate) fn micro(&self, labels: &[&str]) -> (f64, f64, f64) {
        let (mut tp, mut p, mut g) = (0, 0, 0);
        for l in labels {
            let c = self.counts.get(*l).copied().unwrap_or_default();
            tp += c.0;
            p += c.1;
            g += c.2;
        }
        crate::lab::score::percent(tp, p, g)
    }

    /// Unweighted mean of the per-label precision, recall and F1.
    pub(crate) fn macro_avg(&self, labels: &[&str]) -> (f64, f64, f64) {
        let n = labels.len().max(1) as f64;
        let (mut p, mut r, mut f) = (0.0, 0.0, 0.0);
        for l in labels {
            let s = self.label(l);
            p += s.0;
            r += s.1;
            f += s.2;
        }
        (p / n, r / n, f / n)
    }

    pub(crate) fn print(&self, title: &str, labels: &[&str]) {
        println!("{title}");
        println!(
            "  {:<14} {:>7} {:>7} {:>7} {:>6}",
            "label", "P", "R", "F1", "gold"
        );
        for l in labels {
            let (p, r, f) = self.label(l);
            let g = self.counts.get(*l).map_or(0, |c| c.2);
            println!("  {l:<14} {p:>7.2} {r:>7.2} {f:>7.2} {g:>6}");
        }
        let (p, r, f) = self.micro(labels);
        println!("  {:<14} {p:>7.2} {r:>7.2} {f:>7.2}", "micro");
        let (p, r, f) = self.macro_avg(labels);
        println!("  {:<14} {p:>7.2} {r:>7.2} {f:>7.2}", "macro");
    }
}

pub(crate) const ENTITY_LABELS: [&str; 3] = ["Peop", "Org", "Loc"];
pub(crate) const RELATION_LABELS: [&str; 5] =
    ["Work_For", "Live_In", "OrgBased_In", "Located_In", "Kill"];

/// A relation's scoring key: (head span, head label, tail span, tail label).
type RelKey = ((usize, usize), &'static str, (usize, usize), &'static str);

fn conll_label(p: Predicate) -> &'static str {
    match p {
        Predicate::WorksFor => "Work_For",
        Predicate::ResidesIn => "Live_In",
        Predicate::BasedIn => "OrgBased_In",
        Predicate::LocatedIn => "Located_In",
        _ => "Kill",
    }
}

fn gold_relations(item: &Conll04Sentence, mentions: &[Mention]) -> Vec<(String, RelKey)> {
    item.relations
        .iter()
        .filter_map(|r| {
            let (h, t) = (mentions.get(r.head)?, mentions.get(r.tail)?);
            Some((
                r.label.clone(),
                (
                    (h.start, h.end),
                    label_of(h.etype)?,
                    (t.start, t.end),
                    label_of(t.etype)?,
                ),
            ))
        })
        .collect()
}

fn predicted_relations(
    model: &RelationModel,
    text: &str,
    tokens: &[Token<'_>],
    sentences: &[Sentence],
    mentions: &[Mention],
) -> Vec<(String, RelKey)> {
    let types: Vec<EntityType> = mentions.iter().map(|m| m.etype).collect();
    model
        .classify(text, tokens, sentences, mentions, &types)
        .into_iter()
        .filter_map(|r| {
            let (h, t) = (&mentions[r.subject], &mentions[r.object]);
            Some((
                conll_label(r.predicate).to_string(),
                (
                    (h.start, h.end),
                    label_of(h.etype)?,
                    (t.start, t.end),
                    label_of(t.etype)?,
                ),
            ))
        })
        .collect()
}

/// Relation scores with gold entities handed to the classifier, and the classifier's time per
/// sentence in microseconds (all candidate pairs of the sentence; a rough figure, benchmarks
/// carry the real speed numbers).
pub(crate) fn eval_gold(model: &RelationModel, data: &[Conll04Sentence]) -> (Scores, f64) {
    let mut rel = Scores::default();
    let mut spent = std::time::Duration::ZERO;
    for item in data {
        let (text, starts) = joined(&item.tokens);
        let tokens = tokenize::tokenize(&text);
        let mentions = gold_mentions(item, &starts, &text, &tokens);
        let sents = [whole(&text, &tokens)];
        let gold = gold_relations(item, &mentions);
        let t0 = std::time::Instant::now();
        let predicted = predicted_relations(model, &text, &tokens, &sents, &mentions);
        spent += t0.elapsed();
        rel.add(&predicted, &gold);
    }
    let per_sentence = spent.as_secs_f64() * 1e6 / data.len().max(1) as f64;
    (rel, per_sentence)
}

/// Entity and relation scores with the whole pipeline finding the entities.
pub(crate) fn eval_end_to_end(
    enricher: &Enricher,
    model: &RelationModel,
    data: &[Conll04Sentence],
    show_errors: bool,
) -> (Scores, Scores, usize) {
    let (mut ent, mut rel) = (Scores::default(), Scores::default());
    let mut reachable = 0usize;
    for item in data {
        let (text, spans) = joined(&item.tokens);
        let tokens = tokenize::tokenize(&text);
        let gold_ms = gold_mentions(item, &spans, &text, &tokens);
        let gold_ents: Vec<(String, (usize, usize))> = gold_ms
            .iter()
            .filter_map(|m| Some((label_of(m.etype)?.to_string(), (m.start, m.end))))
            .collect();
        let sents = sentences::split(&text, &tokens);
        let analysis = enricher.analyze(&text);
        // The pipeline's mentions, rebuilt from its entities (type = the entity's type).
        let mut mentions: Vec<Mention> = Vec::new();
        for e in &analysis.entities {
            for m in &e.mentions {
                let first = tokens
                    .iter()
                    .position(|t| t.end > m.start)
                    .unwrap_or(tokens.len());
                let last = tokens
                    .iter()
                    .rposition(|t| t.start < m.end)
                    .map_or(first, |i| i + 1);
                let sentence = sents.iter().position(|s| s.end > m.start).unwrap_or(0);
                mentions.push(Mention {
                    start: m.start,
                    end: m.end,
                    tokens: first..last.max(first),
                    sentence,
                    etype: e.etype,
                    text: m.text.clone(),
                    confidence: 1.0,
                });
            }
        }
        mentions.sort_by_key(|m| (m.start, m.end));
        let chars: Vec<char> = text.chars().collect();
        let snap = |s: (usize, usize)| snap_to_tokens(s, &spans, &chars);
        let pred_ents: Vec<(String, (usize, usize))> = mentions
            .iter()
            .filter_map(|m| Some((label_of(m.etype)?.to_string(), snap((m.start, m.end)))))
            .collect();
        ent.add(&pred_ents, &gold_ents);
        let gold = gold_relations(item, &gold_ms);
        reachable += gold
            .iter()
            .filter(|(_, (h, hl, t, tl))| {
                let found =
                    |l: &str, s: (usize, usize)| pred_ents.iter().any(|p| p.0 == l && p.1 == s);
                found(hl, *h) && found(tl, *t)
            })
            .count();
        let predicted: Vec<(String, RelKey)> =
            predicted_relations(model, &text, &tokens, &sents, &mentions)
                .into_iter()
                .map(|(label, (h, hl, t, tl))| (label, (snap(h), hl, snap(t), tl)))
                .collect();
        let wrong =
            |p: &[(String, RelKey)], g: &[(String, RelKey)]| p.iter().any(|x| !g.contains(x));
        let entity_wrong = |p: &[(String, (usize, usize))], g: &[(String, (usize, usize))]| {
            p.iter().any(|x| !g.contains(x))
        };
        if show_errors
            && (wrong(&predicted, &gold)
                || wrong(&gold, &predicted)
                || entity_wrong(&pred_ents, &gold_ents)
                || entity_wrong(&gold_ents, &pred_ents))
        {
            println!("# {text}");
            print_entity_errors(&text, &pred_ents, &gold_ents);
            print_relation_errors(&text, &predicted, &gold, &pred_ents);
        }
        rel.add(&predicted, &gold);
    }
    (ent, rel, reachable)
}

/// Prints a sentence's relation errors: `R-` gold relations missed (`[args found]` when both
/// arguments were found, so the classifier missed it), `R+` wrong predictions.
fn print_relation_errors(
    text: &str,
    predicted: &[(String, RelKey)],
    gold: &[(String, RelKey)],
    pred_ents: &[(String, (usize, usize))],
) {
    let span = |(a, b): (usize, usize)| -> String { text.chars().skip(a).take(b - a).collect() };
    let found = |l: &str, s: (usize, usize)| pred_ents.iter().any(|p| p.0 == l && p.1 == s);
    for g in gold.iter().filter(|g| !predicted.contains(g)) {
        let (label, (h, hl, t, tl)) = g;
        let reach = if found(hl, *h) && found(tl, *t) {
            " [args found]"
        } else {
            ""
        };
        println!("  R- {label} [{}] -> [{}]{reach}", span(*h), span(*t));
    }
    for p in predicted.iter().filter(|p| !gold.contains(p)) {
        let (label, (h, _, t, _)) = p;
        println!("  R+ {label} [{}] -> [{}]", span(*h), span(*t));
    }
}

/// A predicted span projected onto the data set's tokens: when it ends inside a gold token whose
/// rest is only full stops, it ends where that token ends. CoNLL04 leaves a sentence's final
/// period inside the last word ("Tarrowby."), and its gold spans keep it; the tokenizer rightly
/// splits it off, so without this every sentence-final entity would count as a boundary error.
pub(crate) fn snap_to_tokens(
    (start, end): (usize, usize),
    spans: &TokenSpans,
    chars: &[char],
) -> (usize, usize) {
    let inside = spans
        .starts
        .iter()
        .zip(&spans.ends)
        .find(|(s, e)| **s < end && end < **e);
    match inside {
        Some((_, &e))
            if chars
                .get(end..e)
                .is_some_and(|r| r.iter().all(|c| *c == '.')) =>
        {
            (start, e)
        }
        _ => (start, end),
    }
}

/// Prints a sentence's entity errors: `-` gold items missed, `+` wrong predictions.
fn print_entity_errors(
    text: &str,
    predicted: &[(String, (usize, usize))],
    gold: &[(String, (usize, usize))],
) {
    let span = |(a, b): (usize, usize)| -> String { text.chars().skip(a).take(b - a).collect() };
    let missed: Vec<_> = gold.iter().filter(|g| !predicted.contains(g)).collect();
    let wrong: Vec<_> = predicted.iter().filter(|p| !gold.contains(p)).collect();
    for (label, s) in missed {
        println!("  - {label:<5} [{}]", span(*s));
    }
    for (label, s) in wrong {
        println!("  + {label:<5} [{}]", span(*s));
    }
}

#[derive(Parser, Debug)]
#[command(
    name = "newsenrich eval conll04",
    about = "Entity and relation scores on CoNLL04 JSON"
)]
struct Args {
    /// CoNLL04 JSON file (e.g. ../shared/data/conll04/dev.json).
    file: PathBuf,
    /// Score relations with the gold entities given, only.
    #[arg(long)]
    gold_entities: bool,
    /// Print each sentence's entity and relation errors (end to end).
    #[arg(long)]
    show_errors: bool,
    /// Write the file's sentences as extra NER training data (CoNLL-2003 columns, see
    /// `conll04_ner`) to this path, and exit.
    #[arg(long)]
    export_ner: Option<PathBuf>,
    /// With --export-ner: keep CoNLL04's span conventions instead of CoNLL-2003's.
    #[arg(long)]
    as_annotated: bool,
    /// Score against gold spans rewritten to the product's conventions (no titles in names,
    /// "City, State" as two places; see `conll04_ner::product_conventions`).
    #[arg(long)]
    product_conventions: bool,
    /// Models directory.
    #[arg(long, default_value = "models")]
    models: PathBuf,
    /// Tagger for the end-to-end scores: `conll04` (`ner/pass1.conll04.crf`: the shipped tagger
    /// trained with CoNLL04's train split in CoNLL04's own conventions, the protocol of every
    /// published CoNLL04 score) or `product` (`ner/pass1.crf`, the conventions the service
    /// emits: CoNLL-2003's).
    #[arg(long, default_value = "conll04")]
    ner_profile: String,
}

/// `args[0]` is the task name; parse the rest with clap.
pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let args = Args::try_parse_from(args)?;
    let mut data = read(&args.file)?;
    if args.product_conventions {
        data = data
            .iter()
            .map(super::conll04_ner::product_conventions)
            .collect();
    }
    if let Some(out) = &args.export_ner {
        let docs = super::conll04_ner::docs(&data, args.as_annotated);
        std::fs::write(out, crate::lab::ner::conll::write(&docs))
            .with_context(|| format!("writing {}", out.display()))?;
        println!(
            "{}: {} of {} sentences written",
            out.display(),
            docs.len(),
            data.len()
        );
        return Ok(());
    }
    let service = RelationModel::load(&args.models)?;
    let model = super::conll04_conventions::at_benchmark_rule(service.clone());
    println!("{}: {} sentences", args.file.display(), data.len());
    let enricher = if args.gold_entities {
        None
    } else {
        println!("tagger profile: {}", args.ner_profile);
        let ner_dir = args.models.join("ner");
        let tagger = match args.ner_profile.as_str() {
            "product" => NerModel::load_from(&ner_dir)?,
            "conll04" => super::conll04_conventions::conll04_tagger(&ner_dir)?,
            other => anyhow::bail!("unknown --ner-profile `{other}` (product or conll04)"),
        };
        Some(Enricher::load_with_tagger(&args.models, tagger)?)
    };
    // "tuned": the dev-F1-optimal threshold (the benchmark setting); "service": what the service
    // reports (per-predicate precision-first thresholds and evidence checks).
    for (name, model) in [("tuned", &model), ("service", &service)] {
        if let Some(enricher) = &enricher {
            let (ent, rel, reachable) =
                eval_end_to_end(enricher, model, &data, args.show_errors && name == "tuned");
            if name == "tuned" {
                ent.print("entities, end to end (strict)", &ENTITY_LABELS);
                let gold: usize = RELATION_LABELS
                    .iter()
                    .filter_map(|l| rel.counts.get(*l))
                    .map(|c| c.2)
                    .sum();
                println!(
                    "gold relations with both arguments found exactly: {reachable} of {gold} ({:.1}%)",
                    100.0 * reachable as f64 / gold.max(1) as f64
                );
            }
            rel.print(
                &format!("relations, end to end (strict, {name})"),
                &RELATION_LABELS,
            );
        }
        let (rel, us) = eval_gold(model, &data);
        rel.print(
            &format!("relations, gold entities (strict, {name})"),
            &RELATION_LABELS,
        );
        if name == "tuned" {
            println!(
                "relation classifier: {us:.1} µs per sentence (gold entities, all candidate pairs)"
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::conll04::{GoldEntity, GoldRelation};

    fn item(s: &str) -> (String, (usize, usize)) {
        let (label, span) = s.split_once('@').unwrap();
        let (a, b) = span.split_once('-').unwrap();
        (label.to_string(), (a.parse().unwrap(), b.parse().unwrap()))
    }

    #[test]
    fn strict_scores_micro_and_macro() {
        let mut s = Scores::default();
        // Sentence 1: one exact hit, one wrong span, one missed gold item.
        let pred = [item("Peop@0-3"), item("Org@5-9")];
        let gold = [item("Peop@0-3"), item("Org@5-10"), item("Loc@12-15")];
        s.add(&pred, &gold);
        // Sentence 2: a duplicate prediction counts once; a wrong label is a miss.
        let pred = [item("Loc@0-4"), item("Loc@0-4"), item("Org@6-8")];
        let gold = [item("Loc@0-4"), item("Peop@6-8")];
        s.add(&pred, &gold);
        assert_eq!(s.counts["Peop"], (1, 1, 2));
        assert_eq!(s.counts["Org"], (0, 2, 1));
        assert_eq!(s.counts["Loc"], (1, 1, 2));
        let (p, r, f) = s.micro(&ENTITY_LABELS);
        assert!(
            (p - 50.0).abs() < 1e-9 && (r - 40.0).abs() < 1e-9,
            "{p} {r}"
        );
        assert!((f - 2.0 * 50.0 * 40.0 / 90.0).abs() < 1e-9);
        let (_, _, macro_f) = s.macro_avg(&ENTITY_LABELS);
        let per = [s.label("Peop").2, s.label("Org").2, s.label("Loc").2];
        assert!((macro_f - per.iter().sum::<f64>() / 3.0).abs() < 1e-9);
        assert_eq!(s.label("Org").2, 0.0);
    }

    #[test]
    fn joined_text_offsets_and_gold_mentions() {
        let tokens: Vec<String> = ["John", "Smith", "lives", "in", "Paris", "."]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (text, starts) = joined(&tokens);
        assert_eq!(text, "John Smith lives in Paris.");
        assert_eq!(starts.starts, vec![0, 5, 11, 17, 20, 25]);
        assert_eq!(starts.ends, vec![4, 10, 16, 19, 25, 26]);
        let item = Conll04Sentence {
            tokens,
            entities: vec![
                GoldEntity {
                    label: "Peop".into(),
                    start: 0,
                    end: 2,
                },
                GoldEntity {
                    label: "Loc".into(),
                    start: 4,
                    end: 5,
                },
            ],
            relations: vec![GoldRelation {
                label: "Live_In".into(),
                head: 0,
                tail: 1,
            }],
        };
        let toks = tokenize::tokenize(&text);
        let ms = gold_mentions(&item, &starts, &text, &toks);
        assert_eq!(ms[0].text, "John Smith");
        assert_eq!(
            (ms[1].start, ms[1].end, ms[1].text.as_str()),
            (20, 25, "Paris")
        );
        assert_eq!(toks[ms[1].tokens.start].text, "Paris");
        let gold = gold_relations(&item, &ms);
        assert_eq!(
            gold,
            vec![("Live_In".to_string(), ((0, 10), "Peop", (20, 25), "Loc"))]
        );
    }
}
