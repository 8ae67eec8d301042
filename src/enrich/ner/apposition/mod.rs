//! Types from what news writes next to a name it cannot expect the reader to know. Three cues:
//! - an apposition after the name (`appositive.rs`): the head noun of the phrase says what the name
//!   is: "Varga, a senior defence official, …" (a person), "Holm Brothers, a Tarrowby building
//!   firm, …" (an organisation), "Kelso, a mining town in …" (a place). The tagger sees two words
//!   either side of a token, which is too short to reach the head noun, so this step reads it and
//!   re-types the mention when the tagger disagreed;
//! - a descriptor right before the name (`descriptors.rs`): "gear maker Tarrow" is a company,
//!   "the party's candidate Amon Kelso" a person, and so is every same-text mention in the article;
//! - a common noun opening a sentence (`initial_nouns.rs`): "Chipmaker picks Dresden" names no
//!   "Chipmaker".
//!
//! The head nouns the three share are in `heads.rs`.

mod appositive;
mod descriptors;
mod heads;
mod initial_nouns;

pub(crate) use appositive::apply;
pub(crate) use descriptors::{is_org_descriptor_head, org_descriptors, person_descriptors};
pub(crate) use initial_nouns::drop_sentence_initial_nouns;
