//! The language detector: its accuracy on short paragraphs per language, and its cost next to the
//! enrich core on English articles.
//!
//! `cargo bench --bench language [-- --testdata DIR] [--candidates en,de,…] [--news DIR] [--rounds N]`
//!
//! - `--testdata DIR`: a directory laid out as `DIR/<iso-639-1>/testdata/sentences.txt` (one
//!   sentence a line), e.g. `language-models/` of a lingua-rs checkout, whose test sentences come
//!   from the Leipzig Wortschatz news and web corpora. Consecutive sentences are joined into
//!   paragraphs of at least 200 characters (each sentence used once); every paragraph is detected
//!   and scored. Nothing of it is committed; it is read at run time. `--candidates` detects among
//!   those languages only (`language.candidates`).
//! - `--news DIR`: English articles (`*.txt`, read at run time; default `../shared/data/news-dev/A`).
//!   Each is run through `Enricher::analyze` and `language::detect` for `--rounds` rounds; the
//!   report gives the detector's CPU time as a share of the core's.

use newsenrich::enrich::language::{self, ENGLISH_SHARE_PERCENT, PREFIX_CHARS};
use newsenrich::enrich::Enricher;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

const LANGUAGES: [&str; 12] = [
    "en", "de", "fr", "es", "pt", "it", "nl", "ru", "ar", "zh", "ja", "hi",
];
const MIN_PARAGRAPH_CHARS: usize = 200;

/// Consecutive lines joined (with a space) until each paragraph has `min` characters.
fn paragraphs(text: &str, min: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(line);
        if cur.chars().count() >= min {
            out.push(std::mem::take(&mut cur));
        }
    }
    out
}

fn accuracy(dir: &Path, candidates: &[&str]) {
    println!(
        "language accuracy on paragraphs of >= {MIN_PARAGRAPH_CHARS} chars from {}",
        dir.display()
    );
    println!(
        "lang  paragraphs  correct  accuracy  und  shortcut  most frequent wrong answers \
         (shortcut: taken as English by the >= {ENGLISH_SHARE_PERCENT}% function-word check)"
    );
    let (mut all, mut all_ok) = (0usize, 0usize);
    for code in LANGUAGES {
        let path = dir.join(code).join("testdata/sentences.txt");
        let Ok(text) = std::fs::read_to_string(&path) else {
            println!("{code:4}  (no {})", path.display());
            continue;
        };
        let paras = paragraphs(&text, MIN_PARAGRAPH_CHARS);
        let mut wrong: BTreeMap<&str, usize> = BTreeMap::new();
        let mut ok = 0;
        let shortcut = paras.iter().filter(|p| language::looks_english(p)).count();
        for p in &paras {
            let found = language::detect_among(p, candidates);
            let got = found.code_or_und();
            if got == code {
                ok += 1;
            } else {
                if std::env::var_os("SHOW_MISSES").is_some() {
                    let raw = whatlang::detect(p).map(|i| (i.lang(), i.confidence()));
                    println!(
                        "  miss {code}->{got} raw {raw:?}: {}",
                        p.chars().take(160).collect::<String>()
                    );
                }
                *wrong.entry(got).or_default() += 1;
            }
        }
        let und = wrong.get("und").copied().unwrap_or(0);
        let mut top: Vec<(&str, usize)> = wrong.into_iter().collect();
        top.sort_by_key(|t| std::cmp::Reverse(t.1));
        let top: Vec<String> = top
            .iter()
            .take(4)
            .map(|(l, n)| format!("{l}:{n}"))
            .collect();
        println!(
            "{code:4}  {:10}  {ok:7}  {:7.2}%  {und:3}  {:8}  {}",
            paras.len(),
            100.0 * ok as f64 / paras.len().max(1) as f64,
            shortcut,
            top.join(" ")
        );
        all += paras.len();
        all_ok += ok;
    }
    println!(
        "all   {all:10}  {all_ok:7}  {:7.2}%   (prefix {PREFIX_CHARS} chars)",
        100.0 * all_ok as f64 / all.max(1) as f64
    );
}

fn cost(dir: &Path, rounds: usize) {
    let mut texts = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        paths.sort();
        for p in paths {
            if let Ok(t) = std::fs::read_to_string(&p) {
                texts.push(t);
            }
        }
    }
    if texts.is_empty() {
        println!("cost: no *.txt articles in {} (skipped)", dir.display());
        return;
    }
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let enricher = match Enricher::load(&models) {
        Ok(e) => e,
        Err(e) => {
            println!("cost: {e} (skipped)");
            return;
        }
    };
    let detected: Vec<&str> = texts
        .iter()
        .map(|t| language::detect(t).code_or_und())
        .collect();
    let english = detected.iter().filter(|c| **c == "en").count();
    // Warm up both, then alternate so machine load hits both alike.
    for t in &texts {
        std::hint::black_box(enricher.analyze(t));
    }
    // Whole rounds of each, alternating, timed on the wall clock (a single detection is too short
    // for the thread CPU clock's resolution).
    let (mut core, mut detect) = (0.0, 0.0);
    for _ in 0..rounds {
        let a = Instant::now();
        for t in &texts {
            std::hint::black_box(enricher.analyze(t));
        }
        core += a.elapsed().as_secs_f64();
        let b = Instant::now();
        for t in &texts {
            std::hint::black_box(language::detect(t));
        }
        detect += b.elapsed().as_secs_f64();
    }
    // The detector alone on shorter prefixes of the same articles.
    for max in [250usize, 500, PREFIX_CHARS, 4 * PREFIX_CHARS] {
        let cut: Vec<String> = texts
            .iter()
            .map(|t| t.chars().take(max).collect())
            .collect();
        let start = Instant::now();
        for _ in 0..rounds {
            for t in &cut {
                std::hint::black_box(language::detect(t));
            }
        }
        let took = start.elapsed().as_secs_f64();
        let same = cut
            .iter()
            .zip(&detected)
            .filter(|(t, d)| language::detect(t).code_or_und() == **d)
            .count();
        println!(
            "  detector on the first {max:4} chars: {:.1} us/article, same answer as on the whole article on {same}/{}",
            took / (rounds * cut.len()) as f64 * 1e6,
            cut.len()
        );
    }
    let n = (rounds * texts.len()) as f64;
    let chars: usize = texts.iter().map(|t| t.chars().count()).sum();
    println!(
        "cost on {} articles from {} ({english} detected as en, mean {} chars), {rounds} rounds:",
        texts.len(),
        dir.display(),
        chars / texts.len()
    );
    println!(
        "  core (analyze) {:.1} us/article, detector (detect) {:.1} us/article: the detector is {:.2}% of the core",
        core / n * 1e6,
        detect / n * 1e6,
        100.0 * detect / core
    );
}

fn main() {
    let mut testdata = None;
    let mut news = None;
    let mut rounds = 20usize;
    let mut candidates = String::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--testdata" => testdata = args.next().map(PathBuf::from),
            "--news" => news = args.next().map(PathBuf::from),
            "--candidates" => candidates = args.next().unwrap_or_default(),
            "--rounds" => rounds = args.next().and_then(|r| r.parse().ok()).unwrap_or(rounds),
            _ => {} // cargo bench passes --bench
        }
    }
    if let Some(dir) = testdata {
        let candidates: Vec<&str> = candidates.split(',').filter(|c| !c.is_empty()).collect();
        accuracy(&dir, &candidates);
    }
    let news = news
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/news-dev/A"));
    cost(&news, rounds);
}
