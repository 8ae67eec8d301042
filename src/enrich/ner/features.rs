//! Feature extraction: every token gets a list of attribute hashes (word identity, shape, affixes,
//! case, word clusters for a ±2 window, plus document-level and gazetteer attributes).
//!
//! Attributes are hashed, never built as strings, so the same code serves training and fast tagging.

use super::context::DocContext;
use super::gaz::EntityGaz;
use super::hash::{hash_str, with};
use crate::enrich::{Sentence, Token};
use rustc_hash::FxHashMap;

/// Word-level templates. The discriminant is the hash seed, so never renumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Tpl {
    Lower = 0,
    Raw = 1,
    Shape = 2,
    Case = 3,
    Prefix = 4,
    Suffix = 5,
    Cluster = 6,
    Digit = 7,
    Hyphen = 8,
    Pad = 9,
    Bias = 10,
    Position = 11,
    DocCase = 12,
    Caps = 13,
    Gaz = 14,
    PrevType = 15,
    GazNext = 16,
    GazPrev = 17,
    LowerNoCluster = 18,
}

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

/// Case class of a word, also used by the document context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum CaseClass {
    Lower = 0,
    Title = 1,
    Upper = 2,
    Mixed = 3,
    Digit = 4,
    Other = 5,
}

pub fn case_class(w: &str) -> CaseClass {
    let (mut up, mut low, mut dig, mut first_up) = (0usize, 0usize, 0usize, false);
    for (i, c) in w.chars().enumerate() {
        if c.is_uppercase() {
            up += 1;
            if i == 0 {
                first_up = true;
            }
        } else if c.is_lowercase() {
            low += 1;
        } else if c.is_ascii_digit() {
            dig += 1;
        }
    }
    match (up, low) {
        (0, 0) if dig > 0 => CaseClass::Digit,
        (0, 0) => CaseClass::Other,
        (0, _) => CaseClass::Lower,
        (1, 0) if first_up && w.chars().count() == 1 => CaseClass::Title,
        (_, 0) => CaseClass::Upper,
        (1, _) if first_up => CaseClass::Title,
        _ => CaseClass::Mixed,
    }
}

/// Word clusters: lowercase-word hash -> cluster ids at several granularities.
#[derive(Default)]
pub struct Clusters {
    pub map: FxHashMap<u64, [u16; 4]>,
}

impl Clusters {
    pub fn parse(text: &str) -> Self {
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
            if ok {
                map.entry(hash_str(0, w)).or_insert(ids);
            }
        }
        Self { map }
    }
}

/// Lowercases and maps digits to `0`, so "1996" and "1997" share a feature.
pub fn normalise(w: &str, out: &mut String) {
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
pub fn shape(w: &str, out: &mut String) {
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
pub fn word_attrs(w: &str, clusters: &Clusters, out: &mut Vec<(Tpl, u64)>) {
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
        Some(ids) => {
            for (g, id) in ids.iter().enumerate() {
                out.push((
                    Tpl::Cluster,
                    with(with(Tpl::Cluster as u64, g as u64), *id as u64),
                ));
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
pub struct Attrs {
    pub hashes: Vec<u64>,
    /// `hashes[offs[i]..offs[i + 1]]` are token i's attributes.
    pub offs: Vec<u32>,
}

impl Attrs {
    pub fn token(&self, i: usize) -> &[u64] {
        &self.hashes[self.offs[i] as usize..self.offs[i + 1] as usize]
    }
}

/// Resources the extractor reads.
pub struct Extractor<'r> {
    pub clusters: &'r Clusters,
    pub gaz: Option<&'r EntityGaz>,
    pub use_doc: bool,
}

/// Previous-pass coarse type per token (0 = none, 1..=4 = PER/ORG/LOC/MISC) for second-pass models.
pub type PrevTypes<'a> = Option<&'a [u8]>;

impl Extractor<'_> {
    /// Extracts every token's attributes; tokens outside all sentences get none.
    pub fn extract(
        &self,
        tokens: &[Token<'_>],
        sentences: &[Sentence],
        prev: PrevTypes<'_>,
    ) -> Attrs {
        // Word attributes are computed once per distinct word in the document.
        let mut cache: FxHashMap<&str, (u32, u32)> = FxHashMap::default();
        let mut wattrs: Vec<(Tpl, u64)> = Vec::new();
        let mut word_slot: Vec<(u32, u32)> = Vec::with_capacity(tokens.len());
        for t in tokens {
            let slot = *cache.entry(t.text).or_insert_with(|| {
                let s = wattrs.len() as u32;
                word_attrs(t.text, self.clusters, &mut wattrs);
                (s, wattrs.len() as u32)
            });
            word_slot.push(slot);
        }
        let ctx = if self.use_doc {
            Some(DocContext::build(tokens, sentences))
        } else {
            None
        };
        let gaz_tags = self.gaz.map(|g| g.match_tokens(tokens, sentences));
        let mut out = Attrs {
            hashes: Vec::with_capacity(tokens.len() * 80),
            offs: vec![0; tokens.len() + 1],
        };
        let mut cursor = 0usize;
        for s in sentences {
            // Tokens skipped between sentences keep an empty attribute list.
            while cursor < s.tokens.start {
                out.offs[cursor + 1] = out.hashes.len() as u32;
                cursor += 1;
            }
            for i in s.tokens.clone() {
                let h = &mut out.hashes;
                h.push(Tpl::Bias as u64);
                for (off, mask) in WINDOW {
                    let j = i as i64 + off;
                    let okey = (off + 8) as u64;
                    if j < s.tokens.start as i64 || j >= s.tokens.end as i64 {
                        h.push(with(
                            with(Tpl::Pad as u64, okey),
                            (j < s.tokens.start as i64) as u64,
                        ));
                        continue;
                    }
                    let (a, b) = word_slot[j as usize];
                    for &(tpl, wh) in &wattrs[a as usize..b as usize] {
                        if mask & (1 << tpl as u32) != 0 {
                            h.push(if off == 0 { wh } else { with(wh, okey) });
                        }
                    }
                }
                if i == s.tokens.start {
                    h.push(with(Tpl::Position as u64, 0));
                }
                if let Some(ctx) = &ctx {
                    ctx.attrs(i, tokens, h);
                }
                if let Some(g) = &gaz_tags {
                    g.attrs(i, h);
                }
                if let Some(p) = prev {
                    super::context::prev_type_attrs(tokens, p, i, h);
                }
                out.offs[i + 1] = out.hashes.len() as u32;
            }
            cursor = s.tokens.end;
        }
        while cursor < tokens.len() {
            out.offs[cursor + 1] = out.hashes.len() as u32;
            cursor += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let cl = Clusters::parse("berlin\t1\t2\t3\t4\n");
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
        // Prefixes and suffixes 1..=4 each.
        assert_eq!(get(&a, Tpl::Prefix).len(), 4);
        assert_eq!(get(&attrs("EU"), Tpl::Suffix).len(), 2);
    }
}
