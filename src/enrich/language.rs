//! Language identification: which language an article is written in, before anything
//! language-specific (the English tagger, gazetteer and relation model) looks at it.
//!
//! The detector is the `whatlang` crate (trigram profiles for Latin and Cyrillic scripts, the
//! script itself for scripts one language owns; 69 languages, no model files, no allocation-heavy
//! set-up). It reads a bounded prefix of the text ([`PREFIX_CHARS`]), so its cost does not grow
//! with the article.
//!
//! Most articles of an English-first stream never reach the trigram detector: when at least
//! [`ENGLISH_SHARE_PERCENT`]% of the first [`SHORTCUT_WORDS`] words are English function words
//! that other languages do not write ("the", "of", "which", ...), the text is English with
//! confidence 1. That check costs a few microseconds; the trigram scoring about a hundred.
//!
//! The rule for text that cannot be placed:
//! 1. fewer than [`MIN_LETTERS`] letters in the prefix (too short, numbers, tables, symbols):
//!    undetermined;
//! 2. the detector finds no language: undetermined.
//!
//! Mixed text gets the one language the detector finds strongest in the prefix. An English
//! article with a German quote stays English; half English, half German comes out German, so the
//! policies keep English-model guesses off the German half. The detector's confidence does not
//! drop for mixed text (it measures the margin between the two best languages over the whole
//! prefix), so `language_confidence` does not flag it. Low-confidence guesses are kept: a guess
//! between two languages other than English still says "not English", which is what the policies
//! need.
//!
//! Undetermined is written as [`UNDETERMINED`] (`und`, the ISO 639-2 / BCP 47 code for it);
//! everything else as its ISO 639-1 code.

use whatlang::Lang;

/// Characters of the text the detector reads (from the start, cut at a char boundary). A few
/// paragraphs settle the language of a news article; reading more only costs time.
pub const PREFIX_CHARS: usize = 1_000;

/// Words of the prefix the English shortcut looks at.
pub(crate) const SHORTCUT_WORDS: usize = 150;

/// Share of English function words (in percent of the words read) from which the text is taken
/// as English without the trigram detector. English news prose runs at 15-25%; other languages
/// at 0-2%, a German or French text quoting an English title stays far below.
pub const ENGLISH_SHARE_PERCENT: usize = 10;

/// English function words that are not words of the other languages the detector knows (so no
/// "a", "in", "is", "was", "die", "for", "to", "her", "will").
const ENGLISH_MARKERS: [&str; 20] = [
    "the", "of", "and", "that", "with", "said", "have", "from", "which", "this", "would", "been",
    "their", "they", "were", "after", "about", "there", "than", "could",
];

/// Fewer letters than this in the prefix and the language is undetermined: a headline fragment,
/// a price list or a row of numbers says too little to tell languages apart.
pub(crate) const MIN_LETTERS: usize = 20;

/// The code of an undetermined language (ISO 639-2 `und`).
pub(crate) const UNDETERMINED: &str = "und";

/// What the detector found in a text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    /// ISO 639-1 code, or `None` when undetermined.
    pub code: Option<&'static str>,
    /// The detector's confidence in `code`, 0..1; 0 when undetermined.
    pub confidence: f64,
}

impl Detection {
    pub(crate) const UNDETERMINED: Detection = Detection {
        code: None,
        confidence: 0.0,
    };

    /// The ISO 639-1 code, or `und`.
    pub fn code_or_und(&self) -> &'static str {
        self.code.unwrap_or(UNDETERMINED)
    }
}

/// Detects the language of `text` from its first [`PREFIX_CHARS`] characters, following the rule
/// in the module documentation.
pub fn detect(text: &str) -> Detection {
    detect_among(text, &[])
}

/// [`detect`] restricted to `candidates` (ISO 639-1 codes as [`normalize_tag`] returns them; empty
/// means every language the detector knows). A feed known to carry only some languages removes the
/// close confusions it cannot contain (Dutch read as Afrikaans, Spanish as Portuguese). Codes the
/// detector does not know are ignored; validate them with [`normalize_tag`] first. Builds the
/// restriction on each call: a service detecting many articles keeps a [`LanguageDetector`].
pub fn detect_among(text: &str, candidates: &[&str]) -> Detection {
    LanguageDetector::among(candidates).detect(text)
}

/// A detector restricted to some languages, built once and used for every article.
#[derive(Debug, Clone)]
pub struct LanguageDetector {
    /// `None`: every language the detector knows.
    restricted: Option<whatlang::Detector>,
    english_allowed: bool,
}

impl Default for LanguageDetector {
    fn default() -> Self {
        Self::among(&[])
    }
}

impl LanguageDetector {
    /// A detector answering only among `candidates` (see [`detect_among`]); empty: all languages.
    pub fn among(candidates: &[&str]) -> Self {
        let restricted = (!candidates.is_empty()).then(|| {
            let allow: Vec<Lang> = Lang::all()
                .iter()
                .copied()
                .filter(|l| candidates.contains(&iso639_1(*l)))
                .collect();
            whatlang::Detector::with_allowlist(allow)
        });
        Self {
            restricted,
            english_allowed: candidates.is_empty() || candidates.contains(&"en"),
        }
    }

    /// The language of `text` (see [`detect`]).
    pub fn detect(&self, text: &str) -> Detection {
        let prefix = prefix(text, PREFIX_CHARS);
        if prefix.chars().filter(|c| c.is_alphabetic()).count() < MIN_LETTERS {
            return Detection::UNDETERMINED;
        }
        if self.english_allowed && looks_english(prefix) {
            return Detection {
                code: Some("en"),
                confidence: 1.0,
            };
        }
        let found = match &self.restricted {
            None => whatlang::detect(prefix),
            Some(detector) => detector.detect(prefix),
        };
        let Some(info) = found else {
            return Detection::UNDETERMINED;
        };
        Detection {
            code: Some(iso639_1(info.lang())),
            confidence: info.confidence().clamp(0.0, 1.0),
        }
    }
}

/// The English shortcut: enough English function words among the first [`SHORTCUT_WORDS`] words.
pub fn looks_english(text: &str) -> bool {
    let (mut words, mut hits) = (0usize, 0usize);
    for word in text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .take(SHORTCUT_WORDS)
    {
        words += 1;
        if word.len() <= 5 && ENGLISH_MARKERS.iter().any(|m| m.eq_ignore_ascii_case(word)) {
            hits += 1;
        }
    }
    words >= 20 && hits * 100 >= words * ENGLISH_SHARE_PERCENT
}

/// The first `max_chars` characters of `text`.
fn prefix(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// Normalises a language tag from an input envelope (`en`, `EN`, `en-GB`, `pt_BR`, `eng`, `deu`)
/// to its ISO 639-1 code. `None` when it is not one the detector knows, or not a tag at all.
pub(crate) fn normalize_tag(tag: &str) -> Option<&'static str> {
    let primary = tag
        .trim()
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match primary.len() {
        2 => Lang::all()
            .iter()
            .map(|l| iso639_1(*l))
            .find(|code| *code == primary),
        3 if primary == UNDETERMINED => None,
        3 => Lang::from_code(primary.as_str()).map(iso639_1),
        _ => None,
    }
}

/// The ISO 639-1 code of a detector language. Every language `whatlang` knows has one except
/// Mandarin (`cmn`, written as `zh`, the macrolanguage), Iranian Persian (`pes`, as `fa`) and
/// Bokmål (`nob`, as `nb`).
pub(crate) fn iso639_1(lang: Lang) -> &'static str {
    match lang {
        Lang::Epo => "eo",
        Lang::Eng => "en",
        Lang::Rus => "ru",
        Lang::Cmn => "zh",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Ben => "bn",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Ukr => "uk",
        Lang::Kat => "ka",
        Lang::Ara => "ar",
        Lang::Hin => "hi",
        Lang::Jpn => "ja",
        Lang::Heb => "he",
        Lang::Yid => "yi",
        Lang::Pol => "pl",
        Lang::Amh => "am",
        Lang::Jav => "jv",
        Lang::Kor => "ko",
        Lang::Nob => "nb",
        Lang::Dan => "da",
        Lang::Swe => "sv",
        Lang::Fin => "fi",
        Lang::Tur => "tr",
        Lang::Nld => "nl",
        Lang::Hun => "hu",
        Lang::Ces => "cs",
        Lang::Ell => "el",
        Lang::Bul => "bg",
        Lang::Bel => "be",
        Lang::Mar => "mr",
        Lang::Kan => "kn",
        Lang::Ron => "ro",
        Lang::Slv => "sl",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Mkd => "mk",
        Lang::Lit => "lt",
        Lang::Lav => "lv",
        Lang::Est => "et",
        Lang::Tam => "ta",
        Lang::Vie => "vi",
        Lang::Urd => "ur",
        Lang::Tha => "th",
        Lang::Guj => "gu",
        Lang::Uzb => "uz",
        Lang::Pan => "pa",
        Lang::Aze => "az",
        Lang::Ind => "id",
        Lang::Tel => "te",
        Lang::Pes => "fa",
        Lang::Mal => "ml",
        Lang::Ori => "or",
        Lang::Mya => "my",
        Lang::Nep => "ne",
        Lang::Sin => "si",
        Lang::Khm => "km",
        Lang::Tuk => "tk",
        Lang::Aka => "ak",
        Lang::Zul => "zu",
        Lang::Sna => "sn",
        Lang::Afr => "af",
        Lang::Lat => "la",
        Lang::Slk => "sk",
        Lang::Cat => "ca",
        Lang::Tgl => "tl",
        Lang::Hye => "hy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Short news paragraphs written for these tests (not taken from any corpus).
    const GERMAN: &str = "Die Bundesregierung hat am Mittwoch in Berlin ein neues Gesetz zur Förderung \
        des Schienenverkehrs beschlossen. Nach Angaben des Verkehrsministeriums sollen bis zum Jahr 2030 \
        mehr als zwanzig Milliarden Euro in den Ausbau der Bahnstrecken fließen. Die Opposition \
        kritisierte den Plan als unzureichend.";
    const FRENCH: &str = "Le gouvernement a présenté jeudi un projet de loi visant à réduire la \
        consommation d'énergie dans les bâtiments publics. Selon le ministre de la Transition \
        écologique, les mairies et les écoles devront baisser le chauffage de deux degrés dès l'hiver \
        prochain, une mesure que plusieurs syndicats jugent trop brutale.";
    const SPANISH: &str = "El Banco Central anunció este martes una nueva subida de los tipos de \
        interés para frenar la inflación, que alcanzó en octubre su nivel más alto en tres décadas. \
        Los analistas consultados por este periódico creen que la medida encarecerá las hipotecas de \
        millones de familias durante los próximos meses.";
    const PORTUGUESE: &str = "O governo anunciou nesta segunda-feira um plano para recuperar as \
        estradas federais danificadas pelas chuvas no sul do país. Segundo o ministro dos \
        Transportes, as obras devem começar em novembro e custarão cerca de dois bilhões de reais, \
        financiados em parte por um empréstimo internacional.";
    const ITALIAN: &str = "Il consiglio comunale di Milano ha approvato ieri sera il nuovo piano per \
        la mobilità urbana, che prevede l'estensione delle piste ciclabili e la riduzione del traffico \
        nel centro storico. Il sindaco ha dichiarato che i lavori inizieranno a primavera, mentre i \
        commercianti della zona temono un calo delle vendite.";
    const DUTCH: &str =
        "De regering heeft dinsdag bekendgemaakt dat er volgend jaar extra geld komt \
        voor de bouw van betaalbare huurwoningen. Volgens de minister moeten gemeenten sneller \
        vergunningen verlenen, omdat het tekort aan woningen in de grote steden de afgelopen jaren \
        flink is opgelopen. Woningcorporaties reageerden voorzichtig positief.";
    const RUSSIAN: &str = "Правительство объявило во вторник о новой программе поддержки малого \
        бизнеса в регионах. По словам министра экономического развития, предприниматели смогут \
        получить льготные кредиты на покупку оборудования, а сроки рассмотрения заявок сократятся \
        вдвое. Эксперты считают, что программа поможет создать тысячи рабочих мест.";
    const ARABIC: &str = "أعلنت وزارة الصحة يوم الأحد عن حملة وطنية جديدة لتطعيم الأطفال ضد الحصبة \
        في جميع المحافظات. وقال المتحدث باسم الوزارة إن الحملة ستستمر أسبوعين وتهدف إلى الوصول إلى \
        أكثر من مليوني طفل، مؤكدا أن اللقاح متوفر مجانا في المراكز الصحية والمدارس الحكومية.";
    const CHINESE: &str =
        "国家统计局星期三公布的数据显示，今年第三季度国内生产总值同比增长百分之四点八，\
        略低于市场预期。分析人士指出，房地产市场持续低迷和出口需求放缓是拖累经济增长的主要原因。\
        政府可能在年底前推出更多刺激措施，以稳定就业和消费。与此同时，多个城市已经放宽了购房限制，\
        部分银行也下调了住房贷款利率。专家认为，这些政策的效果需要几个月才能显现，明年的经济形势\
        仍然存在较大的不确定性。商务部官员表示，将继续扩大对外开放，吸引更多外国企业来华投资。";
    const JAPANESE: &str = "政府は十五日、来年度から小中学校の給食費を無償化する方針を正式に発表した。\
        文部科学省によると、全国の公立学校に通う約九百万人の児童と生徒が対象となり、必要な予算は\
        およそ五千億円に上る見通しだ。保護者からは歓迎の声が上がる一方、財源の確保を疑問視する専門家\
        もいる。野党は、教員の待遇改善を優先すべきだと主張しており、国会での審議は難航しそうだ。\
        地方の自治体の中には、すでに独自に無償化を始めているところもある。";
    const HINDI: &str = "केंद्र सरकार ने बुधवार को किसानों के लिए एक नई बीमा योजना की घोषणा की, \
        जिसके तहत बाढ़ और सूखे से होने वाले नुकसान की भरपाई की जाएगी। कृषि मंत्री ने कहा कि इस योजना से \
        देश के करोड़ों छोटे किसानों को लाभ मिलेगा और दावों का निपटारा तीस दिनों के भीतर किया जाएगा।";

    // English stories crowded with names from elsewhere.
    const KENYAN_COURT: &str = "NAIROBI - A High Court judge in Nairobi on Thursday blocked the \
        government's plan to deport the activist Wanjiru Kamau, ruling that the Interior Ministry had \
        ignored an earlier order. Justice Odhiambo Otieno said the state must produce Ms Kamau at the \
        Milimani Law Courts by Monday. Her lawyer, Njeri Mwangi, said the Directorate of Criminal \
        Investigations had held Kamau without charge for nine days in Kiambu and Nakuru. Cabinet \
        Secretary Kiprono Chepkoech declined to comment.";
    const JAPANESE_BOARDROOM: &str = "TOKYO - Shareholders of Takahashi Seiki voted on Friday to \
        remove chairman Hiroshi Nakamura after a months-long dispute over a merger with \
        Kawasaki-based Fujimoto Denki. The fund Sakura Partners, led by Yumiko Ishikawa, will nominate \
        Kenji Watanabe and Haruka Matsumoto to the board. Shares rose 6 percent in Tokyo after the \
        vote, and analysts at Mizuho said Tsuyoshi Okabe was likely to revive the Hokkaido and \
        Fukuoka expansion.";

    #[test]
    fn short_news_paragraphs_in_eleven_languages_are_detected() {
        let cases = [
            ("de", GERMAN),
            ("fr", FRENCH),
            ("es", SPANISH),
            ("pt", PORTUGUESE),
            ("it", ITALIAN),
            ("nl", DUTCH),
            ("ru", RUSSIAN),
            ("ar", ARABIC),
            ("zh", CHINESE),
            ("ja", JAPANESE),
            ("hi", HINDI),
        ];
        for (want, text) in cases {
            assert!(text.chars().count() >= 200, "{want}: paragraph too short");
            let got = detect(text);
            assert_eq!(got.code, Some(want), "{want}: {got:?}");
            assert!(got.confidence > 0.5, "{want}: {got:?}");
            assert!(!looks_english(text), "{want}");
        }
    }

    #[test]
    fn english_full_of_foreign_names_stays_english() {
        for text in [KENYAN_COURT, JAPANESE_BOARDROOM] {
            assert!(text.chars().count() >= 200);
            let got = detect(text);
            assert_eq!(got.code, Some("en"), "{got:?}: {text}");
            assert!(looks_english(text), "the shortcut takes it");
            let trigrams = whatlang::detect(text).map(|i| i.lang());
            assert_eq!(trigrams, Some(Lang::Eng), "and so does the detector");
        }
    }

    #[test]
    fn candidates_restrict_the_answer_to_the_feed_languages() {
        // Written for this test: Dutch that a free choice may confuse with Afrikaans.
        let dutch = "De gemeenteraad heeft dinsdagavond ingestemd met het plan om de oude haven \
                     om te bouwen tot een woonwijk met vijfhonderd huizen, een school en een park \
                     langs het water. De wethouder zei dat de bouw volgend jaar kan beginnen.";
        assert_eq!(detect_among(dutch, &["nl", "de", "en"]).code, Some("nl"));
        // Only the candidates can come out, whatever the text.
        let german = "Die Bundesregierung hat am Mittwoch ein neues Gesetz zur Förderung der \
                      erneuerbaren Energien beschlossen, das vor allem kleinen Gemeinden helfen soll.";
        let among = detect_among(german, &["fr", "es"]).code;
        assert!(matches!(among, Some("fr" | "es")), "{among:?}");
        // English is only taken by the shortcut when it is a candidate.
        let english = "The minister said on Tuesday that the government would raise the budget \
                       for the schools of the region and that the plan was to be voted in May.";
        assert_eq!(detect_among(english, &[]).code, Some("en"));
        assert_ne!(detect_among(english, &["de", "nl"]).code, Some("en"));
    }

    #[test]
    fn too_short_or_letterless_text_is_undetermined() {
        for text in [
            "",
            "   ",
            "Merkel visits",
            "2025-06-18 12:00 +3.5% 1,200,000 USD 4.1 / 7.9 / 12.0",
            "| 12 | 13 | 14 |\n| 15 | 16 | 17 |",
        ] {
            assert_eq!(detect(text), Detection::UNDETERMINED, "{text:?}");
            assert_eq!(detect(text).code_or_und(), "und");
        }
    }

    #[test]
    fn mixed_text_gets_the_stronger_language() {
        let english = "The government on Wednesday approved a new law to promote rail transport. \
            According to the transport ministry, more than twenty billion euros will flow into the \
            expansion of railway lines by 2030.";
        let quote = "Die Bundesregierung hat ein neues Gesetz beschlossen, sagte der Minister.";
        let with_quote = format!("{english} {quote} {english}");
        assert_eq!(detect(&with_quote).code, Some("en"));
        for half_and_half in [format!("{GERMAN} {english}"), format!("{english} {GERMAN}")] {
            assert_eq!(detect(&half_and_half).code, Some("de"), "{half_and_half}");
        }
    }

    #[test]
    fn only_the_prefix_is_read() {
        // German first, then far more English than German: the prefix decides.
        let mut text = GERMAN.repeat(8);
        text.push_str(&KENYAN_COURT.repeat(40));
        assert!(text.chars().count() > 4 * PREFIX_CHARS);
        assert_eq!(detect(&text).code, Some("de"));
        // A prefix cut inside multi-byte characters stays on a boundary.
        let cut = prefix(RUSSIAN, 7);
        assert_eq!(cut.chars().count(), 7);
    }

    #[test]
    fn input_tags_are_normalised_to_iso_639_1() {
        let cases = [
            ("en", Some("en")),
            ("EN", Some("en")),
            ("en-GB", Some("en")),
            ("pt_BR", Some("pt")),
            ("deu", Some("de")),
            ("cmn", Some("zh")),
            ("zh-Hant", Some("zh")),
            ("und", None),
            ("xx", None),
            ("english", None),
            ("", None),
        ];
        for (tag, want) in cases {
            assert_eq!(normalize_tag(tag), want, "{tag:?}");
        }
    }

    #[test]
    fn every_detector_language_has_a_distinct_two_letter_code() {
        let codes: std::collections::HashSet<&str> =
            Lang::all().iter().map(|l| iso639_1(*l)).collect();
        assert_eq!(codes.len(), Lang::all().len());
        assert!(codes.iter().all(|c| c.len() == 2));
    }
}
