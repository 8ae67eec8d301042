//! `newsenrich train relations --train FILE --dev FILE --out DIR`: rebuilds the relation
//! classifier (`DIR/classifier.txt`, normally `models/relations/`) from CoNLL04 JSON files.
//! Deterministic: the same inputs give the same bytes.

use super::conll04::{self, gold_mentions, joined, predicate_of, whole, Conll04Sentence};
use super::eval_conll04;
use crate::enrich::gazetteer::Gazetteer;
use crate::enrich::relations::classifier::{class_index, Classifier};
use crate::enrich::relations::{for_each_candidate, RelationModel};
use crate::enrich::{tokenize, EntityType, Mention};
use crate::lab::relations_train::{train, Example};
use anyhow::Context;
use clap::Parser;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "newsenrich train relations",
    about = "Train the relation classifier on CoNLL04"
)]
struct Args {
    /// Training file (CoNLL04 JSON).
    #[arg(long)]
    train: PathBuf,
    /// Development file used to pick the epoch count and calibrate confidence.
    #[arg(long)]
    dev: PathBuf,
    /// Output directory (the model is written to DIR/classifier.txt).
    #[arg(long, default_value = "models/relations")]
    out: PathBuf,
    /// Models directory whose gazetteer gives the place features (the worker reads the same).
    #[arg(long, default_value = "models")]
    models: PathBuf,
    /// Most training epochs tried.
    #[arg(long, default_value_t = 20)]
    epochs: usize,
}

/// Candidate pairs of every sentence with their features and gold answer.
pub(crate) fn examples(data: &[Conll04Sentence], gaz: &Gazetteer) -> Vec<Example> {
    let mut out = Vec::new();
    for item in data {
        let (text, starts) = joined(&item.tokens);
        let tokens = tokenize::tokenize(&text);
        let mentions = gold_mentions(item, &starts, &text, &tokens);
        let gold: Vec<(usize, usize, usize)> = item
            .relations
            .iter()
            .filter_map(|r| {
                let class = class_index(predicate_of(&r.label)?)?;
                Some((r.head, r.tail, class))
            })
            .collect();
        let args: Vec<(usize, &Mention, EntityType)> = mentions
            .iter()
            .enumerate()
            .map(|(i, m)| (i, m, m.etype))
            .collect();
        for_each_candidate(
            &text,
            &tokens,
            &whole(&text, &tokens),
            &args,
            Some(gaz),
            |s, o, class, feats| {
                out.push(Example {
                    class,
                    features: feats.to_vec(),
                    positive: gold.contains(&(s, o, class)),
                });
            },
        );
    }
    out
}

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let args = Args::try_parse_from(args)?;
    let train_data = conll04::read(&args.train)?;
    let dev_data = conll04::read(&args.dev)?;
    let gaz = Gazetteer::load(&args.models)?;
    let (train_ex, dev_ex) = (examples(&train_data, &gaz), examples(&dev_data, &gaz));
    let positives = train_ex.iter().filter(|e| e.positive).count();
    eprintln!(
        "training on {} candidate pairs ({positives} related), tuning on {}",
        train_ex.len(),
        dev_ex.len()
    );
    let (clf, report) = train(&train_ex, &dev_ex, args.epochs);
    eprintln!(
        "epochs {}, dev pair F1 {:.2} raw, {:.2} calibrated (threshold {}), {} weights",
        report.epochs,
        report.dev_f1_raw,
        report.dev_f1,
        clf.threshold,
        clf.weights.len()
    );
    let comment = format!(
        "averaged perceptron, {} epochs, CoNLL04 train; calibrated on dev\n\
         rebuild: newsenrich train relations --train ../shared/data/conll04/train.json \
         --dev ../shared/data/conll04/dev.json --out models/relations",
        report.epochs
    );
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let path = args.out.join("classifier.txt");
    std::fs::write(&path, clf.to_text(&comment))
        .with_context(|| format!("writing {}", path.display()))?;
    // Read it back as the worker will, and score dev with gold entities.
    let text = std::fs::read_to_string(&path)?;
    let model = super::conll04_conventions::at_benchmark_rule(
        RelationModel::from_classifier(Classifier::parse(&text).map_err(anyhow::Error::msg)?)
            .with_gazetteer(gaz),
    );
    eval_conll04::eval_gold(&model, &dev_data).0.print(
        "dev relations, gold entities (strict)",
        &eval_conll04::RELATION_LABELS,
    );
    eprintln!("wrote {}", path.display());
    Ok(())
}
