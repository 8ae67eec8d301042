//! Place names, countries with ISO 3166 codes, demonyms; refines tagger types (LOC -> GPE, MISC -> NORP).
//! (Skeleton: passes mentions through unchanged.)

use super::{Mention, ModelError, Token};
use std::path::Path;

pub struct Gazetteer {}

impl Gazetteer {
    pub fn load(_dir: &Path) -> Result<Self, ModelError> {
        Ok(Self {})
    }

    /// Refines the coarse tagger types and adds gazetteer-only mentions.
    pub fn refine(&self, _tokens: &[Token<'_>], mentions: Vec<Mention>) -> Vec<Mention> {
        mentions
    }

    /// ISO 3166-1 alpha-2 code of a country name, variant or demonym ("South Korean" -> "KR").
    pub fn country_code(&self, _name: &str) -> Option<&str> {
        None
    }
}
