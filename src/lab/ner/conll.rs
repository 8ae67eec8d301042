//! CoNLL-2003 files (`word POS chunk NER` per line, blank line between sentences, a document
//! marker line between documents), rebuilt as article text so training and evaluation use the
//! tagger's real `tag` path over [`Token`]s and [`Sentence`]s.

use crate::enrich::{Sentence, Token};
use std::ops::Range;

/// The marker [`write`] puts before each document.
pub(crate) const DOC_MARK: &str = "-DOC-";

/// True for a document marker: CoNLL corpora open each document with a line whose word is an
/// upper-case keyword between hyphens, standing alone before a blank line.
fn is_doc_mark(word: &str) -> bool {
    word.len() > 2
        && word.starts_with('-')
        && word.ends_with('-')
        && word[1..word.len() - 1]
            .chars()
            .all(|c| c.is_ascii_uppercase())
}

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
            // A sentence of one marker word is a document boundary, not text.
            if doc.words.len() == *sent_start + 1 && is_doc_mark(&doc.words[*sent_start]) {
                doc.words.pop();
                doc.tags.pop();
                let done = std::mem::take(doc);
                *sent_start = 0;
                return Some(done).filter(|d| !d.words.is_empty());
            }
            doc.sentences.push(*sent_start..doc.words.len());
        }
        *sent_start = doc.words.len();
        None
    };
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            docs.extend(close_sentence(&mut doc, &mut sent_start));
            continue;
        }
        let mut cols = line.split_whitespace();
        let (Some(w), Some(tag)) = (cols.next(), line.split_whitespace().last()) else {
            continue;
        };
        doc.words.push(w.to_string());
        doc.tags.push(tag.to_string());
    }
    docs.extend(close_sentence(&mut doc, &mut sent_start));
    if !doc.words.is_empty() {
        docs.push(doc);
    }
    docs
}

/// Documents in the same layout, read back by [`parse`]: a [`DOC_MARK`] line, then one
/// `word _ _ TAG` line per word (`_` for the unused POS and chunk columns) and a blank line after
/// each sentence.
pub(crate) fn write(docs: &[ConllDoc]) -> String {
    let mut out = String::new();
    for d in docs {
        out.push_str(DOC_MARK);
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

    /// A document from sentences of (word, entity type) pairs; tags are IOB1 ("I-" + type).
    fn doc(sentences: &[&[(&str, Option<&str>)]]) -> ConllDoc {
        let mut d = ConllDoc::default();
        for words in sentences {
            let start = d.words.len();
            for (w, ty) in words.iter() {
                d.words.push(w.to_string());
                d.tags
                    .push(ty.map_or("O".to_string(), |t| format!("I-{t}")));
            }
            d.sentences.push(start..d.words.len());
        }
        d
    }

    #[test]
    fn parses_documents_and_rebuilds_offsets() {
        let docs = vec![
            doc(&[
                &[("Odile", Some("PER")), ("hummed", None)],
                &[("near", None), ("Liège", Some("LOC"))],
            ]),
            doc(&[&[("Quux", None)]]),
        ];
        let written = write(&docs);
        assert_eq!(written.matches(DOC_MARK).count(), 2);
        assert_eq!(parse(&written), docs);
        // Only the first and the last column count: other POS and chunk columns read the same.
        assert_eq!(parse(&written.replace(" _ _ ", " XX YY ")), docs);
        // Any keyword between hyphens standing alone marks a document; inside a sentence it is a
        // word.
        let other = written.replace(DOC_MARK, "-BEGIN-");
        assert_eq!(parse(&other), docs);
        let inside = "A _ _ O\n-X- _ _ O\n\n";
        assert_eq!(parse(inside)[0].words, vec!["A", "-X-"]);
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
