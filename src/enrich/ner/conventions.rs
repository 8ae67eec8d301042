//! The product's annotation conventions that the tagger cannot learn from its window: titles and
//! honorifics are not part of names (see [`super::NewsConventions`]).

use super::titles::{BEFORE_NAME, INSIDE_NAME, MODIFIERS};
use crate::enrich::{EntityType, Mention, Token};

fn title_word(t: &Token<'_>, list: &[&str]) -> bool {
    t.is_capitalised() && list.contains(&t.text.trim_end_matches('.').to_lowercase().as_str())
}

/// A mention typed organisation, place or MISC that holds a title ([`INSIDE_NAME`], with its
/// modifiers) is split there: the words after the title are a person ("CEO Jean Prates" ->
/// PERSON "Jean Prates"), the words before it keep their type ("Central Bank Deputy Governor Ann
/// Holm" -> ORG "Central Bank" + PERSON "Ann Holm"), and a title with nothing after it is not part
/// of a name ("Acme Chief Executive Officer" -> ORG "Acme"; "CEO" alone is dropped). The words
/// after the title must all be capitalised (at most four), so "Minister of Finance" stays whole.
pub(crate) fn split_titles_from_names(tokens: &[Token<'_>], mentions: &mut Vec<Mention>) {
    let in_block = |i: usize| {
        tokens
            .get(i)
            .is_some_and(|t| title_word(t, INSIDE_NAME) || title_word(t, MODIFIERS))
    };
    let mut out = Vec::with_capacity(mentions.len());
    for m in mentions.drain(..) {
        let r = m.tokens.clone();
        let title = r.clone().find(|&i| title_word(&tokens[i], INSIDE_NAME));
        let Some(t) = title.filter(|_| m.etype != EntityType::Person) else {
            out.push(m);
            continue;
        };
        let mut b0 = t;
        while b0 > r.start && in_block(b0 - 1) {
            b0 -= 1;
        }
        let mut b1 = t + 1;
        while b1 < r.end && in_block(b1) {
            b1 += 1;
        }
        let name = b1..r.end;
        let name_ok = name.len() <= 4
            && tokens[name.clone()]
                .iter()
                .all(|t| t.is_capitalised() || t.text == "-");
        let prefix_ok = tokens[r.start..b0].iter().all(Token::is_capitalised);
        if !name_ok || !prefix_ok {
            out.push(m);
            continue;
        }
        if b0 > r.start {
            out.push(Mention::over(
                tokens,
                r.start..b0,
                m.sentence,
                m.etype,
                m.confidence,
            ));
        }
        if !name.is_empty() {
            out.push(Mention::over(
                tokens,
                name,
                m.sentence,
                EntityType::Person,
                m.confidence,
            ));
        }
    }
    *mentions = out;
}

/// The product's convention (CoNLL-2003's): a person's name without the title before it.
/// "Chancellor Olaf Scholz" becomes "Olaf Scholz", "Prime Minister Anton Brill" "Anton Brill",
/// when a capitalised name is left.
pub(crate) fn drop_leading_titles(tokens: &[Token<'_>], mentions: &mut [Mention]) {
    for m in mentions.iter_mut() {
        if m.etype != EntityType::Person {
            continue;
        }
        let mut cut = m.tokens.start;
        let mut i = m.tokens.start;
        while i + 1 < m.tokens.end {
            let t = &tokens[i];
            if title_word(t, BEFORE_NAME) {
                cut = i + 1;
            } else if !title_word(t, MODIFIERS) {
                break;
            }
            i += 1;
        }
        if cut > m.tokens.start && tokens.get(cut).is_some_and(Token::is_capitalised) {
            *m = Mention::over(tokens, cut..m.tokens.end, m.sentence, m.etype, m.confidence);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::Doc;
    use super::*;

    #[test]
    fn titles_before_a_name_are_not_part_of_it() {
        let text = "Prime Minister Anton Brill met Chancellor Olaf Scholz, Dr. Ann Holm, \
                    Pope Leo and President Kelso.";
        let d = Doc::new(text);
        let mut ms = vec![
            d.mention("Prime", 0, 4, EntityType::Person),
            d.mention("Chancellor", 0, 3, EntityType::Person),
            d.mention("Dr.", 0, 3, EntityType::Person),
            d.mention("Pope", 0, 2, EntityType::Person),
            d.mention("President", 0, 2, EntityType::Person),
        ];
        drop_leading_titles(&d.toks, &mut ms);
        let got: Vec<&str> = ms.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(
            got,
            vec![
                "Anton Brill",
                "Olaf Scholz",
                "Ann Holm",
                "Pope Leo",
                "Kelso"
            ]
        );
        assert!(ms.iter().all(|m| text
            .chars()
            .skip(m.start)
            .take(m.end - m.start)
            .collect::<String>()
            == m.text));
    }

    #[test]
    fn titles_inside_organisation_mentions_split_off_the_person() {
        let text = "CEO Jean Prates met Kelso Bank Deputy Governor Ann Holm and President Brill. \
                    Acme Chief Executive Officer spoke. The Minister of Finance and General Motors \
                    agreed with the CEO.";
        let d = Doc::new(text);
        let mut ms = vec![
            d.mention("CEO", 0, 3, EntityType::Org),
            d.mention("Kelso", 0, 6, EntityType::Org),
            d.mention("President", 0, 2, EntityType::Org),
            d.mention("Acme", 0, 4, EntityType::Org),
            d.mention("Minister", 0, 3, EntityType::Org),
            d.mention("General", 0, 2, EntityType::Org),
            d.mention("CEO", 1, 1, EntityType::Org),
        ];
        split_titles_from_names(&d.toks, &mut ms);
        let got: Vec<(&str, EntityType)> = ms.iter().map(|m| (m.text.as_str(), m.etype)).collect();
        assert_eq!(
            got,
            vec![
                ("Jean Prates", EntityType::Person),
                ("Kelso Bank", EntityType::Org),
                ("Ann Holm", EntityType::Person),
                ("Brill", EntityType::Person),
                ("Acme", EntityType::Org),
                ("Minister of Finance", EntityType::Org),
                ("General Motors", EntityType::Org),
            ]
        );
    }
}
