//! Known multi-word names the tagger split or cut short.
//!
//! The tagger labels token by token, so a name it has not seen whole comes out in pieces
//! ("Canadian Rockies" as NORP "Canadian" + ORG "Rockies") or clipped ("Rockies" alone). When the
//! text spells a multi-word lexicon name exactly (same case, token-aligned, one space where the
//! lexicon has one) and every tagger mention touching it lies inside it, the pieces are one mention
//! of the lexicon's type. A tagger mention reaching past the name ("New York Times" over the city
//! "New York") means the tagger saw something longer, and it is kept.

use super::{GazKind, Gazetteer};
use crate::enrich::{EntityType, Mention, Token};

/// The v1 type of a lexicon kind.
pub(super) fn kind_type(kind: GazKind) -> EntityType {
    match kind {
        GazKind::Country | GazKind::State | GazKind::City => EntityType::Gpe,
        GazKind::Demonym | GazKind::Group => EntityType::Norp,
        GazKind::Org => EntityType::Org,
        GazKind::Location => EntityType::Loc,
    }
}

impl Gazetteer {
    /// Replaces tagger mentions that split or clip a known multi-word name with one mention of the
    /// name. `text` is the article when known: then the char between two tokens must be a plain
    /// space; without it (gold-token evaluation) a one-char gap is taken for a space. `mentions`
    /// must be sorted by position; the result is too.
    pub(super) fn merge_known_names(
        &self,
        text: Option<&str>,
        tokens: &[Token<'_>],
        mentions: Vec<Mention>,
    ) -> Vec<Mention> {
        if mentions.is_empty() {
            return mentions;
        }
        // Token -> index of the mention covering it.
        let mut owner: Vec<u32> = vec![u32::MAX; tokens.len()];
        for (k, m) in mentions.iter().enumerate() {
            for o in owner.iter_mut().take(m.tokens.end).skip(m.tokens.start) {
                *o = k as u32;
            }
        }
        let mut replaced: Vec<(usize, usize, Mention)> = Vec::new(); // (first, last+1 piece, merged)
        let mut buf = String::new();
        let mut i = 0;
        while i < tokens.len() {
            let found = self
                .matcher
                .longest_at(tokens.len(), |k| tokens[k].text, i, &mut buf);
            let merged = found
                .filter(|m| m.len >= 2 && !m.folded)
                .and_then(|m| self.merge_at(text, tokens, &owner, &mentions, i..i + m.len));
            match merged {
                Some((first, last, m)) => {
                    i = m.tokens.end;
                    replaced.push((first, last, m));
                }
                None => i += 1,
            }
        }
        if replaced.is_empty() {
            return mentions;
        }
        let mut slots: Vec<Option<Mention>> = mentions.into_iter().map(Some).collect();
        for (first, last, merged) in replaced {
            for slot in &mut slots[first..last] {
                *slot = None;
            }
            slots[first] = Some(merged);
        }
        slots.into_iter().flatten().collect()
    }

    /// The merged mention for the name over `span`, with the range of mention indexes it
    /// replaces; None when the name is not spelled exactly, no mention touches it, a mention
    /// reaches outside it, or one mention already covers exactly it.
    fn merge_at(
        &self,
        text: Option<&str>,
        tokens: &[Token<'_>],
        owner: &[u32],
        mentions: &[Mention],
        span: std::ops::Range<usize>,
    ) -> Option<(usize, usize, Mention)> {
        let inside: Vec<usize> = owner[span.clone()]
            .iter()
            .filter(|&&o| o != u32::MAX)
            .map(|&o| o as usize)
            .collect();
        let (&first, &last) = (inside.first()?, inside.last()?);
        let pieces = &mentions[first..=last];
        if pieces
            .iter()
            .any(|m| m.tokens.start < span.start || m.tokens.end > span.end)
        {
            return None;
        }
        if pieces.len() == 1 && pieces[0].tokens == span {
            return None;
        }
        // A name split over two sentences is two things.
        if pieces.iter().any(|m| m.sentence != pieces[0].sentence) {
            return None;
        }
        let surface = exact_surface(text, tokens, span.clone())?;
        let kind = self
            .by_name
            .get(surface.as_str())?
            .iter()
            .filter_map(|&id| self.entries.get(id as usize))
            .map(|e| e.kind)
            .min()?;
        let confidence = pieces.iter().map(|m| m.confidence).fold(0.0, f32::max);
        let merged = Mention {
            start: tokens[span.start].start,
            end: tokens[span.end - 1].end,
            tokens: span,
            sentence: pieces[0].sentence,
            etype: kind_type(kind),
            text: surface,
            confidence,
        };
        Some((first, last + 1, merged))
    }
}

/// The text over the token `span` if the tokens are joined by nothing or by one plain space (as a
/// lexicon name writes them); None across any other gap (line breaks, tabs, double spaces).
fn exact_surface(
    text: Option<&str>,
    tokens: &[Token<'_>],
    span: std::ops::Range<usize>,
) -> Option<String> {
    let mut s = String::new();
    for k in span.clone() {
        let t = &tokens[k];
        if k > span.start {
            let prev = &tokens[k - 1];
            match t.start - prev.end {
                0 => {}
                1 => {
                    if let Some(text) = text {
                        let gap = text.get(prev.byte_start + prev.text.len()..t.byte_start)?;
                        if gap != " " {
                            return None;
                        }
                    }
                    s.push(' ');
                }
                _ => return None,
            }
        }
        s.push_str(t.text);
    }
    Some(s)
}
