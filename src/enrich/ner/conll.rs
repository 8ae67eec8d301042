//! CoNLL-2003 files (`word POS chunk NER` per line, blank line between sentences, a
//! [`DOC_START`] line between documents), rebuilt as article text so training and evaluation use the tagger's real
//! `tag` path over [`Token`]s and [`Sentence`]s.

use crate::enrich::{Sentence, Token};
use std::ops::Range;

/// The first word of the line that opens a document.
pub const DOC_START: &str = "-DOCSTART-";

#[derive(Debug, Default, Clone, PartialEq)]
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
        if line.starts_with(DOC_START) {
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

/// Documents in the same layout, read back by [`parse`]: a [`DOC_START`] line, then one
/// `word _ _ TAG` line per word (`_` for the unused POS and chunk columns) and a blank line after
/// each sentence.
pub fn write(docs: &[ConllDoc]) -> String {
    let mut out = String::new();
    for d in docs {
        out.push_str(DOC_START);
        out.push_str(" _ _ O\n\n");
        for s in &d.sentences {
            for i in s.clone() {
                out.push_str(&format!("{} _ _ {}\n", d.words[i], d.tags[i]));
            }
            out.push('\n');
        }
    }
    out
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

    /// A document from (sentence, tags) pairs of space-separated words and tags.
    fn doc(sentences: &[(&str, &str)]) -> ConllDoc {
        let mut d = ConllDoc::default();
        for (words, tags) in sentences {
            let start = d.words.len();
            d.words.extend(words.split(' ').map(str::to_string));
            d.tags.extend(tags.split(' ').map(str::to_string));
            d.sentences.push(start..d.words.len());
        }
        d
    }

    #[test]
    fn parses_documents_and_rebuilds_offsets() {
        let docs = vec![
            doc(&[("Odile hummed", "I-PER O"), ("near Liège", "O I-LOC")]),
            doc(&[("Quux", "O")]),
        ];
        let written = write(&docs);
        assert_eq!(written.matches(DOC_START).count(), 2);
        assert_eq!(parse(&written), docs);
        // Only the first and the last column count: other POS and chunk columns read the same.
        assert_eq!(parse(&written.replace(" _ _ ", " XX YY ")), docs);
        let d = &docs[0];
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
