//! Relation extraction. (Skeleton: finds nothing yet.)

use super::entities::Resolved;
use super::{Mention, ModelError, Relation, Sentence, Token};
use std::path::Path;

pub struct RelationModel {}

impl RelationModel {
    pub fn load(_dir: &Path) -> Result<Self, ModelError> {
        Ok(Self {})
    }

    pub fn name(&self) -> &str {
        "rel-none"
    }

    pub fn extract(
        &self,
        _text: &str,
        _tokens: &[Token<'_>],
        _sentences: &[Sentence],
        _mentions: &[Mention],
        _resolved: &Resolved,
    ) -> Vec<Relation> {
        Vec::new()
    }
}
