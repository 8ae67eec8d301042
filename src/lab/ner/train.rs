//! CRF training: negative log-likelihood with L1 + L2 penalties, minimised by OWL-QN, over
//! (attribute, label) features seen in the gold data. Deterministic: single thread, data order fixed,
//! attribute ids assigned in order of first occurrence.

use super::conll::ConllDoc;
use super::lbfgs::{minimise, Options};
use crate::enrich::ner::context::majority_types;
use crate::enrich::ner::crf::{Crf, Flags};
use crate::enrich::ner::features::{Clusters, Extractor};
use crate::enrich::ner::gaz::EntityGaz;
use crate::enrich::ner::hash::with;
use crate::enrich::ner::labels::{bioes, spans_from_iob, Span, TagType, NUM_LABELS};
use crate::enrich::ner::{coarse_types, label_doc, Resources};
use crate::enrich::{Sentence, Token};
use crate::lab::score::Scorer;
use rustc_hash::FxHashMap;
use std::ops::Range;

const L: usize = NUM_LABELS;

#[derive(Debug, Clone)]
pub(crate) struct TrainOptions {
    pub c1: f64,
    pub c2: f64,
    pub max_iter: usize,
    /// Iterations for the fold models that produce out-of-fold first-pass labels.
    pub fold_iter: usize,
    /// Document folds for the gazetteer and the first-pass predictions the second pass learns from.
    pub folds: usize,
    pub flags: Flags,
    /// Train a second pass with document-majority types of the first pass.
    pub two_pass: bool,
    /// Average the optimiser's iterates from this iteration on (None: keep the last iterate).
    pub average_from: Option<usize>,
    /// Likelihood weight of the documents of domains after 0 (a small domain can be weighed up
    /// without repeating it, which would leak its names into the fold gazetteers).
    pub domain_weight: f64,
    /// Annotation domain of each training document (missing = 0, the product's CoNLL-2003
    /// conventions). With more than one domain the first pass is trained with domain-augmented
    /// features (see [`train`]).
    pub domains: Vec<u8>,
}

/// One training sequence (a sentence) with attribute ids.
pub(crate) struct Seq {
    attrs: Vec<u32>,
    offs: Vec<u32>,
    labels: Vec<u8>,
    doc: usize,
    /// Weight of the sequence in the likelihood.
    weight: f64,
}

/// Attribute ids shared by all sequences of one pass.
#[derive(Default)]
pub(crate) struct AttrSpace {
    index: FxHashMap<u64, u32>,
    hashes: Vec<u64>,
    /// Domain copies: (general attribute id, domain) -> id of the domain's copy.
    copies: FxHashMap<(u32, u8), u32>,
    /// Whether an id is a domain copy (not written to any model as such).
    is_copy: Vec<bool>,
    /// Annotation domain of each document (missing = 0): documents of domain d > 0 get a
    /// domain-d copy of every attribute.
    doc_domains: Vec<u8>,
}

impl AttrSpace {
    pub(crate) fn with_domains(doc_domains: Vec<u8>) -> Self {
        Self {
            doc_domains,
            ..Self::default()
        }
    }

    fn id(&mut self, h: u64) -> u32 {
        let next = self.hashes.len() as u32;
        *self.index.entry(h).or_insert_with(|| {
            self.hashes.push(h);
            self.is_copy.push(false);
            next
        })
    }

    /// The domain-specific copy of general attribute `general` (hash `h`).
    fn copy_id(&mut self, general: u32, h: u64, domain: u8) -> u32 {
        let next = self.hashes.len() as u32;
        *self.copies.entry((general, domain)).or_insert_with(|| {
            self.hashes.push(with(h, DOMAIN_SEED + u64::from(domain)));
            self.is_copy.push(true);
            next
        })
    }
}

/// Seed of the domain copies' hashes (never reach a model file, only keep ids apart).
const DOMAIN_SEED: u64 = 0xd0_0a11;

/// Gold spans of one CoNLL document as token ranges + tagger types, sentence by sentence.
pub(crate) fn gold_spans(doc: &ConllDoc) -> Vec<Span> {
    let mut out = Vec::new();
    for r in &doc.sentences {
        let tags: Vec<&str> = doc.tags[r.clone()].iter().map(String::as_str).collect();
        for (sr, ty) in spans_from_iob(&tags) {
            if let Some(t) = TagType::from_name(&ty) {
                out.push(Span {
                    tokens: r.start + sr.start..r.start + sr.end,
                    ty: t,
                });
            }
        }
    }
    out
}

/// Gazetteer of the entity strings in `docs` (those whose index passes `keep`).
pub(crate) fn build_gaz(
    docs: &[ConllDoc],
    keep: impl Fn(usize) -> bool,
) -> (EntityGaz, Vec<String>) {
    let mut g = EntityGaz::default();
    let mut lines = Vec::new();
    for (di, d) in docs.iter().enumerate() {
        if !keep(di) {
            continue;
        }
        for s in gold_spans(d) {
            let words: Vec<&str> = d.words[s.tokens.clone()]
                .iter()
                .map(String::as_str)
                .collect();
            g.insert(&words, s.ty);
            lines.push(format!("{}\t{}", s.ty.name(), words.join(" ")));
        }
    }
    lines.sort();
    lines.dedup();
    (g, lines)
}

/// Document index and tokens -> first-pass majority types, for second-pass training.
pub(crate) type PrevFor<'a> = dyn Fn(usize, &[Token<'_>]) -> Option<Vec<Option<TagType>>> + 'a;

/// Extracts training sequences for all docs; `gaz_for(doc)` picks the fold gazetteer,
/// `prev_for(doc)` the first-pass majority types for a second pass.
pub(crate) fn extract_seqs<'g>(
    docs: &[ConllDoc],
    clusters: &Clusters,
    lex: &EntityGaz,
    flags: Flags,
    gaz_for: &dyn Fn(usize) -> Option<&'g EntityGaz>,
    prev_for: &PrevFor<'_>,
    space: &mut AttrSpace,
) -> Vec<Seq> {
    let mut out = Vec::new();
    for (di, d) in docs.iter().enumerate() {
        let text = d.text();
        let (toks, sents) = d.tokens(&text);
        let ex = Extractor {
            clusters,
            gaz: if flags.gaz { gaz_for(di) } else { None },
            lex: flags.lex.then_some(lex),
            use_doc: flags.doc,
        };
        let prev = if flags.prev {
            prev_for(di, &toks)
        } else {
            None
        };
        let attrs = ex.extract(&toks, &sents, prev.as_deref()).flatten(&sents);
        let gold = bioes(d.words.len(), &gold_spans(d));
        for s in &sents {
            let mut seq = Seq {
                attrs: Vec::new(),
                offs: vec![0],
                labels: gold[s.tokens.clone()].to_vec(),
                doc: di,
                weight: 1.0,
            };
            let domain = space.doc_domains.get(di).copied().unwrap_or(0);
            for i in s.tokens.clone() {
                for &h in attrs.token(i) {
                    let a = space.id(h);
                    seq.attrs.push(a);
                    if domain != 0 {
                        seq.attrs.push(space.copy_id(a, h, domain));
                    }
                }
                seq.offs.push(seq.attrs.len() as u32);
            }
            out.push(seq);
        }
    }
    out
}

/// Features: for each attribute, the labels it was seen with (CSR layout).
struct FeatSpace {
    start: Vec<u32>,
    label: Vec<u8>,
}

impl FeatSpace {
    fn build(seqs: &[&Seq], n_attrs: usize) -> Self {
        let mut seen = vec![0u32; n_attrs];
        for s in seqs {
            for t in 0..s.labels.len() {
                let y = s.labels[t];
                for &a in &s.attrs[s.offs[t] as usize..s.offs[t + 1] as usize] {
                    seen[a as usize] |= 1 << y;
                }
            }
        }
        let mut start = Vec::with_capacity(n_attrs + 1);
        let mut label = Vec::new();
        start.push(0);
        for m in seen {
            for y in 0..L as u8 {
                if m & (1 << y) != 0 {
                    label.push(y);
                }
            }
            start.push(label.len() as u32);
        }
        Self { start, label }
    }

    fn n(&self) -> usize {
        self.label.len()
    }
}

/// Negative log-likelihood + c2*|w|^2 and its gradient.
fn objective(w: &[f64], g: &mut [f64], seqs: &[&Seq], fs: &FeatSpace, c2: f64) -> f64 {
    g.iter_mut().for_each(|v| *v = 0.0);
    let tb = fs.n();
    let mut et = [0f64; L * L];
    for i in 0..L * L {
        et[i] = w[tb + i].exp();
    }
    let mut loss = 0.0;
    let mut edge = vec![0f64; L * L];
    let (mut state, mut es, mut alpha, mut beta, mut scale) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for s in seqs {
        let n = s.labels.len();
        if n == 0 {
            continue;
        }
        for buf in [&mut state, &mut es, &mut alpha, &mut beta] {
            buf.clear();
            buf.resize(n * L, 0.0);
        }
        scale.clear();
        scale.resize(n, 0.0);
        let attrs_of = |t: usize| &s.attrs[s.offs[t] as usize..s.offs[t + 1] as usize];
        for t in 0..n {
            let row = &mut state[t * L..(t + 1) * L];
            for &a in attrs_of(t) {
                let (fa, fb) = (
                    fs.start[a as usize] as usize,
                    fs.start[a as usize + 1] as usize,
                );
                for (&wf, &l) in w[fa..fb].iter().zip(&fs.label[fa..fb]) {
                    row[l as usize] += wf;
                }
            }
        }
        let mut gold = 0.0;
        for t in 0..n {
            gold += state[t * L + s.labels[t] as usize];
            if t > 0 {
                gold += w[tb + s.labels[t - 1] as usize * L + s.labels[t] as usize];
            }
        }
        let mut shift = 0.0;
        for t in 0..n {
            let row = &state[t * L..(t + 1) * L];
            let m = row.iter().copied().fold(f64::MIN, f64::max);
            shift += m;
            for y in 0..L {
                es[t * L + y] = (row[y] - m).exp();
            }
        }
        for t in 0..n {
            let mut sum = 0.0;
            for y in 0..L {
                let v = if t == 0 {
                    es[y]
                } else {
                    let mut a = 0.0;
                    for p in 0..L {
                        a += alpha[(t - 1) * L + p] * et[p * L + y];
                    }
                    a * es[t * L + y]
                };
                alpha[t * L + y] = v;
                sum += v;
            }
            scale[t] = 1.0 / sum;
            for y in 0..L {
                alpha[t * L + y] *= scale[t];
            }
        }
        for y in 0..L {
            beta[(n - 1) * L + y] = scale[n - 1];
        }
        for t in (0..n - 1).rev() {
            for y in 0..L {
                let mut b = 0.0;
                for q in 0..L {
                    b += et[y * L + q] * es[(t + 1) * L + q] * beta[(t + 1) * L + q];
                }
                beta[t * L + y] = b * scale[t];
            }
        }
        let log_z = shift - scale.iter().map(|v| v.ln()).sum::<f64>();
        let sw = s.weight;
        loss += sw * (log_z - gold);
        let mut prob = [0f64; L];
        let mut eb = [0f64; L];
        for t in 0..n {
            let y = s.labels[t] as usize;
            for l in 0..L {
                prob[l] = alpha[t * L + l] * beta[t * L + l] / scale[t];
            }
            prob[y] -= 1.0;
            if sw != 1.0 {
                prob.iter_mut().for_each(|v| *v *= sw);
            }
            for &a in attrs_of(t) {
                let (fa, fb) = (
                    fs.start[a as usize] as usize,
                    fs.start[a as usize + 1] as usize,
                );
                for (gf, &l) in g[fa..fb].iter_mut().zip(&fs.label[fa..fb]) {
                    *gf += prob[l as usize];
                }
            }
            if t + 1 < n {
                for q in 0..L {
                    eb[q] = es[(t + 1) * L + q] * beta[(t + 1) * L + q];
                }
                for p in 0..L {
                    let ap = alpha[t * L + p];
                    let row = &mut edge[p * L..(p + 1) * L];
                    let etr = &et[p * L..(p + 1) * L];
                    for q in 0..L {
                        row[q] += sw * ap * etr[q] * eb[q];
                    }
                }
                edge[y * L + s.labels[t + 1] as usize] -= sw;
            }
        }
    }
    g[tb..].copy_from_slice(&edge);
    for (gi, wi) in g.iter_mut().zip(w) {
        *gi += 2.0 * c2 * wi;
        loss += c2 * wi * wi;
    }
    loss
}

/// Trains one CRF on `seqs`: the general model (domain 0) and, with domain-augmented features,
/// one collapsed model per further domain; `log` gets progress lines.
pub(crate) fn train_crf(
    seqs: &[&Seq],
    space: &AttrSpace,
    flags: Flags,
    opts: &TrainOptions,
    log: &mut dyn FnMut(String),
) -> (Crf, Vec<Crf>) {
    let fs = FeatSpace::build(seqs, space.hashes.len());
    log(format!(
        "  {} sequences, {} attributes, {} features",
        seqs.len(),
        space.hashes.len(),
        fs.n()
    ));
    let mut w = vec![0.0; fs.n() + L * L];
    let lopts = Options {
        c1: opts.c1,
        memory: 6,
        max_iter: opts.max_iter,
        delta: 1e-5,
        period: 10,
    };
    let started = std::time::Instant::now();
    let mut evals = 0usize;
    // The shipped weights are the mean of the iterates from `average_from` on: a run's last
    // iterate depends on where the iteration budget happens to stop (dev F1 moved by ±0.2
    // between 70 and 120 iterations); the mean of the later iterates is steadier and scored
    // higher on dev at every budget tried.
    let avg_from = opts.average_from.unwrap_or(usize::MAX);
    let mut sum = vec![0.0; w.len()];
    let mut n_avg = 0usize;
    minimise(
        &mut w,
        &lopts,
        |x, g| {
            evals += 1;
            objective(x, g, seqs, &fs, opts.c2)
        },
        |it, v, x| {
            if it >= avg_from {
                n_avg += 1;
                for (a, b) in sum.iter_mut().zip(x) {
                    *a += b;
                }
            }
            if it % 10 == 0 {
                let nz = x.iter().filter(|v| **v != 0.0).count();
                log(format!(
                    "  iter {it:4}  objective {v:12.2}  non-zero {nz:8}  {:.0}s",
                    started.elapsed().as_secs_f64()
                ));
            }
        },
    );
    log(format!(
        "  {evals} objective evaluations in {:.0}s",
        started.elapsed().as_secs_f64()
    ));
    if n_avg > 0 {
        log(format!("  averaged {n_avg} iterates"));
        w = sum.iter().map(|v| v / n_avg as f64).collect();
    }
    let trans: Vec<f32> = w[fs.n()..].iter().map(|v| *v as f32).collect();
    let domains = space.copies.keys().map(|k| k.1).max().unwrap_or(0);
    let general = Crf::from_rows(flags, collapse(&w, &fs, space, 0), trans.clone());
    let others = (1..=domains)
        .map(|d| Crf::from_rows(flags, collapse(&w, &fs, space, d), trans.clone()))
        .collect();
    (general, others)
}

/// The weight rows of one domain's model: each general attribute's weights plus, outside
/// domain 0, its domain copy's (the augmented model seen from that domain collapses to a plain
/// CRF, so tagging costs the same).
fn collapse(
    w: &[f64],
    fs: &FeatSpace,
    space: &AttrSpace,
    domain: u8,
) -> Vec<(u64, Vec<(u8, f32)>)> {
    let mut rows = Vec::new();
    for (a, &h) in space.hashes.iter().enumerate() {
        if space.is_copy[a] {
            continue;
        }
        let mut sums = [0f64; L];
        for f in fs.start[a]..fs.start[a + 1] {
            sums[fs.label[f as usize] as usize] += w[f as usize];
        }
        if domain != 0 {
            if let Some(&c) = space.copies.get(&(a as u32, domain)) {
                let c = c as usize;
                for f in fs.start[c]..fs.start[c + 1] {
                    sums[fs.label[f as usize] as usize] += w[f as usize];
                }
            }
        }
        let entries: Vec<(u8, f32)> = (0..L)
            .filter(|&y| sums[y] != 0.0)
            .map(|y| (y as u8, sums[y] as f32))
            .collect();
        if !entries.is_empty() {
            rows.push((h, entries));
        }
    }
    rows
}

/// What training produces: the CRFs and the gazetteer file lines.
pub(crate) struct Trained {
    pub pass1: Crf,
    pub pass2: Option<Crf>,
    /// First-pass models of the domains after 0 (`domains[0]` is domain 1), when trained with
    /// domain-augmented features.
    pub domains: Vec<Crf>,
    pub gaz_lines: Vec<String>,
}

/// Trains the whole tagger (one or two passes) from CoNLL documents.
pub(crate) fn train(
    docs: &[ConllDoc],
    clusters: &Clusters,
    lex: &EntityGaz,
    opts: &TrainOptions,
    log: &mut dyn FnMut(String),
) -> Trained {
    let k = opts.folds.max(2);
    let fold = |d: usize| d % k;
    let (_, gaz_lines) = build_gaz(docs, |_| true);
    let fold_gaz: Vec<EntityGaz> = (0..k)
        .map(|f| build_gaz(docs, |d| fold(d) != f).0)
        .collect();
    let flags1 = Flags {
        prev: false,
        ..opts.flags
    };
    let mut space = AttrSpace::with_domains(opts.domains.clone());
    let seqs = extract_seqs(
        docs,
        clusters,
        lex,
        flags1,
        &|d| Some(&fold_gaz[fold(d)]),
        &|_, _| None,
        &mut space,
    );
    let mut seqs = seqs;
    for s in &mut seqs {
        if opts.domains.get(s.doc).is_some_and(|&d| d != 0) {
            s.weight = opts.domain_weight;
        }
    }
    let all: Vec<&Seq> = seqs.iter().collect();
    log(format!("pass 1: training on {} documents", docs.len()));
    let (pass1, domains) = train_crf(&all, &space, flags1, opts, log);
    if !opts.two_pass {
        return Trained {
            pass1,
            pass2: None,
            domains,
            gaz_lines,
        };
    }
    // Out-of-fold first-pass labels: each fold is tagged by a model that never saw it.
    let mut oof: Vec<Vec<Option<TagType>>> =
        docs.iter().map(|d| vec![None; d.words.len()]).collect();
    for (f, fgaz) in fold_gaz.iter().enumerate() {
        log(format!("pass 1, fold {}/{k}", f + 1));
        let train_part: Vec<&Seq> = seqs.iter().filter(|s| fold(s.doc) != f).collect();
        let fold_opts = TrainOptions {
            max_iter: opts.fold_iter,
            ..opts.clone()
        };
        let (crf, _) = train_crf(&train_part, &space, flags1, &fold_opts, log);
        for (di, d) in docs.iter().enumerate().filter(|(di, _)| fold(*di) == f) {
            let text = d.text();
            let (toks, sents) = d.tokens(&text);
            let res = Resources {
                clusters,
                gaz: fgaz,
                lex,
            };
            let (labels, _) = label_doc(&crf, None, &res, None, &toks, &sents);
            oof[di] = coarse_types(&labels);
        }
    }
    drop(seqs);
    let flags2 = Flags {
        prev: true,
        ..opts.flags
    };
    // The second pass is trained for domain 0 only.
    let mut space2 = AttrSpace::default();
    let seqs2 = extract_seqs(
        docs,
        clusters,
        lex,
        flags2,
        &|d| Some(&fold_gaz[fold(d)]),
        &|d, toks| Some(majority_types(toks, &oof[d])),
        &mut space2,
    );
    let all2: Vec<&Seq> = seqs2.iter().collect();
    log("pass 2: training with document-majority types".to_string());
    let (pass2, _) = train_crf(&all2, &space2, flags2, opts, log);
    Trained {
        pass1,
        pass2: Some(pass2),
        domains,
        gaz_lines,
    }
}

/// Scores a tagger over CoNLL documents with strict spans; `predict` returns token spans + type names.
pub(crate) fn evaluate(
    docs: &[ConllDoc],
    mut predict: impl FnMut(&[Token<'_>], &[Sentence]) -> Vec<(Range<usize>, String)>,
) -> Scorer {
    let mut sc = Scorer::default();
    for d in docs {
        let text = d.text();
        let (toks, sents) = d.tokens(&text);
        let gold: Vec<(Range<usize>, String)> = gold_spans(d)
            .into_iter()
            .map(|s| (s.tokens, s.ty.name().to_string()))
            .collect();
        sc.add(&gold, &predict(&toks, &sents));
    }
    sc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_finite_differences() {
        let seqs = [
            Seq {
                attrs: vec![0, 1, 1, 2, 0],
                offs: vec![0, 2, 4, 5],
                labels: vec![4, 0, 1],
                doc: 0,
                weight: 1.0,
            },
            Seq {
                attrs: vec![2, 0, 1],
                offs: vec![0, 1, 3],
                labels: vec![9, 11],
                doc: 0,
                weight: 2.0,
            },
        ];
        let refs: Vec<&Seq> = seqs.iter().collect();
        let fs = FeatSpace::build(&refs, 3);
        let n = fs.n() + L * L;
        let w: Vec<f64> = (0..n)
            .map(|i| ((i * 37 % 11) as f64 - 5.0) * 0.07)
            .collect();
        let mut g = vec![0.0; n];
        objective(&w, &mut g, &refs, &fs, 0.01);
        let mut scratch = vec![0.0; n];
        for i in [0, 1, fs.n() - 1, fs.n() + 3 * L + 4, n - 1] {
            let mut wp = w.clone();
            wp[i] += 1e-5;
            let mut wm = w.clone();
            wm[i] -= 1e-5;
            let num = (objective(&wp, &mut scratch, &refs, &fs, 0.01)
                - objective(&wm, &mut scratch, &refs, &fs, 0.01))
                / 2e-5;
            assert!(
                (num - g[i]).abs() < 1e-4,
                "weight {i}: numeric {num} vs analytic {}",
                g[i]
            );
        }
    }

    /// A sequence of weight 2 counts as two copies of it: loss and gradient both.
    #[test]
    fn sequence_weight_counts_the_sequence_that_many_times() {
        let seq = |weight: f64| Seq {
            attrs: vec![2, 0, 1],
            offs: vec![0, 1, 3],
            labels: vec![9, 11],
            doc: 0,
            weight,
        };
        let (one, two) = (seq(1.0), seq(2.0));
        let fs = FeatSpace::build(&[&one], 3);
        let n = fs.n() + L * L;
        let w: Vec<f64> = (0..n).map(|i| ((i * 13 % 7) as f64 - 3.0) * 0.1).collect();
        let (mut g1, mut g2, mut gd) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let single = objective(&w, &mut g1, &[&one], &fs, 0.0);
        let weighted = objective(&w, &mut g2, &[&two], &fs, 0.0);
        let doubled = objective(&w, &mut gd, &[&one, &one], &fs, 0.0);
        assert!(single > 0.0);
        assert!(
            (weighted - 2.0 * single).abs() < 1e-9,
            "{weighted} vs {single}"
        );
        assert!((weighted - doubled).abs() < 1e-9);
        for (a, b) in g2.iter().zip(&gd) {
            assert!((a - b).abs() < 1e-9);
        }
    }

    /// Two domains that disagree on one convention: domain 0 leaves the title outside the name,
    /// domain 1 puts it inside. Each collapsed model must follow its own domain on a new name.
    #[test]
    fn domain_copies_learn_each_domains_convention() {
        let names = [
            "Halvorsen",
            "Okonkwo",
            "Brandt",
            "Villanueva",
            "Marchetti",
            "Lindqvist",
        ];
        // One sentence per document: "President NAME spoke .", the title outside the name in
        // domain 0 and inside it in domain 1; domain 0 documents first.
        let doc = |name: &str, title_tag: &str| ConllDoc {
            words: ["President", name, "spoke", "."].map(String::from).to_vec(),
            tags: [title_tag, "I-PER", "O", "O"].map(String::from).to_vec(),
            sentences: std::iter::once(0..4).collect(),
        };
        let mut docs = Vec::new();
        for title_tag in ["O", "I-PER"] {
            for n in names {
                docs.push(doc(n, title_tag));
                docs.push(doc(n, title_tag));
            }
        }
        let half = docs.len() / 2;
        let opts = TrainOptions {
            c1: 0.0,
            c2: 0.01,
            max_iter: 60,
            fold_iter: 10,
            folds: 2,
            flags: Flags::default(),
            two_pass: false,
            average_from: None,
            domain_weight: 1.0,
            domains: (0..docs.len()).map(|d| u8::from(d >= half)).collect(),
        };
        let clusters = Clusters::parse("");
        let lex = EntityGaz::default();
        let trained = train(&docs, &clusters, &lex, &opts, &mut |_| {});
        assert_eq!(trained.domains.len(), 1);
        let probe = doc("Adeyemi", "O");
        let doc_text = probe.text();
        let (toks, sents) = probe.tokens(&doc_text);
        let res = Resources {
            clusters: &clusters,
            gaz: &lex,
            lex: &lex,
        };
        let span = |crf: &Crf| -> Vec<Range<usize>> {
            let (labels, conf) = label_doc(crf, None, &res, None, &toks, &sents);
            crate::enrich::ner::mentions(&toks, &sents, &labels, &conf)
                .into_iter()
                .map(|m| m.tokens)
                .collect()
        };
        assert_eq!(span(&trained.pass1), vec![1..2], "domain 0: title outside");
        assert_eq!(
            span(&trained.domains[0]),
            vec![0..2],
            "domain 1: title inside"
        );
    }
}
