//! Statistical named-entity tagger. (Skeleton: finds nothing yet.)

use super::{Mention, ModelError, Sentence, Token};
use std::path::Path;

pub struct NerModel {}

impl NerModel {
    pub fn load(_dir: &Path) -> Result<Self, ModelError> {
        Ok(Self {})
    }

    pub fn name(&self) -> &str {
        "ner-none"
    }

    /// Tags a document; mentions carry the coarse types PERSON, ORG, LOC, MISC.
    pub fn tag(&self, _tokens: &[Token<'_>], _sentences: &[Sentence]) -> Vec<Mention> {
        Vec::new()
    }
}
