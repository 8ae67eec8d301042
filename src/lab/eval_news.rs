//! `newsenrich eval news DIR [--gold DIR] [--show-errors] [--models DIR]`: entity mentions, entity
//! merging and relations on hand-annotated real news, with the measures of the news-dev reference
//! scorer (`news_score.py`), figure for figure.
//!
//! DIR holds the articles (`NN-slug.txt`, an optional first line `date YYYY-MM-DD`) and, unless
//! `--gold` names another directory, their annotations (`NN-slug.json`: `entities` with `type`,
//! `name`, `mentions`; `relations` with `s`, `p`, `o`). The measures:
//! - gold mention spans are every whole-word occurrence of a gold surface form, longest form first,
//!   without overlaps; a predicted mention counts when its span and type (PERSON, ORG, PLACE =
//!   GPE/LOC/FAC, NORP) match;
//! - a gold entity with two or more distinct surface forms found is *split* when its found
//!   mentions belong to more than one predicted entity;
//! - a relation's arguments are mapped to gold entities through their mention texts (the most
//!   frequent match); `met_with` is symmetric.

use crate::enrich::{Analysis, Enricher};
use crate::lab::score::fractions;
use anyhow::Context;
use clap::Parser;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

mod relations;
use relations::{count_relations, gold_relations, list_relation_errors, predicted_relations};

#[derive(Parser, Debug)]
#[command(
    name = "newsenrich eval news",
    about = "Score entities, merging and relations on annotated real news (news_score.py's measures)"
)]
struct Args {
    /// Directory of articles (NN-slug.txt), and of their gold NN-slug.json unless --gold is given.
    dir: PathBuf,
    /// Directory of the gold annotations (default: the articles' directory).
    #[arg(long)]
    gold: Option<PathBuf>,
    /// Models directory (holds ner/, relations/ and the lexicons).
    #[arg(long, default_value = "models")]
    models: PathBuf,
    /// Per article: the scores, missed and spurious relations, and entity errors.
    #[arg(long)]
    show_errors: bool,
}

#[derive(Debug, Deserialize)]
pub(crate) struct GoldEntity {
    #[serde(rename = "type")]
    pub etype: String,
    pub name: String,
    #[serde(default)]
    pub mentions: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct GoldRelation {
    pub s: String,
    pub p: String,
    pub o: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Gold {
    pub entities: Vec<GoldEntity>,
    #[serde(default)]
    pub relations: Vec<GoldRelation>,
}

/// The scorer's type classes: PLACE covers GPE, LOC and FAC; other types are not scored.
fn class(t: &str) -> Option<&'static str> {
    Some(match t {
        "PERSON" | "PER" => "PERSON",
        "ORG" => "ORG",
        "GPE" | "LOC" | "FAC" | "PLACE" => "PLACE",
        "NORP" => "NORP",
        _ => return None,
    })
}

/// The article body: without a leading `date …` line and the blank lines after it.
pub(crate) fn body(raw: &str) -> &str {
    if raw.starts_with("date ") {
        match raw.split_once('\n') {
            Some((_, rest)) => rest.trim_start_matches('\n'),
            None => "",
        }
    } else {
        raw
    }
}

/// A surface form as the scorer compares it: trimmed, without a final possessive `'s`.
fn norm(s: &str) -> &str {
    let s = s.trim();
    s.strip_suffix("'s")
        .or_else(|| s.strip_suffix("’s"))
        .unwrap_or(s)
}

/// A word character as Python's `\w` sees it.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// One gold entity's forms: its mentions and its name, deduplicated.
fn forms(e: &GoldEntity) -> BTreeSet<&str> {
    e.mentions
        .iter()
        .map(String::as_str)
        .chain([e.name.as_str()])
        .collect()
}

/// Gold mention spans (char offsets) -> (type class, gold entity index).
pub(crate) fn gold_spans(
    text: &[char],
    gold: &Gold,
) -> HashMap<(usize, usize), (&'static str, usize)> {
    let mut all: Vec<(usize, Vec<char>, usize)> = Vec::new();
    for (i, e) in gold.entities.iter().enumerate() {
        for m in forms(e) {
            let cs: Vec<char> = m.chars().collect();
            all.push((cs.len(), cs, i));
        }
    }
    all.sort_by(|a, b| b.cmp(a));
    let mut taken = vec![false; text.len()];
    let mut spans = HashMap::new();
    for (n, form, i) in &all {
        let Some(t) = class(&gold.entities[*i].etype) else {
            continue;
        };
        if *n == 0 {
            continue;
        }
        let mut pos = 0;
        while pos + n <= text.len() {
            let (a, b) = (pos, pos + n);
            let hit = text[a..b] == form[..]
                && (a == 0 || !is_word(text[a - 1]))
                && (b == text.len() || !is_word(text[b]));
            if !hit {
                pos += 1;
                continue;
            }
            if !taken[a..b].iter().any(|&x| x) {
                taken[a..b].fill(true);
                spans.insert((a, b), (t, *i));
            }
            pos = b;
        }
    }
    spans
}

/// Counts over one article or a set.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Tally {
    pub gold_mentions: usize,
    pub pred_mentions: usize,
    pub tp_mentions: usize,
    pub wrong_type: usize,
    pub merge_cases: usize,
    pub merge_split: usize,
    pub rel_gold: usize,
    pub rel_pred: usize,
    pub rel_tp: usize,
    /// predicate -> (gold, predicted, correct)
    pub by_pred: BTreeMap<String, (usize, usize, usize)>,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.gold_mentions += o.gold_mentions;
        self.pred_mentions += o.pred_mentions;
        self.tp_mentions += o.tp_mentions;
        self.wrong_type += o.wrong_type;
        self.merge_cases += o.merge_cases;
        self.merge_split += o.merge_split;
        self.rel_gold += o.rel_gold;
        self.rel_pred += o.rel_pred;
        self.rel_tp += o.rel_tp;
        for (k, v) in &o.by_pred {
            let e = self.by_pred.entry(k.clone()).or_default();
            e.0 += v.0;
            e.1 += v.1;
            e.2 += v.2;
        }
    }

    /// The reference scorer's summary lines.
    pub(crate) fn report(&self) -> String {
        let mut out = String::new();
        let (p, r, f) = fractions(self.tp_mentions, self.pred_mentions, self.gold_mentions);
        let _ = writeln!(
            out,
            "newsenrich mentions P={:.1} R={:.1} F1={:.1} (right span wrong type {})",
            100.0 * p,
            100.0 * r,
            100.0 * f,
            self.wrong_type
        );
        let _ = writeln!(
            out,
            "newsenrich merging: {} of {} multi-form gold entities split",
            self.merge_split, self.merge_cases
        );
        for (pr, &(g, n, tp)) in &self.by_pred {
            let (p, r, f) = fractions(tp, n, g);
            let _ = writeln!(
                out,
                "  {pr:<15} gold {g:>3} pred {n:>3} tp {tp:>3}  P={:.0} R={:.0} F1={:.0}",
                100.0 * p,
                100.0 * r,
                100.0 * f
            );
        }
        let (p, r, f) = fractions(self.rel_tp, self.rel_pred, self.rel_gold);
        let _ = writeln!(
            out,
            "newsenrich relations P={:.1} R={:.1} F1={:.1} ({} gold, {} predicted)",
            100.0 * p,
            100.0 * r,
            100.0 * f,
            self.rel_gold,
            self.rel_pred
        );
        out
    }
}

/// Scores one article; `errors` receives the per-article error listing.
pub(crate) fn score_doc(
    raw_text: &str,
    gold: &Gold,
    analysis: &Analysis,
    errors: &mut String,
) -> Tally {
    let text: Vec<char> = body(raw_text).chars().collect();
    let gs = gold_spans(&text, gold);
    let mut t = Tally {
        gold_mentions: gs.len(),
        ..Tally::default()
    };
    let pred = predicted_mentions(analysis);
    count_mentions(&pred, &gs, &mut t);
    count_splits(&text, gold, analysis, &gs, &mut t, errors);
    let grel = gold_relations(gold);
    let prel = predicted_relations(gold, analysis);
    count_relations(&grel, &prel, &mut t);
    list_relation_errors(gold, analysis, &grel, &prel, errors);
    list_mention_errors(&text, &gs, &pred, errors);
    t
}

/// The characters `a..b` of the text (clipped to its end).
fn slice(text: &[char], a: usize, b: usize) -> String {
    text.get(a..b.min(text.len()))
        .unwrap_or_default()
        .iter()
        .collect()
}

/// Predicted mention spans -> type class. The last entity to claim a span sets its type, as a
/// dict would.
fn predicted_mentions(analysis: &Analysis) -> HashMap<(usize, usize), &'static str> {
    let mut pred: HashMap<(usize, usize), &'static str> = HashMap::new();
    for e in &analysis.entities {
        if let Some(c) = class(e.etype.as_str()) {
            for m in &e.mentions {
                pred.insert((m.start, m.end), c);
            }
        }
    }
    pred
}

/// Mentions: predicted, right (span and type), right span with the wrong type.
fn count_mentions(
    pred: &HashMap<(usize, usize), &'static str>,
    gs: &HashMap<(usize, usize), (&'static str, usize)>,
    t: &mut Tally,
) {
    t.pred_mentions = pred.len();
    for (k, c) in pred {
        match gs.get(k) {
            Some((g, _)) if g == c => t.tp_mentions += 1,
            Some(_) => t.wrong_type += 1,
            None => {}
        }
    }
}

/// Merging: gold entities with two or more surface forms found, and those whose found mentions
/// belong to more than one predicted entity (listed as SPLIT).
fn count_splits(
    text: &[char],
    gold: &Gold,
    analysis: &Analysis,
    gs: &HashMap<(usize, usize), (&'static str, usize)>,
    t: &mut Tally,
    errors: &mut String,
) {
    let mut ent_of: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
    for e in &analysis.entities {
        for m in &e.mentions {
            if let Some((_, g)) = gs.get(&(m.start, m.end)) {
                ent_of.entry(*g).or_default().insert(e.id.as_str());
            }
        }
    }
    let mut gold_forms: HashMap<usize, BTreeSet<String>> = HashMap::new();
    for (&(a, b), &(_, g)) in gs {
        gold_forms.entry(g).or_default().insert(slice(text, a, b));
    }
    for (g, ids) in &ent_of {
        if gold_forms.get(g).map_or(0, BTreeSet::len) >= 2 {
            t.merge_cases += 1;
            if ids.len() > 1 {
                t.merge_split += 1;
                let _ = writeln!(
                    errors,
                    "    SPLIT {} over {}",
                    gold.entities[*g].name,
                    ids.iter().copied().collect::<Vec<_>>().join(", ")
                );
            }
        }
    }
}

/// Lists gold mentions found with another type (TYPE) or not at all (MISS), then predicted
/// mentions with no gold span (SPURIOUS), each in text order.
fn list_mention_errors(
    text: &[char],
    gs: &HashMap<(usize, usize), (&'static str, usize)>,
    pred: &HashMap<(usize, usize), &'static str>,
    errors: &mut String,
) {
    let mut spans: Vec<_> = gs.iter().collect();
    spans.sort();
    for (&(a, b), &(c, _)) in spans {
        match pred.get(&(a, b)) {
            Some(pc) if *pc == c => {}
            Some(pc) => {
                let _ = writeln!(errors, "    TYPE {:?} {pc} (gold {c})", slice(text, a, b));
            }
            None => {
                let _ = writeln!(errors, "    MISS {:?} {c}", slice(text, a, b));
            }
        }
    }
    let mut extra: Vec<_> = pred.iter().filter(|(k, _)| !gs.contains_key(k)).collect();
    extra.sort();
    for (&(a, b), pc) in extra {
        let _ = writeln!(errors, "    SPURIOUS {:?} {pc}", slice(text, a, b));
    }
}

/// Scores every annotated article in `dir` (gold in `gold_dir`); `errors` receives the listing.
pub(crate) fn score_dir(
    enricher: &Enricher,
    dir: &Path,
    gold_dir: &Path,
    mut errors: Option<&mut String>,
) -> anyhow::Result<Tally> {
    let mut golds: Vec<PathBuf> = std::fs::read_dir(gold_dir)
        .with_context(|| format!("reading {}", gold_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    golds.sort();
    let mut total = Tally::default();
    for gpath in golds {
        let Some(base) = gpath.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let tpath = dir.join(format!("{base}.txt"));
        let raw = std::fs::read_to_string(&tpath)
            .with_context(|| format!("reading {}", tpath.display()))?;
        let gold: Gold = serde_json::from_str(
            &std::fs::read_to_string(&gpath)
                .with_context(|| format!("reading {}", gpath.display()))?,
        )
        .with_context(|| format!("parsing {}", gpath.display()))?;
        let analysis = enricher.analyze(body(&raw));
        let mut errs = String::new();
        let t = score_doc(&raw, &gold, &analysis, &mut errs);
        if let Some(out) = errors.as_deref_mut() {
            let _ = writeln!(
                out,
                "{base}  ne ment {}/{}/{} rel {}/{}/{}",
                t.tp_mentions, t.pred_mentions, t.gold_mentions, t.rel_tp, t.rel_pred, t.rel_gold
            );
            out.push_str(&errs);
        }
        total.add(&t);
    }
    Ok(total)
}

/// `args[0]` is the task name.
pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let args = Args::try_parse_from(args)?;
    let enricher = Enricher::load(&args.models)
        .with_context(|| format!("loading models from {}", args.models.display()))?;
    let gold_dir = args.gold.clone().unwrap_or_else(|| args.dir.clone());
    let mut errors = String::new();
    let total = score_dir(
        &enricher,
        &args.dir,
        &gold_dir,
        args.show_errors.then_some(&mut errors),
    )?;
    print!("{errors}");
    print!("{}", total.report());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::{Entity, EntityType, MentionSpan, Predicate, Relation, Span};

    fn gold() -> Gold {
        serde_json::from_str(
            r#"{"entities": [
                {"type": "PERSON", "name": "Tova Brennick", "mentions": ["Tova Brennick", "Brennick"]},
                {"type": "PLACE", "name": "Velmora", "mentions": ["Velmora"]},
                {"type": "PERSON", "name": "Osk Larent", "mentions": ["Larent"]}],
              "relations": [
                {"s": "Tova Brennick", "p": "leader_of", "o": "Velmora"},
                {"s": "Osk Larent", "p": "met_with", "o": "Tova Brennick"}]}"#,
        )
        .unwrap()
    }

    fn entity(id: &str, etype: EntityType, spans: &[(&str, usize, usize)]) -> Entity {
        Entity {
            id: id.into(),
            etype,
            name: spans[0].0.into(),
            salience: 0.5,
            mentions: spans
                .iter()
                .map(|&(t, start, end)| MentionSpan {
                    text: t.into(),
                    start,
                    end,
                })
                .collect(),
            links: Default::default(),
        }
    }

    fn relation(s: &str, p: Predicate, o: &str) -> Relation {
        Relation {
            subject: s.into(),
            predicate: p,
            object: o.into(),
            role: None,
            confidence: 0.9,
            evidence: Span { start: 0, end: 1 },
        }
    }

    const TEXT: &str = "date 2025-01-02\n\nTova Brennick of Velmora met Larent. Brennick's aide smiled. Brennickson left.";

    #[test]
    fn gold_spans_are_whole_words_after_the_date_line() {
        let text: Vec<char> = body(TEXT).chars().collect();
        let spans = gold_spans(&text, &gold());
        let mut got: Vec<_> = spans.keys().copied().collect();
        got.sort();
        // "Brennickson" is not a whole-word occurrence of "Brennick".
        assert_eq!(got, [(0, 13), (17, 24), (29, 35), (37, 45)]);
    }

    #[test]
    fn scores_mentions_types_merging_and_symmetric_met_with() {
        let analysis = Analysis {
            entities: vec![
                entity("E1", EntityType::Person, &[("Tova Brennick", 0, 13)]),
                entity("E2", EntityType::Org, &[("Velmora", 17, 24)]),
                entity("E3", EntityType::Person, &[("Larent", 29, 35)]),
                entity("E4", EntityType::Person, &[("Brennick", 37, 45)]),
                entity("E5", EntityType::Person, &[("Brennickson", 61, 72)]),
            ],
            relations: vec![
                relation("E1", Predicate::MetWith, "E3"),
                relation("E1", Predicate::LeaderOf, "E3"),
            ],
            degraded: vec![],
        };
        let mut errs = String::new();
        let t = score_doc(TEXT, &gold(), &analysis, &mut errs);
        assert_eq!((t.tp_mentions, t.pred_mentions, t.gold_mentions), (3, 5, 4));
        assert_eq!(t.wrong_type, 1);
        assert_eq!((t.merge_split, t.merge_cases), (1, 1));
        assert_eq!((t.rel_tp, t.rel_pred, t.rel_gold), (1, 2, 2));
        assert_eq!(t.by_pred["met_with"], (1, 1, 1));
        assert_eq!(t.by_pred["leader_of"], (1, 1, 0));
        assert!(
            errs.contains("FN Tova Brennick leader_of Velmora"),
            "{errs}"
        );
        assert!(errs.contains("TYPE \"Velmora\" ORG (gold PLACE)"), "{errs}");
        assert!(t.report().contains("relations P=50.0 R=50.0 F1=50.0"));
    }
}
