//! Training data for the CRF: gold spans of CoNLL documents, the gazetteers built from them, and
//! the sentences as sequences of attribute ids (with a copy of every attribute per annotation
//! domain after 0).

use super::conll::ConllDoc;
use crate::enrich::ner::crf::Flags;
use crate::enrich::ner::features::{Clusters, Extractor};
use crate::enrich::ner::gaz::EntityGaz;
use crate::enrich::ner::hash::with;
use crate::enrich::ner::labels::{bioes, spans_from_iob, Span, TagType};
use crate::enrich::Token;
use rustc_hash::FxHashMap;

/// One training sequence (a sentence) with attribute ids.
pub(crate) struct Seq {
    pub(super) attrs: Vec<u32>,
    pub(super) offs: Vec<u32>,
    pub(super) labels: Vec<u8>,
    pub(super) doc: usize,
    /// Weight of the sequence in the likelihood.
    pub(super) weight: f64,
}

/// Attribute ids shared by all sequences of one pass.
#[derive(Default)]
pub(crate) struct AttrSpace {
    index: FxHashMap<u64, u32>,
    pub(super) hashes: Vec<u64>,
    /// Domain copies: (general attribute id, domain) -> id of the domain's copy.
    pub(super) copies: FxHashMap<(u32, u8), u32>,
    /// Whether an id is a domain copy (not written to any model as such).
    pub(super) is_copy: Vec<bool>,
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
