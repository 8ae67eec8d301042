//! The patterns between two people (`patterns/people.rs`): met_with and predecessor_of.

use super::{check, relations, want, Case};
use crate::enrich::EntityType::*;

#[test]
fn meetings_that_happened_once() {
    let seo_mizuno = vec![("Seo", "met_with", "Mizuno", "")];
    let cases: Vec<Case> = vec![
        ("Seo met Mizuno in Canada.", vec![("Seo", Person), ("Mizuno", Person)], seo_mizuno.clone()),
        ("Seo also met with Mizuno.", vec![("Seo", Person), ("Mizuno", Person)], seo_mizuno.clone()),
        ("Seo held talks with Mizuno.", vec![("Seo", Person), ("Mizuno", Person)], seo_mizuno.clone()),
        ("Talks between Seo and Mizuno lasted an hour.", vec![("Seo", Person), ("Mizuno", Person)], seo_mizuno.clone()),
        (
            // Symmetric: stated twice, both ways, emitted once with the first-mentioned as subject.
            "Seo and Mizuno met on Tuesday. Mizuno met Seo again.",
            vec![("Seo", Person), ("Mizuno", Person), ("Mizuno", Person), ("Seo", Person)],
            seo_mizuno.clone(),
        ),
        (
            "Seo planned to meet with visiting President Walter Pryce but those talks were canceled. Seo said to \
             Mizuno that they agree. Seo will meet Mizuno.",
            vec![("Seo", Person), ("Walter Pryce", Person), ("Seo", Person), ("Mizuno", Person), ("Seo", Person), ("Mizuno", Person)],
            vec![],
        ),
        (
            "Seo and Mizuno agreed to cooperate in their second in-person talks. Kim and Park \
             agreed to prepare their upcoming summit.",
            vec![("Seo", Person), ("Mizuno", Person), ("Kim", Person), ("Park", Person)],
            seo_mizuno.clone(),
        ),
        (
            // The place the subject is of may stand before the verb; an organisation too.
            "Seo of Canada met Mizuno. Pryce of Kelso Bank met with Kim.",
            vec![("Seo", Person), ("Canada", Gpe), ("Mizuno", Person), ("Pryce", Person), ("Kelso Bank", Org), ("Kim", Person)],
            vec![("Seo", "met_with", "Mizuno", ""), ("Pryce", "met_with", "Kim", "")],
        ),
        (
            // … but not a place after another word: the meeting is not the subject's.
            "Seo's aide in Canada met Mizuno.",
            vec![("Seo", Person), ("Canada", Gpe), ("Mizuno", Person)],
            vec![],
        ),
        (
            "Seo and Mizuno met with Pryce.",
            vec![("Seo", Person), ("Mizuno", Person), ("Pryce", Person)],
            vec![("Mizuno", "met_with", "Pryce", "")],
        ),
    ];
    check(cases);
}

#[test]
fn calls_visits_and_receptions_are_meetings() {
    let pair = [("Seo", Person), ("Mizuno", Person)];
    let seo_mizuno = want(&[("Seo", "met_with", "Mizuno", "")]);
    for text in [
        "Seo had a telephone chat with Mizuno on Friday.",
        "Seo held a phone call with Mizuno.",
        "Seo held bilateral talks with Mizuno in Kelso.",
        "Seo visited Mizuno at his residence.",
        "Seo hosted Mizuno for dinner.",
        "Seo was received by Mizuno at the palace.",
        "Seo spoke with Mizuno.",
        "Seo and Mizuno spoke by phone on Monday.",
        "Seo and Mizuno held a video call.",
    ] {
        assert_eq!(relations(text, &pair), seo_mizuno, "{text}");
    }
    for text in [
        "A planned summit between Seo and Mizuno was canceled.",
        "Seo and Mizuno spoke to reporters.",
        "Seo had a long career with Mizuno.",
    ] {
        assert_eq!(relations(text, &pair), want(&[]), "{text}");
    }
}

#[test]
fn meeting_of_titled_leaders() {
    let text = "South Korean President Seo Jin Woo and Japanese Prime Minister Takeshi Mizuno met \
                in Canada. South Korea and Japan are neighbours.";
    let spec = [
        ("South Korean", Norp),
        ("Seo Jin Woo", Person),
        ("Japanese", Norp),
        ("Takeshi Mizuno", Person),
        ("Canada", Gpe),
        ("South Korea", Gpe),
        ("Japan", Gpe),
    ];
    let expected = [
        ("Seo Jin Woo", "leader_of", "South Korea", "President"),
        ("Seo Jin Woo", "citizen_of", "South Korea", ""),
        ("Takeshi Mizuno", "leader_of", "Japan", "Prime Minister"),
        ("Takeshi Mizuno", "citizen_of", "Japan", ""),
        ("Seo Jin Woo", "met_with", "Takeshi Mizuno", ""),
    ];
    assert_eq!(relations(text, &spec), want(&expected));
}

#[test]
fn successions_read_from_news_phrasing() {
    let cases: Vec<Case> = vec![
        (
            "Maria Kelso, who was succeeded by Ann Holm as chief, left. Tom Brill will be \
             replaced by Odo Prell.",
            vec![
                ("Maria Kelso", Person),
                ("Ann Holm", Person),
                ("Tom Brill", Person),
                ("Odo Prell", Person),
            ],
            vec![
                ("Maria Kelso", "predecessor_of", "Ann Holm", ""),
                ("Tom Brill", "predecessor_of", "Odo Prell", ""),
            ],
        ),
        (
            "Ann Holm was sworn in on Monday, succeeding Maria Kelso.",
            vec![("Ann Holm", Person), ("Maria Kelso", Person)],
            vec![("Maria Kelso", "predecessor_of", "Ann Holm", "")],
        ),
        (
            "Ann Holm, a former banker, will take the reins from Maria Kelso next month.",
            vec![("Ann Holm", Person), ("Maria Kelso", Person)],
            vec![("Maria Kelso", "predecessor_of", "Ann Holm", "")],
        ),
        (
            "Ann Holm takes over from the long-serving chief Maria Kelso.",
            vec![("Ann Holm", Person), ("Maria Kelso", Person)],
            vec![("Maria Kelso", "predecessor_of", "Ann Holm", "")],
        ),
        (
            "Harlow Mining is replacing Chief Executive Maria Kelso with veteran executive Ann Holm.",
            vec![("Harlow Mining", Org), ("Maria Kelso", Person), ("Ann Holm", Person)],
            vec![("Maria Kelso", "predecessor_of", "Ann Holm", "")],
        ),
        (
            // "he" at the start of the sentence: the article's main person.
            "Ann Holm was named. Ann Holm said so. He will take over from Maria Kelso.",
            vec![("Ann Holm", Person), ("Ann Holm", Person), ("Maria Kelso", Person)],
            vec![("Maria Kelso", "predecessor_of", "Ann Holm", "")],
        ),
        (
            // Another clause: "after" separates the subject from the succession.
            "Ann Holm spoke after voters rejected the plan replacing Maria Kelso's rules.",
            vec![("Ann Holm", Person), ("Maria Kelso", Person)],
            vec![],
        ),
    ];
    check(cases);
}

#[test]
fn predecessors_named_pronoun_and_succession() {
    let arakawa_mizuno = vec![("Kenji Arakawa", "predecessor_of", "Takeshi Mizuno", "")];
    let cases: Vec<Case> = vec![
        (
            "Takeshi Mizuno spoke. Mizuno’s predecessor Kenji Arakawa listened.",
            vec![
                ("Takeshi Mizuno", Person),
                ("Mizuno", Person),
                ("Kenji Arakawa", Person),
            ],
            arakawa_mizuno.clone(),
        ),
        (
            "Takeshi Mizuno thanked his predecessor, Kenji Arakawa.",
            vec![("Takeshi Mizuno", Person), ("Kenji Arakawa", Person)],
            arakawa_mizuno.clone(),
        ),
        (
            // "his" with no person before it in the sentence: the article's main person.
            "Takeshi Mizuno spoke. Mizuno smiled. Later his predecessor Kenji Arakawa arrived.",
            vec![
                ("Takeshi Mizuno", Person),
                ("Mizuno", Person),
                ("Kenji Arakawa", Person),
            ],
            arakawa_mizuno.clone(),
        ),
        (
            "Kenji Arakawa, Mizuno’s predecessor, arrived. Takeshi Mizuno spoke.",
            vec![
                ("Kenji Arakawa", Person),
                ("Mizuno", Person),
                ("Takeshi Mizuno", Person),
            ],
            arakawa_mizuno.clone(),
        ),
        (
            "Takeshi Mizuno succeeded Kenji Arakawa.",
            vec![("Takeshi Mizuno", Person), ("Kenji Arakawa", Person)],
            arakawa_mizuno.clone(),
        ),
        (
            "Kenji Arakawa was succeeded by Takeshi Mizuno.",
            vec![("Kenji Arakawa", Person), ("Takeshi Mizuno", Person)],
            arakawa_mizuno.clone(),
        ),
        (
            "Arakawa’s successor Takeshi Mizuno spoke. Kenji Arakawa left.",
            vec![
                ("Arakawa", Person),
                ("Takeshi Mizuno", Person),
                ("Kenji Arakawa", Person),
            ],
            arakawa_mizuno.clone(),
        ),
        (
            // An unnamed predecessor, and two people equally mentioned: no guess.
            "Seo ousted his conservative predecessor. Kim met Park. His predecessor Choi left.",
            vec![
                ("Seo", Person),
                ("Kim", Person),
                ("Park", Person),
                ("Choi", Person),
            ],
            vec![("Kim", "met_with", "Park", "")],
        ),
    ];
    check(cases);
}

#[test]
fn a_pronoun_before_the_meeting_verb_is_the_person_named_before_it() {
    let cases: Vec<Case> =
        vec![
        (
            "President Ama Boateng of Kelvania explained why he visited President Kofi Mensah on \
             Thursday.",
            vec![("Ama Boateng", Person), ("Kelvania", Gpe), ("Kofi Mensah", Person)],
            vec![
                ("Ama Boateng", "met_with", "Kofi Mensah", ""),
                ("Ama Boateng", "leader_of", "Kelvania", "President"),
            ],
        ),
        (
            "Seo said she later met with Mizuno in Kelso.",
            vec![("Seo", Person), ("Mizuno", Person)],
            vec![("Seo", "met_with", "Mizuno", "")],
        ),
        (
            // Not a meeting that happened, and no person before the pronoun.
            "Seo said he will meet Mizuno. He visited Pryce.",
            vec![("Seo", Person), ("Mizuno", Person), ("Pryce", Person)],
            vec![],
        ),
    ];
    check(cases);
}
