//! Statistical named-entity tagger: a linear-chain CRF over BIOES labels with word, shape, affix,
//! GloVe word-cluster and binarised-vector, document-context and gazetteer features. An optional
//! second pass (`pass2.crf`, `train ner --two-pass`) sees the first pass's majority type of each
//! word in the document, for label consistency.
//!
//! Model directory layout (`models/ner/`): `pass1.crf`, optional other first passes (e.g.
//! `pass1.conll04.crf`, the same model trained in a benchmark's conventions, which the lab loads
//! with [`NerModel::load_with_first_pass`]) and `pass2.crf`, `clusters.tsv`,
//! `entities.tsv`, optional `lexicon.tsv` and `frequent.txt`. Rebuild with `newsenrich train ner` (see `src/lab/train_ner.rs`).

mod apposition;
pub(crate) use apposition::is_org_descriptor_head;
pub(crate) mod consistency;
pub(crate) mod context;
mod conventions;
pub(crate) mod crf;
pub(crate) mod features;
#[cfg(test)]
pub(crate) mod fixtures;
pub(crate) mod gaz;
pub(crate) mod hash;
pub(crate) mod labels;
mod org_names;
mod tagger;
#[cfg(test)]
mod tests;
pub(crate) mod titles;
pub(crate) mod word;

use super::{EntityType, Mention, ModelError, ModelFiles, Sentence, Token};
use crf::Crf;
use features::Clusters;
use gaz::EntityGaz;
use labels::TagType;
use std::path::Path;
pub(crate) use tagger::label_doc;
use tagger::WordCache;

pub struct NerModel {
    pass1: Crf,
    pass2: Option<Crf>,
    clusters: Clusters,
    gaz: EntityGaz,
    lex: EntityGaz,
    /// Word rows of the most frequent words, scored at load.
    cache: WordCache,
    /// The last step of [`NerModel::tag`]: the product's [`NewsConventions`] unless an
    /// evaluation handed in its benchmark's ([`NerModel::with_conventions`]).
    conventions: Box<dyn Conventions>,
}

/// How mentions are cut at the end of tagging where annotation conventions differ and the tagger's
/// window cannot tell. The product reads news as a reader does ([`NewsConventions`]); the lab hands
/// in a benchmark's own conventions to score it in them.
pub(crate) trait Conventions: Send + Sync {
    fn apply(&self, tokens: &[Token<'_>], mentions: &mut Vec<Mention>);
}

/// The product's conventions: a title is not part of a name ("CEO Jean Prates" is the person
/// "Jean Prates"; "Prime Minister Anton Brill" is "Anton Brill").
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NewsConventions;

impl Conventions for NewsConventions {
    fn apply(&self, tokens: &[Token<'_>], mentions: &mut Vec<Mention>) {
        conventions::split_titles_from_names(tokens, mentions);
        conventions::drop_leading_titles(tokens, mentions);
    }
}

impl NerModel {
    /// Loads from `dir/ner/`.
    pub fn load(dir: &Path) -> Result<Self, ModelError> {
        Self::from_files(&ModelFiles::dir(dir))
    }

    /// Loads from the `ner/` files of `files`.
    pub fn from_files(files: &ModelFiles) -> Result<Self, ModelError> {
        Self::from_folder(&files.folder("ner"), "pass1.crf")
    }

    /// Loads from a `ner` model directory itself.
    pub(crate) fn load_from(dir: &Path) -> Result<Self, ModelError> {
        Self::from_folder(&ModelFiles::dir(dir), "pass1.crf")
    }

    /// Loads from a `ner` model directory with another first-pass file of it (e.g.
    /// `pass1.conll04.crf`, written by `train ner --domain-conll04`) instead of `pass1.crf`.
    pub(crate) fn load_with_first_pass(dir: &Path, pass1_file: &str) -> Result<Self, ModelError> {
        Self::from_folder(&ModelFiles::dir(dir), pass1_file)
    }

    /// Loads from the files of a `ner` folder, with `pass1_file` as the first pass.
    fn from_folder(files: &ModelFiles, pass1_file: &str) -> Result<Self, ModelError> {
        let crf = |name: &str| {
            Crf::from_bytes(&files.read(name)?).map_err(|e| ModelError::new(files.display(name), e))
        };
        let pass1 = crf(pass1_file)?;
        let pass2 = if files.exists("pass2.crf") {
            Some(crf("pass2.crf")?)
        } else {
            None
        };
        let clusters = Clusters::parse(&files.read_text("clusters.tsv")?);
        let gaz = EntityGaz::parse(&files.read_text("entities.tsv")?);
        let lex = if pass1.flags.lex {
            EntityGaz::parse(&files.read_text("lexicon.tsv")?)
        } else {
            EntityGaz::default()
        };
        // Optional: without it every word is scored per document (same labels, slower).
        let frequent = files.read_text("frequent.txt").unwrap_or_default();
        let cache = WordCache::build(
            frequent.lines(),
            &Resources {
                clusters: &clusters,
                gaz: &gaz,
                lex: &lex,
            },
            [Some(&pass1), pass2.as_ref()],
        );
        Ok(Self {
            pass1,
            pass2,
            clusters,
            gaz,
            lex,
            cache,
            conventions: Box::new(NewsConventions),
        })
    }

    /// The same model, ending with `conventions` instead of the product's.
    pub(crate) fn with_conventions(mut self, conventions: Box<dyn Conventions>) -> Self {
        self.conventions = conventions;
        self
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
        let mut out = mentions(tokens, sentences, &labels, &conf);
        consistency::apply(tokens, sentences, &mut out);
        org_names::add_numbered_units(tokens, sentences, &mut out);
        org_names::join_forces(tokens, &mut out);
        org_names::join_broadcasters(tokens, &mut out);
        org_names::join_institution_of(tokens, &mut out);
        self.conventions.apply(tokens, &mut out);
        out
    }

    /// BIOES label ids and confidences for every token (0 = O outside all sentences).
    pub(crate) fn label(
        &self,
        tokens: &[Token<'_>],
        sentences: &[Sentence],
    ) -> (Vec<u8>, Vec<f32>) {
        let res = Resources {
            clusters: &self.clusters,
            gaz: &self.gaz,
            lex: &self.lex,
        };
        label_doc(
            &self.pass1,
            self.pass2.as_ref(),
            &res,
            Some(&self.cache),
            tokens,
            sentences,
        )
    }
}

/// Lexical resources shared by the passes.
pub(crate) struct Resources<'a> {
    pub clusters: &'a Clusters,
    pub gaz: &'a EntityGaz,
    pub lex: &'a EntityGaz,
}

/// The tagger's type of each token, None outside entities.
pub(crate) fn coarse_types(labels: &[u8]) -> Vec<Option<TagType>> {
    labels
        .iter()
        .map(|&l| labels::split(l).map(|(t, _)| t))
        .collect()
}

/// Turns per-token BIOES labels into mentions with char offsets, per sentence.
pub(crate) fn mentions(
    tokens: &[Token<'_>],
    sentences: &[Sentence],
    labels: &[u8],
    conf: &[f32],
) -> Vec<Mention> {
    let mut out = Vec::new();
    for (si, s) in sentences.iter().enumerate() {
        for sp in labels::spans_from_bioes(&labels[s.tokens.clone()]) {
            let mut r = s.tokens.start + sp.tokens.start..s.tokens.start + sp.tokens.end;
            // A name never starts or ends with a comma; the tagger's span can
            // ("Tarrowby," before a sentence-final state abbreviation).
            while r.len() > 1 && is_edge_punct(tokens[r.end - 1].text) {
                r.end -= 1;
            }
            while r.len() > 1 && is_edge_punct(tokens[r.start].text) {
                r.start += 1;
            }
            if is_edge_punct(tokens[r.start].text) {
                continue;
            }
            let (first, last) = (&tokens[r.start], &tokens[r.end - 1]);
            let text = span_text(&tokens[r.clone()]);
            let c = conf[r.clone()].iter().copied().fold(1.0f32, f32::min);
            out.push(Mention {
                start: first.start,
                end: last.end,
                tokens: r,
                sentence: si,
                etype: sp.ty.entity_type(),
                text,
                confidence: c,
            });
        }
    }
    out
}

/// Widens mention `k` to end at token `end` with type `etype`, dropping the mentions it now
/// covers (mentions are sorted and do not overlap, so those come after `k`).
pub(crate) fn widen(
    tokens: &[Token<'_>],
    mentions: &mut Vec<Mention>,
    k: usize,
    end: usize,
    etype: EntityType,
) {
    let m = &mentions[k];
    let start = m.tokens.start;
    mentions[k] = Mention::over(tokens, start..end, m.sentence, etype, m.confidence);
    let mut j = 0;
    mentions.retain(|x| {
        let keep = j == k || !(start <= x.tokens.start && x.tokens.end <= end);
        j += 1;
        keep
    });
}

/// Punctuation that cannot open or close a name (dashes, quotes and brackets can: CoNLL-2003
/// keeps some inside names, and trimming them too cost 0.15 dev F1).
fn is_edge_punct(t: &str) -> bool {
    matches!(t, "," | ";")
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
