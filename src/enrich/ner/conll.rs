//! CoNLL-2003 files (`word POS chunk NER` per line, blank line between sentences, `-DOCSTART-`
//! between documents), rebuilt as article text so training and evaluation use the tagger's real
//! `tag` path over [`Token`]s and [`Sentence`]s.

use crate::enrich::{Sentence, Token};
use std::ops::Range;

#[derive(Debug, Default, Clone)]
pub struct ConllDoc {
    pub words: Vec<String>,
    /// Gold NER tags as written (IOB1 in CoNLL-2003).
    pub tags: Vec<String>,
    pub sentences: Vec<Range<usize>>,
}

/// Parses a CoNLL file: the first column is the word, the last the NER tag.
pub fn parse(text: &str) -> Vec<ConllDoc> {
    let mut docs = Vec::new();
    let mut doc = ConllDoc::default();
    let mut sent_start = 0usize;
    let close_sentence = |doc: &mut ConllDoc, sent_start: &mut usize| {
        if doc.words.len() > *sent_start {
            doc.sentences.push(*sent_start..doc.words.len());
        }
        *sent_start = doc.words.len();
    };
    for line in text.lines() {
        let line = line.trim_end();
        if line.starts_with("-DOCSTART-") {
            close_sentence(&mut doc, &mut sent_start);
            if !doc.words.is_empty() {
                docs.push(std::mem::take(&mut doc));
            }
            sent_start = 0;
            continue;
        }
        if line.is_empty() {
            close_sentence(&mut doc, &mut sent_start);
            continue;
        }
        let mut cols = line.split_whitespace();
        let (Some(w), Some(tag)) = (cols.next(), line.split_whitespace().last()) else {
            continue;
        };
        doc.words.push(w.to_string());
        doc.tags.push(tag.to_string());
    }
    close_sentence(&mut doc, &mut sent_start);
    if !doc.words.is_empty() {
        docs.push(doc);
    }
    docs
}

impl ConllDoc {
    /// The article text: words joined by spaces, sentences by newlines.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for (k, r) in self.sentences.iter().enumerate() {
            if k > 0 {
                s.push('\n');
            }
            for (j, i) in r.clone().enumerate() {
                if j > 0 {
                    s.push(' ');
                }
                s.push_str(&self.words[i]);
            }
        }
        s
    }

    /// Tokens and sentences over `text` (which must be `self.text()`).
    pub fn tokens<'a>(&self, text: &'a str) -> (Vec<Token<'a>>, Vec<Sentence>) {
        let mut tokens = Vec::with_capacity(self.words.len());
        let mut sentences = Vec::with_capacity(self.sentences.len());
        let (mut byte, mut ch) = (0usize, 0usize);
        for (k, r) in self.sentences.iter().enumerate() {
            if k > 0 {
                byte += 1;
                ch += 1;
            }
            let s_start = ch;
            for (j, i) in r.clone().enumerate() {
                if j > 0 {
                    byte += 1;
                    ch += 1;
                }
                let w = &self.words[i];
                let n = w.chars().count();
                tokens.push(Token {
                    text: &text[byte..byte + w.len()],
                    start: ch,
                    end: ch + n,
                    byte_start: byte,
                });
                byte += w.len();
                ch += n;
            }
            sentences.push(Sentence {
                tokens: r.clone(),
                start: s_start,
                end: ch,
            });
        }
        (tokens, sentences)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_documents_and_rebuilds_offsets() {
        // Team-written lines in the four-column layout; `_` stands for the unused POS and chunk tags.
        let src = "-DOCSTART- _ _ O\n\nOdile _ _ I-PER\nhummed _ _ O\n\nnear _ _ O\nLiège _ _ I-LOC\n\n-DOCSTART- _ _ O\n\nQuux _ _ O\n";
        let docs = parse(src);
        assert_eq!(docs.len(), 2);
        let d = &docs[0];
        assert_eq!(d.words, ["Odile", "hummed", "near", "Liège"]);
        assert_eq!(d.tags, ["I-PER", "O", "O", "I-LOC"]);
        assert_eq!(d.sentences, vec![0..2, 2..4]);
        let text = d.text();
        assert_eq!(text, "Odile hummed\nnear Liège");
        let (toks, sents) = d.tokens(&text);
        let chars: Vec<char> = text.chars().collect();
        for t in &toks {
            let s: String = chars[t.start..t.end].iter().collect();
            assert_eq!(s, t.text);
        }
        assert_eq!((sents[1].start, sents[1].end), (13, 23));
    }
}
