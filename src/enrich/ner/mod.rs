//! Statistical named-entity tagger: a linear-chain CRF over BIOES labels with word, shape, affix,
//! word-cluster, document-context and gazetteer features, run in two passes (the second pass sees
//! the first pass's majority type of each word in the document, for label consistency).
//!
//! Model directory layout (`models/ner/`): `pass1.crf`, optional `pass2.crf`, `clusters.tsv`,
//! `entities.tsv`. Rebuild with `newsenrich train ner` (see `src/tools/train_ner.rs`).

pub mod conll;
pub mod context;
pub mod crf;
pub mod features;
pub mod gaz;
pub mod hash;
pub mod labels;
mod lbfgs;
pub mod score;
#[cfg(test)]
mod tests;
pub mod train;

use super::{EntityType, Mention, ModelError, Sentence, Token};
use crf::{Crf, Flags};
use features::{Clusters, DocFeatures, Extractor};
use gaz::EntityGaz;
use labels::NUM_LABELS;
use std::path::Path;

pub struct NerModel {
    pass1: Crf,
    pass2: Option<Crf>,
    clusters: Clusters,
    gaz: EntityGaz,
    lex: EntityGaz,
}

fn read(path: &Path) -> Result<Vec<u8>, ModelError> {
    std::fs::read(path).map_err(|e| ModelError::new(path, e))
}

fn read_text(path: &Path) -> Result<String, ModelError> {
    std::fs::read_to_string(path).map_err(|e| ModelError::new(path, e))
}

impl NerModel {
    /// Loads from `dir/ner/`.
    pub fn load(dir: &Path) -> Result<Self, ModelError> {
        Self::load_from(&dir.join("ner"))
    }

    /// Loads from a `ner` model directory itself.
    pub fn load_from(dir: &Path) -> Result<Self, ModelError> {
        let p1 = dir.join("pass1.crf");
        let pass1 = Crf::from_bytes(&read(&p1)?).map_err(|e| ModelError::new(&p1, e))?;
        let p2 = dir.join("pass2.crf");
        let pass2 = if p2.exists() {
            Some(Crf::from_bytes(&read(&p2)?).map_err(|e| ModelError::new(&p2, e))?)
        } else {
            None
        };
        let clusters = Clusters::parse(&read_text(&dir.join("clusters.tsv"))?);
        let gaz = EntityGaz::parse(&read_text(&dir.join("entities.tsv"))?);
        let lex_path = dir.join("lexicon.tsv");
        let lex = if pass1.flags.lex {
            EntityGaz::parse(&read_text(&lex_path)?)
        } else {
            EntityGaz::default()
        };
        Ok(Self {
            pass1,
            pass2,
            clusters,
            gaz,
            lex,
        })
    }

    pub fn name(&self) -> &str {
        if self.pass2.is_some() {
            "ner-crf2"
        } else {
            "ner-crf1"
        }
    }

    /// Tags a document; mentions carry the coarse types PERSON, ORG, LOC, MISC.
    pub fn tag(&self, tokens: &[Token<'_>], sentences: &[Sentence]) -> Vec<Mention> {
        let (labels, conf) = self.label(tokens, sentences);
        mentions(tokens, sentences, &labels, &conf)
    }

    /// BIOES label ids and confidences for every token (0 = O outside all sentences).
    pub fn label(&self, tokens: &[Token<'_>], sentences: &[Sentence]) -> (Vec<u8>, Vec<f32>) {
        let res = Resources {
            clusters: &self.clusters,
            gaz: &self.gaz,
            lex: &self.lex,
        };
        label_doc(&self.pass1, self.pass2.as_ref(), &res, tokens, sentences)
    }
}

/// Lexical resources shared by the passes.
pub struct Resources<'a> {
    pub clusters: &'a Clusters,
    pub gaz: &'a EntityGaz,
    pub lex: &'a EntityGaz,
}

/// Coarse type per token: 0 = none, 1..=4 = PER, ORG, LOC, MISC.
pub fn coarse_types(labels: &[u8]) -> Vec<u8> {
    labels
        .iter()
        .map(|&l| labels::split(l).map_or(0, |(t, _)| t + 1))
        .collect()
}

/// Runs one or two passes over a document; features are extracted once and shared.
pub(crate) fn label_doc(
    pass1: &Crf,
    pass2: Option<&Crf>,
    res: &Resources<'_>,
    tokens: &[Token<'_>],
    sentences: &[Sentence],
) -> (Vec<u8>, Vec<f32>) {
    let extract = |crf: &Crf| {
        Extractor {
            clusters: res.clusters,
            gaz: crf.flags.gaz.then_some(res.gaz),
            lex: crf.flags.lex.then_some(res.lex),
            use_doc: crf.flags.doc,
        }
        .extract(tokens, sentences, None)
    };
    let df1 = extract(pass1);
    let first = run_pass(pass1, &df1, tokens, sentences, None);
    let Some(p2) = pass2 else { return first };
    let maj = context::majority_types(tokens, &coarse_types(&first.0));
    let same = Flags {
        prev: false,
        ..p2.flags
    } == pass1.flags;
    let df2 = if same { df1 } else { extract(p2) };
    run_pass(
        p2,
        &df2,
        tokens,
        sentences,
        p2.flags.prev.then_some(&maj[..]),
    )
}

const WIN: usize = 5;

/// One CRF pass: each distinct word is scored once per window offset, then every token's label
/// scores are the sum of its neighbours' rows and its own per-token attributes; Viterbi per sentence.
pub(crate) fn run_pass(
    crf: &Crf,
    df: &DocFeatures,
    tokens: &[Token<'_>],
    sentences: &[Sentence],
    prev: Option<&[u8]>,
) -> (Vec<u8>, Vec<f32>) {
    const L: usize = NUM_LABELS;
    let window = features::window();
    let nw = df.word_range.len();
    let mut rows = vec![0f32; nw * WIN * L];
    for w in 0..nw {
        for (k, &(off, mask)) in window.iter().enumerate() {
            let row = &mut rows[(w * WIN + k) * L..(w * WIN + k + 1) * L];
            for h in df.word_at(w as u32, mask) {
                if let Some(e) = crf.lookup(features::at_offset(h, off)) {
                    crf.add_entry(e, row);
                }
            }
        }
    }
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
            for &h in df.extra.token(i) {
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
                let w = df.word_of[j as usize] as usize;
                let src = &rows[(w * WIN + wk) * L..(w * WIN + wk + 1) * L];
                for (d, v) in row.iter_mut().zip(src) {
                    *d += *v;
                }
            }
        }
        crf.viterbi(&state, &mut path, &mut pc);
        labels[s.tokens.clone()].copy_from_slice(&path);
        conf[s.tokens.clone()].copy_from_slice(&pc);
    }
    (labels, conf)
}

fn coarse_entity_type(ty: u8) -> EntityType {
    match ty {
        0 => EntityType::Person,
        1 => EntityType::Org,
        2 => EntityType::Loc,
        _ => EntityType::Misc,
    }
}

/// Turns per-token BIOES labels into mentions with char offsets, per sentence.
pub fn mentions(
    tokens: &[Token<'_>],
    sentences: &[Sentence],
    labels: &[u8],
    conf: &[f32],
) -> Vec<Mention> {
    let mut out = Vec::new();
    for (si, s) in sentences.iter().enumerate() {
        for sp in labels::spans_from_bioes(&labels[s.tokens.clone()]) {
            let r = s.tokens.start + sp.tokens.start..s.tokens.start + sp.tokens.end;
            let (first, last) = (&tokens[r.start], &tokens[r.end - 1]);
            let text = span_text(&tokens[r.clone()]);
            let c = conf[r.clone()].iter().copied().fold(1.0f32, f32::min);
            out.push(Mention {
                start: first.start,
                end: last.end,
                tokens: r,
                sentence: si,
                etype: coarse_entity_type(sp.ty),
                text,
                confidence: c,
            });
        }
    }
    out
}

/// The mention text from its tokens. `tag` does not see the article, so gaps between tokens are
/// rebuilt as spaces (one per char); a name broken over a line is the only case that differs from
/// the article, and callers holding the text can re-slice with the char offsets.
fn span_text(tokens: &[Token<'_>]) -> String {
    let mut s = String::new();
    let mut prev_end: Option<usize> = None;
    for t in tokens {
        if let Some(e) = prev_end {
            for _ in e..t.start {
                s.push(' ');
            }
        }
        s.push_str(t.text);
        prev_end = Some(t.end);
    }
    s
}
