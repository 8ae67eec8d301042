//! Hostile article texts, generated: the shapes that once crashed or stalled the core (a CSV row
//! or minified JSON with no spaces, long runs of percentages, ordinals, names or clitics, one
//! endless sentence) and odd characters (combining marks, NUL, bidi controls, emoji, mixed
//! scripts). The unit tests and the `hostile` benchmark share them; nothing here is read from disk.

/// One named shape: `make(n)` returns a text of about `n` bytes (at least `n`, cut at a char
/// boundary a little past it).
pub struct Shape {
    pub name: &'static str,
    pub make: fn(usize) -> String,
}

/// Repeats `unit` until the text has at least `n` bytes.
fn repeat(unit: &str, n: usize) -> String {
    let times = n.div_ceil(unit.len().max(1)).max(1);
    unit.repeat(times)
}

/// Cycles through `units`, `sep` between them, until the text has at least `n` bytes.
fn cycle(units: &[&str], sep: &str, n: usize) -> String {
    let mut out = String::with_capacity(n + 64);
    let mut i = 0usize;
    while out.len() < n {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(units[i % units.len()]);
        i += 1;
    }
    out
}

/// A CSV table with its line breaks gone: one chunk without spaces.
fn csv_row(n: usize) -> String {
    let mut out = String::with_capacity(n + 64);
    let mut i = 0u64;
    while out.len() < n {
        out.push_str(&format!(
            "{i},Maria,Lopez,{}.{},NY,\"a;b\",2025-06-{:02},",
            i % 97,
            i % 10,
            i % 28 + 1
        ));
        i += 1;
    }
    out
}

/// Minified JSON, nested objects and arrays, no spaces.
fn minified_json(n: usize) -> String {
    let mut out = String::with_capacity(n + 64);
    out.push('[');
    let mut i = 0u64;
    while out.len() < n {
        out.push_str(&format!(
            "{{\"id\":{i},\"name\":\"Kenji Sato\",\"tags\":[\"a\",\"b\"],\"v\":{{\"x\":-{i}.5e3,\"ok\":true}}}},"
        ));
        i += 1;
    }
    out.push(']');
    out
}

fn punctuation_run(n: usize) -> String {
    repeat("!?.,;:-()[]{}\"'…—–/\\*&^%$#@+=<>|~`«»“”‘’", n)
}

fn giant_token(n: usize) -> String {
    repeat("abcdefghij0123456789", n)
}

fn only_punctuation(n: usize) -> String {
    repeat(". , ! ? ... -- ( ) \" ' ; : … ", n)
}

fn repeated_names(n: usize) -> String {
    repeat(
        "Maria Lopez met Kenji Sato and Ana Ruiz of Acme Corp in Paris, France, and ",
        n,
    )
}

fn repeated_name_sentences(n: usize) -> String {
    repeat(
        "President Maria Lopez of France met Prime Minister Kenji Sato in Tokyo. ",
        n,
    )
}

fn numbers(n: usize) -> String {
    repeat("1,234 5.6 -7 3-4 1996-08-22 12:30 0.5bn $17,000 ", n)
}

fn percentages(n: usize) -> String {
    repeat("5% ", n)
}

fn ordinals(n: usize) -> String {
    cycle(
        &[
            "1st Brigade",
            "2nd Battalion",
            "3rd Regiment",
            "4th Division",
            "5th Fleet",
            "21st Army",
        ],
        " ",
        n,
    )
}

fn acronyms(n: usize) -> String {
    repeat("NATO UN EU G-7 U.S. U.K. IMF WHO ASEAN OPEC ", n)
}

fn clitics(n: usize) -> String {
    repeat("x's Maria's don't they're Japan’s ", n)
}

fn glued_clitics(n: usize) -> String {
    repeat("x's", n)
}

fn successors(n: usize) -> String {
    repeat(
        "Maria Lopez's predecessor Kenji Sato, his successor Ana Ruiz, Lee succeeded Park, predecessor successor ",
        n,
    )
}

/// One sentence: prose with names and no terminator at all.
fn one_sentence(n: usize) -> String {
    repeat(
        "the minister Maria Lopez said that Acme Corp based in Berlin would hire staff from Spain and ",
        n,
    )
}

fn combining_marks(n: usize) -> String {
    repeat("Zu\u{308}rich e\u{301}\u{301}\u{301} a\u{300}\u{323} ", n)
}

fn nul_and_controls(n: usize) -> String {
    repeat("Maria\0Lopez \0\0 \u{1}\u{7f} Paris\u{0b}Berlin\r\n", n)
}

fn bidi_controls(n: usize) -> String {
    repeat(
        "\u{202e}Maria Lopez\u{202c} \u{200f}Paris\u{200e} \u{2066}Tokyo\u{2069} \u{feff}",
        n,
    )
}

fn mixed_scripts(n: usize) -> String {
    repeat("Москва 東京 القاهرة Αθήνα Lee Jae-myung 서울 Zürich ", n)
}

fn emoji(n: usize) -> String {
    repeat("👍🏽 👨‍👩‍👧 🇰🇷 Maria🙂Lopez 🏳️‍🌈 ", n)
}

/// Every shape, in a fixed order.
pub const SHAPES: &[Shape] = &[
    Shape {
        name: "punctuation_run",
        make: punctuation_run,
    },
    Shape {
        name: "giant_token",
        make: giant_token,
    },
    Shape {
        name: "csv_row",
        make: csv_row,
    },
    Shape {
        name: "minified_json",
        make: minified_json,
    },
    Shape {
        name: "only_punctuation",
        make: only_punctuation,
    },
    Shape {
        name: "repeated_names",
        make: repeated_names,
    },
    Shape {
        name: "repeated_name_sentences",
        make: repeated_name_sentences,
    },
    Shape {
        name: "numbers",
        make: numbers,
    },
    Shape {
        name: "percentages",
        make: percentages,
    },
    Shape {
        name: "ordinals",
        make: ordinals,
    },
    Shape {
        name: "acronyms",
        make: acronyms,
    },
    Shape {
        name: "clitics",
        make: clitics,
    },
    Shape {
        name: "glued_clitics",
        make: glued_clitics,
    },
    Shape {
        name: "predecessor_successor",
        make: successors,
    },
    Shape {
        name: "one_sentence",
        make: one_sentence,
    },
    Shape {
        name: "combining_marks",
        make: combining_marks,
    },
    Shape {
        name: "nul_and_controls",
        make: nul_and_controls,
    },
    Shape {
        name: "bidi_controls",
        make: bidi_controls,
    },
    Shape {
        name: "mixed_scripts",
        make: mixed_scripts,
    },
    Shape {
        name: "emoji",
        make: emoji,
    },
];

/// The text of shape `name` at about `n` bytes; empty for an unknown name.
pub fn make(name: &str, n: usize) -> String {
    SHAPES
        .iter()
        .find(|s| s.name == name)
        .map_or_else(String::new, |s| (s.make)(n))
}

/// A small seeded generator (SplitMix64), enough to mix the shapes reproducibly.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }
}

/// Glue between mixed pieces: nothing (so pieces fuse into one chunk), spaces, sentence ends,
/// line breaks.
const GLUE: &[&str] = &["", " ", ". ", "\n", "\n\n", ", ", "'s ", "\u{a0}"];

/// A text of about `n` bytes mixing slices of random shapes with random glue: a few pieces of a
/// few hundred bytes each, cut at char boundaries at random places.
pub fn mixed(rng: &mut Rng, n: usize) -> String {
    let mut out = String::with_capacity(n + 512);
    while out.len() < n {
        let shape = &SHAPES[rng.below(SHAPES.len())];
        let piece = (shape.make)(64 + rng.below(512));
        let from = floor_boundary(&piece, rng.below(piece.len()));
        let to = floor_boundary(&piece, from + rng.below(piece.len() - from + 1));
        out.push_str(&piece[from..to.max(from)]);
        out.push_str(GLUE[rng.below(GLUE.len())]);
    }
    out
}

/// The largest char boundary of `s` at or below `i`.
fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
