//! Feature extraction: every token gets a list of attribute hashes (word identity, shape, affixes,
//! case, word clusters for a ±2 window, plus document-level and gazetteer attributes).
//!
//! Attributes are hashed, never built as strings, so the same code serves training and fast tagging.

use super::context::DocContext;
use super::gaz::EntityGaz;
use super::hash::{hash_str, with};
use super::labels::TagType;
pub(crate) use super::word::{case_class, Tpl};
use crate::enrich::{Sentence, Token};
use rustc_hash::FxHashMap;

/// Which templates fire at each window offset, as a bit set over [`Tpl`] discriminants.
const fn bits(t: &[Tpl]) -> u32 {
    let mut m = 0u32;
    let mut i = 0;
    while i < t.len() {
        m |= 1 << (t[i] as u32);
        i += 1;
    }
    m
}

const CENTER: u32 = bits(&[
    Tpl::Lower,
    Tpl::Raw,
    Tpl::Shape,
    Tpl::Case,
    Tpl::Prefix,
    Tpl::Suffix,
    Tpl::Cluster,
    Tpl::Digit,
    Tpl::Hyphen,
    Tpl::LowerNoCluster,
    Tpl::Emb,
]);
const NEAR: u32 = bits(&[
    Tpl::Lower,
    Tpl::Shape,
    Tpl::Case,
    Tpl::Prefix,
    Tpl::Suffix,
    Tpl::Cluster,
    Tpl::Digit,
    Tpl::Hyphen,
]);
const FAR: u32 = bits(&[Tpl::Lower, Tpl::Shape, Tpl::Case, Tpl::Suffix]);

/// Window offsets -2..=2 and the templates used at each.
const WINDOW: [(i64, u32); 5] = [(-2, FAR), (-1, NEAR), (0, CENTER), (1, NEAR), (2, FAR)];

/// What the embedding resources say about one lowercase word.
#[derive(Clone, Copy)]
pub(crate) struct WordVec {
    /// k-means cluster ids at 64/256/1024/4096 clusters.
    pub ids: [u16; 4],
    /// Binarised GloVe vector, 2 bits per dimension: 0 = near zero, 1 = high, 2 = low.
    pub signs: u128,
}

/// Word clusters and binarised vectors: lowercase-word hash -> [`WordVec`].
#[derive(Default)]
pub(crate) struct Clusters {
    pub map: FxHashMap<u64, WordVec>,
}

impl Clusters {
    pub(crate) fn parse(text: &str) -> Self {
        let mut map = FxHashMap::default();
        for line in text.lines() {
            let mut it = line.split('\t');
            let Some(w) = it.next() else { continue };
            let mut ids = [0u16; 4];
            let mut ok = true;
            for slot in ids.iter_mut() {
                match it.next().and_then(|s| s.parse::<u16>().ok()) {
                    Some(v) => *slot = v,
                    None => ok = false,
                }
            }
            let mut signs = 0u128;
            if let Some(sv) = it.next() {
                for (d, c) in sv.chars().take(64).enumerate() {
                    let v: u128 = match c {
                        '+' => 1,
                        '-' => 2,
                        _ => 0,
                    };
                    signs |= v << (2 * d);
                }
            }
            if ok {
                map.entry(hash_str(0, w)).or_insert(WordVec { ids, signs });
            }
        }
        Self { map }
    }
}

/// Lowercases and maps digits to `0`, so "1996" and "1997" share a feature.
pub(crate) fn normalise(w: &str, out: &mut String) {
    out.clear();
    for c in w.chars() {
        if c.is_ascii_digit() {
            out.push('0');
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

/// Collapsed shape: `Xx`, `X.X.`, `d-d`.
pub(crate) fn shape(w: &str, out: &mut String) {
    out.clear();
    let mut last = '\0';
    for c in w.chars() {
        let s = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        if s != last {
            out.push(s);
            last = s;
        }
    }
}

/// Computes the word-local attributes of `w` as `(template, hash)` pairs.
pub(crate) fn word_attrs(w: &str, clusters: &Clusters, out: &mut Vec<(Tpl, u64)>) {
    let mut buf = String::with_capacity(w.len() + 4);
    let mut lw = String::with_capacity(w.len() + 4);
    normalise(w, &mut lw);
    out.push((Tpl::Lower, hash_str(Tpl::Lower as u64, &lw)));
    out.push((Tpl::Raw, hash_str(Tpl::Raw as u64, w)));
    shape(w, &mut buf);
    out.push((Tpl::Shape, hash_str(Tpl::Shape as u64, &buf)));
    let cc = case_class(w);
    out.push((Tpl::Case, with(Tpl::Case as u64, cc as u64)));
    let chars: Vec<(usize, char)> = lw.char_indices().collect();
    let n = chars.len();
    for k in 1..=4usize.min(n) {
        let end = if k < n { chars[k].0 } else { lw.len() };
        out.push((
            Tpl::Prefix,
            with(hash_str(Tpl::Prefix as u64, &lw[..end]), k as u64),
        ));
        let start = chars[n - k].0;
        out.push((
            Tpl::Suffix,
            with(hash_str(Tpl::Suffix as u64, &lw[start..]), k as u64),
        ));
    }
    if w.chars().any(|c| c.is_ascii_digit()) {
        out.push((Tpl::Digit, Tpl::Digit as u64));
    }
    if w.contains('-') {
        out.push((Tpl::Hyphen, Tpl::Hyphen as u64));
    }
    let mut lower_plain = String::with_capacity(w.len());
    lower_plain.extend(w.chars().flat_map(char::to_lowercase));
    match clusters.map.get(&hash_str(0, &lower_plain)) {
        Some(v) => {
            for (g, id) in v.ids.iter().enumerate() {
                out.push((
                    Tpl::Cluster,
                    with(with(Tpl::Cluster as u64, g as u64), *id as u64),
                ));
            }
            let mut bits = v.signs;
            let mut d = 0u64;
            while bits != 0 {
                let s = (bits & 3) as u64;
                if s != 0 {
                    out.push((Tpl::Emb, with(with(Tpl::Emb as u64, d), s)));
                }
                bits >>= 2;
                d += 1;
            }
        }
        None => out.push((
            Tpl::LowerNoCluster,
            with(Tpl::LowerNoCluster as u64, cc as u64),
        )),
    }
}

/// Per-token attribute lists for a whole document, flattened.
#[derive(Default, Debug)]
pub(crate) struct Attrs {
    pub hashes: Vec<u64>,
    /// `hashes[offs[i]..offs[i + 1]]` are token i's attributes.
    pub offs: Vec<u32>,
}

impl Attrs {
    pub(crate) fn token(&self, i: usize) -> &[u64] {
        &self.hashes[self.offs[i] as usize..self.offs[i + 1] as usize]
    }
}

/// Resources the extractor reads.
pub(crate) struct Extractor<'r> {
    pub clusters: &'r Clusters,
    pub gaz: Option<&'r EntityGaz>,
    /// Place, organisation and nationality names from the lexicons (models/gazetteer).
    pub lex: Option<&'r EntityGaz>,
    pub use_doc: bool,
}

/// Previous-pass document-majority type per token.
pub(crate) type PrevTypes<'a> = Option<&'a [Option<TagType>]>;

/// A document's features in factored form: word-local attributes once per distinct word (the
/// window features are those shifted by an offset), plus per-token attributes (bias, padding,
/// sentence position, document context, gazetteer). Tagging scores each distinct word once per
/// offset; training flattens everything into per-token lists. Both see the same hashes.
pub(crate) struct DocFeatures {
    /// Token -> distinct word id.
    pub word_of: Vec<u32>,
    /// Distinct word -> range in `word_attrs`.
    pub word_range: Vec<(u32, u32)>,
    pub word_attrs: Vec<(Tpl, u64)>,
    /// Per-token attributes that are not window features.
    pub extra: Attrs,
}

/// The hash of a word attribute seen at window offset `off`.
#[inline]
pub(crate) fn at_offset(h: u64, off: i64) -> u64 {
    if off == 0 {
        h
    } else {
        with(h, (off + 8) as u64)
    }
}

/// Window offsets and their template masks, for the fast scorer.
pub(crate) fn window() -> &'static [(i64, u32); 5] {
    &WINDOW
}

fn pad_attr(off: i64, before: bool) -> u64 {
    with(with(Tpl::Pad as u64, (off + 8) as u64), before as u64)
}

impl Extractor<'_> {
    pub(crate) fn extract(
        &self,
        tokens: &[Token<'_>],
        sentences: &[Sentence],
        prev: PrevTypes<'_>,
    ) -> DocFeatures {
        let mut cache: FxHashMap<&str, u32> = FxHashMap::default();
        let mut wattrs: Vec<(Tpl, u64)> = Vec::with_capacity(tokens.len() * 8);
        let mut word_range: Vec<(u32, u32)> = Vec::new();
        let mut word_of: Vec<u32> = Vec::with_capacity(tokens.len());
        for t in tokens {
            let id = *cache.entry(t.text).or_insert_with(|| {
                let s = wattrs.len() as u32;
                word_attrs(t.text, self.clusters, &mut wattrs);
                word_range.push((s, wattrs.len() as u32));
                (word_range.len() - 1) as u32
            });
            word_of.push(id);
        }
        let extra = self.extract_extra(tokens, sentences, prev);
        DocFeatures {
            word_of,
            word_range,
            word_attrs: wattrs,
            extra,
        }
    }
}

impl Extractor<'_> {
    /// Per-token attributes that are not window features (bias, padding, sentence start,
    /// document context, gazetteers, previous-pass types).
    pub(crate) fn extract_extra(
        &self,
        tokens: &[Token<'_>],
        sentences: &[Sentence],
        prev: PrevTypes<'_>,
    ) -> Attrs {
        let ctx = self.use_doc.then(|| DocContext::build(tokens, sentences));
        let gaz_tags = self.gaz.map(|g| g.match_tokens(tokens, sentences));
        let lex_tags = self.lex.map(|g| g.match_tokens(tokens, sentences));
        let mut extra = Attrs {
            hashes: Vec::with_capacity(tokens.len() * 8),
            offs: vec![0; tokens.len() + 1],
        };
        let mut cursor = 0usize;
        for s in sentences {
            // Tokens between sentences keep an empty attribute list.
            while cursor < s.tokens.start {
                extra.offs[cursor + 1] = extra.hashes.len() as u32;
                cursor += 1;
            }
            for i in s.tokens.clone() {
                let h = &mut extra.hashes;
                h.push(Tpl::Bias as u64);
                for (off, _) in WINDOW {
                    let j = i as i64 + off;
                    if j < s.tokens.start as i64 || j >= s.tokens.end as i64 {
                        h.push(pad_attr(off, j < s.tokens.start as i64));
                    }
                }
                if i == s.tokens.start {
                    h.push(with(Tpl::Position as u64, 0));
                }
                if let Some(ctx) = &ctx {
                    ctx.attrs(i, tokens, h);
                }
                if let Some(g) = &gaz_tags {
                    g.attrs(i, [Tpl::Gaz, Tpl::GazPrev, Tpl::GazNext], h);
                }
                if let Some(g) = &lex_tags {
                    g.attrs(i, [Tpl::Lex, Tpl::LexPrev, Tpl::LexNext], h);
                }
                if let Some(p) = prev {
                    super::context::prev_type_attrs(tokens, p, i, h);
                }
                extra.offs[i + 1] = extra.hashes.len() as u32;
            }
            cursor = s.tokens.end;
        }
        while cursor < tokens.len() {
            extra.offs[cursor + 1] = extra.hashes.len() as u32;
            cursor += 1;
        }
        extra
    }
}

impl DocFeatures {
    /// The attributes of word `w` that fire at window offset `off` (mask from [`window`]).
    pub(crate) fn word_at(&self, w: u32, mask: u32) -> impl Iterator<Item = u64> + '_ {
        let (a, b) = self.word_range[w as usize];
        self.word_attrs[a as usize..b as usize]
            .iter()
            .filter(move |(t, _)| mask & (1 << *t as u32) != 0)
            .map(|(_, h)| *h)
    }

    /// Every token's full attribute list (training).
    pub(crate) fn flatten(&self, sentences: &[Sentence]) -> Attrs {
        let n = self.word_of.len();
        let mut out = Attrs {
            hashes: Vec::with_capacity(n * 90),
            offs: vec![0; n + 1],
        };
        let mut in_sentence = vec![None; n];
        for s in sentences {
            for i in s.tokens.clone() {
                in_sentence[i] = Some(s.tokens.clone());
            }
        }
        for (i, sent) in in_sentence.iter().enumerate() {
            out.hashes.extend_from_slice(self.extra.token(i));
            if let Some(r) = sent {
                for (off, mask) in WINDOW {
                    let j = i as i64 + off;
                    if j >= r.start as i64 && j < r.end as i64 {
                        let w = self.word_of[j as usize];
                        let hs: Vec<u64> =
                            self.word_at(w, mask).map(|h| at_offset(h, off)).collect();
                        out.hashes.extend(hs);
                    }
                }
            }
            out.offs[i + 1] = out.hashes.len() as u32;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::ner::word::CaseClass;

    #[test]
    fn shapes_and_case_classes() {
        let table = [
            ("Berlin", "Xx", CaseClass::Title),
            ("U.S.", "X.X.", CaseClass::Upper),
            ("NATO", "X", CaseClass::Upper),
            ("1996-08-22", "d-d-d", CaseClass::Digit),
            ("iPhone", "xXx", CaseClass::Mixed),
            ("said", "x", CaseClass::Lower),
            ("A", "X", CaseClass::Title),
            (",", ",", CaseClass::Other),
            ("Zürich", "Xx", CaseClass::Title),
        ];
        let mut buf = String::new();
        for (w, sh, cc) in table {
            shape(w, &mut buf);
            assert_eq!(buf, sh, "{w}");
            assert_eq!(case_class(w), cc, "{w}");
        }
    }

    #[test]
    fn normalise_lowercases_and_zeroes_digits() {
        let mut buf = String::new();
        for (w, want) in [
            ("Berlin", "berlin"),
            ("1996", "0000"),
            ("G-7", "g-0"),
            ("ÉTÉ", "été"),
        ] {
            normalise(w, &mut buf);
            assert_eq!(buf, want);
        }
    }

    #[test]
    fn word_attrs_share_lowercase_but_not_raw_form() {
        let cl = Clusters::parse("berlin\t1\t2\t3\t4\t+0-\n");
        let attrs = |w: &str| {
            let mut v = Vec::new();
            word_attrs(w, &cl, &mut v);
            v
        };
        let a = attrs("Berlin");
        let b = attrs("BERLIN");
        let get = |v: &[(Tpl, u64)], t: Tpl| -> Vec<u64> {
            v.iter().filter(|(x, _)| *x == t).map(|(_, h)| *h).collect()
        };
        assert_eq!(get(&a, Tpl::Lower), get(&b, Tpl::Lower));
        assert_ne!(get(&a, Tpl::Raw), get(&b, Tpl::Raw));
        assert_ne!(get(&a, Tpl::Case), get(&b, Tpl::Case));
        // Both forms find the cluster of "berlin"; an unknown word gets no cluster attributes.
        assert_eq!(get(&a, Tpl::Cluster).len(), 4);
        assert_eq!(get(&a, Tpl::Cluster), get(&b, Tpl::Cluster));
        assert!(get(&attrs("Qwzx"), Tpl::Cluster).is_empty());
        // Two non-zero dimensions of the binarised vector.
        assert_eq!(get(&a, Tpl::Emb).len(), 2);
        assert!(get(&attrs("Qwzx"), Tpl::Emb).is_empty());
        // Prefixes and suffixes 1..=4 each.
        assert_eq!(get(&a, Tpl::Prefix).len(), 4);
        assert_eq!(get(&attrs("EU"), Tpl::Suffix).len(), 2);
    }
}
