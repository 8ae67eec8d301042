//! The word-level vocabulary shared by feature extraction, the document context and the
//! gazetteer features: the feature templates and a word's case class. A leaf module, so those
//! three do not import one another for it.

/// Word-level templates. The discriminant is the hash seed, so never renumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Tpl {
    Lower = 0,
    Raw = 1,
    Shape = 2,
    Case = 3,
    Prefix = 4,
    Suffix = 5,
    Cluster = 6,
    Digit = 7,
    Hyphen = 8,
    Pad = 9,
    Bias = 10,
    Position = 11,
    DocCase = 12,
    Caps = 13,
    Gaz = 14,
    PrevType = 15,
    GazNext = 16,
    GazPrev = 17,
    LowerNoCluster = 18,
    Lex = 19,
    LexPrev = 20,
    LexNext = 21,
    Emb = 22,
}

/// Case class of a word, also used by the document context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub(crate) enum CaseClass {
    Lower = 0,
    Title = 1,
    Upper = 2,
    Mixed = 3,
    Digit = 4,
    Other = 5,
}

pub(crate) fn case_class(w: &str) -> CaseClass {
    let (mut up, mut low, mut dig, mut first_up) = (0usize, 0usize, 0usize, false);
    for (i, c) in w.chars().enumerate() {
        if c.is_uppercase() {
            up += 1;
            if i == 0 {
                first_up = true;
            }
        } else if c.is_lowercase() {
            low += 1;
        } else if c.is_ascii_digit() {
            dig += 1;
        }
    }
    match (up, low) {
        (0, 0) if dig > 0 => CaseClass::Digit,
        (0, 0) => CaseClass::Other,
        (0, _) => CaseClass::Lower,
        (1, 0) if first_up && w.chars().count() == 1 => CaseClass::Title,
        (_, 0) => CaseClass::Upper,
        (1, _) if first_up => CaseClass::Title,
        _ => CaseClass::Mixed,
    }
}
