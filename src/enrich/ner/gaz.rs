//! Entity-string gazetteer: token sequences known to name a PER/ORG/LOC/MISC, matched longest-first.
//! Built from the training set's entity strings (per document fold while training, so the tagger
//! cannot learn to trust an entry that was made from the very sentence it is looking at).

use super::hash::with;
use super::labels::TagType;
use super::word::Tpl;
use crate::enrich::phrases::{greedy, Fold, PhraseTable};
use crate::enrich::{Sentence, Token};

/// Longest entry, in tokens.
const MAX_LEN: usize = 6;

pub(crate) struct EntityGaz {
    /// Entity strings -> bit set of types ([`TagType::bit`]).
    table: PhraseTable<u8>,
}

impl Default for EntityGaz {
    fn default() -> Self {
        Self {
            table: PhraseTable::new(MAX_LEN, Fold::Exact),
        }
    }
}

/// Per-token gazetteer tags: (type bits, position 0=B 1=I 2=E 3=S) for the longest match over it.
pub(crate) struct GazTags {
    tags: Vec<(u8, u8)>,
}

impl GazTags {
    /// Pushes token `i`'s attributes under `tpl` = [own, previous token's, next token's] templates.
    pub(crate) fn attrs(&self, i: usize, tpl: [Tpl; 3], out: &mut Vec<u64>) {
        let push = |out: &mut Vec<u64>, tpl: Tpl, (bits, pos): (u8, u8)| {
            for t in TagType::ALL {
                if bits & t.bit() != 0 {
                    out.push(with(with(tpl as u64, t.index() as u64), pos as u64));
                }
            }
        };
        push(out, tpl[0], self.tags[i]);
        if i > 0 {
            push(out, tpl[1], self.tags[i - 1]);
        }
        if i + 1 < self.tags.len() {
            push(out, tpl[2], self.tags[i + 1]);
        }
    }

    #[cfg(test)]
    pub fn tag(&self, i: usize) -> (u8, u8) {
        self.tags[i]
    }
}

impl EntityGaz {
    pub(crate) fn insert(&mut self, words: &[&str], ty: TagType) {
        self.table.insert(words, ty.bit());
    }

    /// Reads `TYPE<TAB>word word …` lines (TYPE one of PER ORG LOC MISC).
    pub(crate) fn parse(text: &str) -> Self {
        let mut g = Self::default();
        for line in text.lines() {
            let Some((ty, words)) = line.split_once('\t') else {
                continue;
            };
            let Some(ty) = TagType::from_name(ty) else {
                continue;
            };
            let words: Vec<&str> = words.split(' ').filter(|w| !w.is_empty()).collect();
            g.insert(&words, ty);
        }
        g
    }

    /// Greedy longest match inside each sentence.
    pub(crate) fn match_tokens(&self, tokens: &[Token<'_>], sentences: &[Sentence]) -> GazTags {
        let mut tags = vec![(0u8, 0u8); tokens.len()];
        let mut buf = String::new();
        for s in sentences {
            let end = s.tokens.end;
            greedy(
                s.tokens.clone(),
                |i| self.table.longest_at(|k| tokens[k].text, i, end, &mut buf),
                |span, bits| {
                    let (first, last) = (span.start, span.end - 1);
                    for (k, tag) in tags[span].iter_mut().enumerate() {
                        let pos = match (k == 0, first + k == last) {
                            (true, true) => 3,
                            (true, false) => 0,
                            (false, true) => 2,
                            (false, false) => 1,
                        };
                        *tag = (bits, pos);
                    }
                },
            );
        }
        GazTags { tags }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::{sentences, tokenize};

    #[test]
    fn longest_match_wins_and_positions_are_bies() {
        let g = EntityGaz::parse("LOC\tNew York\nORG\tNew York Times\nPER\tSmith\nLOC\tYork\n");
        let text = "The New York Times quoted Smith in York";
        let toks = tokenize::tokenize(text);
        let sents = sentences::split(text, &toks);
        let tags = g.match_tokens(&toks, &sents);
        let (org, per, loc) = (TagType::Org.bit(), TagType::Per.bit(), TagType::Loc.bit());
        let want = [
            (0, 0),
            (org, 0),
            (org, 1),
            (org, 2),
            (0, 0),
            (per, 3),
            (0, 0),
            (loc, 3),
        ];
        for (i, w) in want.iter().enumerate() {
            assert_eq!(tags.tag(i), *w, "token {i} {}", toks[i].text);
        }
    }
}
