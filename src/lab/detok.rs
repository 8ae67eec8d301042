//! Rebuilds running text from a pre-tokenized sentence (CoNLL04's Penn-Treebank-style tokens), so
//! evaluation and relation training see text shaped like the news the product reads ("O'Brien",
//! "Japan's", "10,000", "“quoted”") rather than "O 'Brien" or "` ` quoted ' '", which the runtime
//! tokenizer would split differently from real articles.

/// Where each source token landed in the rebuilt text (char offsets, end exclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TokenSpans {
    pub starts: Vec<usize>,
    pub ends: Vec<usize>,
}

/// Closing punctuation and clitics that attach to the word before them.
fn attaches_left(tok: &str, prev: &str) -> bool {
    if matches!(
        tok,
        "," | "." | ";" | ":" | "!" | "?" | ")" | "]" | "}" | "%" | "n't" | "N'T"
    ) {
        return true;
    }
    // "'s", "'re", "'Brien": an apostrophe word glued to a preceding word by the tokenizer; a bare
    // "'" after a plural ("Beatles '") is a possessive.
    let prev_word = prev.chars().last().is_some_and(char::is_alphanumeric);
    if let Some(rest) = tok.strip_prefix('\'') {
        return prev_word && (rest.is_empty() || rest.chars().all(char::is_alphabetic));
    }
    false
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

/// Joins `tokens` into text and returns each token's span in it. Two backticks become an opening
/// and two apostrophes a closing double quote (the second token of the pair gets an empty span);
/// numbers split at their separators ("10 , 000", "1 : 50") are closed up.
pub(crate) fn detokenize(tokens: &[String]) -> (String, TokenSpans) {
    let n = tokens.len();
    let mut text = String::new();
    let mut chars = 0usize;
    let mut spans = TokenSpans {
        starts: Vec::with_capacity(n),
        ends: Vec::with_capacity(n),
    };
    // No space before the next token (after an opening bracket, quote or currency sign).
    let mut glue_next = true;
    let mut in_quote = false;
    let mut i = 0;
    while i < n {
        let tok = tokens[i].as_str();
        let next = tokens.get(i + 1).map_or("", String::as_str);
        let prev = if i > 0 { tokens[i - 1].as_str() } else { "" };
        let pair = (tok == "`" && next == "`") || (tok == "'" && next == "'");
        let (surface, opening, closing) = if pair {
            let open = tok == "`";
            (if open { "“" } else { "”" }, open, !open)
        } else if tok == "\"" {
            (tok, !in_quote, in_quote)
        } else {
            (tok, matches!(tok, "(" | "[" | "{" | "$"), false)
        };
        let number_sep = matches!(tok, "," | ":") && is_digits(prev) && is_digits(next);
        let after_number_sep = is_digits(tok) && matches!(prev, "," | ":") && {
            let before = if i > 1 { tokens[i - 2].as_str() } else { "" };
            is_digits(before)
        };
        let glued = glue_next
            || closing
            || number_sep
            || after_number_sep
            || (!pair && attaches_left(tok, prev));
        let space = !glued;
        if space {
            text.push(' ');
            chars += 1;
        }
        spans.starts.push(chars);
        text.push_str(surface);
        chars += surface.chars().count();
        spans.ends.push(chars);
        if pair {
            // The pair's second token: an empty span right after the quote.
            spans.starts.push(chars);
            spans.ends.push(chars);
            i += 1;
        }
        if pair || tok == "\"" {
            in_quote = opening;
        }
        glue_next = opening;
        i += 1;
    }
    (text, spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn rebuilds_news_text_and_keeps_token_spans() {
        let cases = [
            (
                "` ` We 're fine , ' ' said Kevin O 'Brien .",
                "“We're fine,” said Kevin O'Brien.",
            ),
            (
                "Quennell 's paid $ 10 , 000 at 4 : 35 p.m .",
                "Quennell's paid $10,000 at 4:35 p.m.",
            ),
            (
                "the Beatles ' fan ( Lennon ) said \" no \" .",
                "the Beatles' fan (Lennon) said \"no\".",
            ),
            ("It did n't work", "It didn't work"),
        ];
        for (src, want) in cases {
            let t = toks(src);
            let (text, spans) = detokenize(&t);
            assert_eq!(text, want);
            assert_eq!(spans.starts.len(), t.len());
            let chars: Vec<char> = text.chars().collect();
            for (k, tok) in t.iter().enumerate() {
                let got: String = chars[spans.starts[k]..spans.ends[k]].iter().collect();
                if tok != "`" && tok != "'" {
                    assert_eq!(&got, tok, "{src}: token {k}");
                }
            }
        }
    }
}
