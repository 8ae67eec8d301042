//! `newsenrich train ner --train FILE --dev FILE --domain-conll04 FILE --out models/ner`: rebuilds
//! the shipped tagger (both views, `pass1.crf` and `pass1.conll04.crf`).

use crate::enrich::ner::crf::Flags;
use crate::enrich::ner::features::Clusters;
use crate::enrich::ner::gaz::EntityGaz;
use crate::enrich::ner::labels::TagType;
use crate::enrich::ner::NerModel;
use crate::lab::ner::conll;
use crate::lab::ner::train::{evaluate, train, TrainOptions};
use anyhow::Context;
use clap::Parser;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Parser, Debug)]
#[command(
    name = "newsenrich train ner",
    about = "Train the CRF entity tagger on CoNLL-2003"
)]
struct Args {
    /// CoNLL-2003 training file.
    #[arg(long)]
    train: PathBuf,
    /// CoNLL-2003 development file (scored after training).
    #[arg(long)]
    dev: Option<PathBuf>,
    /// Output directory (holds clusters.tsv, built by scripts/build_clusters.py).
    #[arg(long, default_value = "models/ner")]
    out: PathBuf,
    /// Word cluster file (default: OUT/clusters.tsv).
    #[arg(long)]
    clusters: Option<PathBuf>,
    /// L1 penalty.
    #[arg(long, default_value_t = 0.05)]
    c1: f64,
    /// L2 penalty.
    #[arg(long, default_value_t = 0.01)]
    c2: f64,
    /// L-BFGS iterations of the shipped passes.
    #[arg(long, default_value_t = 100)]
    max_iter: usize,
    /// The shipped weights are the mean of the iterates from this iteration on (0: the last
    /// iterate alone).
    #[arg(long, default_value_t = 40)]
    average_from: usize,
    /// L-BFGS iterations of the fold models behind the second pass (with --two-pass).
    #[arg(long, default_value_t = 50)]
    fold_iter: usize,
    /// Document folds (gazetteer and out-of-fold first-pass predictions).
    #[arg(long, default_value_t = 4)]
    folds: usize,
    /// Leave out the document-context features.
    #[arg(long)]
    no_doc: bool,
    /// Leave out the gazetteer features.
    #[arg(long)]
    no_gaz: bool,
    /// Lexicon of place/organisation/nationality names (TYPE<TAB>name lines; built by
    /// scripts/build_ner_lexicon.py); copied into OUT as lexicon.tsv. Without it, no lexicon features.
    #[arg(long)]
    lexicon: Option<PathBuf>,
    /// How many of the most frequent training words the tagger pre-scores at load (frequent.txt).
    #[arg(long, default_value_t = 10000)]
    frequent: usize,
    /// Extra training data: a CoNLL04 JSON file (e.g. ../shared/data/conll04/train.json), its
    /// Peop/Org/Loc entities as PER/ORG/LOC in the CoNLL-2003 span conventions (see
    /// `tools::conll04_ner`), one document per sentence, after the CoNLL-2003 documents.
    #[arg(long)]
    extra_conll04: Option<PathBuf>,
    /// A second annotation domain: a CoNLL04 JSON file (e.g. ../shared/data/conll04/train.json)
    /// in CoNLL04's own conventions (titles inside names, "City, State" as one place, `Other`
    /// as MISC). Its documents get domain-specific copies of every feature (domain-augmented
    /// training), and besides `pass1.crf` (the product's CoNLL-2003 conventions) the tool writes
    /// `pass1.conll04.crf`, the same model seen from CoNLL04's conventions, which
    /// `eval conll04 --ner-profile conll04` uses. Both tag at the same cost.
    #[arg(long)]
    domain_conll04: Option<PathBuf>,
    /// Likelihood weight of the `--domain-conll04` documents.
    #[arg(long, default_value_t = 1.0)]
    domain_weight: f64,
    /// Also train a second pass that sees the first pass's document-majority type of each word
    /// (label consistency; within noise on CoNLL dev, twice the tagging cost).
    #[arg(long)]
    two_pass: bool,
}

/// The first pass seen from CoNLL04's annotation conventions (see `--domain-conll04`).
const CONLL04_MODEL: &str = "pass1.conll04.crf";

/// `args[0]` is the task name.
pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let args = Args::try_parse_from(args)?;
    let started = Instant::now();
    let read = |p: &PathBuf| {
        std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))
    };
    let mut docs = conll::parse(&read(&args.train)?);
    if let Some(p) = &args.extra_conll04 {
        let extra = super::conll04_ner::docs(&super::conll04::read(p)?, false);
        println!("{}: {} extra documents", p.display(), extra.len());
        docs.extend(extra);
    }
    let mut domains = Vec::new();
    if let Some(p) = &args.domain_conll04 {
        let extra = super::conll04_ner::docs(&super::conll04::read(p)?, true);
        println!(
            "{}: {} documents in domain 1 (conll04)",
            p.display(),
            extra.len()
        );
        domains = vec![0u8; docs.len()];
        domains.extend(std::iter::repeat_n(1u8, extra.len()));
        docs.extend(extra);
    }
    let cl_path = args
        .clusters
        .clone()
        .unwrap_or_else(|| args.out.join("clusters.tsv"));
    let clusters = Clusters::parse(&read(&cl_path)?);
    println!(
        "{} training documents, {} tokens; {} cluster words",
        docs.len(),
        docs.iter().map(|d| d.words.len()).sum::<usize>(),
        clusters.map.len()
    );
    let opts = TrainOptions {
        c1: args.c1,
        c2: args.c2,
        max_iter: args.max_iter,
        fold_iter: args.fold_iter,
        folds: args.folds,
        flags: Flags {
            doc: !args.no_doc,
            gaz: !args.no_gaz,
            prev: false,
            lex: args.lexicon.is_some(),
        },
        two_pass: args.two_pass,
        average_from: (args.average_from > 0).then_some(args.average_from),
        domain_weight: args.domain_weight,
        domains,
    };
    let (lex, lex_text) = match &args.lexicon {
        Some(p) => {
            let t = read(p)?;
            (EntityGaz::parse(&t), Some(t))
        }
        None => (EntityGaz::default(), None),
    };
    let trained = train(&docs, &clusters, &lex, &opts, &mut |l| println!("{l}"));
    std::fs::create_dir_all(&args.out)?;
    let write = |name: &str, bytes: &[u8]| -> anyhow::Result<()> {
        let p = args.out.join(name);
        std::fs::write(&p, bytes).with_context(|| format!("writing {}", p.display()))
    };
    write("pass1.crf", &trained.pass1.to_bytes())?;
    let conll04 = args.out.join(CONLL04_MODEL);
    match trained.domains.first() {
        Some(c) => write(CONLL04_MODEL, &c.to_bytes())?,
        None if conll04.exists() => std::fs::remove_file(&conll04)?,
        None => {}
    }
    let p2 = args.out.join("pass2.crf");
    match &trained.pass2 {
        Some(c) => write("pass2.crf", &c.to_bytes())?,
        None if p2.exists() => std::fs::remove_file(&p2)?,
        None => {}
    }
    let cl_out = args.out.join("clusters.tsv");
    if cl_path != cl_out {
        std::fs::copy(&cl_path, &cl_out)
            .with_context(|| format!("copying {}", cl_path.display()))?;
    }
    write(
        "frequent.txt",
        frequent_words(&docs, args.frequent).as_bytes(),
    )?;
    if let Some(t) = &lex_text {
        write("lexicon.tsv", t.as_bytes())?;
    }
    let mut gaz = trained.gaz_lines.join("\n");
    gaz.push('\n');
    write("entities.tsv", gaz.as_bytes())?;
    println!(
        "trained in {:.1}s; weights: pass1 {}, pass2 {}",
        started.elapsed().as_secs_f64(),
        trained.pass1.num_weights(),
        trained.pass2.as_ref().map_or(0, |c| c.num_weights())
    );
    let t = Instant::now();
    let model = NerModel::load_from(&args.out)?;
    println!(
        "model loads in {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    if let Some(dev) = &args.dev {
        let dev_docs = conll::parse(&read(dev)?);
        let sc = evaluate(&dev_docs, |toks, sents| {
            model
                .tag(toks, sents)
                .into_iter()
                .map(|m| (m.tokens, tag_type(m.etype).to_string()))
                .collect()
        });
        println!("dev (tagger only, strict spans):\n{}", sc.report());
    }
    Ok(())
}

/// The `n` most frequent words of the training documents, most frequent first, ties by text.
fn frequent_words(docs: &[conll::ConllDoc], n: usize) -> String {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for d in docs {
        for w in &d.words {
            *counts.entry(w.as_str()).or_default() += 1;
        }
    }
    let mut v: Vec<(&str, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut out = String::new();
    for (w, _) in v.into_iter().take(n) {
        out.push_str(w);
        out.push('\n');
    }
    out
}

fn tag_type(t: crate::enrich::EntityType) -> &'static str {
    TagType::of_entity_type(t).unwrap_or(TagType::Misc).name()
}
