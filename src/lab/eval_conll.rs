//! `newsenrich eval conll FILE [--models DIR]`: strict-span precision, recall and F1 of the core's
//! entity path (tagger + gazetteer type refinement) on a CoNLL-2003 file, over the gold tokens.

use crate::enrich::gazetteer::Gazetteer;
use crate::enrich::ner::labels::TagType;
use crate::enrich::ner::NerModel;
use crate::enrich::EntityType;
use crate::lab::ner::{conll, train::evaluate};
use anyhow::Context;
use clap::Parser;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Parser, Debug)]
#[command(
    name = "newsenrich eval conll",
    about = "Score entity recognition on a CoNLL-2003 file"
)]
struct Args {
    /// CoNLL-2003 file (IOB1 or IOB2 tags in the last column).
    file: PathBuf,
    /// Models directory (holds ner/ and the lexicons).
    #[arg(long, default_value = "models")]
    models: PathBuf,
    /// Score the statistical tagger alone, without gazetteer refinement.
    #[arg(long)]
    tagger_only: bool,
}

/// CoNLL type of a v1 entity type; None for the rule-based types CoNLL does not annotate.
pub(crate) fn conll_type(t: EntityType) -> Option<&'static str> {
    TagType::of_entity_type(t).map(TagType::name)
}

/// `args[0]` is the task name.
pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let args = Args::try_parse_from(args)?;
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let docs = conll::parse(&text);
    let t = Instant::now();
    let ner = NerModel::load(&args.models)?;
    let gaz = Gazetteer::load(&args.models)?;
    let load_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let sc = evaluate(&docs, |toks, sents| {
        let mut mentions = ner.tag(toks, sents);
        if !args.tagger_only {
            mentions = gaz.refine(toks, mentions);
        }
        mentions
            .into_iter()
            .filter_map(|m| conll_type(m.etype).map(|t| (m.tokens, t.to_string())))
            .collect()
    });
    let words: usize = docs.iter().map(|d| d.words.len()).sum();
    println!(
        "{}: {} documents, {} tokens; model {} loaded in {:.0} ms; tagged in {:.2}s",
        args.file.display(),
        docs.len(),
        words,
        ner.name(),
        load_ms,
        t.elapsed().as_secs_f64()
    );
    print!("{}", sc.report());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_types_map_to_conll_types() {
        let table = [
            (EntityType::Person, Some("PER")),
            (EntityType::Org, Some("ORG")),
            (EntityType::Gpe, Some("LOC")),
            (EntityType::Loc, Some("LOC")),
            (EntityType::Norp, Some("MISC")),
            (EntityType::Event, Some("MISC")),
            (EntityType::Misc, Some("MISC")),
            (EntityType::Date, None),
            (EntityType::Money, None),
            (EntityType::Percent, None),
        ];
        for (t, want) in table {
            assert_eq!(conll_type(t), want, "{t:?}");
        }
    }
}
