//! Document-level context: how the same word is cased elsewhere in the article, all-caps headlines,
//! and (for the second pass) the majority type the first pass gave the same word.
//!
//! News repeats names: "Blackburn" at a sentence start is ambiguous, but not if the article also
//! writes "Peter Blackburn" mid-sentence; a headline in capitals says little about case by itself.

use super::hash::{hash_str, with};
use super::labels::TagType;
use super::word::{case_class, CaseClass, Tpl};
use crate::enrich::{Sentence, Token};
use rustc_hash::FxHashMap;

/// Counts of the casings of one lowercase word across the document.
#[derive(Default, Clone, Copy)]
struct CaseCounts {
    lower: u16,
    title_mid: u16,
    title_first: u16,
    upper: u16,
}

pub(crate) struct DocContext {
    in_caps: Vec<bool>,
    first: Vec<bool>,
    key: Vec<u64>,
    counts: FxHashMap<u64, CaseCounts>,
}

fn lower_key(w: &str) -> u64 {
    let mut s = String::with_capacity(w.len());
    s.extend(w.chars().flat_map(char::to_lowercase));
    hash_str(0, &s)
}

/// A sentence is a headline in capitals when no word has a lowercase letter and a few have capitals.
fn is_caps_sentence(tokens: &[Token<'_>]) -> bool {
    let mut upper_words = 0;
    for t in tokens {
        match case_class(t.text) {
            CaseClass::Lower | CaseClass::Title | CaseClass::Mixed
                if t.text.chars().count() > 1 =>
            {
                return false
            }
            CaseClass::Upper if t.text.chars().count() > 1 => upper_words += 1,
            _ => {}
        }
    }
    upper_words >= 1
}

impl DocContext {
    pub(crate) fn build(tokens: &[Token<'_>], sentences: &[Sentence]) -> Self {
        let mut in_caps = vec![false; tokens.len()];
        let mut first = vec![false; tokens.len()];
        for s in sentences {
            if is_caps_sentence(&tokens[s.tokens.clone()]) {
                in_caps[s.tokens.clone()].fill(true);
            }
            if s.tokens.start < tokens.len() {
                first[s.tokens.start] = true;
            }
        }
        let mut key = Vec::with_capacity(tokens.len());
        let mut counts: FxHashMap<u64, CaseCounts> = FxHashMap::default();
        for (i, t) in tokens.iter().enumerate() {
            let k = lower_key(t.text);
            key.push(k);
            if in_caps[i] {
                continue;
            }
            let c = counts.entry(k).or_default();
            match case_class(t.text) {
                CaseClass::Lower => c.lower += 1,
                CaseClass::Title if first[i] => c.title_first += 1,
                CaseClass::Title => c.title_mid += 1,
                CaseClass::Upper => c.upper += 1,
                _ => {}
            }
        }
        Self {
            in_caps,
            first,
            key,
            counts,
        }
    }

    /// Pushes token `i`'s document attributes.
    pub(crate) fn attrs(&self, i: usize, tokens: &[Token<'_>], out: &mut Vec<u64>) {
        let cc = case_class(tokens[i].text);
        if matches!(cc, CaseClass::Other | CaseClass::Digit) {
            return;
        }
        let mut c = self.counts.get(&self.key[i]).copied().unwrap_or_default();
        // Leave this occurrence out: the question is what the *rest* of the article does.
        if !self.in_caps[i] {
            match cc {
                CaseClass::Lower => c.lower = c.lower.saturating_sub(1),
                CaseClass::Title if self.first[i] => {
                    c.title_first = c.title_first.saturating_sub(1)
                }
                CaseClass::Title => c.title_mid = c.title_mid.saturating_sub(1),
                CaseClass::Upper => c.upper = c.upper.saturating_sub(1),
                _ => {}
            }
        }
        let bits = (c.lower > 0) as u64
            | ((c.title_mid > 0) as u64) << 1
            | ((c.title_first > 0) as u64) << 2
            | ((c.upper > 0) as u64) << 3;
        // Majority casing elsewhere: what a re-cased headline word would look like.
        let major = if c.lower >= c.title_mid.max(c.upper) && c.lower > 0 {
            1
        } else if c.title_mid >= c.upper && c.title_mid > 0 {
            2
        } else if c.upper > 0 {
            3
        } else {
            0
        };
        if self.in_caps[i] {
            out.push(with(Tpl::Caps as u64, major));
            out.push(with(Tpl::Caps as u64, 16 + bits));
        } else if cc != CaseClass::Lower {
            out.push(with(with(Tpl::DocCase as u64, cc as u64), bits));
            if self.first[i] {
                out.push(with(with(Tpl::DocCase as u64, 32), major));
            }
        }
    }
}

/// The code of a token's type in second-pass features: 0 = none, 1 + [`TagType::index`] for a type.
fn type_code(t: Option<TagType>) -> usize {
    t.map_or(0, |t| 1 + t.index())
}

/// For each token, the type the first pass most often gave the same word (exact text) across the
/// document, or None. A type beats no type with at least half as many votes; ties between types
/// go to the lower [`TagType::index`], for determinism.
pub(crate) fn majority_types(
    tokens: &[Token<'_>],
    pass1: &[Option<TagType>],
) -> Vec<Option<TagType>> {
    let mut votes: FxHashMap<&str, [u16; 5]> = FxHashMap::default();
    for (t, &ty) in tokens.iter().zip(pass1) {
        if case_class(t.text) == CaseClass::Lower {
            continue;
        }
        votes.entry(t.text).or_default()[type_code(ty)] += 1;
    }
    tokens
        .iter()
        .map(|t| {
            let v = votes.get(t.text)?;
            let mut best = 0usize;
            for code in 1..5 {
                if v[code] > v[best] || (best == 0 && v[code] > 0 && v[code] * 2 >= v[0]) {
                    best = code;
                }
            }
            TagType::from_index(best.checked_sub(1)?)
        })
        .collect()
}

/// Second-pass attributes: the document-majority type of this word and of its neighbours.
pub(crate) fn prev_type_attrs(
    tokens: &[Token<'_>],
    maj: &[Option<TagType>],
    i: usize,
    out: &mut Vec<u64>,
) {
    let _ = tokens;
    let code = |k: usize| type_code(maj[k]) as u64;
    out.push(with(Tpl::PrevType as u64, code(i)));
    if i > 0 {
        out.push(with(Tpl::PrevType as u64, 8 + code(i - 1)));
    }
    if i + 1 < maj.len() {
        out.push(with(Tpl::PrevType as u64, 16 + code(i + 1)));
    }
}
