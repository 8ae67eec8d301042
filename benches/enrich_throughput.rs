//! Throughput of the whole enrich core (`Enricher::analyze`) on one thread, over the CoNLL-2003 dev
//! documents rebuilt as articles, plus the process's peak RSS.
//!
//! `cargo bench --bench enrich_throughput [-- --rounds N --data DIR --dump-articles FILE]`. The data is read at run time
//! from ../shared/data (never committed); set NEWSENRICH_DATA to point elsewhere.

use newsenrich::enrich::Enricher;
use newsenrich::enrich::NerModel;
use newsenrich::lab::ner::conll;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn data_dir(arg: Option<PathBuf>) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut candidates: Vec<PathBuf> = arg.into_iter().collect();
    if let Ok(d) = std::env::var("NEWSENRICH_DATA") {
        candidates.push(d.into());
    }
    candidates.push(root.join("../shared/data"));
    candidates.push(root.join("../../shared/data"));
    candidates
        .into_iter()
        .find(|d| d.join("conll2003/dev.txt").exists())
}

/// Peak resident set size of this process in MiB (Linux; 0 elsewhere).
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU time of this thread in seconds (Linux schedstat), so a busy machine skews less than wall time.
fn cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo test --all-targets` also runs bench targets, without `--bench`: a speed run in a debug
    // build would only cost time there, so it is left to `cargo bench`.
    if !args.iter().any(|a| a == "--bench") {
        eprintln!("enrich_throughput: run with `cargo bench --bench enrich_throughput`; skipped");
        return;
    }
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let rounds: usize = opt("--rounds").and_then(|v| v.parse().ok()).unwrap_or(5);
    let Some(data) = data_dir(opt("--data").map(PathBuf::from)) else {
        eprintln!("enrich_throughput: no conll2003/dev.txt under ../shared/data or NEWSENRICH_DATA; skipped");
        return;
    };
    let dev = match std::fs::read_to_string(data.join("conll2003/dev.txt")) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("enrich_throughput: {e}");
            return;
        }
    };
    let docs = conll::parse(&dev);
    // Articles: one CoNLL document each, sentences on their own lines (as the peer script builds them).
    let articles: Vec<String> = docs.iter().map(|d| d.text()).collect();
    let words: usize = docs.iter().map(|d| d.words.len()).sum();
    // The spaCy peer reads the very same articles from this file rather than parsing CoNLL itself.
    if let Some(path) = opt("--dump-articles") {
        let lines: String = docs
            .iter()
            .zip(&articles)
            .map(|(d, text)| {
                let row = serde_json::json!({"text": text, "words": d.words.len()});
                format!("{row}\n")
            })
            .collect();
        if let Err(e) = std::fs::write(&path, lines) {
            eprintln!("enrich_throughput: cannot write {path}: {e}");
        }
    }
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let t = Instant::now();
    let enricher = match Enricher::load(&models) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("enrich_throughput: {e}");
            return;
        }
    };
    let load = t.elapsed();
    // Warm-up round, then timed rounds.
    let mut entities = 0usize;
    for a in &articles {
        entities += enricher.analyze(a).entities.len();
    }
    let t = Instant::now();
    let c0 = cpu_secs();
    for _ in 0..rounds {
        for a in &articles {
            entities += std::hint::black_box(enricher.analyze(a)).entities.len();
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu = c0.zip(cpu_secs()).map(|(a, b)| b - a);
    let wps = (words * rounds) as f64 / secs;
    println!(
        "model: {}  load: {:.0} ms",
        enricher.model_name(),
        load.as_secs_f64() * 1000.0
    );
    println!(
        "articles: {}  words: {}  rounds: {}  entities/round: {}",
        articles.len(),
        words,
        rounds,
        entities / (rounds + 1)
    );
    println!("newsenrich words/s: {wps:.0}");
    if let Some(c) = cpu {
        println!(
            "newsenrich words per CPU-second: {:.0}",
            (words * rounds) as f64 / c
        );
    }
    // The statistical tagger alone over the gold tokens, to see where the time goes.
    if let Ok(ner) = NerModel::load(&models) {
        let prepared: Vec<(String, &conll::ConllDoc)> =
            docs.iter().map(|d| (d.text(), d)).collect();
        let t = Instant::now();
        let mut n = 0usize;
        for _ in 0..rounds {
            for (text, d) in &prepared {
                let (toks, sents) = d.tokens(text);
                n += std::hint::black_box(ner.tag(&toks, &sents)).len();
            }
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "ner tagger only ({}): words/s: {:.0}  mentions/round: {}",
            ner.name(),
            (words * rounds) as f64 / secs,
            n / rounds
        );
    }
    println!("peak RSS MiB: {:.1}", peak_rss_mib());
}
