//! The title patterns (`patterns/leaders.rs`): leader_of with its role, citizen_of, works_for and
//! based_in.

use super::{check, relations, want, Case};
use crate::enrich::EntityType::{self, *};

#[test]
fn titles_before_and_after_a_name_give_the_role() {
    let cases: Vec<Case> = vec![
        (
            "Japan’s Prime Minister Takeshi Mizuno spoke.",
            vec![("Japan", Gpe), ("Takeshi Mizuno", Person)],
            vec![
                ("Takeshi Mizuno", "leader_of", "Japan", "Prime Minister"),
                ("Takeshi Mizuno", "citizen_of", "Japan", ""),
            ],
        ),
        (
            "Apple CEO Tim Cook said so.",
            vec![("Apple", Org), ("Tim Cook", Person)],
            vec![("Tim Cook", "leader_of", "Apple", "CEO")],
        ),
        (
            "Tim Cook, the chief executive of Apple, said so.",
            vec![("Tim Cook", Person), ("Apple", Org)],
            vec![("Tim Cook", "leader_of", "Apple", "CEO")],
        ),
        (
            "President Emmanuel Macron of France arrived.",
            vec![("Emmanuel Macron", Person), ("France", Gpe)],
            vec![
                ("Emmanuel Macron", "leader_of", "France", "President"),
                ("Emmanuel Macron", "citizen_of", "France", ""),
            ],
        ),
        (
            "The president of France, Emmanuel Macron, arrived.",
            vec![("France", Gpe), ("Emmanuel Macron", Person)],
            vec![
                ("Emmanuel Macron", "leader_of", "France", "President"),
                ("Emmanuel Macron", "citizen_of", "France", ""),
            ],
        ),
        (
            "Tim Cook, Apple’s chairman, said so.",
            vec![("Tim Cook", Person), ("Apple", Org)],
            vec![("Tim Cook", "leader_of", "Apple", "Chairman")],
        ),
        (
            "Taro Aso became minister of finance of Japan.",
            vec![("Taro Aso", Person), ("Japan", Gpe)],
            vec![("Taro Aso", "leader_of", "Japan", "Minister of Finance")],
        ),
    ];
    check(cases);
}

#[test]
fn a_successor_takes_the_post_the_predecessor_held_it_before() {
    let cases: Vec<Case> =
        vec![
        (
            // The title after "succeeded X as" is the successor's; X held it before ("former").
            "Ann Holm, who succeeded Maria Kelso as mayor of Tarrowby, resigned. Tom Brill \
             served as mayor of Kelso.",
            vec![
                ("Ann Holm", Person),
                ("Maria Kelso", Person),
                ("Tarrowby", Gpe),
                ("Tom Brill", Person),
                ("Kelso", Gpe),
            ],
            vec![
                ("Maria Kelso", "predecessor_of", "Ann Holm", ""),
                ("Ann Holm", "leader_of", "Tarrowby", "Mayor"),
                ("Maria Kelso", "leader_of", "Tarrowby", "former Mayor"),
                ("Tom Brill", "leader_of", "Kelso", "Mayor"),
            ],
        ),
        (
            "Maria Kelso replaced Tom Brill as chief executive of Holm Motors.",
            vec![
                ("Maria Kelso", Person),
                ("Tom Brill", Person),
                ("Holm Motors", Org),
            ],
            vec![
                ("Tom Brill", "predecessor_of", "Maria Kelso", ""),
                ("Maria Kelso", "leader_of", "Holm Motors", "CEO"),
                ("Tom Brill", "leader_of", "Holm Motors", "former CEO"),
            ],
        ),
        (
            // The successor's post named in the succession sentence, not one from elsewhere.
            "Lina Ostrova was sworn in as Kelvania's prime minister on Monday, succeeding Piet \
             Marsh. Marsh had met Sam Ode.",
            vec![
                ("Lina Ostrova", Person),
                ("Kelvania", Gpe),
                ("Piet Marsh", Person),
                ("Marsh", Person),
                ("Sam Ode", Person),
            ],
            vec![
                ("Lina Ostrova", "leader_of", "Kelvania", "Prime Minister"),
                ("Piet Marsh", "predecessor_of", "Lina Ostrova", ""),
                ("Piet Marsh", "leader_of", "Kelvania", "former Prime Minister"),
                ("Piet Marsh", "met_with", "Sam Ode", ""),
            ],
        ),
        (
            // A post the successor holds in another sentence is not the one handed over.
            "Lina Ostrova leads Kelvania. In the club, Ostrova replaced Piet Marsh.",
            vec![
                ("Lina Ostrova", Person),
                ("Kelvania", Gpe),
                ("Ostrova", Person),
                ("Piet Marsh", Person),
            ],
            vec![("Piet Marsh", "predecessor_of", "Lina Ostrova", "")],
        ),
    ];
    check(cases);
}

#[test]
fn a_nationality_stands_for_a_country_the_article_names() {
    let cases: Vec<Case> = vec![
        (
            // A nationality stands for its country: leader and citizen of South Korea.
            "Former South Korean President Baek Min Ho left South Korea.",
            vec![
                ("South Korean", Norp),
                ("Baek Min Ho", Person),
                ("South Korea", Gpe),
            ],
            vec![
                (
                    "Baek Min Ho",
                    "leader_of",
                    "South Korea",
                    "former President",
                ),
                ("Baek Min Ho", "citizen_of", "South Korea", ""),
            ],
        ),
        (
            // The demonym's country is never named in the article: nothing is invented.
            "South Korean President Seo Jin Woo spoke.",
            vec![("South Korean", Norp), ("Seo Jin Woo", Person)],
            vec![],
        ),
        (
            "Kim Min, a South Korean diplomat, met reporters in South Korea.",
            vec![
                ("Kim Min", Person),
                ("South Korean", Norp),
                ("South Korea", Gpe),
            ],
            vec![("Kim Min", "citizen_of", "South Korea", "")],
        ),
    ];
    check(cases);
}

#[test]
fn a_vice_president_a_bare_president_and_a_spokesman_lead_nothing() {
    check(vec![(
        // Not leaders: a vice president, a president without a country, a spokesman (who
        // works for Apple).
        "Vice President JD Vance of the United States met reporters. President Walter Pryce \
         left. Apple spokesman Tim Smith declined.",
        vec![
            ("JD Vance", Person),
            ("United States", Gpe),
            ("Walter Pryce", Person),
            ("Apple", Org),
            ("Tim Smith", Person),
        ],
        vec![("Tim Smith", "works_for", "Apple", "")],
    )]);
}

#[test]
fn appointments_and_posts_with_qualifiers_name_the_post() {
    let cases: Vec<Case> =
        vec![
        (
            // The head of a country's government is also its citizen.
            "Lina Varga was sworn in on Monday as Canada's third prime minister.",
            vec![("Lina Varga", Person), ("Canada", Gpe)],
            vec![
                ("Lina Varga", "leader_of", "Canada", "Prime Minister"),
                ("Lina Varga", "citizen_of", "Canada", ""),
            ],
        ),
        (
            "The board approved Odo Prell as the next chief executive officer of Harlow Mining.",
            vec![("Odo Prell", Person), ("Harlow Mining", Org)],
            vec![("Odo Prell", "leader_of", "Harlow Mining", "CEO")],
        ),
        (
            "Odo Prell has been appointed Harlow Mining chairman, the firm said.",
            vec![("Odo Prell", Person), ("Harlow Mining", Org)],
            vec![("Odo Prell", "leader_of", "Harlow Mining", "Chairman")],
        ),
        (
            // An apposition may stand between the person and the verb.
            "Ife Danso, a 38-year-old civil engineer, was elected mayor of Tarrowby on Sunday.",
            vec![("Ife Danso", Person), ("Tarrowby", Gpe)],
            vec![("Ife Danso", "leader_of", "Tarrowby", "Mayor")],
        ),
        (
            // A date between the person and the post is part of the phrase.
            "Ife Danso was nominated Tuesday as the Bank of Ostria's next governor.",
            vec![("Ife Danso", Person), ("Tuesday", Date), ("Bank of Ostria", Org)],
            vec![("Ife Danso", "leader_of", "Bank of Ostria", "Governor")],
        ),
        (
            "Senators confirmed Ife Danso as substantive governor of the Bank of Ostria.",
            vec![("Ife Danso", Person), ("Bank of Ostria", Org)],
            vec![("Ife Danso", "leader_of", "Bank of Ostria", "Governor")],
        ),
        (
            "Ife Danso, who was named the 12th governor of Tarrowby, spoke.",
            vec![("Ife Danso", Person), ("Tarrowby", Gpe)],
            vec![("Ife Danso", "leader_of", "Tarrowby", "Governor")],
        ),
        (
            // "its" and "the company's" stand for the organisation named before the person.
            "Harlow Mining has named Odo Prell as its acting chief executive. Bank of Ostria \
             approved Ife Danso as the lender's new chairman.",
            vec![
                ("Harlow Mining", Org),
                ("Odo Prell", Person),
                ("Bank of Ostria", Org),
                ("Ife Danso", Person),
            ],
            vec![
                ("Odo Prell", "leader_of", "Harlow Mining", "CEO"),
                ("Ife Danso", "leader_of", "Bank of Ostria", "Chairman"),
            ],
        ),
    ];
    check(cases);
}

#[test]
fn no_post_for_a_place_a_deputy_or_someone_elses_post() {
    let cases: Vec<Case> = vec![
        (
            // "its" stands for an organisation, not a place; the chairman's adviser holds no post.
            "Tarrowby named Odo Prell as its mayor. Harlow Mining named Ife Danso as its \
             chairman's adviser.",
            vec![
                ("Tarrowby", Gpe),
                ("Odo Prell", Person),
                ("Harlow Mining", Org),
                ("Ife Danso", Person),
            ],
            vec![],
        ),
        (
            // Not a post: a visit, a deputy, a post of someone else's.
            "Ife Danso was in Tarrowby. Odo Prell was named deputy governor of the Bank of \
             Ostria. Lina Varga was appointed Harlow Mining chairman's adviser.",
            vec![
                ("Ife Danso", Person),
                ("Tarrowby", Gpe),
                ("Odo Prell", Person),
                ("Bank of Ostria", Org),
                ("Lina Varga", Person),
                ("Harlow Mining", Org),
            ],
            vec![],
        ),
    ];
    check(cases);
}

#[test]
fn a_bare_president_leads_the_country_the_article_is_about() {
    let spec = |extra: Vec<(&'static str, EntityType)>| {
        let mut v = vec![("Canada", Gpe), ("Canada", Gpe), ("Ann Holm", Person)];
        v.extend(extra);
        v
    };
    // Canada named twice, no other country: "President Ann Holm" is Canada's.
    assert_eq!(
        relations(
            "Canada voted. Canada cheered. President Ann Holm spoke.",
            &spec(vec![])
        ),
        want(&[("Ann Holm", "leader_of", "Canada", "President")])
    );
    // Two countries as often: no guess.
    assert_eq!(
        relations(
            "Canada voted. Canada cheered. President Ann Holm spoke. Japan and Japan agreed.",
            &spec(vec![("Japan", Gpe), ("Japan", Gpe)])
        ),
        want(&[])
    );
    // The country already has a president; a minister is no head of state.
    assert_eq!(
        relations(
            "Canada voted. Canada cheered. President Ann Holm spoke. President Odo Prell of \
             Canada left. Minister Ife Danso agreed.",
            &spec(vec![
                ("Odo Prell", Person),
                ("Canada", Gpe),
                ("Ife Danso", Person)
            ])
        ),
        want(&[
            ("Odo Prell", "leader_of", "Canada", "President"),
            ("Odo Prell", "citizen_of", "Canada", ""),
        ])
    );
}

#[test]
fn staff_of_an_organisation_and_its_chief() {
    let cases: Vec<Case> = vec![
        (
            "Bank of Ostria official Ann Holm and Harlow Mining's chief economist Odo Prell spoke.",
            vec![
                ("Bank of Ostria", Org),
                ("Ann Holm", Person),
                ("Harlow Mining", Org),
                ("Odo Prell", Person),
            ],
            vec![
                ("Ann Holm", "works_for", "Bank of Ostria", ""),
                ("Odo Prell", "works_for", "Harlow Mining", ""),
            ],
        ),
        (
            "Ann Holm, a former Bank of Ostria chief, left. Odo Prell, the boss of Harlow Mining, \
             stayed.",
            vec![
                ("Ann Holm", Person),
                ("Bank of Ostria", Org),
                ("Odo Prell", Person),
                ("Harlow Mining", Org),
            ],
            vec![
                ("Ann Holm", "leader_of", "Bank of Ostria", "former Chief"),
                ("Odo Prell", "leader_of", "Harlow Mining", "Boss"),
            ],
        ),
        (
            "Ann Holm, a senior official at Harlow Mining, spoke. Odo Prell plays for Kelso Rovers. \
             Ife Danso, Bank of Ostria's chief economist, agreed.",
            vec![
                ("Ann Holm", Person),
                ("Harlow Mining", Org),
                ("Odo Prell", Person),
                ("Kelso Rovers", Org),
                ("Ife Danso", Person),
                ("Bank of Ostria", Org),
            ],
            vec![
                ("Ann Holm", "works_for", "Harlow Mining", ""),
                ("Odo Prell", "works_for", "Kelso Rovers", ""),
                ("Ife Danso", "works_for", "Bank of Ostria", ""),
            ],
        ),
        (
            // Who joined and then leads an organisation is reported as its leader only.
            "Ann Holm joined Harlow Mining. Harlow Mining CEO Ann Holm spoke.",
            vec![
                ("Ann Holm", Person),
                ("Harlow Mining", Org),
                ("Harlow Mining", Org),
                ("Ann Holm", Person),
            ],
            vec![("Ann Holm", "leader_of", "Harlow Mining", "CEO")],
        ),
        (
            // A nationality is no employer; a former employee is not staff now.
            "Japanese official Ann Holm and Harlow Mining former director Odo Prell spoke.",
            vec![
                ("Japanese", Norp),
                ("Ann Holm", Person),
                ("Harlow Mining", Org),
                ("Odo Prell", Person),
            ],
            vec![],
        ),
    ];
    check(cases);
}

#[test]
fn companies_based_where_their_descriptor_says() {
    let cases: Vec<Case> = vec![
        (
            "Japanese comic distributor Kelsoft rose. Japan cheered.",
            vec![("Japanese", Norp), ("Kelsoft", Org), ("Japan", Gpe)],
            vec![("Kelsoft", "based_in", "Japan", "")],
        ),
        (
            "South Korea's telecom giant Harlow Tel said so.",
            vec![("South Korea", Gpe), ("Harlow Tel", Org)],
            vec![("Harlow Tel", "based_in", "South Korea", "")],
        ),
        (
            "The Tarrowby-based private equity firm Holm Capital bid. U.S.-based fund Kelso Partners \
             did too. Japan-based Ostria Foods did not.",
            vec![
                ("Tarrowby", Gpe),
                ("Holm Capital", Org),
                ("U.S.", Gpe),
                ("Kelso Partners", Org),
                ("Japan", Gpe),
                ("Ostria Foods", Org),
            ],
            vec![
                ("Holm Capital", "based_in", "Tarrowby", ""),
                ("Kelso Partners", "based_in", "U.S.", ""),
                ("Ostria Foods", "based_in", "Japan", ""),
            ],
        ),
        (
            // Not a descriptor of the company: a person's nationality, a place's visitor, a name.
            "Japanese officials met Kelsoft. Tarrowby visitors praised Holm Capital. Japan's \
             Kelso Bank rose. Japan cheered.",
            vec![
                ("Japanese", Norp),
                ("Kelsoft", Org),
                ("Tarrowby", Gpe),
                ("Holm Capital", Org),
                ("Japan", Gpe),
                ("Kelso Bank", Org),
                ("Japan", Gpe),
            ],
            vec![],
        ),
    ];
    check(cases);
}
