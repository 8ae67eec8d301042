//! The tagging fast path. A token's label scores are the sum of (a) its neighbours' word-local
//! attributes at each window offset and (b) a few per-token attributes. Part (a) depends only on the
//! word, so each distinct word is scored once per document, and the most frequent words (saved by
//! training as `frequent.txt`) are scored once at load time: most tokens then cost five row
//! additions instead of ~80 hash lookups.

use super::context;
use super::crf::{Crf, Flags};
use super::features::{self, at_offset, word_attrs, Attrs, Extractor, Tpl};
use super::labels::NUM_LABELS;
use super::{coarse_types, Resources};
use crate::enrich::{Sentence, Token};
use rustc_hash::FxHashMap;

const L: usize = NUM_LABELS;
const WIN: usize = 5;
/// Floats per word row: one label row per window offset.
pub(crate) const ROW: usize = WIN * L;

/// Adds the scores of word attributes `attrs` at every window offset into `out` (ROW floats).
fn score_word(crf: &Crf, attrs: &[(Tpl, u64)], out: &mut [f32]) {
    for (k, &(off, mask)) in features::window().iter().enumerate() {
        let row = &mut out[k * L..(k + 1) * L];
        for &(t, h) in attrs {
            if mask & (1 << t as u32) != 0 {
                if let Some(e) = crf.lookup(at_offset(h, off)) {
                    crf.add_entry(e, row);
                }
            }
        }
    }
}

/// Word rows precomputed for frequent words, per pass.
#[derive(Default)]
pub(crate) struct WordCache {
    index: FxHashMap<Box<str>, u32>,
    rows: [Vec<f32>; 2],
}

impl WordCache {
    pub(crate) fn build<'w>(
        words: impl Iterator<Item = &'w str>,
        res: &Resources<'_>,
        passes: [Option<&Crf>; 2],
    ) -> Self {
        let mut c = WordCache::default();
        let mut attrs = Vec::new();
        for w in words {
            if w.is_empty() || c.index.contains_key(w) {
                continue;
            }
            attrs.clear();
            word_attrs(w, res.clusters, &mut attrs);
            for (p, crf) in passes.iter().enumerate() {
                if let Some(crf) = crf {
                    let start = c.rows[p].len();
                    c.rows[p].resize(start + ROW, 0.0);
                    score_word(crf, &attrs, &mut c.rows[p][start..]);
                }
            }
            c.index.insert(w.into(), c.index.len() as u32);
        }
        c
    }
}

/// Where a distinct word's rows live.
#[derive(Clone, Copy)]
enum Src {
    Cached(u32),
    Local(u32),
}

/// Labels a document with one or two passes; confidences come from the last pass.
pub(crate) fn label_doc(
    pass1: &Crf,
    pass2: Option<&Crf>,
    res: &Resources<'_>,
    cache: Option<&WordCache>,
    tokens: &[Token<'_>],
    sentences: &[Sentence],
) -> (Vec<u8>, Vec<f32>) {
    let passes = [Some(pass1), pass2];
    // Distinct words and their rows.
    let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
    let mut srcs: Vec<Src> = Vec::new();
    let mut word_of = Vec::with_capacity(tokens.len());
    let mut local: [Vec<f32>; 2] = [Vec::new(), Vec::new()];
    let mut attrs = Vec::new();
    for t in tokens {
        let id = *ids.entry(t.text).or_insert_with(|| {
            let src = match cache.and_then(|c| c.index.get(t.text)) {
                Some(&k) => Src::Cached(k),
                None => {
                    attrs.clear();
                    word_attrs(t.text, res.clusters, &mut attrs);
                    let k = local[0].len() / ROW;
                    for (p, crf) in passes.iter().enumerate() {
                        if let Some(crf) = crf {
                            let start = local[p].len();
                            local[p].resize(start + ROW, 0.0);
                            score_word(crf, &attrs, &mut local[p][start..]);
                        }
                    }
                    Src::Local(k as u32)
                }
            };
            srcs.push(src);
            (srcs.len() - 1) as u32
        });
        word_of.push(id);
    }
    let row_of = |p: usize, w: u32| -> &[f32] {
        let (v, k) = match srcs[w as usize] {
            Src::Cached(k) => (cache.map_or(&[][..], |c| &c.rows[p][..]), k),
            Src::Local(k) => (&local[p][..], k),
        };
        &v[k as usize * ROW..(k as usize + 1) * ROW]
    };
    let extract = |crf: &Crf| {
        Extractor {
            clusters: res.clusters,
            gaz: crf.flags.gaz.then_some(res.gaz),
            lex: crf.flags.lex.then_some(res.lex),
            use_doc: crf.flags.doc,
        }
        .extract_extra(tokens, sentences, None)
    };
    let extra1 = extract(pass1);
    let words = |w: u32| row_of(0, w);
    let first = run_pass(
        pass1,
        &words,
        &word_of,
        &extra1,
        tokens,
        sentences,
        None,
        pass2.is_none(),
    );
    let Some(p2) = pass2 else { return first };
    let maj = context::majority_types(tokens, &coarse_types(&first.0));
    let same = Flags {
        prev: false,
        ..p2.flags
    } == pass1.flags;
    let extra2 = if same { extra1 } else { extract(p2) };
    let words2 = |w: u32| row_of(1, w);
    let prev = p2.flags.prev.then_some(&maj[..]);
    run_pass(
        p2, &words2, &word_of, &extra2, tokens, sentences, prev, true,
    )
}

/// One CRF pass: label scores per token from word rows and per-token attributes, Viterbi per
/// sentence, and (when asked) per-token confidence.
#[allow(clippy::too_many_arguments)]
fn run_pass<'r>(
    crf: &Crf,
    row_of: &dyn Fn(u32) -> &'r [f32],
    word_of: &[u32],
    extra: &Attrs,
    tokens: &[Token<'_>],
    sentences: &[Sentence],
    prev: features::PrevTypes<'_>,
    want_conf: bool,
) -> (Vec<u8>, Vec<f32>) {
    let window = features::window();
    let mut labels = vec![0u8; tokens.len()];
    let mut conf = vec![1f32; tokens.len()];
    let mut state = Vec::new();
    let mut prev_attrs = Vec::new();
    let (mut path, mut pc) = (Vec::new(), Vec::new());
    for s in sentences {
        state.clear();
        state.resize(s.tokens.len() * L, 0.0);
        for (k, i) in s.tokens.clone().enumerate() {
            let row = &mut state[k * L..(k + 1) * L];
            for &h in extra.token(i) {
                if let Some(e) = crf.lookup(h) {
                    crf.add_entry(e, row);
                }
            }
            if let Some(p) = prev {
                prev_attrs.clear();
                context::prev_type_attrs(tokens, p, i, &mut prev_attrs);
                for &h in &prev_attrs {
                    if let Some(e) = crf.lookup(h) {
                        crf.add_entry(e, row);
                    }
                }
            }
            for (wk, &(off, _)) in window.iter().enumerate() {
                let j = i as i64 + off;
                if j < s.tokens.start as i64 || j >= s.tokens.end as i64 {
                    continue;
                }
                let src = &row_of(word_of[j as usize])[wk * L..(wk + 1) * L];
                for (d, v) in row.iter_mut().zip(src) {
                    *d += *v;
                }
            }
        }
        crf.viterbi(&state, &mut path);
        labels[s.tokens.clone()].copy_from_slice(&path);
        if want_conf {
            crf.confidence(&state, &path, &mut pc);
            conf[s.tokens.clone()].copy_from_slice(&pc);
        }
    }
    (labels, conf)
}
